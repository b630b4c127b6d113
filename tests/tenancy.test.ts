import * as assert from "node:assert/strict";
import { parseStackConfig, rawStackConfig, type RawStackConfig } from "@agentops/components";
import { parseQuantity } from "../components/src/lib/quantity";
import { readStackConfig } from "@agentops/components/testing";
import { Agent } from "../components/src/agents";
import { agentDemand } from "../components/src/agents/checks";
import * as k8s from "@pulumi/kubernetes";
import { Tenant, type TenantArgs } from "../components/src/tenancy";
import { testAgent, testTenant } from "./fixtures/agent";
import { validConfig } from "./fixtures/config";
import { configProblems, record, ROOT, STACKS, validateManifest, type Recorded } from "./harness";

const tenant = testTenant({
  quota: {
    requests: { cpu: "8", memory: "16Gi" },
    limits: { cpu: "16", memory: "32Gi" },
    gpu: 1,
    pvcs: 6,
    storage: "100Gi",
  },
});

/** A small test agent of `tenantName`, with or without internet egress. */
const agent = (name: string, internetEgress: boolean, tenantName = "team-a") =>
  testAgent({
    name,
    tenant: tenantName,
    replicas: { min: 1, max: 2 },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    budget: { monthlyUsd: 10 },
    internetEgress,
  });

