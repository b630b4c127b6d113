import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  agentMonthlyCost,
  budgetSettings,
  costReport,
  DEFAULT_NODE_GROUPS,
  estimateStack,
  formatCostReport,
  infrastructureMonthly,
  stackCostInput,
  nodeGroupUnitPrices,
  packConfigPath,
  readPackConfig,
  regionPrices,
  runsPerMonth,
  scheduledRuns,
  splitInstancePrice,
  tierCeilings,
  type CostReport,
} from "@agentops/components/model";
import { rawStackConfig, type StackConfig } from "@agentops/components";
import { agentsSchema } from "../components/src/config/agents";
import { clusterSchema } from "../components/src/config/cluster";
import { platformSchema } from "../components/src/config/platform";
import { tenantsSchema } from "../components/src/config/tenants";
import { backupsSchema, storesSchema } from "../components/src/config/stores";
import { readStackConfig } from "@agentops/components/model";
import { ROOT, synthEdited, synthStack } from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- stack files are edited freely */

const prices = regionPrices("us-east-1");
const close = (actual: number, expected: number, digits = 6) =>
  assert.equal(actual.toFixed(digits), expected.toFixed(digits));

// OpenCost weights: 1 vCPU = 0.031611 / 0.004237 = 7.460703 GiB; 1 GPU = 0.95 / 0.004237 = 224.215246 GiB.
const VCPU_W = 0.031611 / 0.004237;
const GPU_W = 0.95 / 0.004237;

/**
 * A stack's configuration, each key through its schema (defaults applied) but without the cross-entry checks
 * of parseStackConfig: the figures here depend on the agents and node groups, not on quota rules.
 */
function stackConfig(stack: string): StackConfig {
  const raw = rawStackConfig(readStackConfig(ROOT, stack).config);
  return {
    environment: raw.agentops.environment as StackConfig["environment"],
    stack: undefined,
    region: raw.region as string,
    cluster: clusterSchema.parse(raw.agentops.cluster),
    platform: platformSchema.parse(raw.agentops.platform),
    tenants: tenantsSchema.parse(raw.agentops.tenants),
    agents: agentsSchema.parse(raw.agentops.agents),
    stores: storesSchema.parse(raw.agentops.stores),
    backups: backupsSchema.parse(raw.agentops.backups),
  };
}

const cents = (n: number) => Math.round(n * 100) / 100;
const settings = (environment: string) => budgetSettings(readPackConfig(packConfigPath(ROOT, environment)));
const toStackResources = (resources: { type: string; name: string; urn: string; inputs: unknown }[]) =>
  resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.inputs as Record<string, unknown>,
  }));

/** The cost report of a stack as synth makes it: its synthesized resources, its pack config. */
async function reportAndEstimate(stack: string) {
  const { resources } = await synthStack(stack);
  return costReport(
    stackConfig(stack),
    toStackResources(resources),
    settings(stackConfig(stack).environment),
  );
}
const report = async (stack: string): Promise<CostReport> => (await reportAndEstimate(stack)).report;

