/**
 * What every tool under tools/ shares: one error type for a user's mistake or a missing prerequisite (printed as
 * one line, never a stack trace), and the entry point that maps it to an exit code.
 */
import * as path from "node:path";

/**
 * A failure the user can act on: a bad argument, a missing `go`, a control plane that is not running.
 * `exitCode` is 2 unless said otherwise (1 is kept for "ran, and found problems").
 */
export class ToolError extends Error {
  override name = "ToolError";

  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/**
 * Runs a command-line entry point: its return value is the exit code; a {@link ToolError} prints its message
 * alone and exits with its code; anything else is a defect and prints its stack (exit 1).
 */
export function runTool(main: () => Promise<number> | number): void {
  Promise.resolve()
    .then(main)
    .then(
      // stdout and stderr are synchronous for files and pipes on Linux, so exiting loses no output.
      (code) => process.exit(code),
      (err: unknown) => {
        if (err instanceof ToolError) {
          console.error(err.message);
          process.exit(err.exitCode);
        }
        console.error(err);
        process.exit(1);
      },
    );
}

/** Seconds since `started` (a `process.hrtime.bigint()` reading), one decimal. */
export function elapsed(started: bigint): string {
  return `${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)}s`;
}

/** The repository root: two folders above tools/<tool>/. */
export function repoRoot(): string {
  return path.resolve(__dirname, "..", "..");
}