function build(args: Partial<TenantArgs> = {}): Promise<Recorded> {
  return record(() => {
    new Tenant("team-a", { tenant, environment: "dev", ...args });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form
const policy = (r: Recorded, name: string): any => r.manifest("NetworkPolicy", name, "team-a").spec;

describe("Tenant", () => {
  it("validates its arguments with the stack files' schema, naming the component and the field", () => {
    const withoutGroup: Record<string, unknown> = { ...tenant };
    delete withoutGroup.group;
    assert.throws(() => new Tenant("team-a", { tenant: withoutGroup as typeof tenant, environment: "dev" }), {
      name: "ComponentArgsError",
      message: `Tenant "team-a": tenant.group: (missing) — must be a non-empty Kubernetes group name`,
    });
  });

  it("registers the namespace and its guard rails under names derived from the component's", async () => {
    const r = await build({ agents: [agent("a", true)] });
    const parent = r.get("agentops:tenancy:Tenant", "team-a").urn;
    const custom = r.resources.filter((x) => x.custom);
    assert.deepEqual(custom.map((x) => `${x.type} ${x.name}`).sort(), [
      "kubernetes:core/v1:LimitRange team-a-limits",
      "kubernetes:core/v1:Namespace team-a-namespace",
      "kubernetes:core/v1:ResourceQuota team-a-quota",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-allow-dns",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-allow-internet-egress",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-allow-intra-namespace",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-allow-monitoring-scrape",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-allow-otlp-egress",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy team-a-default-deny",
      "kubernetes:rbac.authorization.k8s.io/v1:Role team-a-role",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding team-a-role-binding",
    ]);
    assert.ok(custom.every((x) => x.parent === parent));
  });

  it("Namespace: enforces, audits and warns Pod Security restricted, labelled with tenant and cost center", async () => {
    assert.deepEqual((await build()).manifest("Namespace", "team-a").metadata, {
      name: "team-a",
      labels: {
        "app.kubernetes.io/part-of": "agentops",
        "app.kubernetes.io/managed-by": "pulumi",
        "agentops.io/tenant": "team-a",
        "agentops.io/cost-center": "cc-42",
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
      },
    });
  });

  it("every other object is in the namespace and carries the tenant labels", async () => {
    const r = await build({ agents: [agent("a", true)] });
    for (const m of r.manifests.filter((x) => x.kind !== "Namespace")) {
      assert.equal(m.metadata.namespace, "team-a", `${m.kind}/${m.metadata.name}`);
      assert.deepEqual(
        m.metadata.labels,
        {
          "app.kubernetes.io/part-of": "agentops",
          "app.kubernetes.io/managed-by": "pulumi",
          "agentops.io/tenant": "team-a",
          "agentops.io/cost-center": "cc-42",
        },
        `${m.kind}/${m.metadata.name}`,
      );
    }
  });

  it("ResourceQuota: CPU, memory, GPUs, claims and storage from config; no load balancers or node ports", async () => {
    assert.deepEqual((await build()).manifest("ResourceQuota", "quota", "team-a").spec, {
      hard: {
        "requests.cpu": "8",
        "requests.memory": "16Gi",
        "limits.cpu": "16",
        "limits.memory": "32Gi",
        "requests.nvidia.com/gpu": "1",
        persistentvolumeclaims: "6",
        "requests.storage": "100Gi",
        "services.loadbalancers": "0",
        "services.nodeports": "0",
      },
    });
  });

  it("LimitRange: container defaults and maximum, from the schema's defaults", async () => {
    assert.deepEqual((await build()).manifest("LimitRange", "limits", "team-a").spec, {
      limits: [
        {
          type: "Container",
          default: { cpu: "500m", memory: "512Mi" },
          defaultRequest: { cpu: "100m", memory: "128Mi" },
          max: { cpu: "8", memory: "32Gi" },
        },
      ],
    });
  });

  it("in a namespace made elsewhere: patches its labels, creates no Namespace, puts everything in it", async () => {
    const r = await record(() => {
      const made = new k8s.core.v1.Namespace("platform-team-ns", { metadata: { name: "team-a-prod" } });
      const t = new Tenant("team-a", { tenant, environment: "dev", namespace: made.metadata.name });
      new Agent("helper", { tenant: t, environment: "dev", agent: agent("helper", false) });
    });
    assert.deepEqual(
      r.ofType("kubernetes:core/v1:Namespace").map((n) => n.name),
      ["platform-team-ns"],
    );
    const patch = r.inputs("kubernetes:core/v1:NamespacePatch", "team-a-namespace-labels");
    assert.equal(patch.metadata.name, "team-a-prod");
    assert.equal(patch.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(patch.metadata.labels["agentops.io/tenant"], "team-a");
    const namespaced = r.manifests.filter((m) => m.kind !== "Namespace" && m.kind !== "NamespacePatch");
    assert.ok(namespaced.length > 10);
    for (const m of namespaced)
      assert.equal(m.metadata.namespace, "team-a-prod", `${m.kind}/${m.metadata.name}`);
  });

  describe("network policies", () => {
    it("default-deny: every pod, both directions, no rules", async () => {
      assert.deepEqual(policy(await build(), "default-deny"), {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
      });
    });

    it("allow-dns: UDP and TCP 53 to kube-dns in kube-system only", async () => {
      assert.deepEqual(policy(await build(), "allow-dns"), {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      });
    });

    it("allow-monitoring-scrape: the monitoring namespace may reach the agents' named http port", async () => {
      assert.deepEqual(
        policy(await build({ platform: { monitoringNamespace: "obs" } }), "allow-monitoring-scrape"),
        {
          podSelector: {},
          policyTypes: ["Ingress"],
          ingress: [
            {
              from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "obs" } } }],
              ports: [{ protocol: "TCP", port: "http" }],
            },
          ],
        },
      );
    });

    it("allow-otlp-egress: OTLP gRPC and HTTP to the collector's namespace", async () => {
      assert.deepEqual(policy(await build(), "allow-otlp-egress"), {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
            ports: [
              { protocol: "TCP", port: 4317 },
              { protocol: "TCP", port: 4318 },
            ],
          },
        ],
      });
    });

    it("allow-intra-namespace: agents reach each other's http port, nothing else", async () => {
      const agents = { matchExpressions: [{ key: "agentops.io/agent", operator: "Exists" }] };
      assert.deepEqual(policy(await build(), "allow-intra-namespace"), {
        podSelector: agents,
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: agents }], ports: [{ protocol: "TCP", port: "http" }] }],
        egress: [{ to: [{ podSelector: agents }], ports: [{ protocol: "TCP", port: "http" }] }],
      });
    });

    it("allow-internet-egress: TCP 443 outside private ranges and IMDS, only for the agents that declare it", async () => {
      const r = await build({
        agents: [
          agent("zeta", true),
          agent("quiet", false),
          agent("alpha", true),
          agent("other", true, "team-b"),
        ],
      });
      assert.deepEqual(policy(r, "allow-internet-egress"), {
        podSelector: {
          matchExpressions: [{ key: "agentops.io/agent", operator: "In", values: ["alpha", "zeta"] }],
        },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                ipBlock: {
                  cidr: "0.0.0.0/0",
                  except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"],
                },
              },
            ],
            ports: [{ protocol: "TCP", port: 443 }],
          },
        ],
      });
    });

    it("no internet egress policy when no agent of the tenant declares it", async () => {
      const r = await build({ agents: [agent("quiet", false), agent("other", true, "team-b")] });
      assert.deepEqual(
        r.manifests
          .filter((m) => m.kind === "NetworkPolicy")
          .map((m) => m.metadata.name)
          .sort(),
        [
          "allow-dns",
          "allow-intra-namespace",
          "allow-monitoring-scrape",
          "allow-otlp-egress",
          "default-deny",
        ],
      );
    });
  });

  describe("RBAC", () => {
    it("Role: read the namespace's objects, logs and exec; never secrets, never writes", async () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const rules = (await build()).manifest("Role", "team-a-developer", "team-a").rules as any[];
      const read = ["get", "list", "watch"];
      assert.deepEqual(rules, [
        {
          apiGroups: [""],
          resources: [
            "pods",
            "services",
            "endpoints",
            "configmaps",
            "persistentvolumeclaims",
            "serviceaccounts",
            "events",
            "resourcequotas",
            "limitranges",
          ],
          verbs: read,
        },
        { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets"], verbs: read },
        { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: read },
        { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: read },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: read },
        { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: read },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: read },
        { apiGroups: ["monitoring.coreos.com"], resources: ["servicemonitors"], verbs: read },
        { apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: read },
        { apiGroups: ["keda.sh"], resources: ["scaledobjects", "triggerauthentications"], verbs: read },
        { apiGroups: ["autoscaling.k8s.io"], resources: ["verticalpodautoscalers"], verbs: read },
        { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: read },
        {
          apiGroups: ["gateway.envoyproxy.io"],
          resources: ["securitypolicies", "backendtrafficpolicies"],
          verbs: read,
        },
        { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
        { apiGroups: [""], resources: ["pods/exec"], verbs: ["get", "create"] },
      ]);
      const resources = rules.flatMap((r: { resources: string[] }) => r.resources);
      assert.equal(resources.includes("secrets"), false);
    });

    it("RoleBinding: the tenant's group to that Role", async () => {
      const b = (await build()).manifest("RoleBinding", "team-a-developer", "team-a");
      assert.deepEqual(b.roleRef, {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: "team-a-developer",
      });
      assert.deepEqual(b.subjects, [
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "team-a-devs" },
      ]);
    });
  });

  describe("the governance tenant of every stack", () => {
    for (const stack of STACKS) {
      const cfg = parseStackConfig(rawStackConfig(readStackConfig(ROOT, stack).config));
      const governance = cfg.tenants.find((t) => t.name === "governance")!;

      it(`${stack}: every object is valid against its upstream schema`, async () => {
        const r = await record(() => {
          new Tenant("governance", { tenant: governance, environment: cfg.environment, agents: cfg.agents });
        });
        assert.deepEqual(r.manifests.map((m) => m.kind).sort(), [
          "LimitRange",
          "Namespace",
          // Staging and prod expose security-agent: the Gateway's proxies may reach it (allow-gateway-ingress).
          ...Array<string>(stack === "dev" ? 6 : 7).fill("NetworkPolicy"),
          "ResourceQuota",
          "Role",
          "RoleBinding",
        ]);
        for (const m of r.manifests) await validateManifest(m);
      });

      it(`${stack}: the quota holds every agent at replicas.max plus one run of each job`, () => {
        const agents = cfg.agents.filter((a) => a.tenant === governance.name).map(agentDemand);
        const sum = (f: (d: (typeof agents)[number]) => number) => agents.reduce((s, d) => s + f(d), 0);
        const q = (v: string) => parseQuantity(v)!;
        const quota = governance.quota;
        const fits: [string, number, number][] = [
          ["requests.cpu", sum((d) => d.requests.cpu), q(quota.requests.cpu)],
          ["requests.memory", sum((d) => d.requests.memory), q(quota.requests.memory)],
          ["limits.cpu", sum((d) => d.limits.cpu), q(quota.limits.cpu)],
          ["limits.memory", sum((d) => d.limits.memory), q(quota.limits.memory)],
          ["gpu", sum((d) => d.gpus), quota.gpu],
          ["storage", sum((d) => d.storageBytes), q(quota.storage)],
          ["pvcs", sum((d) => d.pvcs), quota.pvcs],
        ];
        for (const [what, need, have] of fits)
          assert.ok(need <= have, `${what}: need ${need}, quota ${have}`);
      });
    }
  });
});