describe("cost model: unit prices", () => {
  it("splits m7i.large ($0.1008, 2 vCPU, 8 GiB) by OpenCost's weights", () => {
    // GiB-hour = 0.1008 / (2 × 7.460703 + 8) = 0.1008 / 22.921406 = 0.0043976
    const unit = splitInstancePrice(prices.instances["m7i.large"]!, 0.1008);
    close(unit.gibHour, 0.1008 / (2 * VCPU_W + 8));
    close(unit.vcpuHour, (0.1008 / (2 * VCPU_W + 8)) * VCPU_W);
    assert.equal(unit.gpuHour, 0);
    // The parts add back up to the instance price.
    close(2 * unit.vcpuHour + 8 * unit.gibHour, 0.1008);
  });

  it("charges most of a g6.xlarge ($0.8048, 4 vCPU, 16 GiB, 1 GPU) to its GPU", () => {
    // GiB-hour = 0.8048 / (224.215246 + 4 × 7.460703 + 16) = 0.8048 / 270.058058 = 0.0029801; GPU-hour = 0.66818
    const unit = splitInstancePrice(prices.instances["g6.xlarge"]!, 0.8048);
    close(unit.gpuHour, (0.8048 / (GPU_W + 4 * VCPU_W + 16)) * GPU_W);
    assert.equal(unit.gpuHour.toFixed(4), "0.6682");
  });

  it("prices a spot group at the mean of its types at half the on-demand price", () => {
    // mean on-demand of m7i/m6i/m7a/m6a.xlarge = (0.2016 + 0.192 + 0.23184 + 0.1728) / 4 = 0.19956; × 0.5 = 0.09978
    // All four are 4 vCPU / 16 GiB, so GiB-hour = 0.09978 / (4 × 7.460703 + 16) = 0.09978 / 45.842812
    const unit = nodeGroupUnitPrices(prices, {
      instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m7a.xlarge", "m6a.xlarge"],
      spot: true,
    });
    close(unit.gibHour, 0.09978 / (4 * VCPU_W + 16));
  });

  it("names an unknown region and the priced ones", () => {
    assert.throws(() => regionPrices("eu-west-1"), {
      message:
        'region: "eu-west-1" — no prices in components/src/catalog/prices.ts (priced regions: us-east-1)',
    });
  });

  it("names an unknown instance type and the priced ones", () => {
    assert.throws(() => nodeGroupUnitPrices(prices, { instanceTypes: ["c7i.large"], spot: false }), {
      message:
        'instance type: "c7i.large" — no price for the region in components/src/catalog/prices.ts (priced: m7i.large, m7i.xlarge, m6i.xlarge, m7a.xlarge, m6a.xlarge, g6.xlarge, g5.xlarge)',
    });
  });
});

describe("cost model: schedules", () => {
  it("counts a daily schedule as 365 runs a year: 365 × 730 / 8760 = 30.4167 a month", () => {
    close(runsPerMonth("0 2 * * *"), (365 * 730) / 8760, 4);
  });

  it("counts a weekly Saturday schedule as 52 runs in 2025: 52 × 730 / 8760 = 4.3333 a month", () => {
    close(runsPerMonth("0 3 * * 6"), (52 * 730) / 8760, 4);
  });

  it("extrapolates an every-minute schedule instead of walking the whole year: 60 × 730 = 43800", () => {
    assert.equal(Math.round(runsPerMonth("* * * * *")), 43800);
  });

  it("rejects a schedule that does not parse, naming it", () => {
    assert.throws(
      () => runsPerMonth("61 * * * *"),
      /^CostModelError: schedule: "61 \* \* \* \*" — must be a CronJob schedule Kubernetes accepts \(end of range \(61\) above maximum \(59\): 61\)$/,
    );
  });
});

