/**
 * Shared test harness: run components or the whole program under Pulumi's mock runtime, find what they
 * registered, and validate Kubernetes objects against upstream schemas.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { RE2 } from "re2-wasm";
import {
  ConfigError,
  parseStackConfig,
  rawStackConfig,
  type RawStackConfig,
  type StackConfig,
} from "@agentops/components";
import {
  settle,
  startMockRuntime,
  synthesize,
  toManifests,
  type KubernetesObject,
  type RecordedResource,
  type SynthResult,
  readStackConfig,
  withCheapStackTraces,
} from "@agentops/components/testing";
import {
  chartFile,
  findHelm,
  RenderError,
  renderStack,
  writeRendered,
  type RenderResult,
} from "../tools/render";
import { costAndPlan, writeCost, writeOutputs } from "../tools/synth/outputs";
import * as tar from "tar";
import { parseAllDocuments } from "yaml";
import { printOnce } from "./once";

export const ROOT = path.resolve(__dirname, "..");
export const STACKS = ["dev", "staging", "prod"] as const;

const synthCache = new Map<string, Promise<SynthResult>>();

/** The whole program for one stack under mocks; memoised, since a synth is deterministic. */
export function synthStack(stack: string): Promise<SynthResult> {
  let result = synthCache.get(stack);
  if (!result) {
    result = synthesize({ root: ROOT, stack });
    synthCache.set(stack, result);
  }
  return result;
}

/**
 * Runs `build` (which declares components) under mocks and returns what it registered.
 * Config can be seeded for code that reads it; components themselves never do.
 */
export async function record(build: () => void, config: Record<string, string> = {}): Promise<Recorded> {
  return withCheapStackTraces(async () => {
    const resources = startMockRuntime({ project: "agentops", stack: "test", config });
    build();
    await settle();
    return new Recorded(resources);
  });
}

/** Registered resources with finders that fail loudly, naming what exists instead. */
export class Recorded {
  constructor(public readonly resources: RecordedResource[]) {}

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of `type` named `name`. */
  get(type: string, name: string): RecordedResource {
    const found = this.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(`no ${type} named ${name}; registered: ${names.join(", ") || "none"}`);
    }
    return found;
  }

  /** Inputs of the one resource of `type` named `name`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into inputs
  inputs(type: string, name: string): any {
    return this.get(type, name).inputs;
  }

  get manifests(): KubernetesObject[] {
    return toManifests(this.resources);
  }

  /** The Kubernetes object of `kind` named `name` (and in `namespace`, if given). */
  manifest(kind: string, name: string, namespace?: string): KubernetesObject {
    const found = this.manifests.find(
      (m) =>
        m.kind === kind &&
        m.metadata.name === name &&
        (namespace === undefined || m.metadata.namespace === namespace),
    );
    if (!found) throw new Error(`no ${kind} ${namespace ? `${namespace}/` : ""}${name}`);
    return found;
  }
}