const problems = configProblems;

/** The lead's valid fixture (it-ops-agent service 1–2, nightly-report scheduled, security-agent hybrid 2–6). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw entries are edited freely, as a user would
type Raw = Record<string, any>;
function edit(change: (tenant: Raw, agents: Raw[]) => void): RawStackConfig {
  const cfg = validConfig();
  change((cfg.agentops.tenants as Raw[])[0]!, cfg.agentops.agents as Raw[]);
  return cfg;
}

describe("agent/tenant combinations that cannot work", () => {
  it("a GPU agent in a tenant without GPU quota", () => {
    assert.deepEqual(problems(edit((_, a) => (a[0]!.gpu = 1))), [
      `agents[0] (it-ops-agent).gpu: 1 — must be 0: tenant "governance" has quota.gpu 0 (raise it to run GPU agents there)`,
    ]);
  });

  it("more GPUs than the tenant's quota: a Deployment's surge pod takes its GPUs too", () => {
    assert.deepEqual(
      problems(
        edit((t, a) => {
          t.quota.gpu = 4;
          a[0]!.gpu = 2;
        }),
      ),
      [
        `tenants[0] (governance).quota.gpu: 4 — short by 2: a rollout at replicas.max plus one run of each job needs 6 GPUs — agents[0] (it-ops-agent): 6 (2 replicas.max + 1 surge pod)`,
      ],
    );
  });

  it("a job with more GPUs than the tenant's quota", () => {
    assert.deepEqual(
      problems(
        edit((t, a) => {
          t.quota.gpu = 2;
          a[2]!.job = { gpu: 3 };
        }),
      ),
      [
        `tenants[0] (governance).quota.gpu: 2 — short by 1: a rollout at replicas.max plus one run of each job needs 3 GPUs — agents[2] (security-agent): 3 (6 replicas.max + 1 surge pod + 1 job run)`,
      ],
    );
  });

  it("a quota that holds replicas.max but not the rollout's surge pod (issue 14)", () => {
    assert.deepEqual(
      problems(
        edit((t, a) => {
          t.quota.requests = { cpu: "2", memory: "16Gi" };
          a.splice(1, 2);
          a[0]!.replicas = { min: 2, max: 2 };
          a[0]!.resources = { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } };
        }),
      ),
      [
        `tenants[0] (governance).quota.requests.cpu: "2" — short by 1: a rollout at replicas.max plus one run of each job needs 3 CPU requests — agents[0] (it-ops-agent): 3 (2 replicas.max + 1 surge pod)`,
      ],
    );
  });

  it("sums every agent of the tenant and lists those that contribute", () => {
    assert.deepEqual(
      problems(
        edit((_, a) => {
          a[0]!.resources = { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } };
          a[2]!.resources = { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "5Gi" } };
        }),
      ),
      [
        `tenants[0] (governance).quota.limits.memory: "64Gi" — short by 1Gi: a rollout at replicas.max plus one run of each job needs 65Gi memory limits — agents[0] (it-ops-agent): 24Gi (2 replicas.max + 1 surge pod), agents[1] (nightly-report): 1Gi (1 job run), agents[2] (security-agent): 40Gi (6 replicas.max + 1 surge pod + 1 job run)`,
      ],
    );
  });

  it("a container limit above the tenant's LimitRange maximum", () => {
    assert.deepEqual(
      problems(
        edit((t, a) => {
          t.quota.limits.cpu = "64";
          a[1]!.resources = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "12", memory: "1Gi" } };
        }),
      ),
      [
        `agents[1] (nightly-report).resources.limits.cpu: "12" — must be <= tenant "governance" limitRange.max.cpu ("8")`,
      ],
    );
  });

  it("more storage than the quota: a StatefulSet's claim per replica at max (no surge) plus the job's claim", () => {
    assert.deepEqual(problems(edit((_, a) => (a[2]!.storage = { size: "40Gi" }))), [
      `tenants[0] (governance).quota.storage: "200Gi" — short by 80Gi: a rollout at replicas.max plus one run of each job needs 280Gi storage — agents[2] (security-agent): 280Gi (6 replicas.max + 1 job run)`,
    ]);
  });

  it("more claims than the tenant's quota of PersistentVolumeClaims", () => {
    assert.deepEqual(
      problems(
        edit((t, a) => {
          t.quota.pvcs = 5;
          a[2]!.storage = { size: "1Gi" };
        }),
      ),
      [
        `tenants[0] (governance).quota.pvcs: 5 — short by 2: a rollout at replicas.max plus one run of each job needs 7 PersistentVolumeClaims — agents[2] (security-agent): 7 (6 replicas.max + 1 job run)`,
      ],
    );
  });

  it("agentDemand: a Deployment adds one surge pod, a StatefulSet none, a job one run", () => {
    const cfg = parseStackConfig(edit((_, a) => (a[2]!.storage = { size: "2Gi" })));
    const [service, scheduled, hybridWithStorage] = cfg.agents.map(agentDemand);
    assert.deepEqual(
      [service, scheduled, hybridWithStorage].map((d) => [d!.servicePods, d!.surgePods, d!.jobPods, d!.pvcs]),
      [
        [2, 1, 0, 0],
        [0, 0, 1, 0],
        [6, 0, 1, 7],
      ],
    );
    assert.equal(service!.requests.cpu, 3);
  });

  it("skips agents whose tenant does not exist (reported once, by the tenant check)", () => {
    assert.deepEqual(
      problems(
        edit((_, a) => {
          a[0]!.tenant = "nobody";
          a[0]!.gpu = 1;
        }),
      ),
      [
        `agents[0] (it-ops-agent).tenant: "nobody" — must name a tenant declared under agentops:tenants (governance)`,
      ],
    );
  });
});

describe("agent/tenant combinations: reporting", () => {
  it("leaves out an agent whose own entry already has a problem", () => {
    assert.deepEqual(
      problems(
        edit((_, a) => {
          a[0]!.resources = { requests: { cpu: "8", memory: "2Gi" }, limits: { cpu: "4", memory: "8Gi" } };
        }),
      ),
      [`agents[0] (it-ops-agent).resources.requests.cpu: "8" — must be <= resources.limits.cpu (4)`],
    );
  });
});
