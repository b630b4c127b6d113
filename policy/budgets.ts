/**
 * Tier budgets: each agent's estimated monthly cost (at its maximum replicas) within its budget annotation,
 * the budget within its tier's ceiling, GPUs only for the tiers that may use them, and the environment's total
 * within its budget. A stack policy, because an agent's maximum replicas live on its HorizontalPodAutoscaler
 * and its node group's instance types on an AWS resource; without an HPA the workload's `spec.replicas` counts.
 *
 * The estimate is the cost model's (components/src/cost), fed from the Kubernetes objects:
 * - agent workloads are Deployments, StatefulSets and CronJobs labelled `agentops.io/agent`; the workloads of
 *   one agent (a hybrid agent's Deployment and CronJob) are summed;
 * - a pod is priced on the node group its `nodeSelector` (or required node affinity) on `agentops.io/node-group`
 *   pins it to; unpinned, on `gpu` when it requests GPUs, else on `system`. A toleration alone pins nothing,
 *   so an unpinned spot-tolerating pod is priced on-demand: the safe side for a budget;
 * - node groups are read from the stack's `aws:eks/nodeGroup:NodeGroup` resources (label, instance types,
 *   capacity type) when there are any, else from the pack config's `nodeGroups`;
 * - a CronJob run takes the `agentops.io/expected-run-minutes` annotation, else its job's
 *   `activeDeadlineSeconds`, else 60 minutes;
 * - PVCs count at gp3 prices (a StatefulSet's claim templates once per maximum replica);
 * - the LLM spend is the `agentops.io/llm-monthly-usd` annotation.
 */
import {
  CostModelError,
  DEFAULT_NODE_GROUPS,
  agentMonthlyCost,
  infrastructureMonthly,
  nodeGroupUnitPrices,
  regionPrices,
  runsPerMonth,
  type AgentCost,
  type InfrastructureInput,
  type NodeGroupName,
  type NodeGroupsPricing,
  type PodRequests,
  type RegionPrices,
} from "@agentops/components/model";
import { ANNOTATIONS, LABELS, NODE_GROUPS, parseQuantity } from "@agentops/components/model";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { stackPolicy } from "./define";
import {
  asArray,
  get,
  isRecord,
  kubeObjects,
  podSpecOf,
  type Finding,
  type KubeObject,
  type StackResource,
} from "./kube";

export interface AgentBudgetsConfig {
  /** Region whose prices apply. */
  region: string;
  /** Node groups when the stack declares none (manifests, or a cluster made elsewhere). */
  nodeGroups: NodeGroupsPricing;
  /** USD ceiling per tier ("1" … "4"); a tier without one fails. */
  tierCeilingsUsd: Record<string, number>;
  /** Tiers whose agents may request GPUs. */
  gpuTiers: number[];
  /** The environment's monthly budget: infrastructure plus every agent at max replicas. Unset: unchecked. */
  environmentBudgetUsd?: number;
}

const GPU = "nvidia.com/gpu";
const SERVICE_KINDS = ["Deployment", "StatefulSet"];
const AGENT_KINDS = [...SERVICE_KINDS, "CronJob"];

