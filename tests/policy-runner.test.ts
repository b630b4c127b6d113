import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { parseArgs } from "../tools/policy/cli";
import { runManifests, runStack } from "../tools/policy/stack";
import { evaluate, exitCode, formatResult, readManifests, resolveConfig } from "../tools/policy/run";
import { packConfigProblems } from "../tools/policy/config";
import { policies } from "../policy/policies";
import { tenantObjects, workload } from "./fixtures/policy";
import { ROOT, STACKS } from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are edited freely */

const MANIFESTS = path.join(ROOT, "tests/fixtures/policy-manifests.yaml");
const PROGRAM = path.join(ROOT, "tests/fixtures/policy-program.ts");
const DEV_CONFIG = path.join(ROOT, "policy/config/dev.json");

function temp(name: string, content: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-")), name);
  fs.writeFileSync(file, content);
  return file;
}

describe("policy pack", () => {
  it("lists every policy once, by a kebab-case name, each with a config schema", () => {
    assert.deepEqual(
      policies.map((p) => [p.name, p.kind, p.enforcementLevel]),
      [
        ["pod-security", "resource", "mandatory"],
        ["image-tags", "resource", "mandatory"],
        ["image-registries", "resource", "advisory"],
        ["agent-budgets", "stack", "mandatory"],
        ["tenant-isolation", "stack", "mandatory"],
        ["eks-secrets-encryption", "resource", "mandatory"],
        ["eks-control-plane-logging", "resource", "mandatory"],
        ["eks-endpoint-access", "resource", "mandatory"],
        ["launch-template-imdsv2", "resource", "mandatory"],
        ["eks-nodes-private-subnets", "stack", "mandatory"],
      ],
    );
    for (const p of policies) assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("has a config file per environment naming every policy and only those", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const config = JSON.parse(
        fs.readFileSync(path.join(ROOT, `policy/config/${env}.json`), "utf8"),
      ) as object;
      assert.deepEqual(Object.keys(config).sort(), policies.map((p) => p.name).sort(), env);
    }
  });
});

describe("policy runner: manifests", () => {
  it("reports each violation of a multi-document YAML file on its own line, then the summary", async () => {
    const result = await runManifests({ file: MANIFESTS, config: DEV_CONFIG });
    assert.equal(
      formatResult(result),
      [
        'mandatory pod-security Deployment/governance/web: spec.template.spec.containers["web"].securityContext.privileged: true — must be false or unset',
        'mandatory image-tags Deployment/governance/web: spec.template.spec.containers["web"].image: "nginx:latest" — must be pinned to a tag other than latest, or a digest',
        // 1 replica on the gpu group: (0.751707 + 1 × 0.025013 + 2 × 0.0033526) × 730 = 571.90
        'mandatory agent-budgets Deployment/governance/gpu-agent: agent "gpu-agent": estimated $571.90/month at max replicas exceeds its budget of $150.00',
        "pod-security judged 2 workloads in governance at restricted (Namespace label): Deployment/governance/gpu-agent, Deployment/governance/web",
        "10 policies: 7 passed, 3 failed mandatory (3 violations), 0 disabled",
      ].join("\n"),
    );
    assert.equal(exitCode(result), 1);
  });

  describe("issue 14: pod security as Kubernetes 1.35 admission judges it", () => {
    const deployment = (edit: (spec: any) => void) => {
      const obj = workload("Deployment");
      edit(obj.spec.template.spec);
      return temp("deployment.yaml", stringify(obj));
    };

    it("admits an image volume (restricted allows them since 1.33): exit 0", async () => {
      const file = deployment((s) =>
        s.volumes.push({ name: "model", image: { reference: "ghcr.io/agentops/model:1.0.0" } }),
      );
      const result = await runManifests({ file, config: DEV_CONFIG });
      assert.deepEqual(
        result.violations.filter((v) => v.policy === "pod-security"),
        [],
      );
    });

    it("refuses runAsNonRoot false on the pod though every container sets true: exit 1", async () => {
      const file = deployment((s) => (s.securityContext.runAsNonRoot = false));
      const result = await runManifests({ file, config: DEV_CONFIG });
      assert.deepEqual(
        result.violations.filter((v) => v.policy === "pod-security").map((v) => v.message),
        [
          "spec.template.spec.securityContext.runAsNonRoot: false — must be true or unset: false here fails the pod even when every container sets true",
        ],
      );
      assert.equal(exitCode(result), 1);
    });
  });

  it("passes a compliant tenant and exits 0", async () => {
    const file = temp(
      "ok.yaml",
      tenantObjects()
        .map((o) => stringify(o))
        .join("---\n"),
    );
    const result = await runManifests({ file, config: DEV_CONFIG });
    assert.equal(
      formatResult(result),
      [
        "pod-security judged 1 workload in governance at restricted (Namespace label): Deployment/governance/it-ops-agent",
        "10 policies: 10 passed, 0 disabled",
      ].join("\n"),
    );
    assert.equal(exitCode(result), 0);
  });

  it("takes levels from --config: advisory findings do not fail the run, disabled policies do not run", async () => {
    const dev = JSON.parse(fs.readFileSync(DEV_CONFIG, "utf8")) as Record<string, Record<string, unknown>>;
    const config = temp(
      "c.json",
      JSON.stringify({
        ...dev,
        "pod-security": "disabled",
        "image-tags": { enforcementLevel: "advisory" },
        "agent-budgets": { ...dev["agent-budgets"], enforcementLevel: "advisory" },
      }),
    );
    const result = await runManifests({ file: MANIFESTS, config });
    assert.deepEqual(
      result.violations.map((v) => `${v.level} ${v.policy}`),
      ["advisory image-tags", "advisory agent-budgets"],
    );
    assert.equal(
      formatResult(result).split("\n").at(-1),
      "10 policies: 7 passed, 2 failed advisory (2 violations), 1 disabled",
    );
    assert.equal(exitCode(result), 0);
  });

  it("expands a kind: List", () => {
    const file = temp("list.yaml", stringify({ apiVersion: "v1", kind: "List", items: tenantObjects() }));
    assert.deepEqual(
      readManifests(file)
        .map((r) => r.type)
        .slice(0, 2),
      ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:ResourceQuota"],
    );
  });

  it("names a document that is not a Kubernetes object", () => {
    const file = temp(
      "bad.yaml",
      "apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n---\n- just\n- a list\n",
    );
    assert.throws(() => readManifests(file), {
      message: `--manifests: ${file} document 2: ["just","a list"] — must be a Kubernetes object with apiVersion and kind`,
    });
  });

  it("names a missing file", () => {
    assert.throws(() => readManifests("nope.yaml"), {
      message: '--manifests: "nope.yaml" — no such file; needs a YAML file of Kubernetes objects',
    });
  });
});

