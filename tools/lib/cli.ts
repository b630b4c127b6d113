/**
 * What every tool under tools/ shares: one error type for a user's mistake or a missing prerequisite (printed as
 * one line, never a stack trace), the entry points that map it to an exit code, and the arguments of the
 * commands that work on one stack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "@agentops/components/model";

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
 * A reader that stops early (`npm run cluster -- status | head -1`) closes the pipe: what the command still
 * prints goes nowhere, which is no failure of the command. Node reports that as an EPIPE error on the stream,
 * thrown with a stack trace when nobody listens; here it is ignored, and the command finishes its work and exits
 * with its own code (console output to a closed stream is dropped).
 */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
    });
  }
}

/**
 * Exits with `code` once everything written to stdout and stderr has left the process. Writes to a pipe whose
 * reader is slower than the command (`| less`, `| tee`, a CI log collector) are queued in Node once the pipe's
 * buffer (64 KiB on Linux) is full, and `process.exit` drops that queue: `npm run diff … | (sleep 1; cat)` lost
 * everything past 65,536 bytes. A reader that has gone (EPIPE) ends the wait too.
 */
export function exitWhenFlushed(code: number): void {
  const queued = [process.stdout, process.stderr].filter((s) => s.writableLength > 0 && !s.destroyed);
  let waiting = queued.length;
  if (waiting === 0) process.exit(code);
  for (const stream of queued) {
    // Writes complete in order: this callback runs once everything written before it is out (or failed).
    stream.write("", () => {
      if (--waiting === 0) process.exit(code);
    });
  }
}

/** Folders to remove when the process ends (see {@link removedAtExit}). */
const leftAtExit = new Set<string>();
let removalHooked = false;

/**
 * Registers `dir` (a temporary folder the command made) to be removed when the process ends without having
 * removed it: at exit, and on Ctrl-C (SIGINT), SIGTERM or SIGHUP, which end the process without running
 * `finally` blocks (the signal is then raised again, so the process still ends by it, exit 128 + n). The returned
 * function removes the folder now and forgets it.
 */
export function removedAtExit(dir: string): () => void {
  leftAtExit.add(dir);
  if (!removalHooked) {
    removalHooked = true;
    const removeAll = () => {
      for (const d of leftAtExit) fs.rmSync(d, { recursive: true, force: true });
      leftAtExit.clear();
    };
    process.once("exit", removeAll);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(signal, () => {
        removeAll();
        process.kill(process.pid, signal);
      });
    }
  }
  return () => {
    fs.rmSync(dir, { recursive: true, force: true });
    leftAtExit.delete(dir);
  };
}

/**
 * Runs a command-line entry point: its return value is the exit code; a {@link ToolError} prints its message
 * alone and exits with its code; anything else is a defect and prints its stack (exit 1).
 */
