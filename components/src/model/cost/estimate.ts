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
 *   30.42 a month), under the CronJob's concurrency policy: with Forbid (every agent's) one run at a time, so
 *   a schedule more frequent than its runs are long bills at most the month's minutes ({@link scheduledRuns}).
 *   A schedule that never fires (`0 0 30 2 *`) costs nothing.
 * - Snapshots and backups are incremental: the first copy holds a volume's written blocks, each later one the
 *   blocks changed since. The model counts a volume's provisioned size once (an upper bound of what is
 *   written) plus {@link SNAPSHOT_DAILY_CHANGE} of it per day kept — an assumption, not a measurement; the
 *   real figure follows the agents' write rates (Cost Explorer's EBS:SnapshotUsage, AWS Backup's vault size).
 *   RDS bills backup storage beyond 100 % of the provisioned storage, so a database pays only the daily part.
 * - An S3 store is priced at S3 Standard for its expected size, whatever its lifecycle moves to colder
 *   classes (the conservative side), plus its expected requests.
 */
import { CronExpressionParser } from "cron-parser";
import { neverFiresReason, parseKubernetesCron, type CronSchedule } from "../../lib/cron";
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

/** A CronJob's `concurrencyPolicy` (Kubernetes' default: Allow). */
export type ConcurrencyPolicy = "Allow" | "Forbid" | "Replace";

/** What a CronJob's runs hold per 730-hour month. */
export interface ScheduledRuns {
  /** Runs the controller starts. */
  runsPerMonth: number;
  /** Minutes those runs hold their pods: what they cost. */
  minutesPerMonth: number;
}

/** The slot times of a schedule over 2025 (ms), and the part of the year they cover. */
interface Slots {
  times: readonly number[];
  /** End of the covered time: the year's end, or the last slot when enumeration stopped early. */
  windowEnd: number;
  complete: boolean;
}

function parsedSchedule(schedule: string, timeZone: string) {
  const parsed = parseKubernetesCron(schedule);
  if (!parsed.ok) {
    throw new ScheduleError(
      "schedule",
      schedule,
      `must be a CronJob schedule Kubernetes accepts (${parsed.error})`,
    );
  }
  const zoneProblem = timeZoneProblem(timeZone);
  if (zoneProblem !== undefined) throw new ScheduleError("timeZone", timeZone, zoneProblem);
  return parsed.schedule;
}

/**
 * Slots already counted, by explicit fields and time zone: counting walks up to MAX_ENUMERATED_RUNS dates
 * through cron-parser and luxon (about 70 ms for a daily schedule), and a stack counts the same few schedules
 * for every estimate it makes. Bounded; a slot list is never changed after it is made.
 */
const countedSlots = new Map<string, Readonly<Slots>>();
const COUNTED_SLOTS_MAX = 512;

/** The five-field schedule's slots over 2025 in `timeZone`, at most MAX_ENUMERATED_RUNS of them. */
function fieldSlots(
  s: Extract<CronSchedule, { kind: "fields" }>,
  schedule: string,
  timeZone: string,
): Readonly<Slots> {
  // A schedule that never fires (`0 0 30 2 *`) has no slot; cron-parser would refuse its day of month.
  if (neverFiresReason(s) !== undefined) return { times: [], windowEnd: YEAR_END.getTime(), complete: true };
  const fields = [s.minute, s.hour, s.dayOfMonth, s.month, s.dayOfWeek];
  const explicit = fields.map((f) => (f.star ? "*" : f.values.join(","))).join(" ");
  const key = `${explicit}|${timeZone}`;
  let slots = countedSlots.get(key);
  if (!slots) {
    slots = Object.freeze(enumerateSlots(explicit, schedule, timeZone));
    Object.freeze(slots.times);
    if (countedSlots.size >= COUNTED_SLOTS_MAX) countedSlots.delete(countedSlots.keys().next().value!);
    countedSlots.set(key, slots);
  }
  return slots;
}

