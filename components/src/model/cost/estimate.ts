/**
 * The estimator: pure functions over typed inputs. The synth report feeds them from the stack configuration,
 * the policy pack from Kubernetes objects and AWS resource inputs, so both always agree on a figure.
 *
 * Rules (each a choice; change them here and both users follow):
 * - A month is 730 hours (8,760 / 12), the convention of the AWS price pages.
 * - An instance's hourly price is split into per-vCPU, per-GiB and per-GPU prices the way OpenCost splits a
 *   node price it knows only as a total (opencost/opencost pkg/costmodel/costmodel.go): weights from its
 *   default component prices, 1 vCPU = 0.031611/0.004237 ≈ 7.46 GiB and 1 GPU = 0.95/0.004237 ≈ 224 GiB;
 *   `gibHour = price / (gpus·224.2 + vcpu·7.46 + GiB)`. So a GPU instance charges most of its price to its GPU.
 * - A node group with several instance types is priced at the MEAN of its types' unit prices: a managed node
 *   group launches whichever type has capacity, so no single type is the truth, and the mean is the
 *   expectation of an even mix. Spot groups at `spotPriceRatio` × on-demand.
 * - A pod costs its REQUESTS (what it reserves on a node), not its limits or its usage.
 * - Scheduled runs per month are counted over the non-leap year 2025 in the schedule's time zone, × 730/8,760,
 *   with the schedule parsed as Kubernetes parses it; each run costs its expected minutes (daily: 365 runs →
 *   30.42 a month).
 * - Snapshots and backups are incremental: the first copy holds a volume's written blocks, each later one the
 *   blocks changed since. The model counts a volume's provisioned size once (an upper bound of what is
 *   written) plus {@link SNAPSHOT_DAILY_CHANGE} of it per day kept — an assumption, not a measurement; the
 *   real figure follows the agents' write rates (Cost Explorer's EBS:SnapshotUsage, AWS Backup's vault size).
 *   RDS bills backup storage beyond 100 % of the provisioned storage, so a database pays only the daily part.
 * - An S3 store is priced at S3 Standard for its expected size, whatever its lifecycle moves to colder
 *   classes (the conservative side), plus its expected requests.
 */
import { CronExpressionParser } from "cron-parser";
import { parseKubernetesCron } from "../../lib/cron";
import { timeZoneProblem } from "../../lib/time-zone";
import {
  CostModelError,
  elastiCacheNodeHourly,
  instanceType,
  rdsInstanceHourly,
  type InstanceType,
  type RegionPrices,
} from "../../catalog/prices";

/**
 * Share of a volume's size assumed to change per day, for the incremental part of snapshots and backups: 2 %,
 * a planning figure (a write-heavy agent changes more, an idle one nothing). See the rules above.
 */
export const SNAPSHOT_DAILY_CHANGE = 0.02;

export const HOURS_PER_MONTH = 730;
const HOURS_PER_YEAR = 8760;

/** OpenCost's default component prices (configs/default.json); only their ratios are used. */
export const OPENCOST_WEIGHTS = { vcpuHourly: 0.031611, gibHourly: 0.004237, gpuHourly: 0.95 } as const;

/** USD per hour of one unit of each resource on a node group. */
export interface UnitPrices {
  vcpuHour: number;
  gibHour: number;
  /** 0 on a node group without GPUs. */
  gpuHour: number;
}

/** A node group as the cost model needs it. */
export interface NodeGroupPricing {
  instanceTypes: readonly string[];
  spot: boolean;
}

/** The node groups of contract.ts NODE_GROUPS. */
export type NodeGroupName = "system" | "spot" | "gpu";
export type NodeGroupsPricing = Record<NodeGroupName, NodeGroupPricing>;