describe("policy runner: stacks", () => {
  it("evaluates resource and stack policies on a synthesized program", async () => {
    const result = await runStack({ root: ROOT, stack: "dev", program: PROGRAM });
    assert.equal(
      formatResult(result),
      [
        'mandatory image-tags Deployment/governance/report-agent: spec.template.spec.containers["agent"].image: "ghcr.io/agentops/report-agent" — must name a tag or digest, e.g. registry/app:1.2.3',
        'mandatory tenant-isolation Namespace/-/governance: namespace "governance": no ResourceQuota — every namespace with workloads needs one',
        'mandatory tenant-isolation Namespace/-/governance: namespace "governance": no LimitRange — every namespace with workloads needs one',
        'mandatory tenant-isolation Namespace/-/governance: namespace "governance": no default-deny NetworkPolicy — needs one with podSelector {}, policyTypes [Ingress, Egress] and no rules',
        "mandatory eks-secrets-encryption aws:eks/cluster:Cluster/-/cluster: encryptionConfig: (missing) — must encrypt secrets with a KMS key: { resources: [secrets], provider: { keyArn } }",
        "pod-security judged 1 workload in governance at restricted (Namespace label): Deployment/governance/report-agent",
        "10 policies: 7 passed, 3 failed mandatory (5 violations), 0 disabled",
      ].join("\n"),
    );
  });

  for (const stack of STACKS) {
    it(`finds no mandatory violation in ${stack}`, async () => {
      const result = await runStack({ root: ROOT, stack });
      assert.deepEqual(
        result.violations.filter((v) => v.level === "mandatory"),
        [],
      );
    });
  }
});