export function runTool(main: () => Promise<number> | number): void {
  quietOnClosedPipe();
  Promise.resolve()
    .then(main)
    .then(
      (code) => exitWhenFlushed(code),
      (err: unknown) => {
        if (err instanceof ToolError) {
          console.error(err.message);
          return exitWhenFlushed(err.exitCode);
        }
        console.error(err);
        exitWhenFlushed(1);
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
  quietOnClosedPipe();
  Promise.resolve()
    .then(main)
    .then(
      (code) => exitWhenFlushed(code),
      (err: unknown) => {
        if (userErrors.some((E) => err instanceof E)) {
          console.error((err as Error).message);
          return exitWhenFlushed(2);
        }
        console.error(err);
        exitWhenFlushed(1);
      },
    );
}

/** Whether the command line asks for help (`--help` or `-h` anywhere): the command prints its usage, exit 0. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((a) => a === "--help" || a === "-h");
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
 * File systems that hold no ordinary directories: the kernel's views (proc, sysfs, cgroup, debugfs, …), whose
 * `mkdir` answers in ways no writer expects (Node's recursive mkdir loops forever on /proc), by `statfs` magic
 * number (linux/magic.h).
 */
const PSEUDO_FILE_SYSTEMS: Record<number, string> = {
  0x9fa0: "proc",
  0x62656572: "sysfs",
  0x27e0eb: "cgroup",
  0x63677270: "cgroup2",
  0x64626720: "debugfs",
  0x74726163: "tracefs",
  0x73636673: "securityfs",
  0x1cd1: "devpts",
  0xcafe4a11: "bpf",
  0x62656570: "configfs",
  0x6165676c: "pstore",
  0xde5e81e4: "efivarfs",
  0x65735543: "fusectl",
  0x42494e4d: "binfmt_misc",
  0x6e736673: "nsfs",
  0x19800202: "mqueue",
};

/** Why `dir` is not an ordinary folder this user can write, or `undefined`. */
function notWritable(dir: string): string | undefined {
  let type: number | undefined;
  try {
    type = Number(fs.statfsSync(dir).type);
  } catch {
    type = undefined;
  }
  const pseudo = type === undefined ? undefined : PSEUDO_FILE_SYSTEMS[type];
  if (pseudo !== undefined)
    return `${dir} is on the kernel's ${pseudo} file system, not an ordinary directory`;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return `${dir} is not writable`;
  }
  return undefined;
}

/**
 * Checks, before any work, that `--out <dir>` can be written: `dir` is an ordinary directory this user can
 * write, or can be made as one under its nearest existing ancestor (not on /proc, /sys or the like); and, when
 * it exists, that it holds nothing but what `owned` says the command writes there (the command replaces the
 * whole folder, so no file in it is older than the run; a folder of other files is not its to replace).
 * Creates nothing.
 * @param owned names of the files and folders the command writes into `dir`; a function to test a name.
 * @throws {UsageError} naming `--out`, the value and why not
 */
export function checkOutDir(dir: string, owned: (name: string) => boolean = () => true): void {
  const bad = (why: string) =>
    new UsageError(`--out: ${JSON.stringify(dir)} — must be a directory this user can write (${why})`);
  const target = path.resolve(dir);
  let at = target;
  while (!fs.existsSync(at)) {
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  if (!fs.statSync(at).isDirectory()) {
    throw bad(at === target ? "it is a file" : `${at} is a file`);
  }
  const why = notWritable(at);
  if (why !== undefined) throw bad(why);
  if (at === target) {
    // Replacing the folder means writing its parent.
    const parentWhy = target === path.dirname(target) ? "it is the root" : notWritable(path.dirname(target));
    if (parentWhy !== undefined) throw bad(parentWhy);
    const foreign = fs.readdirSync(target).filter((name) => !owned(name));
    if (foreign.length > 0) {
      throw new UsageError(
        `--out: ${JSON.stringify(dir)} — must be a new or empty folder, or one this command wrote (it holds ${foreign
          .slice(0, 3)
          .map((f) => JSON.stringify(f))
          .join(
            ", ",
          )}${foreign.length > 3 ? `, … ${foreign.length - 3} more` : ""}, which it does not write)`,
      );
    }
  }
}

/** Makes `dir` and its missing parents one level at a time (never `recursive`, which loops on some file systems). */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fs.existsSync(at); at = path.dirname(at)) {
    if (path.dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const d of missing) fs.mkdirSync(d);
}

/**
 * Writes a command's output folder as a whole: `write` fills a new folder next to `dir`, which then takes
 * `dir`'s place (the old one removed after), so the folder never mixes files of two runs and a run that fails
 * leaves the previous output as it was. Check `dir` with {@link checkOutDir} first.
 * @throws {UsageError} naming `--out` when the file system refuses (through {@link writingTo})
 */
export function replaceOutputDir(dir: string, write: (tmp: string) => void): void {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  writingTo(dir, () => makeDirs(parent));
  const tmp = writingTo(dir, () => fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.new-`)));
  // mkdtemp makes it private (0700); an output folder reads like any other.
  fs.chmodSync(tmp, 0o755);
  let old: string | undefined;
  try {
    writingTo(dir, () => write(tmp));
    writingTo(dir, () => {
      if (fs.existsSync(target)) {
        old = `${tmp}-old`;
        fs.renameSync(target, old);
      }
      fs.renameSync(tmp, target);
    });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // The previous output back where it was when the swap failed halfway.
    if (old !== undefined && !fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
    throw err;
  }
  if (old !== undefined) fs.rmSync(old, { recursive: true, force: true });
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
