/**
 * `npm run synth -- <stack> [--out <dir>]`: the program under mocks, no cloud, no CLI. Writes
 * `out/<stack>/resources.json`, `manifests.yaml`, `outputs.json`, `cost.json`, `capacity.json` and
 * `capacity.md` (the README's `out/<stack>/` table) as one folder that replaces the previous one, and prints a
 * summary, the capacity plan and the cost report. The writers are in ./outputs.ts, loaded once the arguments are
 * good: `--help` and a bad argument answer without loading the program's SDKs.
 */
import * as path from "node:path";
import { ConfigError, UsageError } from "@agentops/components/config";
import { checkOutDir, parseStackArgs, replaceOutputDir, runCli, wantsHelp } from "../lib/cli";
import { checkedStack } from "../lib/stack-config";

const USAGE = "usage: npm run synth -- <stack> [--out <dir>]   (stack: the name of a Pulumi.<stack>.yaml)";

export const HELP = `${USAGE}

Runs the program (index.ts) for Pulumi.<stack>.yaml under Pulumi's mock runtime: no cloud, no credentials, no
network. Writes out/<stack>/ (or <dir>), replacing what an earlier run wrote there:
  resources.json   every registered resource and its inputs (secrets as "[secret]")
  manifests.yaml   every Kubernetes object the program declares
  outputs.json     the stack outputs
  cost.json        the cost estimate (prices of aws:region, budgets of policy/config/<environment>.json)
  capacity.json    the capacity plan (EKS stacks)
  capacity.md      the capacity plan drawn per node group, requested against allocatable (Mermaid)

  --out <dir>   write there instead: a new or empty folder, or one synth wrote before
  --help        this text

Exit 0 ok; 2 invalid configuration, policy pack configuration or arguments (one line per problem, nothing
written).`;

/** Everything synth writes into its output folder, and render's folder inside it: what a new run replaces. */
export const SYNTH_OUTPUTS = [
  "resources.json",
  "manifests.yaml",
  "outputs.json",
  "cost.json",
  "capacity.json",
  "capacity.md",
  "rendered",
] as const;

/**
 * Every file an output folder may hold: synth's and render's ({@link SYNTH_OUTPUTS}) and `npm run rightsize`'s
 * `rightsize.patch`. A new synth replaces them all: a patch is relative to the stack file it was made from.
 */
export const OUT_FOLDER_FILES = [...SYNTH_OUTPUTS, "rightsize.patch"] as const;

/** The stack and output folder from the command line. @throws UsageError naming the bad argument. */
export function parseArgs(argv: readonly string[]): { stack: string; outDir: string | undefined } {
  return parseStackArgs(argv, USAGE);
}

async function main(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return 0;
  }
  const root = process.cwd();
  const { stack, outDir } = parseArgs(argv);
  // An unknown stack or a broken stack file is named first (its default folder is out/<stack>), then a
  // configuration the program would refuse, then a bad output folder (as render does): all before the program's
  // SDKs load (~2 s).
  const { config } = checkedStack(root, stack);
  const dir = outDir ?? path.join(root, "out", stack);
  checkOutDir(dir, (name) => (OUT_FOLDER_FILES as readonly string[]).includes(name));
  const { configWarnings } = await import("@agentops/components/config");
  const { CostModelError } = await import("@agentops/components/model");
  const { synthesize } = await import("@agentops/components/testing");
  const { costAndPlan, loadPackConfig, summary, writeCost, writeOutputs } = await import("./outputs.js");
  // The pack configuration is checked before the (slow) synthesis: a bad one is exit 2, nothing written.
  const packConfig = loadPackConfig(root, config.environment);
  const started = process.hrtime.bigint();
  const result = await synthesize({ root, stack });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // Before anything is written: a stack that does not fit its node groups is a configuration error.
  let cost: Awaited<ReturnType<typeof costAndPlan>> | undefined;
  try {
    cost = costAndPlan(root, result, packConfig);
  } catch (err) {
    // A figure the model cannot compute must not cost the user their synth: the resources are still written
    // (and no cost.json of an earlier run stays beside them: the folder is replaced as a whole).
    if (!(err instanceof CostModelError)) throw err;
    console.error(`cost: ${err.message}`);
  }
  for (const warning of configWarnings(config)) {
    console.error(`warning: ${warning}`);
  }
  let table: string | undefined;
  replaceOutputDir(dir, (tmp) => {
    writeOutputs(result, tmp);
    if (cost) table = writeCost(tmp, cost);
  });
  console.log(summary(result, seconds));
  if (table !== undefined) console.log(`\n${table}`);
  const written = [
    "resources.json",
    "manifests.yaml",
    "outputs.json",
    ...(cost ? ["cost.json"] : []),
    ...(cost?.plan ? ["capacity.json", "capacity.md"] : []),
  ];
  console.log(`\nwrote ${path.relative(root, dir) || "."}/{${written.join(",")}}`);
  return 0;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)), [ConfigError, UsageError]);
