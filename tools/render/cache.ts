/**
 * `helm template` outputs kept by the content of their inputs, in `<root>/.cache/render/`: the Helm binary (its
 * SHA-256), the chart (the lock's SHA-256, which every chart file is checked against before Helm reads it), the
 * release's name, namespace and values, the Kubernetes version and the API versions given to Helm. A render
 * whose inputs are all the same is read back instead of run again: the test suite renders each stack and its
 * edits many times, `npm run verify` renders what the tests rendered, and a stack edit changes one or two
 * releases' values. A chart that generates values at render time (`randAlphaNum`, `genCA`) gives the output of
 * its first render until an input changes.
 *
 * `AGENTOPS_RENDER_CACHE=off` renders everything afresh (nothing read or written). The folder is pruned to
 * {@link RENDER_CACHE_MAX_BYTES}, least recently used first.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { KubernetesObject } from "@agentops/components/testing";

/** The environment variable that turns the cache off (`off`). */
export const RENDER_CACHE_ENV = "AGENTOPS_RENDER_CACHE";
/** The folder's size past which the least recently used renders are removed: 512 MiB. */
export const RENDER_CACHE_MAX_BYTES = 512 * 2 ** 20;
/** Changes whenever what is stored, or how the key is made, changes. */
const FORMAT = "agentops-render-cache/1";

/** Everything a `helm template` output depends on. */
export interface RenderKey {
  /** SHA-256 of the Helm binary. */
  helm: string;
  /** SHA-256 of the chart file, as locked. */
  chart: string;
  release: string;
  namespace: string;
  kubeVersion: string;
  apiVersions: readonly string[];
  values: unknown;
  /** The command line apart from the files named above. */
  flags: readonly string[];
}

/** The cache folder of a project, or `undefined` when {@link RENDER_CACHE_ENV} is `off`. */
export function renderCacheDir(root: string): string | undefined {
  return process.env[RENDER_CACHE_ENV] === "off" ? undefined : path.join(root, ".cache", "render");
}

function fileOf(dir: string, key: RenderKey): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([FORMAT, key]))
    .digest("hex");
  return path.join(dir, `${digest}.json`);
}

/**
 * The objects `render` prints for `key`: read from `dir` when an earlier render had the same key, else rendered
 * and stored (written whole, then renamed into place, so a reader never sees half a file).
 */
export async function cachedRender(
  dir: string | undefined,
  key: RenderKey,
  render: () => Promise<KubernetesObject[]>,
): Promise<KubernetesObject[]> {
  if (dir === undefined) return render();
  const file = fileOf(dir, key);
  try {
    const objects = JSON.parse(fs.readFileSync(file, "utf8")) as KubernetesObject[];
    const now = new Date();
    fs.utimesSync(file, now, now);
    return objects;
  } catch {
    // Not there (or unreadable): render.
  }
  const objects = await render();
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(objects));
  fs.renameSync(tmp, file);
  prune(dir);
  return objects;
}

const pruned = new Set<string>();

/** Removes the least recently used renders past {@link RENDER_CACHE_MAX_BYTES}; once per folder and process. */
function prune(dir: string): void {
  if (pruned.has(dir)) return;
  pruned.add(dir);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => {
      const full = path.join(dir, f);
      const stat = fs.statSync(full, { throwIfNoEntry: false });
      return { full, size: stat?.size ?? 0, used: stat?.mtimeMs ?? 0 };
    })
    .sort((a, b) => b.used - a.used);
  let total = 0;
  for (const f of files) {
    total += f.size;
    if (total > RENDER_CACHE_MAX_BYTES) fs.rmSync(f.full, { force: true });
  }
}
