/**
 * The cost report of a stack, from its resources and its validated configuration: what synth writes to
 * `out/<stack>/cost.json` and prints as a table.
 */
import type { AgentConfig } from "../../config/agents";
import type { ClusterConfig } from "../../config/cluster";
import { DEFAULT_NODE_GROUPS, type CostLine, type NodeGroupsPricing } from "./estimate";
import {
  environmentMonthly,
  estimateStack,
  stackCostInput,
  type StackEstimate,
  type StackResourceLike,
} from "./stack";
import { CostModelError, PRICE_TABLE_DATE, regionPrices } from "../../catalog/prices";

/** USD ceiling of each governance tier, keyed by the tier as a string ("1" … "4"); from the pack config. */
export type TierCeilings = Readonly<Record<string, number>>;

/** What the report takes from the environment's pack config (policy/config/<env>.json, `agent-budgets`). */
export interface BudgetSettings {
  tierCeilingsUsd: TierCeilings;
  /** The environment's monthly budget; `undefined` when the pack config sets none. */
  environmentBudgetUsd: number | undefined;
  /** Node groups to price and place on when the stack declares none. */
  nodeGroups: NodeGroupsPricing;
}

export interface AgentCostLine {
  name: string;
  tenant: string;
  tier: number;
  /** Compute at min replicas plus scheduled runs, plus persistent storage at min replicas. */
  computeMonthlyUsd: number;
  llmMonthlyUsd: number;
  /** computeMonthlyUsd + llmMonthlyUsd: the expected figure. */
  monthlyUsd: number;
  /** The same at max replicas: the figure the budget is checked against. */
  maxMonthlyUsd: number;
  budgetUsd: number;
  /** `null` when the pack config sets no ceiling for the tier. */
  tierCeilingUsd: number | null;
  /** Node groups the capacity plan places its pods on. */
  nodeGroups: string[];
}

/** An infrastructure line at the expected scale (`monthlyUsd`) and at the budget scale. */
export type InfrastructureLine = CostLine & { maxMonthlyUsd: number };

export interface CostReport {
  /** The stack the report is of; `null` when the caller did not say (cost:diff pairs stack folders by it). */
  stack: string | null;
  /** The stack's environment (`agentops:environment`); `null` when the caller did not say. */
  environment: string | null;
  currency: "USD";
  region: string;
  /** The day the price table was recorded. */
  pricesAsOf: string;
  /**
   * The environment at min replicas: infrastructure (node groups from the plan, which hold the agents'
   * long-running pods) plus the agents' scheduled runs, claims and LLM spend ({@link environmentMonthly}).
   */
  totalMonthlyUsd: number;
  /** The same at max replicas: what the environment budget is checked against. */
  maxMonthlyUsd: number;
  /** From the pack config; `null` when it sets none. */
  environmentBudgetUsd: number | null;
  /** environmentBudgetUsd − maxMonthlyUsd; negative when over; `null` without a budget. */
  marginUsd: number | null;
  infrastructure: InfrastructureLine[];
  agents: AgentCostLine[];
}

/** Node groups of the stack's EKS cluster; the defaults for a cluster made elsewhere. */
export function nodeGroupsPricing(cluster: ClusterConfig): NodeGroupsPricing {
  if (cluster.mode !== "eks") return DEFAULT_NODE_GROUPS;
  const ng = cluster.nodeGroups;
  return {
    system: { instanceTypes: ng.system.instanceTypes, spot: false },
    spot: { instanceTypes: ng.spot.instanceTypes, spot: true },
    gpu: { instanceTypes: ng.gpu.instanceTypes, spot: false },
  };
}

/**
 * The monthly estimate of a stack, from its synthesized resources through the same {@link stackCostInput}
 * and {@link estimateStack} the policy pack calls; the configuration supplies the region, the agents' order,
 * tiers and budgets.
 * @param settings from the stack's environment's pack config ({@link budgetSettings}).
 * @throws {CostModelError} when the region or an instance type has no price.
 */
