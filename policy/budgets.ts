/**
 * Tier budgets: each agent's estimated monthly cost (at its maximum replicas) within its budget annotation,
 * the budget within its tier's ceiling, GPUs only for the tiers that may use them, the node groups able to
 * hold the stack at its maximum scale, and the environment's total within its budget. A stack policy, because
 * an agent's maximum replicas live on its HorizontalPodAutoscaler (or KEDA ScaledObject) and the node groups on
 * AWS resources.
 *
 * Every figure is the cost model's (components/src/model/cost/stack.ts): `stackCostInput` reads the resources and
 * `estimateStack` prices them — the same two functions synth's cost report calls on the same resources, so
 * `out/<stack>/cost.json` and this policy agree to the cent (tests/cost-parity.test.ts). That includes the
 * capacity plan: node groups are priced at the nodes it needs, and agents' pods at the group it places them
 * on (a spot-preferring pod on spot when the stack has a spot group).
 */
import {
  CostModelError,
  DEFAULT_NODE_GROUPS,
  environmentMonthly,
  estimateStack,
  regionPrices,
  stackCostInput,
  type NodeGroupsPricing,
  type StackEstimate,
} from "@agentops/components/model";
import { ANNOTATIONS, LABELS } from "@agentops/components/model";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { stackPolicy } from "./define";
import type { Finding, StackResource } from "./kube";

export interface AgentBudgetsConfig {
  /** Region whose prices apply. */
  region: string;
  /** Node groups when the stack declares none (manifests, or a cluster made elsewhere). */
  nodeGroups: NodeGroupsPricing;
  /** USD ceiling per tier ("1" … "4"); a tier without one fails. */
  tierCeilingsUsd: Record<string, number>;
  /** Tiers whose agents may request GPUs. */
  gpuTiers: number[];
  /**
   * The environment's monthly budget, checked against the environment at max replicas (cost model's
   * `environmentMonthly`). Unset: unchecked.
   */
  environmentBudgetUsd?: number;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The cost model's estimate of a stack, as this policy computes it. @throws {CostModelError} */
export function estimateOfStack(
  resources: readonly StackResource[],
  config: Pick<AgentBudgetsConfig, "region" | "nodeGroups">,
): StackEstimate {
  return estimateStack(stackCostInput(resources, config.nodeGroups), regionPrices(config.region));
}

export function checkAgentBudgets(
  resources: readonly StackResource[],
  config: AgentBudgetsConfig,
): Finding[] {
  let estimate: StackEstimate;
  try {
    estimate = estimateOfStack(resources, config);
  } catch (err) {
    if (err instanceof CostModelError) return [{ message: `cannot estimate: ${err.message}` }];
    throw err;
  }
  const ceilings = config.tierCeilingsUsd;
  const findings: Finding[] = estimate.errors.map((e) => ({
    message: `capacity: ${e.path}: ${JSON.stringify(e.value)} — ${e.allowed}`,
  }));
  for (const a of estimate.agents) {
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
    const total = environmentMonthly(estimate).maxUsd;
    const infrastructureUsd = estimate.infrastructure.reduce((sum, l) => sum + l.maxMonthlyUsd, 0);
    if (total > config.environmentBudgetUsd) {
      findings.push({
        message: `environment: estimated ${usd(total)}/month at max replicas (infrastructure ${usd(infrastructureUsd)} + agents' scheduled runs, storage and LLM ${usd(total - infrastructureUsd)}) exceeds the environment budget of ${usd(config.environmentBudgetUsd)}`,
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