describe("policy runner: arguments", () => {
  it("takes a stack or --manifests, with --config", () => {
    assert.deepEqual(parseArgs(["dev", "--config", "c.json"]), { stack: "dev", config: "c.json" });
    assert.deepEqual(parseArgs(["--manifests", "m.yaml"]), {
      manifests: "m.yaml",
      namespaces: undefined,
      config: undefined,
    });
    assert.deepEqual(parseArgs(["--manifests", "m.yaml", "--namespaces", "n.yaml"]), {
      manifests: "m.yaml",
      namespaces: "n.yaml",
      config: undefined,
    });
  });

  const usage =
    "usage: npm run policy -- <stack> [--config <file>]  |  npm run policy -- --manifests <file.yaml> [--namespaces <file.yaml>] [--config <file>]";

  it("rejects a missing stack", () => {
    assert.throws(() => parseArgs([]), {
      message: `stack: (missing) — exactly one stack name, or --manifests <file.yaml>\n${usage}`,
    });
  });

  it("rejects an unknown option", () => {
    assert.throws(() => parseArgs(["dev", "--fix"]), {
      message: `--fix: unknown option — allowed: --manifests <file.yaml>, --namespaces <file.yaml>, --config <file>\n${usage}`,
    });
  });

  it("rejects --config without a file", () => {
    assert.throws(() => parseArgs(["dev", "--config"]), {
      message: `--config: (missing) — needs a file\n${usage}`,
    });
  });

  it("rejects a stack together with --manifests", () => {
    assert.throws(() => parseArgs(["dev", "--manifests", "m.yaml"]), {
      message: `["dev"]: unexpected with --manifests — give a stack or --manifests, not both\n${usage}`,
    });
  });

  it("rejects a config entry for a policy the pack does not have", () => {
    assert.throws(() => resolveConfig({ "no-such": "mandatory" }, policies, "c.json"), {
      message: `c.json: "no-such" — not a policy of the pack (policies: ${policies.map((p) => p.name).join(", ")})`,
    });
  });

  it("rejects an enforcement level that does not exist", () => {
    assert.throws(() => resolveConfig({ "image-tags": { enforcementLevel: "strict" } }, policies, "c.json"), {
      message:
        'c.json: image-tags.enforcementLevel: "strict" — must be one of advisory, mandatory, remediate, disabled',
    });
  });

  it("rejects an unknown stack", async () => {
    await assert.rejects(runStack({ root: ROOT, stack: "qa" }), {
      message: `stack: "qa" — no Pulumi.qa.yaml in ${ROOT} (stacks here: dev, local, prod, staging)`,
    });
  });

  it("exits 2 with one line and no stack trace on a bad file, 1 on a mandatory violation", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "tools/policy/cli.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
    const bad = run("--manifests", "nope.yaml");
    assert.deepEqual(
      [bad.status, bad.stderr],
      [2, '--manifests: "nope.yaml" — no such file; needs a YAML file of Kubernetes objects\n'],
    );
    const failing = run("--manifests", MANIFESTS, "--config", DEV_CONFIG);
    assert.equal(failing.status, 1);
  });

  it("evaluates nothing on an empty resource list", async () => {
    const result = await evaluate([], {}, { stack: "empty", source: "none" });
    assert.equal(formatResult(result), "10 policies: 10 passed, 0 disabled");
  });
});

describe("issue 22, defect 4: the runner checks the pack configuration as the Pulumi engine does", () => {
  const dev = () => JSON.parse(fs.readFileSync(DEV_CONFIG, "utf8")) as Record<string, any>;
  const problems = (edit: (c: Record<string, any>) => void) => {
    const c = dev();
    edit(c);
    return packConfigProblems(c, policies, "dev.json");
  };

  it("accepts the three environments' files", () => {
    for (const env of STACKS) {
      const file = path.join(ROOT, `policy/config/${env}.json`);
      assert.deepEqual(packConfigProblems(JSON.parse(fs.readFileSync(file, "utf8")), policies, env), [], env);
    }
  });

  it('refuses pod-security.level "restriced" (the example), naming policy, key, value and what is allowed', () => {
    assert.deepEqual(
      problems((c) => (c["pod-security"].level = "restriced")),
      ['dev.json: pod-security.level: "restriced" — must be one of baseline, restricted'],
    );
  });

  it('refuses agent-budgets.environmentBudgetUsd "lots" (the example)', () => {
    assert.deepEqual(
      problems((c) => (c["agent-budgets"].environmentBudgetUsd = "lots")),
      ['dev.json: agent-budgets.environmentBudgetUsd: "lots" — must be a number'],
    );
  });

  it("refuses values out of range, wrong types and empty lists at any depth, every one on its own line", () => {
    assert.deepEqual(
      problems((c) => {
        c["agent-budgets"].tierCeilingsUsd["2"] = -5;
        c["agent-budgets"].nodeGroups.spot.instanceTypes = [];
        c["agent-budgets"].gpuTiers = [3, 9];
        c["tenant-isolation"].exemptNamespaces = "monitoring";
        c["pod-security"].namespaceLevels = { "kube-system": "root" };
      }),
      [
        'dev.json: pod-security.namespaceLevels["kube-system"]: "root" — must be one of privileged, baseline, restricted',
        "dev.json: agent-budgets.nodeGroups.spot.instanceTypes: [] — must list at least 1 item",
        'dev.json: agent-budgets.tierCeilingsUsd["2"]: -5 — must be >= 0',
        "dev.json: agent-budgets.gpuTiers[1]: 9 — must be <= 4",
        'dev.json: tenant-isolation.exemptNamespaces: "monitoring" — must be an array',
      ],
    );
  });

  it("refuses a key no policy's schema knows (a typo would keep the default), naming the known ones", () => {
    assert.deepEqual(
      problems((c) => (c["image-registries"].allowedRegistry = ["ghcr.io"])),
      [
        'dev.json: image-registries.allowedRegistry: ["ghcr.io"] — is not a known key here (known: allowedRegistries)',
      ],
    );
  });

  it("the CLI exits 2 with the lines before evaluating anything", () => {
    const c = dev();
    c["pod-security"].level = "restriced";
    c["agent-budgets"].environmentBudgetUsd = "lots";
    const file = temp("bad.json", JSON.stringify(c));
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "tools/policy/cli.ts", "--manifests", MANIFESTS, "--config", file],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      [
        `${file}: pod-security.level: "restriced" — must be one of baseline, restricted`,
        `${file}: agent-budgets.environmentBudgetUsd: "lots" — must be a number`,
        "",
      ].join("\n"),
    );
    assert.equal(r.stdout, "");
  });
});

