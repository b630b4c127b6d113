/**
 * Shared test harness: run components or the whole program under Pulumi's mock runtime, find what they
 * registered, and validate Kubernetes objects against upstream schemas.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
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
} from "@agentops/components/testing";
import { RenderError, renderStack, type RenderResult } from "@agentops/components/render";

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
  const resources = startMockRuntime({ project: "agentops", stack: "test", config });
  build();
  await settle();
  return new Recorded(resources);
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
let skipReported = false;

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
    if (err instanceof RenderError && err.kind === "unavailable") {
      if (!skipReported) {
        skipReported = true;
        console.log(`render tests skipped: ${err.message}`);
      }
      ctx.skip();
    }
    throw err;
  }
}