/**
 * Zones that are UTC under another name (IANA tzdata's `backward` links to Etc/UTC and Etc/GMT): counted as
 * "UTC", which luxon (under cron-parser) keeps as a fixed offset instead of asking `Intl` for every slot's
 * offset — the same slots, 2.5–5× faster (a year of `0 2 * * *` in "Etc/UTC", the default: 160–340 ms → 60 ms).
 */
const UTC_NAMES = new Set([
  "Etc/UTC",
  "Etc/UCT",
  "Etc/Universal",
  "Etc/Zulu",
  "UCT",
  "Universal",
  "Zulu",
  "Etc/GMT",
  "Etc/GMT+0",
  "Etc/GMT-0",
  "Etc/GMT0",
  "Etc/Greenwich",
  "GMT",
  "GMT+0",
  "GMT-0",
  "GMT0",
  "Greenwich",
]);

function enumerateSlots(explicit: string, schedule: string, timeZone: string): Slots {
  const times: number[] = [];
  try {
    const expr = CronExpressionParser.parse(explicit, {
      currentDate: YEAR_START,
      endDate: YEAR_END,
      tz: UTC_NAMES.has(timeZone) ? "UTC" : timeZone,
    });
    while (expr.hasNext()) {
      times.push(expr.next().getTime());
      if (times.length >= MAX_ENUMERATED_RUNS) return { times, windowEnd: times.at(-1)!, complete: false };
    }
  } catch (err) {
    // The API server accepts the schedule (parsed above); a count the model cannot make is a named error.
    throw new ScheduleError(
      "schedule",
      schedule,
      `cannot be counted by the cost model (${(err as Error).message})`,
    );
  }
  return { times, windowEnd: YEAR_END.getTime(), complete: true };
}

/**
 * Runs per 730-hour month of a CronJob schedule, parsed as Kubernetes parses it (lib/cron.ts). Five-field
 * schedules are counted by cron-parser over 2025 in `timeZone`, from the parsed fields written out
 * explicitly (so names, `?` and Kubernetes' day-of-week 0–6 mean what the CronJob controller makes of
 * them); `@every <d>` runs 730 h / d times; a schedule that never fires (`0 0 30 2 *`) runs 0 times.
 * @throws {ScheduleError} when the schedule or time zone is one Kubernetes refuses (configuration
 *   validation refuses both first, so the program never gets here with them).
 */
export function runsPerMonth(schedule: string, timeZone = "Etc/UTC"): number {
  const s = parsedSchedule(schedule, timeZone);
  if (s.kind === "every") return (HOURS_PER_MONTH * 3600) / s.seconds;
  const slots = fieldSlots(s, schedule, timeZone);
  const hours = (slots.windowEnd - YEAR_START.getTime()) / 3.6e6;
  return slots.complete
    ? (slots.times.length * HOURS_PER_MONTH) / HOURS_PER_YEAR
    : (slots.times.length / hours) * HOURS_PER_MONTH;
}

/**
 * What a CronJob's runs start and hold per month, under its `concurrencyPolicy` as the CronJob controller
 * (pkg/controller/cronjob, `syncCronJob`) applies it:
 * - `Allow`: every slot starts a run, runs overlap: each holds its pod `minutes`;
 * - `Forbid`: at most one run at a time; a slot that comes while a run is active is skipped, except that when
 *   the run ends the controller starts the most recent missed slot if it is no older than
 *   `startingDeadlineSeconds` (without one: always). So `* * * * *` with 45-minute runs holds one pod all
 *   month, never 45;
 * - `Replace`: a slot that comes while a run is active stops it and starts a new one: a run holds its pod
 *   until the next slot at most.
 * @throws {ScheduleError} as {@link runsPerMonth}.
 */