describe("cost model: agents and infrastructure", () => {
  it("adds service replicas, scheduled runs, storage and LLM spend", () => {
    const unit = { vcpuHour: 0.04, gibHour: 0.005, gpuHour: 0 };
    const cost = agentMonthlyCost(
      {
        // pod: 1 CPU × 0.04 + 2 GiB × 0.005 = 0.05 $/h → 36.50 $/month per replica
        service: { pod: { cpu: 1, memoryGiB: 2, gpus: 0 }, unit, minReplicas: 1, maxReplicas: 3 },
        // 30 runs × 0.5 h × 0.05 $/h × 2 in parallel = 1.50
        job: {
          pod: { cpu: 1, memoryGiB: 2, gpus: 0 },
          unit,
          runsPerMonth: 30,
          runMinutes: 30,
          parallelism: 2,
        },
        storageGiB: 10, // × 0.08 = 0.80
        llmMonthlyUsd: 25,
      },
      prices,
    );
    close(cost.expectedComputeUsd, 36.5 + 1.5);
    close(cost.maxComputeUsd, 3 * 36.5 + 1.5);
    close(cost.storageUsd, 0.8);
    close(cost.expectedMonthlyUsd, 38 + 0.8 + 25);
    close(cost.maxMonthlyUsd, 111 + 0.8 + 25);
  });

  it("prices infrastructure: control plane, nodes at min size, NAT hours, root volumes", () => {
    const lines = infrastructureMonthly(prices, {
      clusters: 1,
      nodeGroups: [
        { name: "system", pricing: { instanceTypes: ["m7i.large"], spot: false }, nodes: 2, diskGiB: 50 },
      ],
      natGateways: 1,
    });
    assert.deepEqual(
      lines.map((l) => [l.name, l.detail, l.monthlyUsd.toFixed(3)]),
      [
        ["EKS control plane", "1 × standard support", "73.000"], // 0.10 × 730
        ["node group system", "2 × m7i.large (on-demand)", "147.168"], // 2 × 0.1008 × 730
        ["NAT gateways", "1 (hours only)", "32.850"], // 0.045 × 730
        ["node root volumes", "100 GiB gp3", "8.000"], // 2 × 50 × 0.08
      ],
    );
  });

  it("prices ElastiCache nodes per node-hour and names a node type the table lacks", () => {
    const lines = infrastructureMonthly(prices, {
      clusters: 0,
      nodeGroups: [],
      natGateways: 0,
      cacheNodes: [{ nodeType: "cache.t4g.small", nodes: 2 }],
    });
    // 2 × 0.0256 × 730
    assert.deepEqual(
      lines.map((l) => [l.name, l.detail, l.monthlyUsd.toFixed(3)]),
      [["ElastiCache nodes", "2 × cache.t4g.small", "37.376"]],
    );
    assert.throws(
      () =>
        infrastructureMonthly(prices, {
          clusters: 0,
          nodeGroups: [],
          natGateways: 0,
          cacheNodes: [{ nodeType: "cache.x9.huge", nodes: 1 }],
        }),
      {
        message:
          'ElastiCache node type: "cache.x9.huge" — no price for the region in components/src/catalog/prices.ts (priced: cache.t4g.micro, cache.t4g.small, cache.t4g.medium, cache.m7g.large, cache.r7g.large)',
      },
    );
  });

  it("counts NAT data when a GB figure is given: 3 × 0.045 × 730 + 100 GB × 0.045 = 103.05", () => {
    const [nat] = infrastructureMonthly(prices, {
      clusters: 0,
      nodeGroups: [],
      natGateways: 3,
      natGbPerMonth: 100,
    });
    assert.deepEqual(nat, {
      name: "NAT gateways",
      detail: "3 (hours + 100 GB)",
      monthlyUsd: 3 * 0.045 * 730 + 4.5,
    });
  });
});

