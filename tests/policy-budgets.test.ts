import { strict as assert } from "node:assert";
import * as path from "node:path";
import { readPackConfig } from "../components/src/model/cost/pack-config";
import { podPlacement, podRequestsOfSpec } from "@agentops/components/model";
import { agentBudgets, checkAgentBudgets, estimateOfStack, type AgentBudgetsConfig } from "../policy/budgets";
import { withDefaults } from "../policy/define";
import type { Finding } from "../policy/kube";
import { asResources, aws, tenantObjects, workload } from "./fixtures/policy";
import { ROOT } from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are edited freely */

/** dev's budget config: system m7i.large, ceilings {1: 100, 2: 250, 3: 1000, 4: 1500}, GPU tiers 3 and 4. */
const dev = withDefaults<AgentBudgetsConfig>(
  agentBudgets.configSchema,
  readPackConfig(path.join(ROOT, "policy/config/dev.json"))["agent-budgets"] as object,
);
const estimateAgents = (resources: Parameters<typeof estimateOfStack>[0]) =>
  estimateOfStack(resources, dev).agents;

// Unit prices, hand-computed with OpenCost's weights (1 vCPU = 7.460703 GiB, 1 GPU = 224.215246 GiB):
//   m7i.large ($0.1008, 2 vCPU, 8 GiB): GiB-h 0.1008 / 22.921406 = 0.00439765, vCPU-h 0.03280955
//   gpu group = mean of g6.xlarge ($0.8048) and g5.xlarge ($1.006), 4 vCPU, 16 GiB, 1 GPU each (÷ 270.058058):
//     GPU-h (0.668184 + 0.835230) / 2 = 0.751707, vCPU-h (0.022234 + 0.027792) / 2 = 0.025013,
//     GiB-h (0.0029801 + 0.0037251) / 2 = 0.0033526

/** The tenant fixture with `edit` applied to its Deployment and HPA. */
function stack(edit: (deployment: any, hpa: any) => void): any[] {
  const objects = tenantObjects();
  edit(
    objects.find((o) => o.kind === "Deployment"),
    objects.find((o) => o.kind === "HorizontalPodAutoscaler"),
  );
  return objects;
}

const messages = (findings: Finding[]) => findings.map((f) => f.message);
/** Per-agent checks alone: the environment total has its own test. */
const agentsOnly: AgentBudgetsConfig = { ...dev, environmentBudgetUsd: undefined };
const check = (objects: any[], config = agentsOnly) =>
  messages(checkAgentBudgets(asResources(objects), config));

