/**
 * The pure parts of tools/ (toolchain, cluster, verify), without Go or a control plane: what the toolchain reads
 * from the wrapper modules, how the probe reports a refused module, where the cache is, the order verify applies
 * a stack in, and the fake nodes of the dev stack.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { fakeNodes, eksAddonStandIns, type StackOutput } from "../tools/cluster/nodes";
import { parseArgs as clusterArgs } from "../tools/cluster/cli";
import { TOOLCHAIN_BINARIES } from "../tools/toolchain/binaries";
import { parseArgs as toolchainArgs } from "../tools/toolchain/cli";
import {
  cacheRoot,
  compareGoVersions,
  parseDownloadOutput,
  parseGoMod,
  pinnedModules,
  probeFailure,
  WRAPPERS_DIR,
} from "../tools/toolchain/toolchain";
import { applyPlan, type ResourceRecord } from "../tools/verify/plan";
import { parseArgs as verifyArgs } from "../tools/verify/cli";
import { jobFromCronJob } from "../tools/verify/schedule";
import { ROOT, synthStack } from "./harness";

const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

const wrapper = (name: string) =>
  parseGoMod(fs.readFileSync(path.join(WRAPPERS_DIR, name, "go.mod"), "utf8"));

describe("tools/toolchain", () => {
  it("pins the versions issue 20 names, and probes the modules that provide the binaries and every replacement", () => {
    const kube = wrapper("kubernetes");
    assert.equal(kube.requires.get("k8s.io/kubernetes"), "v1.35.4");
    const pins = pinnedModules(
      kube,
      TOOLCHAIN_BINARIES.filter((b) => b.wrapper === "kubernetes"),
    );
    assert.ok(pins.includes("k8s.io/kubernetes@v1.35.4"));
    assert.ok(pins.includes("k8s.io/api@v0.35.4") && pins.includes("k8s.io/apiserver@v0.35.4"));
    assert.ok(
      pins.every((p) => p === "k8s.io/kubernetes@v1.35.4" || p.endsWith("@v0.35.4")),
      pins.join(),
    );
    assert.deepEqual(
      pinnedModules(
        wrapper("etcd"),
        TOOLCHAIN_BINARIES.filter((b) => b.wrapper === "etcd"),
      ),
      ["go.etcd.io/etcd/server/v3@v3.6.16"],
    );
    assert.deepEqual(
      pinnedModules(
        wrapper("kwok"),
        TOOLCHAIN_BINARIES.filter((b) => b.wrapper === "kwok"),
      ),
      ["sigs.k8s.io/kwok@v0.8.0"],
    );
  });

  it("names the first module the proxy refused, in one line", () => {
    const out = `{
	"Path": "sigs.k8s.io/kwok",
	"Version": "v0.8.0"
}
{
	"Path": "sigs.k8s.io/kwok",
	"Version": "v0.8.99",
	"Error": "sigs.k8s.io/kwok@v0.8.99: reading https://proxy.golang.org/sigs.k8s.io/kwok/@v/v0.8.99.info: 403 Forbidden\\n\\tserver response: not available {\\"x\\"}"
}`;
    const results = parseDownloadOutput(out);
    assert.equal(results.length, 2);
    assert.equal(
      probeFailure(results),
      "toolchain: the Go module proxy refused sigs.k8s.io/kwok@v0.8.99: sigs.k8s.io/kwok@v0.8.99: reading https://proxy.golang.org/sigs.k8s.io/kwok/@v/v0.8.99.info: 403 Forbidden",
    );
    assert.equal(probeFailure(results.slice(0, 1)), undefined);
  });

  it("compares Go versions as Go does for the go line", () => {
    assert.ok(compareGoVersions("go1.26.8", "1.26.0") > 0);
    assert.ok(compareGoVersions("go1.25.9", "1.26") < 0);
    assert.equal(compareGoVersions("go1.26", "1.26.0"), 0);
  });

  it("keeps the cache outside the repository: AGENTOPS_TOOLCHAIN_DIR, else XDG_CACHE_HOME, else ~/.cache", () => {
    assert.equal(cacheRoot({ AGENTOPS_TOOLCHAIN_DIR: "/x/tc", XDG_CACHE_HOME: "/y" }), "/x/tc");
    assert.equal(cacheRoot({ XDG_CACHE_HOME: "/y" }), "/y/agentops/toolchain");
    assert.match(cacheRoot({ XDG_CACHE_HOME: "relative" }), /\/\.cache\/agentops\/toolchain$/);
  });

  it("answers each bad argument with one line naming it", () => {
    const refuses = (fn: () => unknown, message: RegExp) => assert.throws(fn, { name: "ToolError", message });
    refuses(
      () => toolchainArgs(["bogus"]),
      /^"bogus": unknown or second command — allowed: build, bin-dir, probe/,
    );
    assert.deepEqual(toolchainArgs(["--help"]), { command: "help", force: false });
    refuses(() => clusterArgs(["start"]), /^command: "start" — one of up, down, status, kubeconfig/);
    refuses(
      () => clusterArgs(["down", "--stack", "dev"]),
      /^"--stack": not an option of down — it takes none/,
    );
    assert.deepEqual(clusterArgs(["up", "--stack", "dev"]), { command: "up", stack: "dev" });
    // A stack without a file: named with the stacks there are, before any process starts or file is read.
    const nope = spawnSync(
      process.execPath,
      [TSX, "--conditions=agentops-source", "tools/cluster/cli.ts", "up", "--stack", "nope"],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.deepEqual(
      [nope.status, nope.stderr],
      [2, `stack: "nope" — no Pulumi.nope.yaml in ${ROOT} (stacks here: dev, local, prod, staging)\n`],
    );
    refuses(() => verifyArgs([]), /^stack: \(missing\) — exactly one stack name/);
    refuses(() => verifyArgs(["dev", "--fast"]), /^--fast: unknown option — verify takes only a stack name/);
  });
});

const URN = "urn:pulumi:dev::agentops::";
const res = (type: string, name: string, rest: Partial<ResourceRecord> = {}): ResourceRecord => ({
  urn: `${URN}${type}::${name}`,
  type,
  name,
  parent: null,
  custom: true,
  dependsOn: [],
  inputs: {},
  ...rest,
});
const obj = (kind: string, name: string, namespace?: string) => ({
  apiVersion: "v1",
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe("tools/verify: the order a stack is applied in", () => {
  it("namespaces, then CRDs, then waves by dependsOn (a component standing for its resources), Helm's kind order within", () => {
    const ns = res("kubernetes:core/v1:Namespace", "ns", { inputs: obj("Namespace", "team") });
    const component = res("agentops:tenancy:Tenant", "tenant", { custom: false });
    const quota = res("kubernetes:core/v1:ResourceQuota", "quota", {
      parent: component.urn,
      inputs: obj("ResourceQuota", "quota", "team"),
    });
    const release = res("kubernetes:helm.sh/v3:Release", "platform-x", { inputs: { name: "x" } });
    const deploy = res("kubernetes:apps/v1:Deployment", "agent", {
      dependsOn: [component.urn, release.urn],
      inputs: { ...obj("Deployment", "agent", "team"), apiVersion: "apps/v1" },
    });
    const rendered = new Map([
      [
        "x",
        [
          { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "monitoring" } },
          obj("ServiceAccount", "x", "monitoring"),
          {
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: "a.b" },
          },
        ],
      ],
    ]);
    const plan = applyPlan([deploy, ns, component, quota, release], rendered);
    const names = (ps: { object: { kind: string; metadata: { name?: string } } }[]) =>
      ps.map((p) => `${p.object.kind}/${p.object.metadata.name}`);
    assert.deepEqual(names(plan.namespaces), ["Namespace/team", "Namespace/monitoring"]);
    assert.equal(plan.namespaces[1]!.source, "not declared by the stack: an object is in it");
    assert.deepEqual(names(plan.crds), ["CustomResourceDefinition/a.b"]);
    assert.deepEqual(plan.waves.map(names), [
      ["ResourceQuota/quota", "ServiceAccount/x", "Deployment/x"],
      ["Deployment/agent"],
    ]);
  });

  it("starts one run of a CronJob as `kubectl create job --from=cronjob` would", () => {
    const job = jobFromCronJob({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "report-job", namespace: "team" },
      spec: { jobTemplate: { metadata: { labels: { a: "b" } }, spec: { backoffLimit: 2 } } },
    });
    assert.deepEqual(job, {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        labels: { a: "b" },
        name: "report-job-verify",
        namespace: "team",
        annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
      },
      spec: { backoffLimit: 2 },
    });
  });
});

describe("tools/cluster: fake nodes of the dev stack", function () {
  this.timeout(120_000);
  let out: StackOutput;
  before(async () => {
    const synth = await synthStack("dev");
    const capacity = {
      nodeGroups: [
        {
          name: "system",
          instanceTypes: ["m7i.large"],
          allocatablePerNode: { cpu: 1.93, memoryGiB: 7.342, pods: 29, gpus: 0 },
          min: { nodes: 2 },
        },
        {
          name: "gpu",
          instanceTypes: ["g6.xlarge", "g5.xlarge"],
          allocatablePerNode: { cpu: 3.92, memoryGiB: 15.03, pods: 58, gpus: 1 },
          min: { nodes: 1 },
        },
      ],
    };
    out = { capacity, resources: synth.resources as unknown as StackOutput["resources"] };
  });

  it("one node per node of the plan, with the group's labels, taints and the plan's allocatable", () => {
    const nodes = fakeNodes(out);
    assert.deepEqual(
      nodes.map((n) => n.metadata.name),
      ["agentops-system-0", "agentops-system-1", "agentops-gpu-0"],
    );
    const gpu = nodes[2]!;
    assert.deepEqual(gpu.metadata.annotations, {
      "kwok.x-k8s.io/node": "fake",
      "node.alpha.kubernetes.io/ttl": "0",
    });
    assert.deepEqual(gpu.metadata.labels, {
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      "eks.amazonaws.com/capacityType": "ON_DEMAND",
      "agentops.io/node-group": "gpu",
      "nvidia.com/gpu.present": "true",
      "kubernetes.io/hostname": "agentops-gpu-0",
      "node.kubernetes.io/instance-type": "g6.xlarge",
      "eks.amazonaws.com/nodegroup": "gpu",
      "topology.kubernetes.io/zone": "us-east-1c",
      "topology.kubernetes.io/region": "us-east-1",
    });
    assert.deepEqual(gpu.spec, { taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }] });
    const status = gpu.status as { allocatable: Record<string, string> };
    assert.deepEqual(status.allocatable, {
      cpu: "3920m",
      memory: `${Math.floor(15.03 * 1024 * 1024)}Ki`,
      pods: "58",
      "ephemeral-storage": status.allocatable["ephemeral-storage"],
      "nvidia.com/gpu": "1",
    });
  });

  it("stands in for the EKS add-ons' pods with the plan's requests and placement", () => {
    const coredns = eksAddonStandIns(out).find((o) => o.metadata.name === "coredns")!;
    assert.equal(coredns.kind, "Deployment");
    const spec = coredns.spec as { replicas: number; template: { spec: Record<string, unknown> } };
    assert.equal(spec.replicas, 2);
    assert.deepEqual(spec.template.spec.tolerations, [{ key: "CriticalAddonsOnly", operator: "Exists" }]);
    const containers = spec.template.spec.containers as { resources: { requests: Record<string, string> } }[];
    assert.deepEqual(containers[0]!.resources.requests, { cpu: "100m", memory: String(70 * 2 ** 20) });
  });
});