export function costReport(
  config: {
    region: string | undefined;
    agents: readonly AgentConfig[];
    stack?: string | undefined;
    environment?: string;
  },
  resources: readonly StackResourceLike[],
  settings: BudgetSettings,
): { report: CostReport; estimate: StackEstimate } {
  if (config.region === undefined) {
    throw new CostModelError("aws:region: (missing) — the cost model prices a region; set aws:region");
  }
  const prices = regionPrices(config.region);
  const estimate = estimateStack(stackCostInput(resources, settings.nodeGroups), prices);
  const infrastructure = estimate.infrastructure.map((l) => ({
    ...l,
    monthlyUsd: cents(l.monthlyUsd),
    maxMonthlyUsd: cents(l.maxMonthlyUsd),
  }));
  const agents = config.agents.map((agent): AgentCostLine => {
    const found = estimate.agents.find((a) => a.agent === agent.name && a.namespace === agent.tenant);
    const cost = found?.cost;
    const compute = cents((cost?.expectedComputeUsd ?? 0) + (cost?.storageUsd ?? 0));
    const llm = cost?.llmUsd ?? agent.llm.monthlyUsd;
    return {
      name: agent.name,
      tenant: agent.tenant,
      tier: agent.tier,
      computeMonthlyUsd: compute,
      llmMonthlyUsd: cents(llm),
      monthlyUsd: cents(compute + llm),
      maxMonthlyUsd: cents(cost?.maxMonthlyUsd ?? llm),
      budgetUsd: agent.budget.monthlyUsd,
      tierCeilingUsd: settings.tierCeilingsUsd[String(agent.tier)] ?? null,
      nodeGroups: found?.nodeGroups ?? [],
    };
  });
  const { expectedUsd: total, maxUsd: max } = environmentMonthly(estimate);
  const budget = settings.environmentBudgetUsd ?? null;
  return {
    report: {
      stack: config.stack ?? null,
      environment: config.environment ?? null,
      currency: "USD",
      region: config.region,
      pricesAsOf: PRICE_TABLE_DATE,
      totalMonthlyUsd: cents(total),
      maxMonthlyUsd: cents(max),
      environmentBudgetUsd: budget,
      marginUsd: budget === null ? null : cents(budget - max),
      infrastructure,
      agents,
    },
    estimate,
  };
}

/** The report as a plain-text table. */
export function formatCostReport(report: CostReport): string {
  const usd = (n: number | null) => (n === null ? "-" : n.toFixed(2));
  const label = (l: CostLine) => `${l.name}: ${l.detail}`;
  const infraWidth = Math.max(40, ...report.infrastructure.map((l) => label(l).length));
  const lines = [
    `monthly cost estimate (${report.currency}, ${report.region} prices as of ${report.pricesAsOf})`,
    "",
    "infrastructure",
    `  ${"".padEnd(infraWidth)} ${"expected".padStart(10)} ${"at max".padStart(10)}`,
    ...report.infrastructure.map(
      (l) =>
        `  ${label(l).padEnd(infraWidth)} ${usd(l.monthlyUsd).padStart(10)} ${usd(l.maxMonthlyUsd).padStart(10)}`,
    ),
    "",
  ];
  const header = ["agent", "tenant", "tier", "compute", "llm", "expected", "at max", "budget", "ceiling"];
  const rows = report.agents.map((a) => [
    a.name,
    a.tenant,
    String(a.tier),
    usd(a.computeMonthlyUsd),
    usd(a.llmMonthlyUsd),
    usd(a.monthlyUsd),
    usd(a.maxMonthlyUsd),
    usd(a.budgetUsd),
    usd(a.tierCeilingUsd),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (cells: string[]) =>
    "  " + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  lines.push(
    render(header),
    ...rows.map(render),
    "",
    `total (expected)        ${usd(report.totalMonthlyUsd)}`,
    `total (at max)          ${usd(report.maxMonthlyUsd)}`,
    `environment budget      ${report.environmentBudgetUsd === null ? "(none in the pack config)" : usd(report.environmentBudgetUsd)}`,
    ...(report.marginUsd === null ? [] : [`margin (budget − max)   ${usd(report.marginUsd)}`]),
  );
  return lines.join("\n");
}

function cents(n: number): number {
  return Math.round(n * 100) / 100;
}
