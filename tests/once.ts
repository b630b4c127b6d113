/**
 * Lines a test run prints once, however many processes run its files: mocha's parallel mode (.mocharc.json)
 * runs files in worker processes, each with its own module state, so "once" is a marker file per run (named by
 * the main mocha process) that the first process to print creates. The markers go with the run
 * (`mochaGlobalTeardown` in tests/setup.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The main mocha process: a worker's parent, else this process. */
const runPid = process.env.MOCHA_WORKER_ID !== undefined ? process.ppid : process.pid;

/** The folder of this run's markers. */
export const onceDir = path.join(os.tmpdir(), `agentops-test-run-${runPid}`);

/** Prints `line` unless a process of this test run printed the line of `key` already. */
export function printOnce(key: string, line: string): void {
  fs.mkdirSync(onceDir, { recursive: true });
  try {
    fs.closeSync(fs.openSync(path.join(onceDir, key), "wx"));
  } catch {
    return;
  }
  console.log(line);
}
