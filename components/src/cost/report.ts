/**
 * The cost report of a stack, from its validated configuration: what synth writes to `out/<stack>/cost.json`
 * and prints as a table.
 */
import type { AgentConfig, StackConfig } from "../config";
import { ConfigError } from "../config/errors";
import { cpuCores, gibibytes } from "../lib/quantity";
import {
  DEFAULT_NODE_GROUPS,
  nodeGroupFor,
  nodeGroupUnitPrices,
  runsPerMonth,
  ScheduleError,
  type AgentCostInput,
  type CostLine,
  type NodeGroupsPricing,
} from "./estimate";
import {
  environmentMonthly,
  estimateStack,
  stackCostInput,
  type StackEstimate,
  type StackResourceLike,
} from "./stack";
import { CostModelError, PRICE_TABLE_DATE, regionPrices, type RegionPrices } from "./prices";

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
export function nodeGroupsPricing(config: StackConfig): NodeGroupsPricing {
  if (config.cluster.mode !== "eks") return DEFAULT_NODE_GROUPS;
  const ng = config.cluster.nodeGroups;
  return {
    system: { instanceTypes: ng.system.instanceTypes, spot: false },
    spot: { instanceTypes: ng.spot.instanceTypes, spot: true },
    gpu: { instanceTypes: ng.gpu.instanceTypes, spot: false },
  };
}

/**
 * Runs per month of a configured agent. Validation refuses every schedule and zone the cost model cannot
 * count; should one get through (a configuration built without `parseStackConfig`), it is still the user's
 * configuration at fault: a ConfigError naming the agent, never a stack trace.
 */
function scheduledRuns(agent: AgentConfig, schedule: string): number {
  try {
    return runsPerMonth(schedule, agent.timeZone);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    throw new ConfigError([
      { path: `agents (${agent.name}).${err.key}`, value: err.value, allowed: err.allowed },
    ]);
  }
}

/** One agent of the configuration as the estimator's input. */
export function agentCostInput(
  agent: AgentConfig,
  prices: RegionPrices,
  groups: NodeGroupsPricing,
): AgentCostInput {
  const requests = {
    cpu: cpuCores(agent.resources.requests.cpu),
    memoryGiB: gibibytes(agent.resources.requests.memory),
  };
  const unitFor = (gpus: number) =>
    nodeGroupUnitPrices(prices, groups[nodeGroupFor({ gpus, spot: agent.spot })]);
  const input: AgentCostInput = {
    storageGiB: 0,
    llmMonthlyUsd: agent.llm.monthlyUsd,
  };
  // As the Agent component claims it: one claim per service replica (the StatefulSet's template), and one
  // for the job.
  const size = agent.storage ? gibibytes(agent.storage.size) : 0;
  const jobClaim = agent.mode === "service" ? 0 : size;
  if ((agent.mode === "service" || agent.mode === "hybrid") && agent.replicas) {
    input.service = {
      pod: { ...requests, gpus: agent.gpu },
      unit: unitFor(agent.gpu),
      minReplicas: agent.replicas.min,
      maxReplicas: agent.replicas.max,
    };
  }
  if ((agent.mode === "scheduled" || agent.mode === "hybrid") && agent.schedule) {
    const gpus = agent.job?.gpu ?? agent.gpu;
    input.job = {
      pod: { ...requests, gpus },
      unit: unitFor(gpus),
      runsPerMonth: scheduledRuns(agent, agent.schedule),
      // The schema's default for `job.expectedRunMinutes`, also when `job` is left out.
      runMinutes: agent.job?.expectedRunMinutes ?? 30,
      parallelism: 1,
    };
  }
  input.storageGiB = size * (input.service?.minReplicas ?? 0) + (input.job ? jobClaim : 0);
  input.maxStorageGiB = size * (input.service?.maxReplicas ?? 0) + (input.job ? jobClaim : 0);
  return input;
}

/**
 * The monthly estimate of a stack, from its synthesized resources through the same {@link stackCostInput}
 * and {@link estimateStack} the policy pack calls; the configuration supplies the region, the agents' order,
 * tiers and budgets.
 * @param settings from the stack's environment's pack config ({@link budgetSettings}).
 * @throws {CostModelError} when the region or an instance type has no price.
 */
export function costReport(
  config: StackConfig,
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