describe("cost report", () => {
  // Spot group (dev): mean of m7i/m6i/m7a/m6a.xlarge on-demand 0.19956 × 0.5 = 0.09978 $/h, 4 vCPU + 16 GiB each:
  //   GiB-h 0.09978 / 45.842812 = 0.00217657, vCPU-h × 7.460703 = 0.01623874.
  const spotGib = 0.09978 / (4 * VCPU_W + 16);
  const spotCpu = spotGib * VCPU_W;

  it("reports dev's security-agent on spot: 1 replica + daily 45-minute run + claims + $40 LLM", async () => {
    // pod 0.5 vCPU + 1 GiB = 0.01029594 $/h: service 1 replica × 730 = 7.5160; job 30.4167 × 0.75 h = 0.2349;
    // claims: 1 replica × 10 Gi + the job's 10 Gi = 20 × 0.08 = 1.60 → compute 9.35.
    // At max: 2 replicas 15.0321 + 0.2349 + 30 Gi × 0.08 = 2.40 + 40 LLM = 57.67.
    const pod = 0.5 * spotCpu + spotGib;
    const runs = (365 * 730) / 8760;
    const line = (await report("dev")).agents.find((a) => a.name === "security-agent");
    assert.deepEqual(line, {
      name: "security-agent",
      tenant: "governance",
      tier: 3,
      computeMonthlyUsd: cents(pod * 730 + runs * 0.75 * pod + 1.6),
      llmMonthlyUsd: 40,
      monthlyUsd: cents(pod * 730 + runs * 0.75 * pod + 1.6 + 40),
      maxMonthlyUsd: cents(2 * pod * 730 + runs * 0.75 * pod + 2.4 + 40),
      budgetUsd: 150,
      tierCeilingUsd: 1000,
      nodeGroups: ["spot"],
    });
    assert.deepEqual([line?.computeMonthlyUsd, line?.maxMonthlyUsd], [9.35, 57.67]);
  });

  it("prices dev's ai-agent service on spot and its weekly GPU job on the gpu group", async () => {
    // service: 2 vCPU + 4 GiB on spot = 0.04118405 $/h × 730 = 30.0644 (1 replica)
    // job: GPU group mean of g6.xlarge and g5.xlarge: GPU 0.75170 + 2 vCPU × 0.025013 + 4 GiB × 0.0033526 = 0.81514 $/h
    //      4.3333 runs × 4 h × 0.81514 = 14.13; claims 50 + 50 Gi × 0.08 = 8.00 → 30.06 + 14.13 + 8.00 = 52.19
    const line = (await report("dev")).agents.find((a) => a.name === "ai-agent");
    assert.deepEqual([line?.computeMonthlyUsd, line?.nodeGroups], [52.19, ["spot", "gpu"]]);
  });

  it("prices node groups at the nodes the capacity plan needs, at least minSize", async () => {
    // dev: system 2 × m7i.large (minSize 2, the plan needs 2); spot 2 at min, 3 at max × 0.09978 × 730 = 72.84
    // each; gpu 0 (the weekly job's node is priced per run, in the agent); root volumes 50 GiB per system and
    // spot node × 0.08; the LLM gateway's ElastiCache store, 1 × cache.t4g.micro × 0.0128 × 730 = 9.34; the data
    // stores (tests/stores.test.ts prices each), the AWS Backup of the agents' claims and the stores' alarms.
    const r = await report("dev");
    assert.deepEqual(
      r.infrastructure.map((l) => [l.name, l.detail, l.monthlyUsd, l.maxMonthlyUsd]),
      [
        ["EKS control plane", "1 × standard support", 73, 73],
        ["node group system", "2 × m7i.large (on-demand)", 147.17, 147.17],
        [
          "node group spot",
          "2 × m7i.xlarge|m6i.xlarge|m7a.xlarge|m6a.xlarge (spot), 3 at max",
          145.68,
          218.52,
        ],
        ["node group gpu", "0 × g6.xlarge|g5.xlarge (on-demand)", 0, 0],
        ["NAT gateways", "1 (hours only)", 32.85, 32.85],
        ["ElastiCache nodes", "1 × cache.t4g.micro", 9.34, 9.34],
        ["store audit", "RDS PostgreSQL db.t4g.micro, 20 GiB gp3, 7 d of backups", 14.25, 14.25],
        ["store cache", "ElastiCache 1 × cache.t4g.micro", 9.34, 9.34],
        ["store evidence", "S3 10 GiB Standard, 100000 writes + 500000 reads a month", 0.93, 0.93],
        ["volume backups", "130 GiB of agent volumes in AWS Backup, 7 d kept, 200 at max", 7.41, 11.4],
        ["CloudWatch alarms", "6 alarms", 0.6, 0.6],
        ["node root volumes", "200 GiB gp3, 250 at max", 16, 20],
      ],
    );
  });

  it("totals the environment without counting agents' service pods twice, and its budget margin", async () => {
    // infrastructure + each agent's scheduled runs, claims and LLM spend: their service pods run on the nodes
    // already priced.
    const r = await report("dev");
    const { estimate } = await reportAndEstimate("dev");
    const extra = (storage: "storageUsd" | "maxStorageUsd") =>
      estimate.agents.reduce((s, a) => s + a.cost.jobComputeUsd + a.cost[storage] + a.cost.llmUsd, 0);
    const infra = (k: "monthlyUsd" | "maxMonthlyUsd") =>
      estimate.infrastructure.reduce((s, l) => s + l[k], 0);
    assert.equal(r.totalMonthlyUsd, cents(infra("monthlyUsd") + extra("storageUsd")));
    assert.equal(r.maxMonthlyUsd, cents(infra("maxMonthlyUsd") + extra("maxStorageUsd")));
    assert.deepEqual([r.environmentBudgetUsd, r.marginUsd], [1200, cents(1200 - r.maxMonthlyUsd)]);
  });

  it("counts one NAT gateway per zone in prod", async () => {
    const nat = (await report("prod")).infrastructure.find((l) => l.name.startsWith("NAT"));
    assert.deepEqual(nat, {
      name: "NAT gateways",
      detail: "3 (hours only)",
      monthlyUsd: 98.55,
      maxMonthlyUsd: 98.55,
    });
  });

  it("counts no NAT gateway and no node group for a cluster made elsewhere", () => {
    const input = stackCostInput([], DEFAULT_NODE_GROUPS);
    assert.deepEqual([input.natGateways, input.clusters, input.declaredNodeGroups], [0, 0, false]);
    assert.equal(estimateStack(input, prices).plan, undefined);
  });

  it("prints one row per agent in the table, and the budget and margin", async () => {
    const table = formatCostReport(await report("dev"));
    assert.match(
      table,
      /\n {2}security-agent {3}governance {5}3 {5}9\.35 {3}40\.00 {5}49\.35 {3}57\.67 {2}150\.00 {2}1000\.00\n/,
    );
    assert.match(table, /\nenvironment budget {6}1200\.00\nmargin \(budget − max\) {3}\d+\.\d\d$/);
  });

  it("requires a region", async () => {
    const { resources } = await synthStack("dev");
    assert.throws(
      () =>
        costReport(
          { ...stackConfig("dev"), region: undefined },
          toStackResources(resources),
          settings("dev"),
        ),
      { message: "aws:region: (missing) — the cost model prices a region; set aws:region" },
    );
  });
});

