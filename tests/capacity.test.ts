import { strict as assert } from "node:assert";
import {
  allocatable,
  capacityPlan,
  maxPods,
  nodeLabels,
  reservedCpu,
  type PlanNodeGroup,
  type PlannedWorkload,
} from "../components/src/model/capacity";
import { ConfigError } from "../components/src/config/errors";
import { regionPrices } from "@agentops/components/model";
import { costAndPlan } from "../tools/synth/outputs";
import { ROOT, STACKS, synthStack } from "./harness";

const prices = regionPrices("us-east-1");

/** The three node groups as the cluster makes them (contract.ts labels and taints). */
function groups(
  sizes: Partial<Record<"system" | "spot" | "gpu", Partial<PlanNodeGroup>>> = {},
): PlanNodeGroup[] {
  const group = (
    name: "system" | "spot" | "gpu",
    instanceTypes: string[],
    taint: PlanNodeGroup["taints"][number] | undefined,
  ): PlanNodeGroup => ({
    name,
    instanceTypes,
    spot: name === "spot",
    labels: nodeLabels({ "agentops.io/node-group": name }, name === "spot"),
    taints: taint ? [taint] : [],
    minSize: 0,
    desiredSize: 0,
    maxSize: 10,
    diskGiB: 50,
    ...sizes[name],
  });
  return [
    group("system", ["m7i.large"], undefined),
    group("spot", ["m7i.xlarge", "m6i.xlarge"], {
      key: "agentops.io/spot",
      value: "true",
      effect: "NoSchedule",
    }),
    group("gpu", ["g6.xlarge"], { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }),
  ];
}

const SPOT_TOLERATION = {
  key: "agentops.io/spot",
  operator: "Equal" as const,
  value: "true",
  effect: "NoSchedule" as const,
};
const PREFER_SPOT = [[{ key: "agentops.io/node-group", operator: "In" as const, values: ["spot"] }]];

function workload(name: string, over: Partial<PlannedWorkload> = {}): PlannedWorkload {
  return {
    owner: `agent/team/${name}`,
    workload: `Deployment/team/${name}`,
    kind: "Deployment",
    requests: { cpu: 0.5, memoryGiB: 1, gpus: 0 },
    replicas: { min: 1, max: 1 },
    placement: {},
    onePerNode: false,
    ...over,
  };
}

const placed = (plan: ReturnType<typeof capacityPlan>) =>
  Object.fromEntries(plan.placements.map((p) => [p.workload.split("/")[2], p.groups]));

describe("capacity: node allocatable (EKS AL2023 rules)", () => {
  it("gives m7i.large 29 pods, 1.93 CPU and 7.342 GiB", () => {
    // maxPods 3 ENIs × (10 − 1) + 2 = 29; CPU 2 − (6% of 1 + 1% of 1) = 1.93;
    // memory 8 GiB − (11 × 29 + 255 MiB kube-reserved + 100 MiB eviction = 674 MiB) = 7.341796875 GiB
    assert.deepEqual(allocatable(prices, "m7i.large"), {
      cpu: 1.93,
      memoryGiB: 8 - 674 / 1024,
      pods: 29,
      gpus: 0,
    });
  });

  it("gives m7i.xlarge 58 pods, 3.92 CPU and 15.030 GiB", () => {
    // maxPods 4 × (15 − 1) + 2 = 58; CPU 4 − (0.06 + 0.01 + 2 × 0.005) = 3.92;
    // memory 16 GiB − (11 × 58 + 255 + 100 = 993 MiB) = 15.0302734375 GiB
    const a = allocatable(prices, "m7i.xlarge");
    assert.deepEqual([a.pods, a.cpu.toFixed(6), a.memoryGiB, a.gpus], [58, "3.920000", 16 - 993 / 1024, 0]);
  });

  it("gives g6.xlarge the same as an xlarge, plus its GPU", () => {
    const a = allocatable(prices, "g6.xlarge");
    assert.deepEqual([a.pods, a.cpu.toFixed(6), a.memoryGiB, a.gpus], [58, "3.920000", 16 - 993 / 1024, 1]);
  });

  it("reserves 0.25% of every core above four", () => {
    // 16 cores: 60 + 10 + 10 + 12 × 2.5 = 110 m
    assert.equal(reservedCpu(16).toFixed(6), "0.110000");
  });

  it("names an instance type without ENI figures", () => {
    assert.throws(() => maxPods("t3.nano"), {
      message:
        'instance type: "t3.nano" — no ENI figures in components/src/model/capacity/nodes.ts (known: m7i.large, m7i.xlarge, m6i.xlarge, m7a.xlarge, m6a.xlarge, g6.xlarge, g5.xlarge)',
    });
  });
});

