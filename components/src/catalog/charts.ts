/**
 * The pinned Helm charts: one entry per chart in `charts.lock.json` (chart, version, repository, the file
 * `helm pull` writes and its SHA-256). It is the one place a chart version is written: the platform's add-on
 * registry takes each add-on's chart, version and repository from here, and `npm run render` checks every chart
 * file against the digest. Bumping a chart is editing its entry (README, "Bumping a pinned chart").
 */
import lockFile from "./charts.lock.json";

/** One pinned chart as a file. */
export interface ChartLockEntry {
  /** The chart as the registry names it: a chart name, or an `oci://` reference. */
  chart: string;
  /** Pinned version (the registry's). */
  version: string;
  /** Helm repository URL; `null` for an OCI chart. */
  repository: string | null;
  /** The file `helm pull` writes: `<chart name>-<version>.tgz`. */
  file: string;
  /** SHA-256 of that file, hex. */
  sha256: string;
}

/** The committed chart lock. */
export const CHART_LOCK: readonly ChartLockEntry[] = lockFile.charts;

/** Where the lock lives, for messages. */
export const CHART_LOCK_PATH = "components/src/catalog/charts.lock.json";

/** A chart as a Helm release names it: the chart, its pinned version, and its repository (`undefined` for OCI). */
export interface PinnedChart {
  chart: string;
  version: string;
  repository: string | undefined;
}

/**
 * The pin of `chart` in the lock.
 * @throws Error when the lock has no entry for it (a programming error: every add-on's chart is locked)
 */
export function pinnedChart(chart: string): PinnedChart {
  const entries = CHART_LOCK.filter((e) => e.chart === chart);
  if (entries.length !== 1) {
    throw new Error(`${CHART_LOCK_PATH}: ${entries.length} entries for chart ${chart}; exactly one expected`);
  }
  const { version, repository } = entries[0]!;
  return { chart, version, repository: repository ?? undefined };
}
