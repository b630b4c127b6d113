/**
 * The cost report of a stack, from its validated configuration: what synth writes to `out/<stack>/cost.json`
 * and prints as a table.
 */
import type { AgentConfig, NetworkConfig, StackConfig } from "../config";
import { ConfigError } from "../config/errors";
import { cpuCores, gibibytes } from "../lib/quantity";
import {
  DEFAULT_NODE_GROUPS,
  agentMonthlyCost,
  infrastructureMonthly,
  nodeGroupFor,
  nodeGroupUnitPrices,
  runsPerMonth,
  ScheduleError,
  type AgentCostInput,
  type CostLine,
  type InfrastructureInput,
  type NodeGroupsPricing,
} from "./estimate";
import { CostModelError, PRICE_TABLE_DATE, regionPrices, type RegionPrices } from "./prices";

/** USD ceiling of each governance tier, keyed by the tier as a string ("1" … "4"); from the pack config. */
export type TierCeilings = Readonly<Record<string, number>>;

export interface AgentCostLine {
  name: string;
  tenant: string;
  tier: number;
  /** Compute at min replicas plus scheduled runs, plus persistent storage. */
  computeMonthlyUsd: number;
  llmMonthlyUsd: number;
  /** computeMonthlyUsd + llmMonthlyUsd: the expected figure. */
  monthlyUsd: number;
  /** The same at max replicas: the figure the budget is checked against. */
  maxMonthlyUsd: number;
  budgetUsd: number;
  /** `null` when the pack config sets no ceiling for the tier. */
  tierCeilingUsd: number | null;
}

export interface CostReport {
  currency: "USD";
  region: string;
  /** The day the price table was recorded. */
  pricesAsOf: string;
  /** Infrastructure plus every agent's expected figure. */
  totalMonthlyUsd: number;
  infrastructure: CostLine[];
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

/** Infrastructure of the stack: the control plane, node groups at their minimum size, NAT gateways, root volumes. */
export function infrastructureInput(config: StackConfig): InfrastructureInput {
  if (config.cluster.mode !== "eks") return { clusters: 0, nodeGroups: [], natGateways: 0 };
  const { network, nodeGroups } = config.cluster;
  const pricing = nodeGroupsPricing(config);
  return {
    clusters: 1,
    nodeGroups: (["system", "spot", "gpu"] as const).map((name) => ({
      name,
      pricing: pricing[name],
      nodes: nodeGroups[name].minSize,
      diskGiB: nodeGroups[name].diskSizeGiB,
    })),
    natGateways: natGatewayCount(network),
  };
}

/** NAT gateways the stack pays for: none in an existing VPC, whose gateways belong to its owner. */
function natGatewayCount(network: NetworkConfig): number {
  if ("existing" in network) return 0;
  return network.natGateways === "single" ? 1 : network.availabilityZones.length;
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
    storageGiB: agent.storage ? gibibytes(agent.storage.size) : 0,
    llmMonthlyUsd: agent.llm.monthlyUsd,
  };
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
  return input;
}

/**
 * The monthly estimate of a stack.
 * @param ceilings tier ceilings from the pack config of the stack's environment (policy/config/<env>.json).
 * @throws {CostModelError} when the region or an instance type has no price.
 */
export function costReport(config: StackConfig, ceilings: TierCeilings): CostReport {
  if (config.region === undefined) {
    throw new CostModelError("aws:region: (missing) — the cost model prices a region; set aws:region");
  }
  const prices = regionPrices(config.region);
  const groups = nodeGroupsPricing(config);
  const infrastructure = infrastructureMonthly(prices, infrastructureInput(config)).map(roundLine);
  const agents = config.agents.map((agent): AgentCostLine => {
    const cost = agentMonthlyCost(agentCostInput(agent, prices, groups), prices);
    const compute = cents(cost.expectedComputeUsd + cost.storageUsd);
    return {
      name: agent.name,
      tenant: agent.tenant,
      tier: agent.tier,
      computeMonthlyUsd: compute,
      llmMonthlyUsd: cents(cost.llmUsd),
      monthlyUsd: cents(compute + cost.llmUsd),
      maxMonthlyUsd: cents(cost.maxMonthlyUsd),
      budgetUsd: agent.budget.monthlyUsd,
      tierCeilingUsd: ceilings[String(agent.tier)] ?? null,
    };
  });
  const total = [...infrastructure, ...agents].reduce((sum, line) => sum + line.monthlyUsd, 0);
  return {
    currency: "USD",
    region: config.region,
    pricesAsOf: PRICE_TABLE_DATE,
    totalMonthlyUsd: cents(total),
    infrastructure,
    agents,
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
    ...report.infrastructure.map((l) => `  ${label(l).padEnd(infraWidth)} ${usd(l.monthlyUsd).padStart(10)}`),
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
  lines.push(render(header), ...rows.map(render), "", `total (expected)  ${usd(report.totalMonthlyUsd)}`);
  return lines.join("\n");
}

function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

function roundLine(line: CostLine): CostLine {
  return { ...line, monthlyUsd: cents(line.monthlyUsd) };
}
