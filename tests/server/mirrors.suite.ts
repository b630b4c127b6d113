/**
 * The rules synth mirrors from the Kubernetes API server (README "What validation takes from the Kubernetes API
 * server"), each asked of the local Kubernetes 1.35 API server too: for every rule, a value both accept and a
 * value both refuse. The objects come from the program (the dev stack's synth output, or the mirror's fixture
 * config), and the refused object is the accepted one with that one value changed, since synth never builds it.
 */
import * as assert from "node:assert/strict";
import { ConfigError, parseStackConfig, type RawStackConfig } from "@agentops/components";
import type { KubernetesObject, SynthResult } from "@agentops/components/testing";
import { checkPodSecurity, podSecurity } from "../../policy/pod-security";
import { withDefaults } from "../../policy/define";
import type { KubeClient, KubeObject } from "../../tools/kube/client";
import { validConfig, withAgent } from "../fixtures/config";
import { synthStack } from "../harness";
import { controlPlane, describeServer } from "./fixture";

const NS = "mirrors";

/** The mirror's verdict: the problem lines, or `[]` when the configuration passes. */
function mirror(raw: RawStackConfig): string[] {
  try {
    parseStackConfig(raw);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
}

/** The API server's verdict on creating `obj` in namespace `mirrors` (dry run): `ok` or its message. */
async function server(
  client: KubeClient,
  obj: KubernetesObject,
  opts: { dryRun?: boolean } = {},
): Promise<string> {
  const o = structuredClone(obj) as KubeObject;
  o.metadata = {
    name: o.metadata.name,
    namespace: NS,
    ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
  };
  const r = await client.apply(o, { dryRun: opts.dryRun ?? true });
  return r.ok ? "ok" : r.message;
}

const find = (synth: SynthResult, kind: string, name: string) => {
  const o = synth.manifests.find((m) => m.kind === kind && m.metadata.name === name);
  assert.ok(o, `${kind} ${name} in the dev stack`);
  return structuredClone(o);
};

/**
 * A Pod with the pod template of a workload object; mounts of volumes that only a StatefulSet's claim templates
 * provide are left out (a bare Pod has no claim templates), and so is its ServiceAccount (not in this namespace).
 */
function podOf(workload: KubernetesObject, name: string): KubernetesObject {
  const template = structuredClone(
    (workload.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } })
      .template,
  );
  const volumes = new Set((template.spec.volumes ?? []).map((v) => v.name));
  for (const c of template.spec.containers)
    c.volumeMounts = (c.volumeMounts ?? []).filter((m) => volumes.has(m.name));
  delete template.spec.serviceAccountName;
  delete template.spec.serviceAccount;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: template.metadata?.labels ?? {} },
    spec: template.spec,
  };
}

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  volumes?: { name: string }[];
  containers: { volumeMounts?: { name: string }[] }[];
}