describe("policy agent-budgets", () => {
  it("passes the fixture: 1 CPU + 2 GiB on m7i.large × 2 replicas + 5 Gi + $80 LLM = $141.14 ≤ $300", () => {
    // pod: 1 × 0.03280955 + 2 × 0.00439765 = 0.04160485 $/h × 730 = 30.3715; × 2 = 60.743; + 0.40 + 80 = 141.14
    const [agent] = estimateAgents(asResources(tenantObjects()));
    assert.equal(agent?.cost.maxMonthlyUsd.toFixed(2), "141.14");
    assert.deepEqual(check(tenantObjects()), []);
  });

  it("flags an agent given a GPU on a $150 budget, by name", () => {
    // pod on the gpu group: 0.751707 + 1 × 0.025013 + 2 × 0.0033526 = 0.783425 $/h × 730 = 571.90; × 2 replicas
    //   = 1143.80; + 0.40 storage + 80 LLM = 1224.20
    const objects = stack((d) => {
      d.metadata.annotations["agentops.io/budget-monthly-usd"] = "150";
      d.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"] = "1";
    });
    assert.deepEqual(check(objects), [
      'agent "it-ops-agent": estimated $1224.20/month at max replicas exceeds its budget of $150.00',
    ]);
  });

  it("flags 40 replicas of 4 CPUs on $300, by name", () => {
    // pod: 4 × 0.03280955 + 2 × 0.00439765 = 0.14003310 $/h × 730 = 102.2242; × 40 = 4088.97; + 0.40 + 80 = 4169.37
    const objects = stack((d, hpa) => {
      d.spec.template.spec.containers[0].resources.requests.cpu = "4";
      hpa.spec.maxReplicas = 40;
    });
    assert.deepEqual(check(objects), [
      'agent "it-ops-agent": estimated $4169.37/month at max replicas exceeds its budget of $300.00',
    ]);
  });

  it("falls back to spec.replicas without an HPA", () => {
    const objects = stack((d) => (d.spec.replicas = 40)).filter((o) => o.kind !== "HorizontalPodAutoscaler");
    // 40 × 30.3715 + 0.40 + 80 = 1295.26
    assert.deepEqual(check(objects), [
      'agent "it-ops-agent": estimated $1295.26/month at max replicas exceeds its budget of $300.00',
    ]);
  });

  it("flags a budget over the tier ceiling", () => {
    const objects = stack((d) => (d.metadata.annotations["agentops.io/budget-monthly-usd"] = "1200"));
    assert.deepEqual(check(objects), [
      'agent "it-ops-agent": budget $1200.00/month exceeds the tier 3 ceiling of $1000.00',
    ]);
  });

  it("flags a missing budget annotation", () => {
    const objects = stack((d) => delete d.metadata.annotations["agentops.io/budget-monthly-usd"]);
    assert.deepEqual(check(objects), [
      'agent "it-ops-agent": metadata.annotations["agentops.io/budget-monthly-usd"]: (missing) — must state its monthly budget in USD',
    ]);
  });

  it("flags a tier without a ceiling", () => {
    const objects = stack((d) => (d.metadata.labels["agentops.io/tier"] = "7"));
    assert.deepEqual(check(objects), [
      'agent "it-ops-agent": metadata.labels["agentops.io/tier"]: "7" — must be a tier with a ceiling (1, 2, 3, 4)',
    ]);
  });

  it("flags a GPU in a tier the config keeps off GPUs", () => {
    // A GPU agent that fits: 1 replica: 571.90 + 0.40 + 80 = 652.30 ≤ $800 ≤ the tier 3 ceiling
    const objects = stack((d, hpa) => {
      d.metadata.annotations["agentops.io/budget-monthly-usd"] = "800";
      d.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"] = "1";
      hpa.spec.maxReplicas = 1;
    });
    assert.deepEqual(check(objects), []);
    assert.deepEqual(check(objects, { ...agentsOnly, gpuTiers: [4] }), [
      'agent "it-ops-agent": requests 1 GPU but tier 3 may not use GPUs (GPU tiers: 4)',
    ]);
  });

  it("flags the environment over its budget: infrastructure plus what agents add beyond its nodes", () => {
    // EKS control plane 0.10 × 730 = 73.00; the agent's claim 5 Gi × 0.08 = 0.40 + $80 LLM → 153.40 (its
    // service pods are the node groups' share, not added again)
    const resources = [...asResources(tenantObjects()), aws("aws:eks/cluster:Cluster", "cluster", {})];
    assert.deepEqual(messages(checkAgentBudgets(resources, { ...dev, environmentBudgetUsd: 150 })), [
      "environment: estimated $153.40/month at max replicas (infrastructure $73.00 + agents' scheduled runs, storage and LLM $80.40) exceeds the environment budget of $150.00",
    ]);
  });

  it("prices a CronJob by its runs: daily × 45 minutes", () => {
    // 30.4167 runs × 0.75 h × 0.04160485 $/h = 0.9491; + $80 LLM
    const [agent] = estimateAgents(asResources([workload("CronJob")]));
    assert.equal(
      agent?.cost.maxComputeUsd.toFixed(4),
      (((365 * 730) / 8760) * 0.75 * (0.1008 / 22.921406) * (7.460703 + 2)).toFixed(4),
    );
    assert.equal(agent?.cost.llmUsd, 80);
  });

  it("sums a hybrid agent's Deployment and CronJob into one agent", () => {
    const objects = [...tenantObjects(), workload("CronJob")];
    const agents = estimateAgents(asResources(objects));
    assert.deepEqual(
      agents.map((a) => [a.agent, a.cost.maxMonthlyUsd.toFixed(2)]),
      [["it-ops-agent", (141.14 + 0.95).toFixed(2)]],
    );
  });

  it("reads node group instance types from the stack's NodeGroup resources", () => {
    // system on m7i.xlarge ($0.2016, 4 vCPU, 16 GiB): GiB-h 0.2016 / 45.842812 = 0.00439763 — the same unit
    // prices as m7i.large (same family, same ratio), so switch to spot to see the override take effect:
    // spot mean $0.09978: GiB-h 0.00217656, vCPU-h 0.01623856; pod 0.02059168 × 730 × 2 = 30.0639 + 80.40 = 110.46
    const resources = [
      ...asResources(tenantObjects()),
      aws("aws:eks/nodeGroup:NodeGroup", "system", {
        labels: { "agentops.io/node-group": "system" },
        instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m7a.xlarge", "m6a.xlarge"],
        capacityType: "SPOT",
        scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 1 },
      }),
    ];
    const [agent] = estimateAgents(resources);
    assert.equal(agent?.cost.maxMonthlyUsd.toFixed(2), "110.46");
  });

  it("flags a node group whose maxSize cannot hold the stack at max replicas", () => {
    // 4 replicas of 1 CPU + 2 GiB on m7i.large nodes (2 − 0.06 − 0.01 = 1.93 CPU and 8 − (11 × 29 + 255 + 100) / 1024
    // = 7.34 GiB allocatable: one pod per node) → 4 nodes
    const objects = stack((_d, hpa) => (hpa.spec.maxReplicas = 4));
    const resources = [
      ...asResources(objects),
      aws("aws:eks/nodeGroup:NodeGroup", "system", {
        labels: { "agentops.io/node-group": "system" },
        instanceTypes: ["m7i.large"],
        capacityType: "ON_DEMAND",
        scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 3 },
      }),
    ];
    assert.deepEqual(messages(checkAgentBudgets(resources, agentsOnly)), [
      "capacity: cluster.nodeGroups.system.maxSize: 3 — the capacity plan needs 4 m7i.large nodes at max replicas (requests 4.00 CPU / 8.00 GiB, 4 pods; one node offers 1.93 CPU / 7.34 GiB, 29 pods); raise maxSize to at least 4",
    ]);
  });

  it("reads a pod's nodeSelector, required and preferred node affinity, and tolerations", () => {
    const term = [{ key: "agentops.io/node-group", operator: "In", values: ["spot"] }];
    const spec = {
      nodeSelector: { "kubernetes.io/os": "linux" },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: term }] },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, preference: { matchExpressions: term } },
          ],
        },
      },
      tolerations: [{ key: "agentops.io/spot", operator: "Exists" }],
    };
    assert.deepEqual(podPlacement(spec), {
      nodeSelector: { "kubernetes.io/os": "linux" },
      required: [term],
      preferred: [term],
      tolerations: [{ key: "agentops.io/spot", operator: "Exists" }],
    });
  });

  it("sizes a pod by its containers, or its largest init container when that is more", () => {
    const spec = {
      containers: [
        { resources: { requests: { cpu: "500m", memory: "1Gi" } } },
        { resources: { requests: { cpu: "250m", memory: "512Mi" } } },
      ],
      initContainers: [{ resources: { requests: { cpu: "2", memory: "256Mi" } } }],
    };
    assert.deepEqual(podRequestsOfSpec(spec), { cpu: 2, memoryGiB: 1.5, gpus: 0 });
  });

  it("reports a region without prices instead of failing the run", () => {
    assert.deepEqual(check(tenantObjects(), { ...agentsOnly, region: "mars-1" }), [
      'cannot estimate: region: "mars-1" — no prices in components/src/catalog/prices.ts (priced regions: us-east-1)',
    ]);
  });
});
