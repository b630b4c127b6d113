/**
 * `npm run verify -- <stack>`: applies every object of the stack to the local Kubernetes 1.35 control plane and
 * checks that the scheduler places every pod of the capacity plan (verify.ts).
 */
import { repoRoot, runTool, ToolError } from "../lib/cli";
import { defaultStateDir } from "../cluster/control-plane";
import { verifyStack } from "./verify";

export const USAGE = `usage: npm run verify -- <stack>   (stack: the name of a Pulumi.<stack>.yaml)

Synthesizes and renders the stack (reusing out/<stack>/ when it is newer than every input), empties the local
control plane (npm run cluster -- up), makes fake nodes shaped like the stack's node groups, applies every object
of out/<stack>/manifests.yaml and out/<stack>/rendered/*.yaml with server-side apply (field manager agentops) in
dependency order, starts one run of each CronJob, and checks that every pod at minimum replicas is created, bound
to a node and Ready.
exit: 0 everything applied and scheduled; 1 refusals, unscheduled or uncreated pods (each printed with the API
server's or the scheduler's message); 2 bad argument, no toolchain, no control plane, synth or render failed`;

/** The stack name. @throws ToolError naming the bad argument. */
export function parseArgs(argv: readonly string[]): { stack: string } | "help" {
  if (argv.some((a) => a === "--help" || a === "-h")) return "help";
  const options = argv.filter((a) => a.startsWith("-"));
  if (options.length > 0)
    throw new ToolError(
      `${options[0]}: unknown option — verify takes only a stack name\n${USAGE.split("\n")[0]}`,
    );
  if (argv.length !== 1) {
    throw new ToolError(
      `stack: ${argv.length === 0 ? "(missing)" : JSON.stringify(argv)} — exactly one stack name\n${USAGE.split("\n")[0]}`,
    );
  }
  return { stack: argv[0]! };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args === "help") {
    console.log(USAGE);
    return 0;
  }
  const root = repoRoot();
  const result = await verifyStack({
    root,
    stack: args.stack,
    stateDir: defaultStateDir(root),
    log: (l) => console.log(l),
  });
  for (const d of result.apply.dryRunOnly)
    console.log(`  validated only (dry run): ${d.object} (${d.source}) — ${d.why}`);
  for (const n of result.apply.undeclaredNamespaces)
    console.log(`  namespace ${n}: not declared by the stack; created for the objects in it`);
  const perSource = Object.entries(result.appliedBySource)
    .map(([s, n]) => `${n} ${s}`)
    .join(", ");
  console.log(`  objects applied per source: ${perSource}`);
  for (const p of result.problems) console.log(p);
  console.log(
    result.problems.length === 0
      ? `verify ${result.stack}: ok — ${result.apply.applied} objects applied, ${result.schedule.podsBound} pods bound on ${result.nodes} nodes (${result.seconds.toFixed(1)}s)`
      : `verify ${result.stack}: ${result.problems.length} problems (${result.seconds.toFixed(1)}s)`,
  );
  return result.problems.length === 0 ? 0 : 1;
}

if (require.main === module) runTool(main);