describeServer("the API server agrees with synth's mirrors of its rules", function () {
  this.timeout(180_000);
  let client: KubeClient;
  let dev: SynthResult;
  before(async () => {
    client = (await controlPlane()).client;
    dev = await synthStack("dev");
    const ns = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: NS, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    };
    const r = await client.apply(ns);
    assert.ok(r.ok, r.ok ? "" : r.message);
  });

  it("names: a CronJob name of 52 characters is accepted, 53 refused (a scheduled agent of 48 / 49)", async () => {
    const scheduled = (name: string) => withAgent(1, (a) => (a.name = name));
    assert.deepEqual(mirror(scheduled("a".repeat(48))), []);
    assert.match(mirror(scheduled("a".repeat(49))).join("\n"), /^agents\[1\] \(a{49}\)\.name: .*52/);
    const cronJob = find(dev, "CronJob", "ai-agent-job");
    cronJob.metadata.name = `${"a".repeat(48)}-job`;
    assert.equal(await server(client, cronJob), "ok");
    cronJob.metadata.name = `${"a".repeat(49)}-job`;
    assert.match(await server(client, cronJob), /must be no more than 52 characters/);
  });

  it("names: an agent name must be a DNS-1035 label (its Service): security-agent yes, 1-agent no", async () => {
    assert.deepEqual(mirror(withAgent(0, (a) => (a.name = "security-agent-2"))), []);
    assert.match(
      mirror(withAgent(0, (a) => (a.name = "1-agent"))).join("\n"),
      /^agents\[0\] \(1-agent\)\.name: "1-agent" — /,
    );
    const service = find(dev, "Service", "security-agent");
    delete (service.spec as { clusterIP?: string }).clusterIP;
    assert.equal(await server(client, service), "ok");
    service.metadata.name = "1-agent";
    assert.match(
      await server(client, service),
      /a DNS-1035 label must consist of lower case alphanumeric characters/,
    );
  });

  it("quantities: memory requests equal to limits are accepted, above them refused", async () => {
    const withMemory = (request: string) =>
      withAgent(
        1,
        (a) =>
          (a.resources = { requests: { cpu: "250m", memory: request }, limits: { cpu: "1", memory: "1Gi" } }),
      );
    assert.deepEqual(mirror(withMemory("1Gi")), []);
    assert.match(
      mirror(withMemory("2Gi")).join("\n"),
      /resources\.requests\.memory: "2Gi" — must be <= resources\.limits\.memory/,
    );
    const pod = podOf(find(dev, "StatefulSet", "security-agent"), "quantities");
    const container = (
      pod.spec as {
        containers: { resources: { requests: Record<string, string>; limits: Record<string, string> } }[];
      }
    ).containers[0]!;
    container.resources.requests.memory = container.resources.limits.memory!;
    assert.equal(await server(client, pod), "ok");
    container.resources.requests.memory = "9Gi";
    container.resources.limits.memory = "8Gi";
    assert.match(await server(client, pod), /must be less than or equal to memory limit/);
  });

  it("cron: day of week 0 is accepted, 7 refused", async () => {
    const withSchedule = (schedule: string) => withAgent(1, (a) => (a.schedule = schedule));
    assert.deepEqual(mirror(withSchedule("0 3 * * 0")), []);
    assert.match(mirror(withSchedule("0 3 * * 7")).join("\n"), /end of range \(7\) above maximum \(6\)/);
    const cronJob = find(dev, "CronJob", "ai-agent-job");
    (cronJob.spec as { schedule: string }).schedule = "0 3 * * 0";
    assert.equal(await server(client, cronJob), "ok");
    (cronJob.spec as { schedule: string }).schedule = "0 3 * * 7";
    assert.match(
      await server(client, cronJob),
      /spec\.schedule: Invalid value: "0 3 \* \* 7": end of range \(7\) above maximum \(6\)/,
    );
  });

  it("time zones: US/Pacific is accepted, us/pacific refused (case-sensitive, links included)", async () => {
    const withZone = (zone: string) => withAgent(1, (a) => (a.timeZone = zone));
    assert.deepEqual(mirror(withZone("US/Pacific")), []);
    assert.match(mirror(withZone("us/pacific")).join("\n"), /did you mean US\/Pacific\?/);
    const cronJob = find(dev, "CronJob", "ai-agent-job");
    (cronJob.spec as { timeZone: string }).timeZone = "US/Pacific";
    assert.equal(await server(client, cronJob), "ok");
    (cronJob.spec as { timeZone: string }).timeZone = "us/pacific";
    assert.match(
      await server(client, cronJob),
      /spec\.timeZone: Invalid value: "us\/pacific": unknown time zone us\/pacific/,
    );
  });

  it("quota: the pods the mirror counts (replicas.max + 1 surge) fit a quota of their sum and not 1m less", async () => {
    // One service agent (a Deployment), 500m each, replicas.max 1: the mirror counts 2 pods, 1 CPU.
    const withQuota = (cpu: string): RawStackConfig => {
      const cfg = validConfig();
      cfg.agentops.agents = [
        {
          name: "solo",
          tenant: "governance",
          tier: 1,
          image: "ghcr.io/agentops/solo:1.0.0",
          mode: "service",
          replicas: { min: 1, max: 1 },
          resources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
          budget: { monthlyUsd: 10 },
        },
      ];
      (cfg.agentops.tenants as Record<string, unknown>[])[0]!.quota = {
        requests: { cpu, memory: "16Gi" },
        limits: { cpu: "32", memory: "64Gi" },
      };
      return cfg;
    };
    assert.deepEqual(mirror(withQuota("1")), []);
    assert.match(
      mirror(withQuota("999m")).join("\n"),
      /quota\.requests\.cpu: "999m" — short by 0\.001: .* needs 1 CPU requests — agents\[0\] \(solo\): 1 \(1 replicas\.max \+ 1 surge pod\)/,
    );

    const pod = podOf(find(dev, "StatefulSet", "security-agent"), "q");
    const c = (
      pod.spec as { containers: { resources: unknown }[]; volumes?: unknown[]; serviceAccountName?: string }
    ).containers[0]!;
    c.resources = { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
    const spec = pod.spec as {
      volumes?: unknown[];
      serviceAccountName?: string;
      automountServiceAccountToken?: boolean;
    };
    delete spec.serviceAccountName;
    for (const [quota, admitted] of [
      ["1", ["ok", "ok"]],
      ["999m", ["ok", "refused"]],
    ] as const) {
      const ns = `mirrors-quota-${quota}`;
      await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
      const q = await client.apply({
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: { name: "quota", namespace: ns },
        spec: { hard: { "requests.cpu": quota } },
      });
      assert.ok(q.ok);
      const got: string[] = [];
      for (const i of [0, 1]) {
        const p = structuredClone(pod) as KubeObject;
        p.metadata = { name: `pod-${i}`, namespace: ns };
        (p.spec as { volumes?: unknown[] }).volumes = [];
        (
          p.spec as { containers: { volumeMounts?: unknown[]; envFrom?: unknown[] }[] }
        ).containers[0]!.volumeMounts = [];
        // Real creates: quota admission counts what is stored, not a dry run.
        const r = await client.apply(p);
        got.push(r.ok ? "ok" : /exceeded quota/.test(r.message) ? "refused" : r.message);
      }
      assert.deepEqual(got, admitted, `quota ${quota}`);
    }
  });

  it("PodSecurity restricted: the agent's pod is accepted, the same pod with a privileged container refused", async () => {
    const config = withDefaults<Parameters<typeof checkPodSecurity>[1]>(podSecurity.configSchema, {});
    const sts = find(dev, "StatefulSet", "security-agent");
    assert.deepEqual(checkPodSecurity(sts, config), []);
    const pod = podOf(sts, "pss");
    const spec = pod.spec as {
      serviceAccountName?: string;
      containers: { securityContext: Record<string, unknown> }[];
    };
    delete spec.serviceAccountName;
    assert.equal(await server(client, pod), "ok");

    const privileged = structuredClone(sts);
    const psts = (privileged.spec as { template: { spec: typeof spec } }).template.spec;
    psts.containers[0]!.securityContext.privileged = true;
    psts.containers[0]!.securityContext.allowPrivilegeEscalation = true;
    assert.notDeepEqual(checkPodSecurity(privileged, config), []);
    spec.containers[0]!.securityContext.privileged = true;
    spec.containers[0]!.securityContext.allowPrivilegeEscalation = true;
    assert.match(await server(client, pod), /violates PodSecurity "restricted:latest": privileged/);
  });
});
