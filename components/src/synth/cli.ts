/**
 * `npm run synth -- <stack> [--out <dir>]`: the program under mocks, no cloud, no CLI. Writes
 * `out/<stack>/resources.json`, `out/<stack>/manifests.yaml` and `out/<stack>/outputs.json` and prints a summary.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { ConfigError } from "../config/errors";
import { parseStackConfig, rawStackConfig } from "../config";
import {
  CostModelError,
  costReport,
  formatCostReport,
  packConfigPath,
  readPackConfig,
  tierCeilings,
} from "../cost";
import { synthesize, type SynthResult } from "./synth";
import { UsageError } from "./stack-file";
import { runCli } from "../lib/cli";

const USAGE = "usage: npm run synth -- <stack> [--out <dir>]   (stack: the name of a Pulumi.<stack>.yaml)";

export function parseArgs(argv: readonly string[]): { stack: string; outDir: string | undefined } {
  const positional: string[] = [];
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--out") {
      outDir = argv[++i];
      if (!outDir) throw new UsageError(`--out: (missing) — needs a directory\n${USAGE}`);
    } else if (arg.startsWith("-")) {
      throw new UsageError(`${arg}: unknown option — allowed: --out <dir>\n${USAGE}`);
    } else positional.push(arg);
  }
  if (positional.length !== 1) {
    throw new UsageError(
      `stack: ${positional.length === 0 ? "(missing)" : JSON.stringify(positional)} — exactly one stack name\n${USAGE}`,
    );
  }
  return { stack: positional[0]!, outDir };
}

/** Files of `out/<stack>/`: a public interface, documented in the README. */
export function writeOutputs(result: SynthResult, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const resources = result.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent ?? null,
    custom: r.custom,
    protect: r.protect,
    // Explicit dependencies (URNs), for tools that trace or order; `npm run diff` reads the rest.
    dependsOn: r.dependsOn,
    provider: r.provider ?? null,
    ignoreChanges: r.ignoreChanges,
    replaceOnChanges: r.replaceOnChanges,
    inputs: r.inputs,
  }));
  fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify(resources, null, 2) + "\n");
  fs.writeFileSync(
    path.join(dir, "manifests.yaml"),
    result.manifests.map((m) => stringify(m, { lineWidth: 0 })).join("---\n"),
  );
  fs.writeFileSync(path.join(dir, "outputs.json"), JSON.stringify(result.outputs, null, 2) + "\n");
}

/**
 * Writes `<dir>/cost.json` (the cost report of the stack's configuration, with the tier ceilings of its
 * environment's policy/config/<env>.json) and returns the cost table.
 */
export function writeCost(root: string, result: SynthResult, dir: string): string {
  // The configuration the program ran with, not a second read of the stack file.
  const config = parseStackConfig(rawStackConfig(result.config));
  const report = costReport(config, tierCeilings(readPackConfig(packConfigPath(root, config.environment))));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "cost.json"), JSON.stringify(report, null, 2) + "\n");
  return formatCostReport(report);
}

/** Resources by component (top-level component and its descendants) and by type. */
export function summary(result: SynthResult, seconds: number): string {
  const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
  const topComponent = (urn: string | undefined): string => {
    let current = urn ? byUrn.get(urn) : undefined;
    let top = "(stack)";
    while (current && current.type !== "pulumi:pulumi:Stack") {
      if (!current.custom) top = `${current.type} ${current.name}`;
      current = current.parent ? byUrn.get(current.parent) : undefined;
    }
    return top;
  };
  const count = (keys: string[]) =>
    [...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())].sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    );
  const custom = result.resources.filter((r) => r.custom);
  const lines = [
    `stack ${result.stack}: ${result.resources.length} resources (${custom.length} custom, ${result.resources.length - custom.length} components), ${result.manifests.length} Kubernetes objects, ${seconds.toFixed(1)}s`,
    "",
    "by component:",
    ...count(custom.map((r) => topComponent(r.parent))).map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`),
    "",
    "by type:",
    ...count(custom.map((r) => r.type)).map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`),
  ];
  return lines.join("\n");
}

async function main(): Promise<number> {
  const root = process.cwd();
  const { stack, outDir } = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const result = await synthesize({ root, stack });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const dir = outDir ?? path.join(root, "out", stack);
  writeOutputs(result, dir);
  console.log(summary(result, seconds));
  let written = "resources.json,manifests.yaml,outputs.json";
  try {
    console.log(`\n${writeCost(root, result, dir)}`);
    written += ",cost.json";
  } catch (err) {
    // A price the table lacks must not cost the user their synth; the resources are still written.
    if (!(err instanceof CostModelError)) throw err;
    console.error(`\ncost: ${err.message}`);
  }
  console.log(`\nwrote ${path.relative(root, dir) || "."}/{${written}}`);
  return 0;
}

if (require.main === module) runCli(main, [ConfigError, UsageError]);
