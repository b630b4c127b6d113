/**
 * The pinned charts as files: the chart lock (`components/src/catalog/charts.lock.json`), the folders a chart
 * file is looked for in, `helm pull` when it is in none, and the SHA-256 check every file passes before Helm
 * reads it.
 *
 * Where chart files come from, in order:
 * 1. `AGENTOPS_CHART_CACHE`, when set; else `<root>/../shared/helm-cache` when that folder exists (the offline
 *    stand-in for the chart repositories on the team's machines);
 * 2. `<root>/.cache/charts/`, where pulled charts are kept;
 * 3. `helm pull` from the chart's repository (an `oci://` chart from its registry) into `<root>/.cache/charts/`.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CHART_LOCK, CHART_LOCK_PATH, type ChartLockEntry } from "@agentops/components";
import { removedAtExit } from "../lib/cli";
import { RenderError } from "./errors";

/** The environment variable naming a folder of chart files that replaces every other source. */
export const CHART_CACHE_ENV = "AGENTOPS_CHART_CACHE";

/** What to do when no chart file can be had: the one hint every "unavailable" message ends with. */
export const FILL_CACHE_HINT = `fill the chart cache: with network, \`npm run render -- <stack>\` pulls the pinned charts into .cache/charts/; offline, set ${CHART_CACHE_ENV} to a folder holding the files of ${CHART_LOCK_PATH}`;

/** The lock entry of a chart at a version. @throws RenderError `integrity` when the lock has none. */
export function lockEntry(chart: string, version: string): ChartLockEntry {
  // A release installed from a chart file (`platform.charts.directory`) names the file: its lock entry by name.
  const file = chart.endsWith(".tgz") ? path.basename(chart) : undefined;
  const entry = CHART_LOCK.find((e) =>
    file !== undefined
      ? e.file === file && e.version === version
      : e.chart === chart && e.version === version,
  );
  if (!entry) {
    throw new RenderError(
      "integrity",
      `chart ${chart} ${version}: not in the chart lock ${CHART_LOCK_PATH} — add it with its SHA-256 (README, "Bumping a pinned chart")`,
    );
  }
  return entry;
}

/** The folders searched for chart files, in order; the last is where pulls go. */
export function chartFolders(root: string): { folders: string[]; pullInto: string } {
  const pullInto = path.join(root, ".cache", "charts");
  const configured = process.env[CHART_CACHE_ENV];
  const shared = path.resolve(root, "..", "shared", "helm-cache");
  const first =
    configured !== undefined && configured !== ""
      ? [path.resolve(configured)]
      : fs.existsSync(shared)
        ? [shared]
        : [];
  return { folders: [...first, pullInto], pullInto };
}

const digests = new Map<string, Promise<string>>();

/** SHA-256 of a file, hex; memoised by path, size and modification time. */
export function sha256(file: string): Promise<string> {
  const stat = fs.statSync(file);
  const key = `${file}:${stat.size}:${stat.mtimeMs}`;
  let digest = digests.get(key);
  if (!digest) {
    digest = new Promise((resolve, reject) => {
      const hash = createHash("sha256");
      fs.createReadStream(file)
        .on("data", (chunk) => hash.update(chunk))
        .on("end", () => resolve(hash.digest("hex")))
        .on("error", reject);
    });
    digests.set(key, digest);
  }
  return digest;
}

