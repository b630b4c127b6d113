/**
 * What every tool under tools/ shares: one error type for a user's mistake or a missing prerequisite (printed as
 * one line, never a stack trace), the entry points that map it to an exit code, and the arguments of the
 * commands that work on one stack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "@agentops/components/testing";

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

/**
 * Runs a command-line entry point. A user's mistake (an error of one of `userErrors`) prints its message
 * alone and exits 2; anything else is a defect and prints its stack, exit 1.
 */
export function runCli(
  main: () => Promise<number> | number,
  userErrors: readonly (abstract new (...args: never[]) => Error)[],
): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => process.exit(code),
      (err: unknown) => {
        if (userErrors.some((E) => err instanceof E)) {
          console.error((err as Error).message);
          process.exit(2);
        }
        console.error(err);
        process.exit(1);
      },
    );
}

/**
 * `<stack> [--out <dir>]`, the arguments of the commands that work on one stack (synth, render).
 * @param usage the command's usage line, printed under every error
 * @throws {UsageError} naming the bad argument
 */
export function parseStackArgs(
  argv: readonly string[],
  usage: string,
): { stack: string; outDir: string | undefined } {
  const positional: string[] = [];
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--out") {
      outDir = argv[++i];
      if (!outDir) throw new UsageError(`--out: (missing) — needs a directory\n${usage}`);
    } else if (arg.startsWith("-")) {
      throw new UsageError(`${arg}: unknown option — allowed: --out <dir>\n${usage}`);
    } else positional.push(arg);
  }
  if (positional.length !== 1) {
    throw new UsageError(
      `stack: ${positional.length === 0 ? "(missing)" : JSON.stringify(positional)} — exactly one stack name\n${usage}`,
    );
  }
  return { stack: positional[0]!, outDir };
}

/**
 * Checks, before any work, that `--out <dir>` can be written: `dir` is a directory or can be made as one under
 * its nearest existing ancestor. Creates nothing.
 * @throws {UsageError} naming `--out`, the value and why not
 */
export function checkOutDir(dir: string): void {
  const bad = (why: string) =>
    new UsageError(`--out: ${JSON.stringify(dir)} — must be a directory this user can write (${why})`);
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) {
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  if (!fs.statSync(at).isDirectory()) {
    throw bad(at === path.resolve(dir) ? "it is a file" : `${at} is a file`);
  }
  try {
    fs.accessSync(at, fs.constants.W_OK);
  } catch {
    throw bad(`${at} is not writable`);
  }
}

/**
 * Runs `write`, turning a file-system refusal (a read-only or special file system, a full disk) into a
 * UsageError naming `--out`, so even a late failure is one line, not a stack trace.
 */
export function writingTo<T>(dir: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== "string") throw err;
    throw new UsageError(
      `--out: ${JSON.stringify(dir)} — must be a directory this user can write (${code}: ${(err as Error).message})`,
    );
  }
}
