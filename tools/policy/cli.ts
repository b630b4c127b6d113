/**
 * `npm run policy -- <stack> [--config <file>]`: synthesizes the stack under mocks and evaluates the pack.
 * `npm run policy -- --manifests <file.yaml> [--config <file>]`: evaluates the pack on rendered manifests
 * (for example `helm template` output), where only the Kubernetes policies find anything.
 *
 * One line per violation, `<level> <policy> <kind>/<namespace>/<name>: <message>`, then a summary.
 * Exit 1 on a mandatory violation, 2 on a bad argument or file, 0 otherwise.
 */
import * as path from "node:path";
import { ConfigError, rawStackConfig } from "@agentops/components";
import { CostModelError, packConfigPath, readPackConfig } from "@agentops/components/model";
import { readStackConfig, synthesize, UsageError, type RecordedResource } from "@agentops/components/testing";
import { evaluate, exitCode, formatResult, readManifests, type RunnerResource, type RunResult } from "./run";
import { runCli } from "../lib/cli";

const USAGE =
  "usage: npm run policy -- <stack> [--config <file>]  |  npm run policy -- --manifests <file.yaml> [--config <file>]";

export type Args = { config: string | undefined } & ({ stack: string } | { manifests: string });

export function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  let config: string | undefined;
  let manifests: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--config" || arg === "--manifests") {
      const value = argv[++i];
      if (!value || value.startsWith("-")) throw new UsageError(`${arg}: (missing) — needs a file\n${USAGE}`);
      if (arg === "--config") config = value;
      else manifests = value;
    } else if (arg.startsWith("-")) {
      throw new UsageError(
        `${arg}: unknown option — allowed: --manifests <file.yaml>, --config <file>\n${USAGE}`,
      );
    } else positional.push(arg);
  }
  if (manifests !== undefined) {
    if (positional.length > 0) {
      throw new UsageError(
        `${JSON.stringify(positional)}: unexpected with --manifests — give a stack or --manifests, not both\n${USAGE}`,
      );
    }
    return { manifests, config };
  }
  if (positional.length !== 1) {
    throw new UsageError(
      `stack: ${positional.length === 0 ? "(missing)" : JSON.stringify(positional)} — exactly one stack name, or --manifests <file.yaml>\n${USAGE}`,
    );
  }
  return { stack: positional[0]!, config };
}

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
  const result = await synthesize({
    root: opts.root,
    stack: opts.stack,
    ...(opts.program ? { program: opts.program } : {}),
  });
  return evaluate(fromRecorded(result.resources), packConfig, { stack: opts.stack, source: configFile });
}

/** Evaluates the pack on a multi-document YAML file; without `config`, at the policies' own defaults. */
export async function runManifests(opts: { file: string; config?: string }): Promise<RunResult> {
  const resources = readManifests(opts.file);
  const packConfig = opts.config ? loadConfig(opts.config) : {};
  return evaluate(resources, packConfig, {
    stack: path.basename(opts.file),
    source: opts.config ?? "pack defaults",
  });
}

async function main(): Promise<number> {
  const root = process.cwd();
  const args = parseArgs(process.argv.slice(2));
  const config = args.config ? { config: args.config } : {};
  const result =
    "manifests" in args
      ? await runManifests({ file: args.manifests, ...config })
      : await runStack({ root, stack: args.stack, ...config });
  console.log(formatResult(result));
  return exitCode(result);
}

if (require.main === module) runCli(main, [ConfigError, UsageError]);