/** Runs a command; resolves with its exit code, stdout and stderr. Spawn failures reject. */
export function run(
  command: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

/** The first line of Helm's error output, without its `Error: ` prefix. */
export function firstLine(stderr: string): string {
  const line = stderr.split("\n").find((l) => l.trim() !== "") ?? "(no output)";
  return line.replace(/^Error: /, "").trim();
}

/**
 * `helm pull` of one locked chart into `into`; the error line on failure. Its download folder is removed at the
 * end, or when the process ends first: a command that fails on one chart exits while the pulls of others still
 * run, and their `finally` never comes (the same on Ctrl-C).
 */
async function pull(helm: string, entry: ChartLockEntry, into: string): Promise<string | undefined> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-pull-"));
  const remove = removedAtExit(tmp);
  try {
    const args = ["pull", entry.chart, "--version", entry.version, "--destination", tmp];
    if (entry.repository !== null) args.push("--repo", entry.repository);
    const result = await run(helm, args);
    if (result.code !== 0) return firstLine(result.stderr);
    const pulled = path.join(tmp, entry.file);
    if (!fs.existsSync(pulled))
      return `helm pull wrote ${fs.readdirSync(tmp).join(", ") || "nothing"}, not ${entry.file}`;
    fs.mkdirSync(into, { recursive: true });
    fs.copyFileSync(pulled, path.join(into, entry.file));
    return undefined;
  } finally {
    remove();
  }
}

const resolved = new Map<string, Promise<string>>();

/**
 * The verified chart file of a chart at a version: found in the chart folders, else pulled.
 * Memoised per process, so concurrent renders of one chart share one lookup and one pull.
 * @throws RenderError `integrity` (not in the lock; SHA-256 differs), `unavailable` (in no folder and the pull
 * failed: the message names the file, the folders searched, Helm's error and how to fill the cache).
 */
export function chartFile(root: string, helm: string, chart: string, version: string): Promise<string> {
  const key = `${root}\0${chart}\0${version}\0${process.env[CHART_CACHE_ENV] ?? ""}`;
  let file = resolved.get(key);
  if (!file) {
    file = Promise.resolve().then(() => locateChart(root, helm, lockEntry(chart, version)));
    resolved.set(key, file);
    // A failure is not remembered: the cache may be filled while the process runs.
    file.catch(() => resolved.delete(key));
  }
  return file;
}

async function locateChart(root: string, helm: string, entry: ChartLockEntry): Promise<string> {
  const { folders, pullInto } = chartFolders(root);
  let file = folders.map((f) => path.join(f, entry.file)).find((f) => fs.existsSync(f));
  if (!file) {
    const failure = await pull(helm, entry, pullInto);
    if (failure !== undefined) {
      throw new RenderError(
        "unavailable",
        `chart ${entry.file} (${entry.chart} ${entry.version}) is in none of ${folders.join(", ")} and helm pull failed: ${failure}`,
        FILL_CACHE_HINT,
      );
    }
    file = path.join(pullInto, entry.file);
  }
  const actual = await sha256(file);
  if (actual !== entry.sha256) {
    throw new RenderError(
      "integrity",
      `${file}: SHA-256 ${actual} differs from the chart lock's ${entry.sha256} for ${entry.chart} ${entry.version} — not the pinned chart; remove the file to pull it again, or, if the chart was bumped on purpose, update ${CHART_LOCK_PATH} (README, "Bumping a pinned chart")`,
    );
  }
  return file;
}

/**
 * Puts every chart file of the lock in `<root>/.cache/charts/` (the folder `platform.charts.directory` of the
 * local stack names): located as {@link chartFile} locates it — a chart cache folder, else `helm pull` — checked
 * against the lock's SHA-256, and copied there when it was found elsewhere.
 * @returns one line per chart: its file and where it came from
 * @throws RenderError naming the first chart that cannot be had
 */
export async function fillChartFolder(root: string, helm: string): Promise<string[]> {
  const { pullInto } = chartFolders(root);
  fs.mkdirSync(pullInto, { recursive: true });
  const lines: string[] = [];
  for (const entry of CHART_LOCK) {
    const file = await chartFile(root, helm, entry.chart, entry.version);
    const target = path.join(pullInto, entry.file);
    if (path.resolve(file) !== path.resolve(target)) fs.copyFileSync(file, target);
    lines.push(
      `${entry.file}: ${path.dirname(file) === pullInto ? "in place" : `from ${path.dirname(file)}`}`,
    );
  }
  return lines;
}