/** Where the model classes of an API group live: core kinds in kubernetes-models, CRDs in their packages. */
function modelModule(apiVersion: string): string {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  if (group.endsWith("external-secrets.io")) return `@kubernetes-models/external-secrets/${apiVersion}`;
  if (group.endsWith("cert-manager.io")) return `@kubernetes-models/cert-manager/${apiVersion}`;
  if (group === "gateway.networking.k8s.io") return `@kubernetes-models/gateway-api/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

/**
 * Validates a Kubernetes object against the upstream schema of its kind.
 * @throws naming the object and every schema violation; also when no schema is known for the kind.
 */
export async function validateManifest(obj: KubernetesObject): Promise<void> {
  const id = `${obj.kind}/${obj.metadata.namespace ?? "-"}/${obj.metadata.name ?? "?"} (${obj.apiVersion})`;
  // Envoy Gateway's and Envoy AI Gateway's kinds: against the CRDs of the pinned charts (no package covers them).
  if ((CRD_GROUPS as readonly string[]).includes(obj.apiVersion.split("/")[0]!)) {
    const validators = await pinnedCrdValidatorsIfAvailable();
    // Without the chart cache these kinds have no schema here; the tests that exist to check them skip with
    // the one line (`requirePinnedCrds`), the rest of the object set is still validated.
    if (!validators) return;
    const validate = validators.get(`${obj.apiVersion}/${obj.kind}`);
    if (!validate)
      throw new Error(`${id}: no CRD of the pinned charts defines ${obj.apiVersion} ${obj.kind}`);
    const problems = validate(obj);
    if (problems.length > 0) throw new Error(problems.join("; "));
    return;
  }
  let mod: Record<string, new (data: unknown) => { validate(): void }>;
  try {
    mod = await import(modelModule(obj.apiVersion));
  } catch (cause) {
    throw new Error(`${id}: no schema package for apiVersion ${obj.apiVersion}`, { cause });
  }
  const Model = mod[obj.kind];
  if (!Model) throw new Error(`${id}: no schema for kind ${obj.kind} in ${modelModule(obj.apiVersion)}`);
  try {
    new Model(obj).validate();
  } catch (err) {
    throw new Error(`${id}: ${(err as Error).message}`, { cause: err });
  }
}

/** The error lines `parseStackConfig` reports for `raw`; fails the test if it accepts the configuration. */
export function configProblems(raw: RawStackConfig): string[] {
  try {
    parseStackConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.lines;
  }
  assert.fail("the configuration was accepted");
}

/** The validated configuration of a stack file of this project. */
export function stackConfig(stack: string): StackConfig {
  return parseStackConfig(rawStackConfig(readStackConfig(ROOT, stack).config));
}

const renderCache = new Map<string, Promise<RenderResult>>();

/**
 * The stack's Helm releases rendered by Helm (see `renderStack`), memoised per stack. When Helm or a pinned
 * chart is unavailable here (no cache folder, no network), prints ONE line per process —
 * `render tests skipped: <reason> — <how to fill the cache>` — and skips the calling test.
 * Any other render failure (a chart that differs from the lock, a Helm error) fails the test.
 */
export async function renderedStack(ctx: Mocha.Context, stack: string): Promise<RenderResult> {
  let result = renderCache.get(stack);
  if (!result) {
    result = synthStack(stack).then((synth) => renderStack({ root: ROOT, stack, synth }));
    renderCache.set(stack, result);
  }
  try {
    return await result;
  } catch (err) {
    skipIfUnavailable(ctx, err);
    throw err;
  }
}

/**
 * Writes what `npm run synth -- <stack> --out <dir>` and `npm run render -- <stack> --out <dir>` write, from this
 * process's synth and render of the stack (the writers the commands use), so a tool that reads `<dir>` finds
 * it fresh. Skips the calling test like {@link renderedStack} when a chart cannot be had.
 */
export async function writeStackOut(ctx: Mocha.Context, stack: string, dir: string): Promise<void> {
  const synth = await synthStack(stack);
  const rendered = await renderedStack(ctx, stack);
  fs.mkdirSync(path.join(dir, "rendered"), { recursive: true });
  writeOutputs(synth, dir);
  writeCost(dir, costAndPlan(ROOT, synth));
  writeRendered(path.join(dir, "rendered"), rendered.releases);
}

const editedCache = new Map<string, Promise<SynthResult>>();

/**
 * The whole program for a stack whose configuration `edit` changes first (under `agentops:`, parsed: `agents`,
 * `tenants`, …), without writing a stack file. Memoised by the configuration it runs with (a synth is
 * deterministic), so the same edit in two test files — tests/day2.test.ts and tests/server/day2.suite.ts — runs
 * once; results are shared as {@link synthStack}'s are: read them, never change them.
 */
export function synthEdited(
  stack: string,
  edit: (config: Record<string, unknown>) => void,
): Promise<SynthResult> {
  const file = readStackConfig(ROOT, stack).config;
  const prefix = "agentops:";
  const parsed: Record<string, unknown> = Object.fromEntries(
    Object.entries(file)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => {
        try {
          return [key.slice(prefix.length), JSON.parse(value) as unknown];
        } catch {
          return [key.slice(prefix.length), value];
        }
      }),
  );
  edit(parsed);
  const config = Object.fromEntries(
    Object.entries(parsed).map(([key, value]) => [
      `${prefix}${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  const key = `${stack}\0${JSON.stringify(config)}`;
  let result = editedCache.get(key);
  if (!result) {
    result = synthesize({ root: ROOT, stack, config });
    editedCache.set(key, result);
    // A configuration error is asserted by the caller; it is not kept.
    result.catch(() => editedCache.delete(key));
  }
  return result;
}

/**
 * Skips the calling test when `err` says Helm or a chart is unavailable here, printing the reason and how to
 * fill the cache once per process: `render tests skipped: <reason> — <how to fill the cache>`.
 */
function skipIfUnavailable(ctx: Mocha.Context, err: unknown): void {
  if (err instanceof RenderError && err.kind === "unavailable") {
    printOnce("render-skipped", `render tests skipped: ${err.message}`);
    ctx.skip();
  }
}

/** Text files of a chart package by path inside the chart (`values.yaml`, `charts/grafana/values.yaml`, …). */
export type ChartFiles = ReadonlyMap<string, string>;

const chartFilesCache = new Map<string, Promise<ChartFiles>>();

/**
 * The `Chart.yaml`, `values.yaml` and `values.schema.json` files (subcharts' included) of a pinned chart, read
 * from its locked package in the chart cache (see `chartFile`). Skips the calling test like `renderedStack`
 * when the package cannot be had here.
 */
export async function pinnedChartFiles(
  ctx: Mocha.Context,
  chart: string,
  version: string,
): Promise<ChartFiles> {
  const key = `${chart}@${version}`;
  let files = chartFilesCache.get(key);
  if (!files) {
    files = (async () => {
      const file = await chartFile(ROOT, await findHelm(ROOT), chart, version);
      const found = new Map<string, string>();
      await tar.t({
        file,
        onReadEntry: (entry) => {
          // Paths are `<chart>/…`; the chart's own name is dropped.
          const inner = entry.path.slice(entry.path.indexOf("/") + 1);
          if (!/(^|\/)(values\.yaml|Chart\.yaml|values\.schema\.json)$/.test(inner)) return entry.resume();
          const chunks: Buffer[] = [];
          entry.on("data", (c: Buffer) => chunks.push(c));
          entry.on("end", () => found.set(inner, Buffer.concat(chunks).toString("utf8")));
        },
      });
      return found;
    })();
    chartFilesCache.set(key, files);
  }
  try {
    return await files;
  } catch (err) {
    skipIfUnavailable(ctx, err);
    throw err;
  }
}

/**
 * The charts whose CRDs {@link validateManifest} checks the groups below against, as the chart lock names them.
 * `rendered`: the chart keeps its CRDs as templates (keda), so Helm renders them; the others are plain files.
 */
const CRD_CHARTS: readonly { chart: string; version: string; rendered?: boolean }[] = [
  { chart: "oci://docker.io/envoyproxy/gateway-helm", version: "v1.8.2" },
  { chart: "oci://docker.io/envoyproxy/ai-gateway-crds-helm", version: "v1.1.0" },
  { chart: "snapshot-controller", version: "5.2.0" },
  { chart: "keda", version: "2.20.2", rendered: true },
  { chart: "vertical-pod-autoscaler", version: "0.11.0" },
];
/** API groups no `@kubernetes-models` package covers: Envoy Gateway, Envoy AI Gateway, CSI volume snapshots, KEDA, the VPA. */
const CRD_GROUPS = [
  "gateway.envoyproxy.io",
  "aigateway.envoyproxy.io",
  "snapshot.storage.k8s.io",
  "keda.sh",
  "autoscaling.k8s.io",
] as const;

let pinnedValidators: Promise<Map<string, CrdValidator>> | undefined;

/**
 * {@link crdValidators} of the CRDs in the locked packages of {@link CRD_CHARTS} (plain YAML files holding a
 * CustomResourceDefinition; subcharts' `crds/` included), read once per process without running Helm.
 */
function pinnedCrdValidators(): Promise<Map<string, CrdValidator>> {
  pinnedValidators ??= (async () => {
    const helm = await findHelm(ROOT);
    const crds: KubernetesObject[] = [];
    for (const { chart, version, rendered } of CRD_CHARTS) {
      const texts: string[] = [];
      if (rendered) {
        const file = await chartFile(ROOT, helm, chart, version);
        const out = await promisify(execFile)(helm, ["template", "crds", file, "--include-crds"], {
          maxBuffer: 64 * 2 ** 20,
        });
        crds.push(...parseAllDocuments(out.stdout).map((d) => d.toJS() as KubernetesObject));
        continue;
      }
      await tar.t({
        file: await chartFile(ROOT, helm, chart, version),
        onReadEntry: (entry) => {
          if (!/\.ya?ml$/.test(entry.path)) return entry.resume();
          const chunks: Buffer[] = [];
          entry.on("data", (c: Buffer) => chunks.push(c));
          entry.on("end", () => texts.push(Buffer.concat(chunks).toString("utf8")));
        },
      });
      for (const text of texts) {
        if (!text.includes("kind: CustomResourceDefinition")) continue;
        // A document with template directives is no plain CRD (snapshot-controller's crds.yaml, which its
        // templates render with `tpl`, has them in one CRD, the volume group snapshots' contents).
        for (const doc of text.split(/^---$/m)) {
          if (doc.includes("{{") || !doc.includes("kind: CustomResourceDefinition")) continue;
          crds.push(...parseAllDocuments(doc).map((d) => d.toJS() as KubernetesObject));
        }
      }
    }
    return crdValidators(crds.filter((o) => o?.kind === "CustomResourceDefinition"));
  })();
  return pinnedValidators;
}

/** {@link pinnedCrdValidators}, or `undefined` when the pinned charts cannot be had here (no cache, no network). */
async function pinnedCrdValidatorsIfAvailable(): Promise<Map<string, CrdValidator> | undefined> {
  try {
    return await pinnedCrdValidators();
  } catch (err) {
    if (err instanceof RenderError && err.kind === "unavailable") return undefined;
    throw err;
  }
}

/**
 * For tests that exist to check Envoy Gateway and AI Gateway objects against their CRDs: skips the calling test
 * with the one line of the render tests when the pinned charts cannot be had here.
 */
export async function requirePinnedCrds(ctx: Mocha.Context): Promise<void> {
  try {
    await pinnedCrdValidators();
  } catch (err) {
    skipIfUnavailable(ctx, err);
    throw err;
  }
}

/** A custom resource definition as far as validation reads it. */
interface CrdSpec {
  group: string;
  names: { kind: string };
  versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Record<string, unknown> } }[];
}