export function scheduledRuns(
  schedule: string,
  timeZone: string,
  run: { minutes: number; concurrencyPolicy?: ConcurrencyPolicy; startingDeadlineSeconds?: number },
): ScheduledRuns {
  const s = parsedSchedule(schedule, timeZone);
  const policy = run.concurrencyPolicy ?? "Allow";
  const duration = run.minutes * 60_000;
  const deadline = run.startingDeadlineSeconds === undefined ? Infinity : run.startingDeadlineSeconds * 1000;
  const perMonth = HOURS_PER_MONTH / HOURS_PER_YEAR;
  if (s.kind === "every") {
    const interval = s.seconds * 1000;
    const slotsPerMonth = (HOURS_PER_MONTH * 3.6e6) / interval;
    if (policy === "Allow" || interval >= duration) {
      return { runsPerMonth: slotsPerMonth, minutesPerMonth: slotsPerMonth * run.minutes };
    }
    if (policy === "Replace") {
      return { runsPerMonth: slotsPerMonth, minutesPerMonth: (slotsPerMonth * interval) / 60_000 };
    }
    // Forbid, runs longer than the interval: from run end to run end over the year.
    const year = YEAR_END.getTime() - YEAR_START.getTime();
    let runs = 0;
    for (let t = 0; t < year; runs++) {
      const end = t + duration;
      const missed = Math.floor(end / interval) * interval;
      t = end - missed <= deadline ? end : missed + interval;
    }
    return { runsPerMonth: runs * perMonth, minutesPerMonth: runs * run.minutes * perMonth };
  }
  const slots = fieldSlots(s, schedule, timeZone);
  const { times } = slots;
  const started: { at: number; held: number }[] = [];
  if (policy === "Allow") {
    for (const t of times) started.push({ at: t, held: duration });
  } else if (policy === "Replace") {
    times.forEach((t, i) =>
      started.push({ at: t, held: Math.min(duration, (times[i + 1] ?? Infinity) - t) }),
    );
  } else {
    let busyUntil = -Infinity;
    let missed: number | undefined;
    const start = (at: number) => {
      started.push({ at, held: duration });
      busyUntil = at + duration;
    };
    for (const t of [...times, Infinity]) {
      // The active run ended before this slot: the controller starts the most recent missed one, if not too late.
      while (missed !== undefined && busyUntil < t) {
        const m = missed;
        missed = undefined;
        if (busyUntil - m <= deadline && busyUntil < slots.windowEnd) start(busyUntil);
      }
      if (t === Infinity) break;
      if (t >= busyUntil) start(t);
      else missed = t;
    }
  }
  if (slots.complete) {
    const held = started.reduce((sum, r) => sum + r.held, 0);
    return { runsPerMonth: started.length * perMonth, minutesPerMonth: (held / 60_000) * perMonth };
  }
  // A sample of the year (a frequent schedule): the rate between its first and last slot, runs cut at the last.
  const [first, last] = [times[0]!, slots.windowEnd];
  const sample = started.filter((r) => r.at < last);
  const held = sample.reduce((sum, r) => sum + Math.min(r.at + r.held, last) - r.at, 0);
  const scale = (HOURS_PER_MONTH * 3.6e6) / (last - first);
  return { runsPerMonth: sample.length * scale, minutesPerMonth: (held / 60_000) * scale };
}

/** Everything the estimate of one agent needs, whichever source it was read from. */
export interface AgentCostInput {
  /** Long-running pods (a Deployment or StatefulSet); absent for a scheduled-only agent. */
  service?: { pod: PodRequests; unit: UnitPrices; minReplicas: number; maxReplicas: number };
  /**
   * Scheduled runs (a CronJob); absent for a service-only agent. `minutesPerMonth` is what the runs hold their
   * pods under the CronJob's concurrency policy ({@link scheduledRuns}); without it, every run holds
   * `runMinutes`.
   */
  job?: {
    pod: PodRequests;
    unit: UnitPrices;
    runsPerMonth: number;
    runMinutes: number;
    parallelism: number;
    minutesPerMonth?: number;
  };
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
      ((input.job.minutesPerMonth ?? input.job.runsPerMonth * input.job.runMinutes) / 60)
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
