/**
 * Validates custom resources against the `openAPIV3Schema` of their CRDs as the pinned charts ship them: the
 * chart files of the chart lock (../shared/helm-cache, AGENTOPS_CHART_CACHE or `helm pull`, SHA-256 checked by
 * the render machinery), unpacked here without Helm. Used for the groups no `@kubernetes-models` package covers
 * (Envoy Gateway, Envoy AI Gateway). Ajv with `strict: false`: the schemas carry `x-kubernetes-*` keywords
 * Ajv does not know; CEL validation rules (`x-kubernetes-validations`) are not evaluated here.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parseAllDocuments } from "yaml";
import { chartFile, findHelm } from "@agentops/components/render";
import type { KubernetesObject } from "@agentops/components/testing";

/** The charts whose CRDs back the groups below, as the chart lock names them. */
export const CRD_CHARTS = [
  { chart: "oci://docker.io/envoyproxy/gateway-helm", version: "v1.8.2" },
  { chart: "oci://docker.io/envoyproxy/ai-gateway-crds-helm", version: "v1.1.0" },
] as const;
/** API groups validated against those CRDs. */
export const CRD_GROUPS = ["gateway.envoyproxy.io", "aigateway.envoyproxy.io"] as const;

interface Crd {
  kind: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema?: { openAPIV3Schema?: object } }[];
  };
}

/** Files of a .tgz: name → content (regular files only; ustar names with their prefix). */
export function untgz(file: string): Map<string, Buffer> {
  const tar = zlib.gunzipSync(fs.readFileSync(file));
  const files = new Map<string, Buffer>();
  const field = (b: Buffer) => b.toString("utf8").replace(/\0.*$/s, "");
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = field(header.subarray(0, 100));
    const prefix = field(header.subarray(345, 500));
    const size = parseInt(field(header.subarray(124, 136)).trim() || "0", 8);
    const type = String.fromCharCode(header[156]!);
    if (type === "0" || type === "\0") {
      files.set(prefix ? `${prefix}/${name}` : name, tar.subarray(at + 512, at + 512 + size));
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** The CRDs among `objects` (already parsed documents, e.g. Helm's rendered output), keyed by group/version/Kind. */
export function schemasOf(objects: readonly unknown[]): Map<string, object> {
  const out = new Map<string, object>();
  for (const o of objects as Crd[]) {
    if (o?.kind !== "CustomResourceDefinition") continue;
    for (const v of o.spec.versions) {
      const schema = v.schema?.openAPIV3Schema;
      if (schema) out.set(`${o.spec.group}/${v.name}/${o.spec.names.kind}`, schema);
    }
  }
  return out;
}

let cached: Promise<Map<string, object>> | undefined;

/** Every CRD schema of {@link CRD_CHARTS}, read once per process from the chart files. */
export function chartCrdSchemas(root: string): Promise<Map<string, object>> {
  cached ??= (async () => {
    const helm = await findHelm(root);
    const docs: unknown[] = [];
    for (const { chart, version } of CRD_CHARTS) {
      for (const [name, content] of untgz(await chartFile(root, helm, chart, version))) {
        const text = content.toString("utf8");
        // CRDs only, and only files that are plain YAML (templates with directives hold none here).
        if (!/\.ya?ml$/.test(name) || !text.includes("kind: CustomResourceDefinition") || text.includes("{{"))
          continue;
        docs.push(...parseAllDocuments(text).map((d) => d.toJSON() as unknown));
      }
    }
    return schemasOf(docs);
  })();
  return cached;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<object, ValidateFunction>();

/**
 * Schema violations of `obj` against `schemas` (`<path> <message>` each); throws when no schema is known for its
 * apiVersion and kind.
 */
export function crdProblems(schemas: Map<string, object>, obj: KubernetesObject): string[] {
  const schema = schemas.get(`${obj.apiVersion}/${obj.kind}`);
  if (!schema) throw new Error(`no CRD schema for ${obj.apiVersion} ${obj.kind} in the pinned charts`);
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`.trim());
}