/**
 * The API server's structural-schema semantics in JSON Schema terms: an object schema with `properties` and
 * neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields` admits no other field (strict
 * field validation, kubectl's default since 1.27), and `x-kubernetes-int-or-string` admits both.
 * Source: https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
function structural(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(structural);
  if (!schema || typeof schema !== "object") return schema;
  const s = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, structural(v)])) as Record<
    string,
    unknown
  >;
  if (s["x-kubernetes-int-or-string"] === true && s.type === undefined && s.anyOf === undefined) {
    s.type = ["integer", "string"];
  }
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  if (s.properties !== undefined && s.additionalProperties === undefined && !preserve) {
    s.additionalProperties = false;
  }
  return s;
}

let crdAjv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** One Ajv for every CRD schema, with the formats and the regular-expression engine the API server uses. */
function ajvForCrds(): Ajv {
  if (!crdAjv) {
    // CRD patterns are Go regular expressions (RE2: `(?i)` and the like), as the API server evaluates them.
    const regExp = Object.assign(
      (source: string, flags: string) => new RE2(source, flags.includes("u") ? flags : `${flags}u`),
      { code: 'require("re2-wasm").RE2' },
    );
    crdAjv = new Ajv({ strict: false, allErrors: true, logger: false, code: { regExp } });
    addFormats(crdAjv);
    // OpenAPI formats Kubernetes knows and JSON Schema does not; the API server does not check them either.
    for (const f of ["int32", "int64", "float", "double", "byte", "binary", "password", "quantity"]) {
      crdAjv.addFormat(f, true);
    }
  }
  return crdAjv;
}