describe("cost: pack config", () => {
  const write = (content: string) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pack-")), "env.json");
    fs.writeFileSync(file, content);
    return file;
  };

  it("reads the tier ceilings of the budget policy", () => {
    assert.deepEqual(
      tierCeilings(readPackConfig(write('{"agent-budgets": {"tierCeilingsUsd": {"1": 50}}}'))),
      {
        "1": 50,
      },
    );
  });

  it("rejects ceilings that are not amounts", () => {
    assert.throws(() => tierCeilings({ "agent-budgets": { tierCeilingsUsd: { "1": "lots" } } }), {
      message:
        'agent-budgets.tierCeilingsUsd: {"1":"lots"} — must map tiers to USD amounts, e.g. {"1": 100, "2": 250}',
    });
  });

  it("names a file that is missing, and a folder given for a file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-"));
    const missing = path.join(dir, "nope.json");
    assert.throws(() => readPackConfig(missing), {
      message: `${missing}: (missing) — needs a policy pack config file (see policy/README.md)`,
    });
    assert.throws(() => readPackConfig(dir), {
      message: `${dir}: a folder, not a file — needs a policy pack config file (see policy/README.md)`,
    });
  });

  it("names a file that is not JSON", () => {
    const file = write("{nope");
    assert.throws(
      () => readPackConfig(file),
      (err: Error) => err.message.startsWith(`${file}: not valid JSON — `),
    );
  });
});

describe("issue 22, defect 2: a schedule that never fires", () => {
  for (const schedule of ["0 0 30 2 *", "0 0 31 4 *", "0 0 30,31 2 *", "0 0 31 2,4,6,9,11 *"]) {
    it(`counts 0 runs for ${schedule}, without a stack trace (the API server accepts it)`, () => {
      assert.equal(runsPerMonth(schedule), 0);
      assert.deepEqual(
        scheduledRuns(schedule, "Europe/Berlin", { minutes: 30, concurrencyPolicy: "Forbid" }),
        {
          runsPerMonth: 0,
          minutesPerMonth: 0,
        },
      );
    });
  }

  it("still counts the months that have the day: 0 0 31 4,5 * runs on May 31, 0 0 30 2 1 on February's Mondays", () => {
    close(runsPerMonth("0 0 31 4,5 *"), 730 / 8760, 6);
    close(runsPerMonth("0 0 30 2 1"), (4 * 730) / 8760, 6);
  });

  it("synthesizes a stack whose agents never fire (the crash was in the program), pricing their runs at 0", async function () {
    this.timeout(120_000);
    const synth = await synthEdited("dev", (c: Record<string, any>) => {
      c.agents[0].schedule = "0 0 30 2 *";
      c.agents[2].schedule = "0 0 31 4 *";
    });
    const estimate = estimateStack(
      stackCostInput(toStackResources(synth.resources), DEFAULT_NODE_GROUPS),
      prices,
    );
    for (const name of ["security-agent", "ai-agent"]) {
      assert.equal(estimate.agents.find((a) => a.agent === name)!.cost.jobComputeUsd, 0, name);
    }
  });
});

