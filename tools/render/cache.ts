/**
 * `helm template` outputs kept by the content of their inputs, in `<root>/.cache/render/`: the Helm binary (its
 * SHA-256), the chart (the lock's SHA-256, which every chart file is checked against before Helm reads it), the
 * release's name, namespace and values, the Kubernetes version and the API versions given to Helm. A render
 * whose inputs are all the same is read back instead of run again: the test suite renders each stack and its
 * edits many times, `npm run verify` renders what the tests rendered, and a stack edit changes one or two
 * releases' values. A chart that generates values at render time (`randAlphaNum`, `genCA`) gives the output of
 * its first render until an input changes or the entry is a week old.
 *
 * `AGENTOPS_RENDER_CACHE=off` renders everything afresh (nothing read or written). An entry is used for
 * {@link RENDER_CACHE_MAX_AGE_MS} after it was made; the folder is pruned to {@link RENDER_CACHE_MAX_BYTES}, least
 * recently used first.
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
const FORMAT = "agentops-render-cache/2";

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

/** The cache folder of a project, or `undefined` when {@link RENDER_CACHE_ENV} is `off` (any case). */
export function renderCacheDir(root: string): string | undefined {
  return process.env[RENDER_CACHE_ENV]?.toLowerCase() === "off"
    ? undefined
    : path.join(root, ".cache", "render");
}

/**
 * How long an entry is used after it was rendered: 7 days. Charts generate certificates (`genCA`) and passwords
 * at render time; a render older than this is made again, so a kept certificate is never near its expiry.
 */
export const RENDER_CACHE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** What an entry holds: the key it was made for (checked on read), when, and the objects. */
interface Entry {
  format: string;
  key: RenderKey;
  renderedAt: number;
  objects: KubernetesObject[];
}

function digestOf(key: RenderKey): string {
  return createHash("sha256")
    .update(JSON.stringify([FORMAT, key]))
    .digest("hex");
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The objects of the entry in `file` when it is one of this format, for `key`, and young enough; else nothing. */
function read(file: string, key: RenderKey): KubernetesObject[] | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (!isObject(entry) || entry.format !== FORMAT || JSON.stringify(entry.key) !== JSON.stringify(key)) {
    return undefined;
  }
  if (typeof entry.renderedAt !== "number" || Date.now() - entry.renderedAt > RENDER_CACHE_MAX_AGE_MS) {
    return undefined;
  }
  const objects = entry.objects;
  const wellFormed =
    Array.isArray(objects) &&
    objects.every(
      (o) =>
        isObject(o) && typeof o.kind === "string" && typeof o.apiVersion === "string" && isObject(o.metadata),
    );
  return wellFormed ? (objects as KubernetesObject[]) : undefined;
}

/**
 * The objects `render` prints for `key`: read from `dir` when an earlier render had the same key (and the entry
 * is well formed and younger than {@link RENDER_CACHE_MAX_AGE_MS}), else rendered and stored — written whole
 * (owner-only: values hold generated secrets), then renamed into place, so a reader never sees half a file. A
 * folder that cannot be read or written is no error: the render is made, and not kept.
 */
export async function cachedRender(
  dir: string | undefined,
  key: RenderKey,
  render: () => Promise<KubernetesObject[]>,
): Promise<KubernetesObject[]> {
  if (dir === undefined) return render();
  const file = path.join(dir, `${digestOf(key)}.json`);
  const hit = read(file, key);
  if (hit) {
    try {
      const now = new Date();
      fs.utimesSync(file, now, now);
    } catch {
      // Used without its use being recorded: pruned earlier, nothing else.
    }
    return hit;
  }
  const objects = await render();
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const entry: Entry = { format: FORMAT, key, renderedAt: Date.now(), objects };
    fs.writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    fs.renameSync(tmp, file);
    prune(dir);
  } catch {
    // Not kept (a read-only folder, a file where the folder should be): the render is still good.
    try {
      fs.rmSync(tmp, { force: true, recursive: true });
    } catch {
      // There was no folder to write it in.
    }
  }
  return objects;
}

const pruned = new Set<string>();

/**
 * Removes the least recently used renders past {@link RENDER_CACHE_MAX_BYTES}, and temporary files an
 * interrupted run left; once per folder and process.
 */
function prune(dir: string): void {
  if (pruned.has(dir)) return;
  pruned.add(dir);
  const files = fs
    .readdirSync(dir)
    .map((f) => {
      const full = path.join(dir, f);
      const stat = fs.statSync(full, { throwIfNoEntry: false });
      return { full, tmp: f.endsWith(".tmp"), size: stat?.size ?? 0, used: stat?.mtimeMs ?? 0 };
    })
    .sort((a, b) => b.used - a.used);
  let total = 0;
  for (const f of files) {
    total += f.size;
    // A temporary file older than a minute belongs to no running render.
    const stale = f.tmp && Date.now() - f.used > 60_000;
    if (stale || total > RENDER_CACHE_MAX_BYTES) fs.rmSync(f.full, { force: true, recursive: true });
  }
}