describe("capacity: placement", () => {
  it("keeps a pod without tolerations on system nodes", () => {
    assert.deepEqual(placed(capacityPlan(prices, groups(), [workload("a")])), { a: ["system"] });
  });

  it("keeps a pod that only tolerates spot on system nodes: preferring is what moves it", () => {
    const plan = capacityPlan(prices, groups(), [
      workload("tolerates", { placement: { tolerations: [SPOT_TOLERATION] } }),
      workload("prefers", { placement: { tolerations: [SPOT_TOLERATION], preferred: PREFER_SPOT } }),
    ]);
    assert.deepEqual(placed(plan), { tolerates: ["system"], prefers: ["spot"] });
  });

  it("falls back from a preferred spot group that does not exist (maxSize 0) to system nodes", () => {
    const plan = capacityPlan(prices, groups({ spot: { maxSize: 0 } }), [
      workload("prefers", { placement: { tolerations: [SPOT_TOLERATION], preferred: PREFER_SPOT } }),
    ]);
    assert.deepEqual(placed(plan), { prefers: ["system"] });
  });

  it("puts a GPU pod that tolerates the GPU taint on the gpu group", () => {
    const plan = capacityPlan(prices, groups(), [
      workload("trainer", {
        requests: { cpu: 2, memoryGiB: 4, gpus: 1 },
        placement: { tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }] },
      }),
    ]);
    assert.deepEqual(placed(plan), { trainer: ["gpu"] });
  });

  it("runs a DaemonSet on every group it tolerates and takes it off each node", () => {
    const ds = workload("logs", {
      kind: "DaemonSet",
      requests: { cpu: 0.1, memoryGiB: 0.25, gpus: 0 },
      placement: { tolerations: [{ operator: "Exists" }] },
    });
    const plan = capacityPlan(prices, groups(), [
      ds,
      workload("a", { requests: { cpu: 1.83, memoryGiB: 1, gpus: 0 } }),
    ]);
    assert.deepEqual(placed(plan).logs, ["system", "spot", "gpu"]);
    const system = plan.groups.find((g) => g.name === "system")!;
    // 1.93 − 0.1 = 1.83 left: the pod fits one node exactly; requested counts the DaemonSet pod on it.
    assert.deepEqual(
      [system.min.nodes, system.min.requested.cpu.toFixed(2), system.min.requested.pods],
      [1, "1.93", 2],
    );
  });

  it("gives pods with required anti-affinity one node each", () => {
    const plan = capacityPlan(prices, groups(), [
      workload("vault", { kind: "StatefulSet", replicas: { min: 3, max: 3 }, onePerNode: true }),
    ]);
    assert.equal(plan.groups.find((g) => g.name === "system")!.min.nodes, 3);
  });

  it("packs first-fit decreasing, at min and at max replicas", () => {
    // 1 CPU pods on 1.93-CPU nodes: one per node; 0.5 CPU pods fill the gaps (0.93 left → one each)
    const plan = capacityPlan(prices, groups(), [
      workload("big", { requests: { cpu: 1, memoryGiB: 1, gpus: 0 }, replicas: { min: 2, max: 3 } }),
      workload("small", { replicas: { min: 2, max: 4 } }),
    ]);
    const system = plan.groups.find((g) => g.name === "system")!;
    // min: 2 big + 2 small → 2 nodes; max: 3 big + 4 small (3 beside the big ones, 1 more) → 4 nodes
    assert.deepEqual([system.min.nodes, system.max.nodes], [2, 4]);
  });

  it("counts a job's run for sizing but not among the nodes that run all month", () => {
    const plan = capacityPlan(prices, groups(), [
      workload("job", {
        kind: "Job",
        workload: "Job/team/job",
        requests: { cpu: 1.5, memoryGiB: 1, gpus: 0 },
      }),
    ]);
    const system = plan.groups.find((g) => g.name === "system")!;
    assert.deepEqual([system.min.nodes, system.min.steadyNodes], [1, 0]);
  });
});

describe("capacity: errors and warnings", () => {
  it("reports a GPU pod that tolerates nothing: it fits no group", () => {
    const plan = capacityPlan(prices, groups(), [
      workload("trainer", { requests: { cpu: 1, memoryGiB: 1, gpus: 1 } }),
    ]);
    assert.deepEqual(plan.errors, [
      {
        path: "agent/team/trainer",
        value: "Deployment/team/trainer",
        allowed:
          "its pods fit no node group (system: needs 1 GPU, nodes have 0; spot: taint agentops.io/spot=true:NoSchedule not tolerated; gpu: taint nvidia.com/gpu=true:NoSchedule not tolerated)",
      },
    ]);
  });

  it("reports a pod larger than any node of its group", () => {
    const plan = capacityPlan(prices, groups(), [
      workload("huge", { requests: { cpu: 3, memoryGiB: 4, gpus: 0 } }),
    ]);
    assert.deepEqual(plan.errors, [
      {
        path: "agent/team/huge",
        value: "Deployment/team/huge",
        allowed:
          "one pod requests 3.00 CPU / 4.00 GiB, more than a system node offers after its DaemonSets (1.93 CPU / 7.34 GiB of m7i.large)",
      },
    ]);
  });

  it("reports a group whose maxSize cannot hold the max scale, with the numbers", () => {
    const plan = capacityPlan(prices, groups({ system: { minSize: 1, desiredSize: 1, maxSize: 2 } }), [
      workload("a", { requests: { cpu: 1, memoryGiB: 2, gpus: 0 }, replicas: { min: 1, max: 3 } }),
    ]);
    assert.deepEqual(plan.errors, [
      {
        path: "cluster.nodeGroups.system.maxSize",
        value: 2,
        allowed:
          "the capacity plan needs 3 m7i.large nodes at max replicas (requests 3.00 CPU / 6.00 GiB, 3 pods; one node offers 1.93 CPU / 7.34 GiB, 29 pods); raise maxSize to at least 3",
      },
    ]);
  });

  it("warns when desiredSize is below what min replicas need", () => {
    const plan = capacityPlan(prices, groups({ system: { minSize: 1, desiredSize: 1, maxSize: 4 } }), [
      workload("a", { requests: { cpu: 1, memoryGiB: 2, gpus: 0 }, replicas: { min: 2, max: 2 } }),
    ]);
    assert.deepEqual(plan.warnings, [
      "cluster.nodeGroups.system.desiredSize: 1 is below the 2 nodes the capacity plan needs at min replicas; the cluster autoscaler adds them after the first deploy",
    ]);
    assert.deepEqual(plan.errors, []);
  });
});