/** One agent as the budget check sees it. */
export interface AgentEstimate {
  agent: string;
  namespace: string;
  tier: string | undefined;
  /** From the budget annotation; `undefined` when missing or not a number. */
  budgetUsd: number | undefined;
  /** Most GPUs any of its pods requests. */
  gpus: number;
  cost: AgentCost;
  /** URN of its first workload. */
  urn: string;
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const gib = (q: unknown) =>
  ((typeof q === "string" || typeof q === "number" ? parseQuantity(q) : 0) ?? 0) / 2 ** 30;
const num = (q: unknown) => (typeof q === "string" || typeof q === "number" ? (parseQuantity(q) ?? 0) : 0);

/** What one pod reserves: the sum of its containers, or its largest init container if that is more. */
export function podRequests(spec: Record<string, unknown>): PodRequests {
  const of = (c: unknown): PodRequests => {
    const resources = isRecord(c) && isRecord(c.resources) ? c.resources : {};
    const requests = isRecord(resources.requests) ? resources.requests : {};
    const limits = isRecord(resources.limits) ? resources.limits : {};
    return {
      cpu: num(requests.cpu),
      memoryGiB: gib(requests.memory),
      gpus: num(requests[GPU] ?? limits[GPU]),
    };
  };
  const sum = asArray(spec.containers)
    .map(of)
    .reduce((a, b) => ({ cpu: a.cpu + b.cpu, memoryGiB: a.memoryGiB + b.memoryGiB, gpus: a.gpus + b.gpus }), {
      cpu: 0,
      memoryGiB: 0,
      gpus: 0,
    });
  const inits = asArray(spec.initContainers).map(of);
  return {
    cpu: Math.max(sum.cpu, ...inits.map((i) => i.cpu)),
    memoryGiB: Math.max(sum.memoryGiB, ...inits.map((i) => i.memoryGiB)),
    gpus: Math.max(sum.gpus, ...inits.map((i) => i.gpus)),
  };
}

/** The node group a pod is priced on (see the module comment). */
export function nodeGroupOfPod(spec: Record<string, unknown>, gpus: number): NodeGroupName {
  const known = (v: unknown): v is NodeGroupName => typeof v === "string" && v in NODE_GROUPS;
  const selected = isRecord(spec.nodeSelector) ? spec.nodeSelector[LABELS.nodeGroup] : undefined;
  if (known(selected)) return selected;
  const terms = asArray(
    get(spec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"),
  );
  for (const term of terms) {
    for (const e of asArray(isRecord(term) ? term.matchExpressions : undefined)) {
      if (isRecord(e) && e.key === LABELS.nodeGroup && e.operator === "In") {
        const values = asArray(e.values);
        if (values.length === 1 && known(values[0])) return values[0];
      }
    }
  }
  return gpus > 0 ? "gpu" : "system";
}

/** Node groups declared in the stack, over the configured ones. */
export function nodeGroupsOfStack(
  resources: readonly StackResource[],
  fallback: NodeGroupsPricing,
): NodeGroupsPricing {
  const groups = { ...fallback };
  for (const r of resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")) {
    const label = isRecord(r.props.labels) ? r.props.labels[LABELS.nodeGroup] : undefined;
    const types = asArray(r.props.instanceTypes).filter((t): t is string => typeof t === "string");
    if (typeof label === "string" && label in groups && types.length > 0) {
      groups[label as NodeGroupName] = { instanceTypes: types, spot: r.props.capacityType === "SPOT" };
    }
  }
  return groups;
}

/** Infrastructure declared in the stack: EKS clusters, node groups at their minimum size, NAT gateways. */
export function infrastructureOfStack(
  resources: readonly StackResource[],
  groups: NodeGroupsPricing,
): InfrastructureInput {
  const ofType = (t: string) => resources.filter((r) => r.type === t);
  return {
    clusters: ofType("aws:eks/cluster:Cluster").length,
    natGateways: ofType("aws:ec2/natGateway:NatGateway").length,
    nodeGroups: ofType("aws:eks/nodeGroup:NodeGroup").map((r) => {
      const label = isRecord(r.props.labels) ? r.props.labels[LABELS.nodeGroup] : undefined;
      const types = asArray(r.props.instanceTypes).filter((t): t is string => typeof t === "string");
      const fallback =
        typeof label === "string" && label in groups ? groups[label as NodeGroupName] : groups.system;
      const minSize = get(r.props, "scalingConfig.minSize");
      const diskSize = r.props.diskSize;
      return {
        name: typeof label === "string" ? label : r.name,
        pricing:
          types.length > 0 ? { instanceTypes: types, spot: r.props.capacityType === "SPOT" } : fallback,
        nodes: typeof minSize === "number" ? minSize : 0,
        // EKS's default root volume when neither diskSize nor a launch template sets one.
        diskGiB: typeof diskSize === "number" ? diskSize : 20,
      };
    }),
  };
}

/** The estimate of every agent workload among the stack's Kubernetes objects. */
export function estimateAgents(
  resources: readonly StackResource[],
  prices: RegionPrices,
  groups: NodeGroupsPricing,
): AgentEstimate[] {
  const objects = kubeObjects(resources);
  const byAgent = new Map<string, { obj: KubeObject; urn: string }[]>();
  for (const { obj, resource } of objects) {
    const agent = obj.metadata.labels?.[LABELS.agent];
    if (!AGENT_KINDS.includes(obj.kind) || typeof agent !== "string") continue;
    const key = `${obj.metadata.namespace ?? "default"}/${agent}`;
    byAgent.set(key, [...(byAgent.get(key) ?? []), { obj, urn: resource.urn }]);
  }
  const hpas = objects.map((o) => o.obj).filter((o) => o.kind === "HorizontalPodAutoscaler");
  const pvcs = objects.map((o) => o.obj).filter((o) => o.kind === "PersistentVolumeClaim");

  return [...byAgent].map(([key, workloads]): AgentEstimate => {
    const [namespace, agent] = key.split("/", 2) as [string, string];
    const annotation = (name: string) =>
      workloads.map((w) => w.obj.metadata.annotations?.[name]).find((v) => v !== undefined);
    const total: AgentCost = {
      expectedComputeUsd: 0,
      maxComputeUsd: 0,
      storageUsd: 0,
      llmUsd: 0,
      expectedMonthlyUsd: 0,
      maxMonthlyUsd: 0,
    };
    let gpus = 0;
    for (const { obj } of workloads) {
      const pod = podSpecOf(obj);
      if (!pod) continue;
      const requests = podRequests(pod.spec);
      gpus = Math.max(gpus, requests.gpus);
      const unit = nodeGroupUnitPrices(prices, groups[nodeGroupOfPod(pod.spec, requests.gpus)]);
      const cost =
        obj.kind === "CronJob"
          ? agentMonthlyCost(
              { job: cronJobRuns(obj, requests, unit), storageGiB: 0, llmMonthlyUsd: 0 },
              prices,
            )
          : (() => {
              const { min, max } = replicasOf(obj, hpas);
              const claims = claimGiB(obj, pod.spec, pvcs) * (obj.kind === "StatefulSet" ? max : 1);
              return agentMonthlyCost(
                {
                  service: { pod: requests, unit, minReplicas: min, maxReplicas: max },
                  storageGiB: claims,
                  llmMonthlyUsd: 0,
                },
                prices,
              );
            })();
      for (const k of Object.keys(total) as (keyof AgentCost)[]) total[k] += cost[k];
    }
    const llm = Number(annotation(ANNOTATIONS.llmMonthlyUsd) ?? 0);
    if (Number.isFinite(llm)) {
      total.llmUsd = llm;
      total.expectedMonthlyUsd += llm;
      total.maxMonthlyUsd += llm;
    }
    const budgetText = annotation(ANNOTATIONS.budgetMonthlyUsd);
    const budget = budgetText === undefined ? undefined : Number(budgetText);
    return {
      agent,
      namespace,
      tier: workloads.map((w) => w.obj.metadata.labels?.[LABELS.tier]).find((v) => v !== undefined),
      budgetUsd: budget !== undefined && Number.isFinite(budget) ? budget : undefined,
      gpus,
      cost: total,
      urn: workloads[0]!.urn,
    };
  });
}

function replicasOf(obj: KubeObject, hpas: KubeObject[]): { min: number; max: number } {
  const hpa = hpas.find(
    (h) =>
      (h.metadata.namespace ?? "default") === (obj.metadata.namespace ?? "default") &&
      get(h.spec, "scaleTargetRef.kind") === obj.kind &&
      get(h.spec, "scaleTargetRef.name") === obj.metadata.name,
  );
  if (hpa) {
    const max = Number(hpa.spec?.maxReplicas ?? 1);
    return { min: Number(hpa.spec?.minReplicas ?? 1), max };
  }
  const replicas = typeof obj.spec?.replicas === "number" ? obj.spec.replicas : 1;
  return { min: replicas, max: replicas };
}

function claimGiB(obj: KubeObject, spec: Record<string, unknown>, pvcs: KubeObject[]): number {
  const templates = asArray(obj.spec?.volumeClaimTemplates).map((t) =>
    gib(get(t, "spec.resources.requests.storage")),
  );
  const claimed = asArray(spec.volumes).map((v) => {
    const claim = get(v, "persistentVolumeClaim.claimName");
    const pvc = pvcs.find(
      (p) =>
        p.metadata.name === claim &&
        (p.metadata.namespace ?? "default") === (obj.metadata.namespace ?? "default"),
    );
    return pvc ? gib(get(pvc.spec, "resources.requests.storage")) : 0;
  });
  return [...templates, ...claimed].reduce((a, b) => a + b, 0);
}

function cronJobRuns(obj: KubeObject, pod: PodRequests, unit: ReturnType<typeof nodeGroupUnitPrices>) {
  const jobSpec = get(obj.spec, "jobTemplate.spec");
  const annotated = Number(obj.metadata.annotations?.[ANNOTATIONS.expectedRunMinutes]);
  const deadline = get(jobSpec, "activeDeadlineSeconds");
  const runMinutes =
    Number.isFinite(annotated) && annotated > 0
      ? annotated
      : typeof deadline === "number"
        ? deadline / 60
        : 60;
  const parallelism = get(jobSpec, "parallelism");
  const schedule = obj.spec?.schedule;
  const timeZone = obj.spec?.timeZone;
  return {
    pod,
    unit,
    runsPerMonth: runsPerMonth(String(schedule), typeof timeZone === "string" ? timeZone : "Etc/UTC"),
    runMinutes,
    parallelism: typeof parallelism === "number" ? parallelism : 1,
  };
}

export function checkAgentBudgets(
  resources: readonly StackResource[],
  config: AgentBudgetsConfig,
): Finding[] {
  let prices: RegionPrices;
  let groups: NodeGroupsPricing;
  let agents: AgentEstimate[];
  let infrastructureUsd: number;
  try {
    prices = regionPrices(config.region);
    groups = nodeGroupsOfStack(resources, config.nodeGroups);
    agents = estimateAgents(resources, prices, groups);
    infrastructureUsd = infrastructureMonthly(prices, infrastructureOfStack(resources, groups)).reduce(
      (sum, l) => sum + l.monthlyUsd,
      0,
    );
  } catch (err) {
    if (err instanceof CostModelError) return [{ message: `cannot estimate: ${err.message}` }];
    throw err;
  }
  const ceilings = config.tierCeilingsUsd;
  const findings: Finding[] = [];
  for (const a of agents) {
    const at = (message: string) =>
      findings.push({ urn: a.urn, message: `agent ${JSON.stringify(a.agent)}: ${message}` });
    const estimate = a.cost.maxMonthlyUsd;
    if (a.budgetUsd === undefined) {
      at(
        `metadata.annotations["${ANNOTATIONS.budgetMonthlyUsd}"]: (missing) — must state its monthly budget in USD`,
      );
    } else if (estimate > a.budgetUsd) {
      at(`estimated ${usd(estimate)}/month at max replicas exceeds its budget of ${usd(a.budgetUsd)}`);
    }
    const ceiling = a.tier === undefined ? undefined : ceilings[a.tier];
    if (ceiling === undefined) {
      at(
        `metadata.labels["${LABELS.tier}"]: ${a.tier === undefined ? "(missing)" : JSON.stringify(a.tier)} — must be a tier with a ceiling (${Object.keys(ceilings).join(", ") || "none configured"})`,
      );
    } else if (a.budgetUsd !== undefined && a.budgetUsd > ceiling) {
      at(`budget ${usd(a.budgetUsd)}/month exceeds the tier ${a.tier} ceiling of ${usd(ceiling)}`);
    }
    if (a.gpus > 0 && !config.gpuTiers.map(String).includes(a.tier ?? "")) {
      at(
        `requests ${a.gpus} GPU${a.gpus === 1 ? "" : "s"} but tier ${a.tier ?? "(missing)"} may not use GPUs (GPU tiers: ${config.gpuTiers.join(", ") || "none"})`,
      );
    }
  }
  if (config.environmentBudgetUsd !== undefined) {
    const agentsUsd = agents.reduce((sum, a) => sum + a.cost.maxMonthlyUsd, 0);
    const total = infrastructureUsd + agentsUsd;
    if (total > config.environmentBudgetUsd) {
      findings.push({
        message: `environment: estimated ${usd(total)}/month (infrastructure ${usd(infrastructureUsd)} + agents at max replicas ${usd(agentsUsd)}) exceeds the environment budget of ${usd(config.environmentBudgetUsd)}`,
      });
    }
  }
  return findings;
}

const nodeGroupSchema: PolicyConfigJSONSchema = {
  type: "object",
  properties: {
    instanceTypes: { type: "array", items: { type: "string" }, minItems: 1 },
    spot: { type: "boolean" },
  },
  required: ["instanceTypes", "spot"],
};

export const agentBudgets = stackPolicy<AgentBudgetsConfig>({
  name: "agent-budgets",
  description:
    "Each agent's estimated monthly cost fits its budget, its budget fits its tier's ceiling, GPUs only for allowed tiers, and the environment fits its budget.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      region: { type: "string", default: "us-east-1" },
      nodeGroups: {
        type: "object",
        properties: { system: nodeGroupSchema, spot: nodeGroupSchema, gpu: nodeGroupSchema },
        default: DEFAULT_NODE_GROUPS,
      },
      tierCeilingsUsd: { type: "object", additionalProperties: { type: "number", minimum: 0 }, default: {} },
      gpuTiers: { type: "array", items: { type: "integer", minimum: 1, maximum: 4 }, default: [] },
      environmentBudgetUsd: { type: "number", minimum: 0 },
    },
  },
  check: checkAgentBudgets,
});