/** Node groups of a cluster made elsewhere (`mode: existing`), whose instance types the stack does not know. */
export const DEFAULT_NODE_GROUPS: NodeGroupsPricing = {
  system: { instanceTypes: ["m7i.large"], spot: false },
  spot: { instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m7a.xlarge", "m6a.xlarge"], spot: true },
  gpu: { instanceTypes: ["g6.xlarge"], spot: false },
};

/** Splits one instance's hourly price into unit prices by OpenCost's weights. */
export function splitInstancePrice(type: InstanceType, hourly: number): UnitPrices {
  const vcpuWeight = OPENCOST_WEIGHTS.vcpuHourly / OPENCOST_WEIGHTS.gibHourly;
  const gpuWeight = OPENCOST_WEIGHTS.gpuHourly / OPENCOST_WEIGHTS.gibHourly;
  const gibHour = hourly / (type.gpus * gpuWeight + type.vcpu * vcpuWeight + type.memoryGiB);
  return { vcpuHour: gibHour * vcpuWeight, gibHour, gpuHour: type.gpus > 0 ? gibHour * gpuWeight : 0 };
}

/** Hourly price of one instance of `name` on this capacity. */
export function instanceHourly(prices: RegionPrices, name: string, spot: boolean): number {
  return instanceType(prices, name).onDemandHourly * (spot ? prices.spotPriceRatio : 1);
}

/** Mean hourly price of one node of the group. */
export function nodeHourly(prices: RegionPrices, group: NodeGroupPricing): number {
  requireTypes(group);
  return mean(group.instanceTypes.map((t) => instanceHourly(prices, t, group.spot)));
}

/** Unit prices of a node group: the mean over its instance types. */
export function nodeGroupUnitPrices(prices: RegionPrices, group: NodeGroupPricing): UnitPrices {
  requireTypes(group);
  const units = group.instanceTypes.map((t) =>
    splitInstancePrice(instanceType(prices, t), instanceHourly(prices, t, group.spot)),
  );
  return {
    vcpuHour: mean(units.map((u) => u.vcpuHour)),
    gibHour: mean(units.map((u) => u.gibHour)),
    gpuHour: mean(units.map((u) => u.gpuHour)),
  };
}

/** What one pod reserves. */
export interface PodRequests {
  /** CPU cores. */
  cpu: number;
  memoryGiB: number;
  gpus: number;
}

export function podHourly(unit: UnitPrices, pod: PodRequests): number {
  return pod.cpu * unit.vcpuHour + pod.memoryGiB * unit.gibHour + pod.gpus * unit.gpuHour;
}

/** Which node group a pod lands on when nothing pins it: GPU pods on `gpu`, opted-in pods on `spot`. */
export function nodeGroupFor(pod: { gpus: number; spot: boolean }): NodeGroupName {
  if (pod.gpus > 0) return "gpu";
  return pod.spot ? "spot" : "system";
}

/** A year without leap day, so every schedule's count is reproducible. */
const YEAR_START = new Date("2025-01-01T00:00:00Z");
const YEAR_END = new Date("2026-01-01T00:00:00Z");
/** Past this many runs, the count over the time walked so far is extrapolated (every-minute crons). */
const MAX_ENUMERATED_RUNS = 2_000;

/** A schedule or time zone the cost model cannot count: which key, its value and what is allowed. */
export class ScheduleError extends CostModelError {
  constructor(
    public readonly key: "schedule" | "timeZone",
    public readonly value: string,
    public readonly allowed: string,
  ) {
    super(`${key}: ${JSON.stringify(value)} — ${allowed}`);
  }
}

/**
 * Runs per 730-hour month of a CronJob schedule, parsed as Kubernetes parses it (lib/cron.ts). Five-field
 * schedules are counted by cron-parser over 2025 in `timeZone`, from the parsed fields written out
 * explicitly (so names, `?` and Kubernetes' day-of-week 0–6 mean what the CronJob controller makes of
 * them); `@every <d>` runs 730 h / d times.
 * @throws {ScheduleError} when the schedule or time zone is one Kubernetes refuses (configuration
 *   validation refuses both first, so the program never gets here with them).
 */
export function runsPerMonth(schedule: string, timeZone = "Etc/UTC"): number {
  const parsed = parseKubernetesCron(schedule);
  const zoneProblem = timeZoneProblem(timeZone);
  if (!parsed.ok) {
    throw new ScheduleError(
      "schedule",
      schedule,
      `must be a CronJob schedule Kubernetes accepts (${parsed.error})`,
    );
  }
  if (zoneProblem !== undefined) throw new ScheduleError("timeZone", timeZone, zoneProblem);
  const s = parsed.schedule;
  if (s.kind === "every") return (HOURS_PER_MONTH * 3600) / s.seconds;
  const fields = [s.minute, s.hour, s.dayOfMonth, s.month, s.dayOfWeek];
  // A field of empty lists (",") matches nothing: the CronJob never runs.
  if (fields.some((f) => f.values.length === 0)) return 0;
  const explicit = fields.map((f) => (f.star ? "*" : f.values.join(","))).join(" ");
  const expr = CronExpressionParser.parse(explicit, {
    currentDate: YEAR_START,
    endDate: YEAR_END,
    tz: timeZone,
  });
  let runs = 0;
  while (expr.hasNext()) {
    const last = expr.next().getTime();
    runs++;
    if (runs >= MAX_ENUMERATED_RUNS) {
      const hours = (last - YEAR_START.getTime()) / 3.6e6;
      return (runs / hours) * HOURS_PER_MONTH;
    }
  }
  return (runs * HOURS_PER_MONTH) / HOURS_PER_YEAR;
}

/** Everything the estimate of one agent needs, whichever source it was read from. */
export interface AgentCostInput {
  /** Long-running pods (a Deployment or StatefulSet); absent for a scheduled-only agent. */
  service?: { pod: PodRequests; unit: UnitPrices; minReplicas: number; maxReplicas: number };
  /** Scheduled runs (a CronJob); absent for a service-only agent. */
  job?: { pod: PodRequests; unit: UnitPrices; runsPerMonth: number; runMinutes: number; parallelism: number };
  /** Persistent volume claims at min replicas, priced as gp3. */
  storageGiB: number;
  /** Persistent volume claims at max replicas (a StatefulSet's claims grow with it). @default storageGiB */
  maxStorageGiB?: number;
  /** Declared LLM API spend. */
  llmMonthlyUsd: number;
}

export interface AgentCost {
  /** Service at min replicas plus scheduled runs. */
  expectedComputeUsd: number;
  /** Service at max replicas plus scheduled runs: the figure the budget is checked against. */
  maxComputeUsd: number;
  /** The scheduled runs' part of both compute figures. */
  jobComputeUsd: number;
  /** Storage at min replicas. */
  storageUsd: number;
  /** Storage at max replicas. */
  maxStorageUsd: number;
  llmUsd: number;
  /** expectedCompute + storage + LLM. */
  expectedMonthlyUsd: number;
  /** maxCompute + storage at max + LLM. */
  maxMonthlyUsd: number;
}

export function agentMonthlyCost(input: AgentCostInput, prices: RegionPrices): AgentCost {
  const servicePod = input.service ? podHourly(input.service.unit, input.service.pod) * HOURS_PER_MONTH : 0;
  const job = input.job
    ? podHourly(input.job.unit, input.job.pod) *
      input.job.parallelism *
      input.job.runsPerMonth *
      (input.job.runMinutes / 60)
    : 0;
  const expectedComputeUsd = servicePod * (input.service?.minReplicas ?? 0) + job;
  const maxComputeUsd = servicePod * (input.service?.maxReplicas ?? 0) + job;
  const storageUsd = input.storageGiB * prices.gp3PerGbMonth;
  const maxStorageUsd = (input.maxStorageGiB ?? input.storageGiB) * prices.gp3PerGbMonth;
  const llmUsd = input.llmMonthlyUsd;
  return {
    expectedComputeUsd,
    maxComputeUsd,
    jobComputeUsd: job,
    storageUsd,
    maxStorageUsd,
    llmUsd,
    expectedMonthlyUsd: expectedComputeUsd + storageUsd + llmUsd,
    maxMonthlyUsd: maxComputeUsd + maxStorageUsd + llmUsd,
  };
}

/** The fixed part of an environment. */
export interface InfrastructureInput {
  /** EKS control planes. */
  clusters: number;
  /** Node groups at the size counted (their minimum: what runs with no agent load). */
  nodeGroups: { name: string; pricing: NodeGroupPricing; nodes: number; diskGiB: number }[];
  natGateways: number;
  /**
   * GB processed by the NAT gateways per month. @default 0 — the estimate counts NAT hours only, since traffic
   * depends on the agents' LLM calls and image pulls, which the stack does not declare.
   */
  natGbPerMonth?: number;
  /**
   * ElastiCache nodes (the LLM gateway's counter store on EKS): node type and count per replication group.
   * @default none
   */
  cacheNodes?: readonly { nodeType: string; nodes: number }[];
  /** Data stores on AWS (RDS, ElastiCache, S3), one line each. @default none */
  stores?: readonly StoreCostInput[];
  /** AWS Backup of agents' volumes: the volumes' size and how long backups are kept. @default none */
  volumeBackups?: { volumeGiB: number; retentionDays: number };
  /** CloudWatch alarms. @default 0 */
  alarms?: number;
}

/** One data store on AWS, as the cost model reads it from its resource. */
export type StoreCostInput =
  | {
      store: string;
      kind: "rds";
      instanceClass: string;
      allocatedGiB: number;
      multiAz: boolean;
      backupRetentionDays: number;
    }
  | { store: string; kind: "elasticache"; nodeType: string; nodes: number }
  | { store: string; kind: "s3"; expectedGiB: number; writesPerMonth: number; readsPerMonth: number };

/** A store's monthly line: `store <name>`, what was counted and its price. */
export function storeMonthly(prices: RegionPrices, s: StoreCostInput): CostLine {
  const name = `store ${s.store}`;
  switch (s.kind) {
    case "rds": {
      const copies = s.multiAz ? 2 : 1;
      const instance = rdsInstanceHourly(prices, s.instanceClass) * copies * HOURS_PER_MONTH;
      const storage = s.allocatedGiB * prices.rdsGp3PerGbMonth * copies;
      const backups =
        s.allocatedGiB * SNAPSHOT_DAILY_CHANGE * s.backupRetentionDays * prices.rdsBackupPerGbMonth;
      return {
        name,
        detail: `RDS PostgreSQL ${s.instanceClass}${s.multiAz ? " Multi-AZ" : ""}, ${s.allocatedGiB} GiB gp3, ${s.backupRetentionDays} d of backups`,
        monthlyUsd: instance + storage + backups,
      };
    }
    case "elasticache":
      return {
        name,
        detail: `ElastiCache ${s.nodes} × ${s.nodeType}`,
        monthlyUsd: s.nodes * elastiCacheNodeHourly(prices, s.nodeType) * HOURS_PER_MONTH,
      };
    case "s3":
      return {
        name,
        detail: `S3 ${s.expectedGiB} GiB Standard, ${s.writesPerMonth} writes + ${s.readsPerMonth} reads a month`,
        monthlyUsd:
          s.expectedGiB * prices.s3StandardPerGbMonth +
          (s.writesPerMonth / 1000) * prices.s3WritesPer1000 +
          (s.readsPerMonth / 1000) * prices.s3ReadsPer1000,
      };
  }
}

/** Snapshots of `volumeGiB` of volumes kept `retentionDays` days, USD a month (see the rules above). */
export function snapshotsMonthly(prices: RegionPrices, volumeGiB: number, retentionDays: number): number {
  return volumeGiB * (1 + SNAPSHOT_DAILY_CHANGE * retentionDays) * prices.ebsSnapshotPerGbMonth;
}

export interface CostLine {
  /** Stable across changes of size, so that cost diffs match lines by name. */
  name: string;
  /** What was counted, e.g. `2 × m7i.large (on-demand)`. */
  detail: string;
  monthlyUsd: number;
}

export function infrastructureMonthly(prices: RegionPrices, input: InfrastructureInput): CostLine[] {
  const lines: CostLine[] = [];
  if (input.clusters > 0) {
    lines.push({
      name: "EKS control plane",
      detail: `${input.clusters} × standard support`,
      monthlyUsd: input.clusters * prices.eksControlPlaneHourly * HOURS_PER_MONTH,
    });
  }
  for (const ng of input.nodeGroups) {
    lines.push({
      name: `node group ${ng.name}`,
      detail: `${ng.nodes} × ${ng.pricing.instanceTypes.join("|")} (${ng.pricing.spot ? "spot" : "on-demand"})`,
      monthlyUsd: ng.nodes * nodeHourly(prices, ng.pricing) * HOURS_PER_MONTH,
    });
  }
  if (input.natGateways > 0) {
    const gb = input.natGbPerMonth ?? 0;
    lines.push({
      name: "NAT gateways",
      detail: `${input.natGateways} (hours${gb > 0 ? ` + ${gb} GB` : " only"})`,
      monthlyUsd: input.natGateways * prices.natGatewayHourly * HOURS_PER_MONTH + gb * prices.natGatewayPerGb,
    });
  }
  const cache = input.cacheNodes ?? [];
  if (cache.length > 0) {
    lines.push({
      name: "ElastiCache nodes",
      detail: cache.map((c) => `${c.nodes} × ${c.nodeType}`).join(" + "),
      monthlyUsd: cache.reduce(
        (sum, c) => sum + c.nodes * elastiCacheNodeHourly(prices, c.nodeType) * HOURS_PER_MONTH,
        0,
      ),
    });
  }
  for (const store of input.stores ?? []) lines.push(storeMonthly(prices, store));
  if (input.volumeBackups) {
    const { volumeGiB, retentionDays } = input.volumeBackups;
    lines.push({
      name: "volume backups",
      detail: `${volumeGiB} GiB of agent volumes in AWS Backup, ${retentionDays} d kept`,
      monthlyUsd: snapshotsMonthly(prices, volumeGiB, retentionDays),
    });
  }
  if ((input.alarms ?? 0) > 0) {
    lines.push({
      name: "CloudWatch alarms",
      detail: `${input.alarms} alarms`,
      monthlyUsd: (input.alarms ?? 0) * prices.cloudWatchAlarmMonthly,
    });
  }
  const diskGiB = input.nodeGroups.reduce((sum, ng) => sum + ng.nodes * ng.diskGiB, 0);
  if (diskGiB > 0) {
    lines.push({
      name: "node root volumes",
      detail: `${diskGiB} GiB gp3`,
      monthlyUsd: diskGiB * prices.gp3PerGbMonth,
    });
  }
  return lines;
}

function requireTypes(group: NodeGroupPricing): void {
  if (group.instanceTypes.length === 0) {
    throw new CostModelError(
      "instanceTypes: [] — a node group needs at least one instance type to be priced",
    );
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
