/**
 * `npm run cluster -- up [--stack <stack>] | down | status | kubeconfig`: the local Kubernetes 1.35 control
 * plane (control-plane.ts) and its fake nodes (nodes.ts).
 */
import { elapsed, repoRoot, runTool, ToolError } from "../lib/cli";
import { requireToolchain } from "../toolchain/toolchain";
import { CLUSTER_DIR_ENV, defaultStateDir, down, kubeconfigPath, status, up } from "./control-plane";
import { applyExistingClusterObjects, applyFakeNodes, readStackOutput, stackNodes } from "./nodes";
import { KubeClient } from "../kube/client";
import { UsageError } from "@agentops/components/model";

export const USAGE = `usage: npm run cluster -- <command>

commands:
  up [--stack <stack>]  start etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on
                        127.0.0.1 (free ports); with --stack, also the stack's fake nodes (one per node its
                        capacity plan needs, from out/<stack>/capacity.json: run npm run synth first)
  down                  stop every process and remove the state folder
  status                what runs (process, port), whether the API server is ready, the nodes
  kubeconfig            print the admin kubeconfig's path: export KUBECONFIG=$(npm run --silent cluster -- kubeconfig)

State folder: $${CLUSTER_DIR_ENV}, else <tmp>/agentops-cluster-<hash of this checkout's path>.
Needs the toolchain (npm run toolchain) and openssl.
exit: 0 ok (status: everything runs); 1 status: not running or partly; 2 bad argument, no toolchain, a
component that does not start (one line)`;

const COMMANDS = ["up", "down", "status", "kubeconfig"] as const;
type Command = (typeof COMMANDS)[number];

/** The command and its options. @throws ToolError naming the bad argument. */
export function parseArgs(argv: readonly string[]): { command: Command | "help"; stack: string | undefined } {
  const first = USAGE.split("\n")[0];
  if (argv.some((a) => a === "--help" || a === "-h" || a === "help"))
    return { command: "help", stack: undefined };
  const [command, ...rest] = argv;
  if (command === undefined)
    throw new ToolError(`command: (missing) — one of ${COMMANDS.join(", ")}\n${first}`);
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new ToolError(`command: ${JSON.stringify(command)} — one of ${COMMANDS.join(", ")}\n${first}`);
  }
  let stack: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--stack" && command === "up") {
      stack = rest[++i];
      if (!stack || stack.startsWith("-"))
        throw new ToolError(`--stack: (missing) — needs a stack name\n${first}`);
    } else {
      throw new ToolError(
        `${JSON.stringify(arg)}: not an option of ${command} — ${command === "up" ? "allowed: --stack <stack>" : "it takes none"}\n${first}`,
      );
    }
  }
  return { command: command as Command, stack };
}

async function main(): Promise<number> {
  const { command, stack } = parseArgs(process.argv.slice(2));
  if (command === "help") {
    console.log(USAGE);
    return 0;
  }
  const root = repoRoot();
  const dir = defaultStateDir(root);
  if (command === "kubeconfig") {
    const now = await status(dir);
    if (!now) throw new ToolError(`cluster: not running (${dir}) — run \`npm run cluster -- up\``);
    console.log(kubeconfigPath(dir));
    return 0;
  }
  if (command === "down") {
    const started = process.hrtime.bigint();
    const was = await down(dir);
    console.log(
      was
        ? `cluster down: processes stopped, ${dir} removed (${elapsed(started)})`
        : "cluster: was not running",
    );
    return 0;
  }
  if (command === "status") {
    const now = await status(dir);
    if (!now) {
      console.log(`cluster: not running (no ${dir})`);
      return 1;
    }
    console.log(
      `cluster in ${dir} (started ${now.state.started}); API server ${now.ready ? "ready" : "NOT ready"}`,
    );
    for (const c of now.components) {
      console.log(
        `  ${c.component.padEnd(24)} ${c.running ? "running" : "stopped"}  pid ${c.pid ?? "-"}  127.0.0.1:${c.port}`,
      );
    }
    if (now.ready) {
      const client = KubeClient.fromKubeconfig(kubeconfigPath(dir));
      try {
        const version = await client.get<{ gitVersion: string }>("/version");
        const nodes = await client.list<{ metadata: { labels?: Record<string, string> } }>("/api/v1/nodes");
        const groups = new Map<string, number>();
        for (const n of nodes) {
          const g = n.metadata.labels?.["agentops.io/node-group"] ?? "(other)";
          groups.set(g, (groups.get(g) ?? 0) + 1);
        }
        console.log(
          `  Kubernetes ${version?.gitVersion}; ${nodes.length} fake nodes${nodes.length ? `: ${[...groups].map(([g, n]) => `${n} ${g}`).join(", ")}` : ""}`,
        );
      } finally {
        client.close();
      }
    }
    console.log(`  kubeconfig: ${kubeconfigPath(dir)}`);
    return now.ready && now.components.every((c) => c.running) ? 0 : 1;
  }
  // up
  if (stack) {
    // A stack that has no file is named as such (with the stacks there are) before its synth output is sought.
    const { readStackConfig } = await import("@agentops/components/config");
    try {
      readStackConfig(root, stack);
    } catch (err) {
      if (err instanceof UsageError) throw new ToolError(err.message);
      throw err;
    }
  }
  const toolchain = requireToolchain();
  const started = process.hrtime.bigint();
  const nodes = stack ? stackNodes(root, stack) : undefined;
  const { reused } = await up(dir, toolchain, (l) => console.log(l));
  console.log(
    reused
      ? `cluster already up (${dir})`
      : `cluster up in ${elapsed(started)}: Kubernetes v1.35.4 at ${dir}; KUBECONFIG=${kubeconfigPath(dir)}`,
  );
  if (nodes) {
    const client = KubeClient.fromKubeconfig(kubeconfigPath(dir));
    try {
      const t = process.hrtime.bigint();
      await applyFakeNodes(client, nodes);
      console.log(`${nodes.length} fake nodes of stack ${stack} ready (${elapsed(t)})`);
      if ((await applyExistingClusterObjects(client, readStackOutput(root, stack!))) > 0)
        console.log("a default StorageClass standard, as a cluster made elsewhere has one");
    } finally {
      client.close();
    }
  }
  return 0;
}

if (require.main === module) runTool(main);
