/**
 * Offline synthesis: runs the real program under Pulumi's mock runtime and returns what it registered.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startMockRuntime, settle, withCheapStackTraces, type RecordedResource } from "./mocks";
import { readStackConfig, SECRET_PLACEHOLDER } from "../config/stack-file";

/** A Kubernetes object as the API server would receive it. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface SynthResult {
  project: string;
  stack: string;
  /** The configuration the program ran with: full keys (`agentops:agents`) to strings, as the CLI passes it. */
  config: Record<string, string>;
  resources: RecordedResource[];
  /** Every object declared through a `@pulumi/kubernetes` resource class (Helm release contents excepted). */
  manifests: KubernetesObject[];
  /** The program's stack outputs, resolved; secrets as `"[secret]"`. */
  outputs: Record<string, unknown>;
}

export interface SynthOptions {
  /** Project root: where `Pulumi.yaml` and `Pulumi.<stack>.yaml` are. */
  root: string;
  stack: string;
  /** The program. @default `<root>/index.ts` */
  program?: string;
  /**
   * The stack whose file (`Pulumi.<configFrom>.yaml`) holds the configuration, when it is not `stack`'s: to run
   * an environment's stack file as another stack (an ephemeral `it-1a2b3c4d` made from dev's). @default `stack`
   */
  configFrom?: string;
  /**
   * Values that replace the stack file's, key by key (full keys, `agentops:agents`, to strings as the CLI
   * passes them): to synthesize an edit of a stack without writing a stack file. @default none
   */
  config?: Record<string, string>;
}

/**
 * Runs the program for one stack under mocks. Configuration errors propagate as the program throws them
 * ({@link ConfigError}); nothing is registered before configuration is valid.
 */
export function synthesize(opts: SynthOptions): Promise<SynthResult> {
  return withCheapStackTraces(() => synthesizeNow(opts));
}

async function synthesizeNow(opts: SynthOptions): Promise<SynthResult> {
  const file = readStackConfig(opts.root, opts.configFrom ?? opts.stack);
  const { project, secretKeys } = file;
  const config = { ...file.config, ...opts.config };
  const resources = startMockRuntime({ project, stack: opts.stack, config, secretKeys });
  const program = require.resolve(opts.program ?? path.join(opts.root, "index.ts"));
  // A fresh module each run: the program registers its resources when it is evaluated.
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  delete require.cache[program];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs on import, as under the CLI
  const exported = require(program) as Record<string, unknown>;
  const outputs = await resolveOutputs(exported);
  await settle();
  return { project, stack: opts.stack, config, resources, manifests: toManifests(resources), outputs };
}

async function resolveOutputs(exported: Record<string, unknown>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(exported).map(async ([key, value]) => {
      const out: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
      const [resolved, secret] = await Promise.all([
        new Promise<unknown>((resolve) => out.apply((v) => resolve(v))),
        pulumi.isSecret(out),
      ]);
      return [key, secret ? SECRET_PLACEHOLDER : resolved] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** The Kubernetes objects among the registered resources, in registration order. */
export function toManifests(resources: readonly RecordedResource[]): KubernetesObject[] {
  return resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"))
    .map((r) => {
      const { apiVersion, kind, metadata, ...rest } = r.inputs as Record<string, unknown>;
      return { apiVersion, kind, metadata: metadata ?? {}, ...rest } as KubernetesObject;
    });
}