describe("issue 22, defect 3: scheduled runs under the CronJob's concurrency policy", () => {
  const month = 730 * 60;
  /** Within 0.2 %: frequent schedules are counted over a sample of the year (2,000 slots). */
  const near = (actual: number, expected: number) =>
    assert.ok(
      Math.abs(actual - expected) <= expected * 0.002,
      `${actual} is not within 0.2 % of ${expected}`,
    );

  it("Forbid: * * * * * with 45-minute runs holds one pod all month, not 45 (the example)", () => {
    const r = scheduledRuns("* * * * *", "Etc/UTC", {
      minutes: 45,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
    });
    close(r.minutesPerMonth, month, 0);
  });

  it("Forbid: @every 0s with 45-minute runs holds one pod all month (the $20,302 example)", () => {
    const r = scheduledRuns("@every 0s", "Etc/UTC", {
      minutes: 45,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
    });
    close(r.minutesPerMonth, month, 0);
    close(r.runsPerMonth, month / 45, 2);
  });

  it("Forbid: hourly 90-minute runs skip the slot that comes while one runs (older than the deadline): 12 a day", () => {
    const r = scheduledRuns("0 * * * *", "Etc/UTC", {
      minutes: 90,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
    });
    near(r.runsPerMonth, 730 / 2);
    near(r.minutesPerMonth, (730 / 2) * 90);
  });

  it("Forbid without a starting deadline starts the missed slot when a run ends: hourly 90-minute runs back to back", () => {
    const r = scheduledRuns("@every 1h", "Etc/UTC", { minutes: 90, concurrencyPolicy: "Forbid" });
    close(r.minutesPerMonth, month, 0);
  });

  it("Forbid changes nothing for runs shorter than the interval: daily 45-minute runs", () => {
    const r = scheduledRuns("0 2 * * *", "Etc/UTC", {
      minutes: 45,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
    });
    close(r.minutesPerMonth, runsPerMonth("0 2 * * *") * 45, 6);
  });

  it("Replace: a run lasts until the next slot at most; Allow: runs overlap, each billed whole", () => {
    const replace = scheduledRuns("*/10 * * * *", "Etc/UTC", { minutes: 45, concurrencyPolicy: "Replace" });
    near(replace.minutesPerMonth, month);
    const allow = scheduledRuns("*/10 * * * *", "Etc/UTC", { minutes: 45, concurrencyPolicy: "Allow" });
    near(allow.minutesPerMonth, 6 * 730 * 45);
  });

  it("the stack's cost model reads the CronJob's policy: an every-minute agent job costs one pod-month", async function () {
    this.timeout(120_000);
    const synth = await synthEdited("dev", (c: Record<string, any>) => {
      c.agents[0].schedule = "* * * * *";
      c.agents[0].job = { expectedRunMinutes: 45 };
    });
    const estimate = estimateStack(
      stackCostInput(toStackResources(synth.resources), DEFAULT_NODE_GROUPS),
      prices,
    );
    const agent = estimate.agents.find((a) => a.agent === "security-agent")!;
    const cronJob = synth.resources.find(
      (r) => r.inputs.kind === "CronJob" && r.name === "security-agent-cronjob",
    )!;
    assert.equal((cronJob.inputs as any).spec.concurrencyPolicy, "Forbid");
    // The job pod (500m, 1Gi on spot) for 730 hours, not 45 pods.
    const unit = nodeGroupUnitPrices(prices, DEFAULT_NODE_GROUPS.spot);
    close(agent.cost.jobComputeUsd, (0.5 * unit.vcpuHour + 1 * unit.gibHour) * 730, 2);
  });
});
