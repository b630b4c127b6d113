/**
 * Reading untyped plain data (resource inputs, Kubernetes objects, Helm values) without casts: the cost model
 * and the policy pack read stack resources with these same three helpers.
 */

/** A plain object (not `null`, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `v` when it is an array, else `[]`. */
export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The value at a dotted path of plain objects (`"ebs.volumeSize"`), `undefined` where one is missing. */
export function get(obj: unknown, path: string): unknown {
  let node = obj;
  for (const key of path.split(".")) node = isRecord(node) ? node[key] : undefined;
  return node;
}
