import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  agentMonthlyCost,
  costReport,
  formatCostReport,
  infrastructureInput,
  infrastructureMonthly,
  nodeGroupUnitPrices,
  packConfigPath,
  readPackConfig,
  regionPrices,
  runsPerMonth,
  splitInstancePrice,
  tierCeilings,
  type CostReport,
} from "../components/src/cost";
import { rawStackConfig, type StackConfig } from "../components/src/config";
import { agentsSchema } from "../components/src/config/agents";
import { clusterSchema } from "../components/src/config/cluster";
import { platformSchema } from "../components/src/config/platform";
import { tenantsSchema } from "../components/src/config/tenants";
import { readStackConfig } from "../components/src/synth/stack-file";
import { ROOT } from "./harness";

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
    region: raw.region as string,
    cluster: clusterSchema.parse(raw.agentops.cluster),
    platform: platformSchema.parse(raw.agentops.platform),
    tenants: tenantsSchema.parse(raw.agentops.tenants),
    agents: agentsSchema.parse(raw.agentops.agents),
  };
}

function report(stack: string): CostReport {
  const config = stackConfig(stack);
  return costReport(config, tierCeilings(readPackConfig(packConfigPath(ROOT, config.environment))));
}

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
      message: 'region: "eu-west-1" — no prices in components/src/cost/prices.ts (priced regions: us-east-1)',
    });
  });

  it("names an unknown instance type and the priced ones", () => {
    assert.throws(() => nodeGroupUnitPrices(prices, { instanceTypes: ["c7i.large"], spot: false }), {
      message:
        'instance type: "c7i.large" — no price for the region in components/src/cost/prices.ts (priced: m7i.large, m7i.xlarge, m6i.xlarge, m7a.xlarge, m6a.xlarge, g6.xlarge, g5.xlarge)',
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
  it("reports dev's security-agent: 1 replica + daily 45-minute run + 10 Gi + $40 LLM", () => {
    // system group m7i.large: pod 0.5 vCPU + 1 GiB = 0.5 × 0.0328090 + 1 × 0.0043976 = 0.0208021 $/h
    // service 1 replica: 0.0208021 × 730 = 15.1855; job: 30.4167 runs × 0.75 h × 0.0208021 = 0.4746
    // storage 10 × 0.08 = 0.80 → compute 16.46; at max (2 replicas) 16.46 + 15.19 + 40 = 71.65
    const line = report("dev").agents.find((a) => a.name === "security-agent");
    assert.deepEqual(line, {
      name: "security-agent",
      tenant: "governance",
      tier: 3,
      computeMonthlyUsd: 16.46,
      llmMonthlyUsd: 40,
      monthlyUsd: 56.46,
      maxMonthlyUsd: 71.65,
      budgetUsd: 150,
      tierCeilingUsd: 1000,
    });
  });

  it("prices dev's ai-agent weekly GPU job on the gpu group", () => {
    // service: 2 vCPU + 4 GiB on m7i.large = 0.0832042 $/h × 730 = 60.74 (1 replica)
    // job: GPU group mean of g6.xlarge and g5.xlarge: GPU 0.75170 + 2 vCPU × 0.025013 + 4 GiB × 0.0033526 = 0.81514 $/h
    //      4.3333 runs × 4 h × 0.81514 = 14.13; storage 50 × 0.08 = 4.00 → 60.74 + 14.13 + 4.00 = 78.87
    const line = report("dev").agents.find((a) => a.name === "ai-agent");
    assert.equal(line?.computeMonthlyUsd, 78.87);
  });

  it("totals infrastructure and expected agent figures", () => {
    const r = report("dev");
    const sum = [...r.infrastructure, ...r.agents].reduce((s, l) => s + l.monthlyUsd, 0);
    assert.equal(r.totalMonthlyUsd, Math.round(sum * 100) / 100);
    assert.equal(r.totalMonthlyUsd, 765.04);
  });

  it("counts one NAT gateway per zone in prod", () => {
    const nat = report("prod").infrastructure.find((l) => l.name.startsWith("NAT"));
    assert.deepEqual(nat, { name: "NAT gateways", detail: "3 (hours only)", monthlyUsd: 98.55 });
  });

  it("counts no NAT gateway for an existing VPC: its gateways are the VPC owner's", () => {
    const config = stackConfig("prod");
    assert.equal(config.cluster.mode, "eks");
    const network = {
      existing: {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        privateSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
        publicSubnetIds: [],
      },
    };
    assert.equal(infrastructureInput({ ...config, cluster: { ...config.cluster, network } }).natGateways, 0);
  });

  it("prints one row per agent in the table", () => {
    const table = formatCostReport(report("dev"));
    assert.match(
      table,
      /\n {2}security-agent {3}governance {5}3 {4}16\.46 {3}40\.00 {5}56\.46 {3}71\.65 {2}150\.00 {2}1000\.00\n/,
    );
  });

  it("requires a region", () => {
    assert.throws(() => costReport({ ...stackConfig("dev"), region: undefined }, {}), {
      message: "aws:region: (missing) — the cost model prices a region; set aws:region",
    });
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

  it("names a file that is not JSON", () => {
    const file = write("{nope");
    assert.throws(
      () => readPackConfig(file),
      (err: Error) => err.message.startsWith(`${file}: not valid JSON — `),
    );
  });
});