describe("issue 22, defect 15: --manifests judges each pod at its namespace's level", () => {
  const ns = (name: string, level?: string) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: level ? { "pod-security.kubernetes.io/enforce": level } : {} },
  });
  /** A workload in `namespace` whose pod uses the host network (baseline and restricted refuse it). */
  const hostNetwork = (kind: string, name: string, namespace: string) => {
    const w = workload(kind, undefined, name);
    w.metadata.namespace = namespace;
    w.spec.template.spec.hostNetwork = true;
    return w;
  };
  const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");
  const podSecurity = (r: Awaited<ReturnType<typeof runManifests>>) =>
    r.violations.filter((v) => v.policy === "pod-security").map((v) => `${v.subject}: ${v.message}`);

  it("a DaemonSet in a namespace labelled privileged is admitted, and the output says privileged (the example)", async () => {
    const file = temp(
      "agents.yaml",
      yaml(
        ns("monitoring-agents", "privileged"),
        hostNetwork("DaemonSet", "node-exporter", "monitoring-agents"),
      ),
    );
    const result = await runManifests({ file, config: DEV_CONFIG });
    assert.deepEqual(podSecurity(result), []);
    assert.match(
      formatResult(result),
      /^pod-security judged 1 workload in monitoring-agents at privileged \(Namespace label\): DaemonSet\/monitoring-agents\/node-exporter$/m,
    );
  });

  it("a baseline namespace refuses the host network but not what only restricted asks", async () => {
    const w = hostNetwork("Deployment", "web", "monitoring");
    delete w.spec.template.spec.securityContext;
    const file = temp("baseline.yaml", yaml(ns("monitoring", "baseline"), w));
    const lines = podSecurity(await runManifests({ file, config: DEV_CONFIG }));
    assert.deepEqual(lines, [
      "Deployment/monitoring/web: spec.template.spec.hostNetwork: true — must be false or unset",
    ]);
  });

  it("takes the levels from --namespaces (the stack's manifests.yaml) when the file has no Namespace", async () => {
    const namespaces = temp("manifests.yaml", yaml(ns("monitoring-agents", "privileged")));
    const file = temp("otel-logs.yaml", yaml(hostNetwork("DaemonSet", "otel-logs", "monitoring-agents")));
    assert.deepEqual(podSecurity(await runManifests({ file, config: DEV_CONFIG, namespaces })), []);
    assert.equal(podSecurity(await runManifests({ file, config: DEV_CONFIG })).length, 1);
  });

  it("judges kube-system at the configured namespaceLevels (privileged: EKS leaves it unlabelled), others at level", async () => {
    const file = temp(
      "mixed.yaml",
      yaml(
        hostNetwork("DaemonSet", "nvidia-device-plugin", "kube-system"),
        hostNetwork("Deployment", "app", "team-x"),
      ),
    );
    const result = await runManifests({ file, config: DEV_CONFIG });
    assert.deepEqual(
      podSecurity(result).map((l) => l.split(":")[0]),
      ["Deployment/team-x/app"],
    );
    const text = formatResult(result);
    assert.match(
      text,
      /^pod-security judged 1 workload in kube-system at privileged \(namespaceLevels\): DaemonSet\/kube-system\/nvidia-device-plugin$/m,
    );
    assert.match(
      text,
      /^pod-security judged 1 workload in team-x at restricted \(level\): Deployment\/team-x\/app$/m,
    );
  });

  it("the stack's own Namespaces set the levels of its pods in stack mode", async () => {
    const result = await runStack({ root: ROOT, stack: "dev" });
    assert.deepEqual(
      result.podLevels.map((p) => `${p.namespace} ${p.level} ${p.source}`),
      // The tenant's namespace and the in-cluster stores' (dev's RDS role bootstrap Job).
      ["governance restricted Namespace label", "agentops-stores restricted Namespace label"],
    );
  });
});
