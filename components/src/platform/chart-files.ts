/**
 * Chart files in place of chart repositories (`platform.charts.directory`): each add-on's chart is the lock's file
 * in that folder, used only when its SHA-256 is the lock's, so a local file can never be another chart than the
 * one pinned.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CHART_LOCK, CHART_LOCK_PATH, type PinnedChart } from "../catalog/charts";
import { ConfigError } from "../config/errors";

/**
 * The absolute path of the pinned file of `chart` at `version` in `directory` (relative to the working folder,
 * the project root under the Pulumi CLI).
 * @throws {ConfigError} on `platform.charts.directory` when the file is missing or is not the pinned chart
 */
export function chartFileIn(directory: string, chart: string, version: string): string {
  const entry = CHART_LOCK.find((e) => e.chart === chart && e.version === version);
  if (!entry) throw new Error(`${CHART_LOCK_PATH}: no entry for ${chart} ${version}`);
  const file = path.resolve(directory, entry.file);
  const problem = (why: string) =>
    new ConfigError([
      {
        path: "platform.charts.directory",
        value: directory,
        allowed: `must hold the pinned chart files: ${entry.file} ${why} (\`npm run charts\` fills .cache/charts from the chart cache or the repositories; for another folder, copy the lock's files there; or set no directory to pull from the repositories)`,
      },
    ]);
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch (err) {
    throw problem(
      (err as NodeJS.ErrnoException).code === "ENOTDIR"
        ? `is not there (${directory} is not a folder)`
        : "is missing",
    );
  }
  const sha256 = createHash("sha256").update(content).digest("hex");
  if (sha256 !== entry.sha256) throw problem(`has SHA-256 ${sha256}, not the lock's ${entry.sha256}`);
  return file;
}

/** What a Helm Release says about its chart: a chart name and repository, or a chart file. */
export interface ReleaseChart {
  chart: string;
  version: string;
  repositoryOpts?: { repo: string };
}

/**
 * The chart fields of a Release installing `pinned`: from its repository, or, with `directory`, from its checked
 * file there ({@link chartFileIn}).
 */
export function releaseChart(pinned: PinnedChart, directory?: string): ReleaseChart {
  if (directory !== undefined) {
    return { chart: chartFileIn(directory, pinned.chart, pinned.version), version: pinned.version };
  }
  return {
    chart: pinned.chart,
    version: pinned.version,
    ...(pinned.repository ? { repositoryOpts: { repo: pinned.repository } } : {}),
  };
}
