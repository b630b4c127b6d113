/**
 * The policy runner's two inputs: a stack synthesized under mocks, or a file of Kubernetes objects, evaluated with
 * the pack configuration as the Pulumi engine would (the `npm run policy` command is ./cli.ts).
 */
import * as path from "node:path";
import { rawStackConfig } from "@agentops/components";
import { CostModelError, packConfigPath, readPackConfig } from "@agentops/components/model";
import { readStackConfig, synthesize, UsageError, type RecordedResource } from "@agentops/components/testing";
import { policies } from "../../policy/policies";
import { evaluate, readManifests, resolveConfig, type RunnerResource, type RunResult } from "./run";

/** Recorded resources as the runner evaluates them; ids as the mock runtime assigns them (`<name>-mock-id`). */
export function fromRecorded(resources: readonly RecordedResource[]): RunnerResource[] {
  return resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.custom ? { ...r.inputs, id: `${r.name}-mock-id` } : r.inputs,
    custom: r.custom,
    protect: r.protect,
    parent: r.parent,
  }));
}

function loadConfig(file: string): Record<string, unknown> {
  try {
    return readPackConfig(file);
  } catch (err) {
    if (err instanceof CostModelError) throw new UsageError(`--config: ${err.message}`);
    throw err;
  }
}

/** Synthesizes `stack` in `root` (its program, or `program`) and evaluates the pack. */
export async function runStack(opts: {
  root: string;
  stack: string;
  config?: string;
  program?: string;
}): Promise<RunResult> {
  const { config } = readStackConfig(opts.root, opts.stack);
  let configFile = opts.config;
  if (!configFile) {
    const environment = rawStackConfig(config).agentops.environment;
    if (typeof environment !== "string") {
      throw new UsageError(
        `agentops:environment: ${environment === undefined ? "(missing)" : JSON.stringify(environment)} — Pulumi.${opts.stack}.yaml needs it to pick policy/config/<environment>.json; or pass --config <file>`,
      );
    }
    configFile = packConfigPath(opts.root, environment);
  }
  const packConfig = loadConfig(configFile);
  // Checked before the (slow) synthesis: an invalid pack configuration is exit 2 at once.
  resolveConfig(packConfig, policies, configFile);
  const result = await synthesize({
    root: opts.root,
    stack: opts.stack,
    ...(opts.program ? { program: opts.program } : {}),
  });
  return evaluate(fromRecorded(result.resources), packConfig, { stack: opts.stack, source: configFile });
}

/**
 * Evaluates the pack on a multi-document YAML file; without `config`, at the policies' own defaults. The
 * Namespaces of `namespaces` (a file of objects, e.g. out/<stack>/manifests.yaml) set the level of the pods in
 * them, with those of `file` itself.
 */
export async function runManifests(opts: {
  file: string;
  config?: string;
  namespaces?: string;
}): Promise<RunResult> {
  const resources = readManifests(opts.file);
  const namespaces = opts.namespaces ? readManifests(opts.namespaces, "--namespaces") : [];
  const packConfig = opts.config ? loadConfig(opts.config) : {};
  return evaluate(resources, packConfig, {
    stack: path.basename(opts.file),
    source: opts.config ?? "pack defaults",
    namespaces,
  });
}