describe("capacity: the stacks", function () {
  this.timeout(120_000);
  /** [group, nodes at min, at max, steady at min, steady at max] */
  const expected: Record<string, [string, number, number, number, number][]> = {
    // dev: the platform on 2 m7i.large; the four agents prefer spot; the weekly GPU job needs one GPU node
    // while it runs.
    dev: [
      ["system", 2, 2, 2, 2],
      ["spot", 2, 3, 2, 3],
      ["gpu", 1, 1, 0, 0],
    ],
    staging: [
      ["system", 3, 3, 3, 3],
      ["spot", 2, 3, 2, 3],
      ["gpu", 1, 1, 0, 0],
    ],
    // prod: agents on on-demand system nodes (m7i.xlarge) beside the HA platform; with KEDA, the VPA recommender
    // and the public Gateway's proxies, the nightly jobs' pods need a seventh node while they run at max.
    prod: [
      ["system", 5, 7, 5, 6],
      ["spot", 1, 1, 1, 1],
      ["gpu", 1, 1, 0, 0],
    ],
  };
  for (const stack of STACKS) {
    it(`${stack} fits its node groups at min and at max replicas`, async () => {
      const { plan } = costAndPlan(ROOT, await synthStack(stack));
      assert.ok(plan);
      assert.deepEqual(
        plan.groups.map((g) => [g.name, g.min.nodes, g.max.nodes, g.min.steadyNodes, g.max.steadyNodes]),
        expected[stack],
      );
      assert.deepEqual([plan.errors, plan.warnings], [[], []]);
    });
  }

  it("refuses a stack whose system group is too small, naming the group and the numbers", async () => {
    // dev's platform and EKS add-ons: 2.46 CPU and 44 pods (DaemonSet pods on both nodes included; the LLM
    // gateway's controller, proxy and rate-limit pods add 0.36 CPU, 0.59 GiB and 3 pods; KEDA's three pods and
    // the VPA recommender 0.16 CPU, 0.47 GiB and 4 pods) — more pods than one m7i.large's 29 slots, so 2 nodes.
    const synth = await synthStack("dev");
    // The system group is three zonal node groups whose sizes add up: 1 node in all.
    const resources = synth.resources.map((r) =>
      r.type === "aws:eks/nodeGroup:NodeGroup" && r.name.startsWith("agentops-system-")
        ? {
            ...r,
            inputs: {
              ...r.inputs,
              scalingConfig:
                r.name === "agentops-system-a"
                  ? { minSize: 1, desiredSize: 1, maxSize: 1 }
                  : { minSize: 0, desiredSize: 0, maxSize: 0 },
            },
          }
        : r,
    );
    assert.throws(
      () => costAndPlan(ROOT, { ...synth, resources }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.lines, [
          "cluster.nodeGroups.system.maxSize: 1 — the capacity plan needs 2 m7i.large nodes at max replicas (requests 2.46 CPU / 5.76 GiB, 44 pods; one node offers 1.93 CPU / 7.34 GiB, 29 pods); raise maxSize to at least 2",
        ]);
        return true;
      },
    );
  });

  it("names an agent whose pods fit no group by its index in the stack file", async () => {
    const synth = await synthStack("dev");
    // Without the spot group, ai-agent (2 CPU) falls back to m7i.large system nodes, which cannot hold it.
    const resources = synth.resources.filter(
      (r) => !(r.type === "aws:eks/nodeGroup:NodeGroup" && r.name.startsWith("agentops-spot-")),
    );
    assert.throws(
      () => costAndPlan(ROOT, { ...synth, resources }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.ok(
          err.lines.includes(
            'agents[2] (ai-agent): "StatefulSet/governance/ai-agent" — one pod requests 2.00 CPU / 4.00 GiB, more than a system node offers after its DaemonSets (1.68 CPU / 7.08 GiB of m7i.large)',
          ),
          err.lines.join("\n"),
        );
        return true;
      },
    );
  });
});
