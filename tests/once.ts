/**
 * Lines a test run prints once, however many processes run its files: mocha's parallel mode (.mocharc.json)
 * runs files in worker processes, each with its own module state, so "once" is a marker file per run (named by
 * {@link RUN_ENV}) that the first process to print creates. The markers go with the run
 * (`mochaGlobalTeardown` in tests/setup.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * This run's name: set by the main mocha process when it loads tests/setup.ts (its pid and start time, so a
 * folder a killed run left cannot silence a later run with the same pid), inherited by the workers it starts.
 */
export const RUN_ENV = "AGENTOPS_TEST_RUN";
process.env[RUN_ENV] ??= `${process.pid}-${Date.now()}`;

/** The folder of this run's markers. */
export const onceDir = path.join(os.tmpdir(), `agentops-test-run-${process.env[RUN_ENV]}`);

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