/** A custom resource validator: `validate(obj)` → problems (empty when valid). */
export type CrdValidator = (obj: KubernetesObject) => string[];

/**
 * Validators from the `openAPIV3Schema` of every CRD the releases render, by `group/version/Kind`: the schemas
 * the API server will use, so they never drift from the pinned charts. Compiled on first use and memoised by
 * schema, since most CRDs are the same in every stack.
 */
export function crdValidators(crds: readonly KubernetesObject[]): Map<string, CrdValidator> {
  const validators = new Map<string, CrdValidator>();
  for (const crd of crds.filter((o) => o.kind === "CustomResourceDefinition")) {
    const spec = crd.spec as CrdSpec;
    for (const v of spec.versions.filter((x) => x.served !== false)) {
      const schema = v.schema?.openAPIV3Schema;
      if (!schema) continue;
      const key = JSON.stringify(schema);
      validators.set(`${spec.group}/${v.name}/${spec.names.kind}`, (obj) => {
        let validate = compiled.get(key);
        if (!validate) {
          validate = ajvForCrds().compile(structural(schema) as object);
          compiled.set(key, validate);
        }
        const id = `${obj.kind}/${obj.metadata.namespace ?? "-"}/${obj.metadata.name ?? "?"} (${obj.apiVersion})`;
        if (validate(obj)) return [];
        return (validate.errors ?? []).map(
          (e) => `${id}: ${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
        );
      });
    }
  }
  return validators;
}

/**
 * Problems of one object: a custom resource against its CRD's schema (from `validators`), a core kind against
 * kubernetes-models. A custom resource whose CRD no release renders is a problem too.
 */
export async function manifestProblems(
  obj: KubernetesObject,
  validators: ReadonlyMap<string, CrdValidator>,
): Promise<string[]> {
  const id = `${obj.kind}/${obj.metadata.namespace ?? "-"}/${obj.metadata.name ?? "?"} (${obj.apiVersion})`;
  const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0]! : "";
  const validate = validators.get(`${obj.apiVersion}/${obj.kind}`);
  if (validate) return validate(obj);
  if (group.includes(".") && !group.endsWith(".k8s.io")) {
    return [`${id}: no CRD rendered by the platform's releases defines ${obj.apiVersion} ${obj.kind}`];
  }
  try {
    await validateManifest(obj);
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}
