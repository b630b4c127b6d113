/**
 * Issue 22, the configuration's side: what a new user's stack file got through, each refused as a class with one
 * line naming the key — tenants in namespaces the cluster or the platform owns (1), agents' secrets without the
 * platform (8), zones of another region (9), secrets leaking through `env` and keys the platform sets (10), the
 * service account token (11), node group sizes, unknown nested keys, Prometheus durations and image references
 * (13), node groups smaller than their zones (14) — and the stack name of an ephemeral stack (7).
 */
import * as assert from "node:assert/strict";
import {
  ADDONS,
  agentObjects,
  ComponentArgsError,
  ConfigError,
  configWarnings,
  parseStackConfig,
  rawStackConfig,
  tenantObjects,
  type RawStackConfig,
} from "@agentops/components";
import { clusterNameFor } from "../components/src/cluster/eks-cluster";
import { readStackConfig } from "@agentops/components/testing";
import { configProblems, ROOT } from "./harness";
import { validConfig, withAgent } from "./fixtures/config";
import { existingStoresConfig } from "./fixtures/existing-stores";
import { storeAgentEnvKeys } from "../components/src/config/stores";
import { agentStoreAccess } from "../components/src/stores/access";
import { withoutPlatformOnlyStores } from "./fixtures/platform-off";

/* eslint-disable @typescript-eslint/no-explicit-any -- stack files are edited freely */

/** A stack file of this project as raw configuration, edited. */
function rawOf(stack: string, edit: (c: any, raw: RawStackConfig) => void = () => undefined): RawStackConfig {
  const raw = rawStackConfig(readStackConfig(ROOT, stack).config);
  edit(raw.agentops, raw);
  return raw;
}

/** Every problem of `raw`, one line each; `[]` when it is accepted. */
function linesOf(raw: RawStackConfig): string[] {
  try {
    parseStackConfig(raw);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
}

/** The problems of `raw` on keys that start with `prefix`. */
const problemsAt = (raw: RawStackConfig, prefix: string) => linesOf(raw).filter((p) => p.startsWith(prefix));

describe("issue 22: configuration a new user got through", () => {
  describe("defect 1: a tenant in a namespace the cluster or the platform owns", () => {
    const owned = (name: string) => problemsAt(tenantNamed(name), "tenants[0]");
    const tenantNamed = (name: string): RawStackConfig => {
      const raw = validConfig();
      (raw.agentops.tenants as any[])[0].name = name;
      for (const a of raw.agentops.agents as any[]) a.tenant = name;
      return raw;
    };

    it("refuses kube-system, naming the key and Kubernetes as the owner (the example)", () => {
      assert.deepEqual(owned("kube-system"), [
        `tenants[0] (kube-system).name: "kube-system" — must not be a namespace Kubernetes owns (default and kube-*: the cluster's own pods run there): the tenant's Pod Security "restricted", quota, limit range and default-deny network policies would apply to its pods; choose a name of the team's own`,
      ]);
    });

    for (const name of ["kube-public", "kube-node-lease", "default", "kube-anything"]) {
      it(`refuses ${name}: every kube-* namespace and default`, () => {
        assert.match(owned(name).join("\n"), /must not be a namespace Kubernetes owns/);
      });
    }

    it("refuses monitoring, naming the platform's releases there as the owner (the example)", () => {
      assert.deepEqual(owned("monitoring"), [
        `tenants[0] (monitoring).name: "monitoring" — must not be a namespace the platform owns (releases kube-prometheus-stack, loki, jaeger, otel-collector, opencost run there): the tenant's Pod Security "restricted", quota, limit range and default-deny network policies would apply to their pods; choose a name of the team's own`,
      ]);
    });

    it("names the releases of a namespace only part of the platform uses (monitoring-agents)", () => {
      assert.match(
        owned("monitoring-agents")[0]!,
        /\(releases kube-prometheus-stack, otel-logs, dcgm-exporter run there\)/,
      );
    });

    it("refuses the namespace of every platform add-on of the registry, and only those", () => {
      const namespaces = [...new Set(ADDONS.flatMap((a) => [a.namespace, ...(a.otherNamespaces ?? [])]))];
      assert.ok(namespaces.includes("monitoring-agents") && namespaces.includes("envoy-ai-gateway-system"));
      for (const ns of namespaces) {
        assert.equal(owned(ns).length, 1, `${ns}: ${owned(ns).join("; ")}`);
      }
      assert.deepEqual(owned("team-monitoring"), []);
    });

    it("the Tenant component refuses them too", () => {
      for (const name of ["kube-system", "vault"]) {
        assert.throws(
          () =>
            tenantObjects({
              environment: "dev",
              tenant: {
                name,
                costCenter: "cc",
                group: "g",
                quota: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
              },
            }),
          (err: unknown) =>
            err instanceof ComponentArgsError && /tenant\.name: .* must not be a namespace/.test(err.message),
        );
      }
    });
  });

  describe("defect 8: platform.enabled false with agents that need its custom resources", () => {
    const off = (stack: string, edit: (c: any) => void = () => undefined) =>
      linesOf(
        rawOf(stack, (c) => {
          c.platform.enabled = false;
          edit(c);
        }),
      );

    it("refuses an agent's secrets (their ExternalSecret's kind would not exist), one line per agent", () => {
      const lines = off("dev").filter((l) => l.includes(".secrets:"));
      assert.equal(lines.length, 5);
      assert.match(
        lines[0]!,
        /^agents\[0\] \(security-agent\)\.secrets: \["LLM_API_KEY"\] — must be empty while platform\.enabled is false/,
      );
    });

    it("refuses KEDA scaling (a ScaledObject, the keda release's kind), on dev's queue agent and on a service agent", () => {
      const lines = off("dev", (c) => {
        c.agents[0].scaling = { requests: { signal: "inFlight", perPod: 4 } };
      }).filter((l) => /\.scaling:/.test(l));
      assert.deepEqual(
        lines.map((l) => l.split(": ")[0]),
        ["agents[0] (security-agent).scaling", "agents[4] (triage-agent).scaling"],
      );
      assert.match(
        lines[0]!,
        /must be absent while platform\.enabled is false: KEDA scales on it through a ScaledObject, a kind the platform's keda release installs/,
      );
    });

    it("refuses dev's PostgreSQL and Valkey stores (credentials through External Secrets and Vault), keeps its S3 store on EKS", () => {
      assert.deepEqual(
        off("dev").filter((l) => l.startsWith("stores.")),
        [
          `stores.audit.engine: "postgres" — must not be postgres while platform.enabled is false: the store's credentials reach agents through External Secrets and Vault, which the platform installs; enable the platform (only S3 stores run without it on EKS)`,
          `stores.cache.engine: "valkey" — must not be valkey while platform.enabled is false: the store's credentials reach agents through External Secrets and Vault, which the platform installs; enable the platform (only S3 stores run without it on EKS)`,
        ],
      );
    });

    it("refuses a restore (a VolumeSnapshot, the snapshot controller's kind)", () => {
      const lines = off("dev", (c) => {
        c.agents[0].storage.restoreFrom = { snapshot: "snap-0123456789abcdef0" };
      });
      assert.deepEqual(
        lines.filter((l) => l.includes("restoreFrom")),
        [
          `agents[0] (security-agent).storage.restoreFrom: {"snapshot":"snap-0123456789abcdef0"} — must be absent while platform.enabled is false: a restore reads a VolumeSnapshot, a kind the platform's snapshot-controller release installs; enable the platform to restore`,
        ],
      );
    });

    it("on an existing cluster refuses backups (VolumeSnapshots) and every store, S3 included (access keys from Vault)", () => {
      const raw = rawStackConfig(existingStoresConfig((c: any) => (c.platform.enabled = false)));
      const lines = linesOf(raw);
      assert.ok(
        lines.includes(
          `backups.enabled: true — must be false while platform.enabled is false on an existing cluster: its backups are VolumeSnapshots, a kind the platform's snapshot-controller release installs (on EKS, AWS Backup needs no platform)`,
        ),
        lines.join("\n"),
      );
      assert.deepEqual(
        lines.filter((l) => l.startsWith("stores.")).map((l) => l.split(" — ")[0]),
        ['stores.audit.engine: "postgres"', 'stores.cache.engine: "valkey"', 'stores.evidence.engine: "s3"'],
      );
      assert.match(
        lines.find((l) => l.startsWith("stores.audit."))!,
        /and it runs on the CloudNativePG operator, which the platform installs; enable the platform$/,
      );
    });

    it("accepts agents without secrets and an S3 store with AWS Backup on EKS: their ServiceMonitors, the stores' rule and the snapshot class are left out (tests/stack.test.ts)", () => {
      const raw = rawOf("dev", (c) => {
        c.platform.enabled = false;
        withoutPlatformOnlyStores(c);
      });
      const config = parseStackConfig(raw);
      assert.equal(config.platform.enabled, false);
      assert.deepEqual(Object.keys(config.stores), ["evidence"]);
      assert.equal(config.backups.enabled, true);
    });
  });

  describe("defect 9: availability zones of another region", () => {
    const zones = (list: string[], region = "us-east-1") =>
      problemsAt(
        rawOf("dev", (c, raw) => {
          c.cluster.network.availabilityZones = list;
          raw.region = region;
        }),
        "cluster.network",
      );

    it("refuses eu-west-1a… with us-east-1 (the example)", () => {
      assert.deepEqual(zones(["eu-west-1a", "eu-west-1b", "eu-west-1c"]), [
        'cluster.network.availabilityZones[0]: "eu-west-1a" — must be an availability zone of aws:region us-east-1: us-east-1 and a letter, e.g. us-east-1a',
        'cluster.network.availabilityZones[1]: "eu-west-1b" — must be an availability zone of aws:region us-east-1: us-east-1 and a letter, e.g. us-east-1a',
        'cluster.network.availabilityZones[2]: "eu-west-1c" — must be an availability zone of aws:region us-east-1: us-east-1 and a letter, e.g. us-east-1a',
      ]);
    });

    it("refuses one zone of a neighbouring region among the right ones", () => {
      assert.deepEqual(zones(["us-east-1a", "us-east-2b", "us-east-1c"]), [
        'cluster.network.availabilityZones[1]: "us-east-2b" — must be an availability zone of aws:region us-east-1: us-east-1 and a letter, e.g. us-east-1a',
      ]);
    });

    it("refuses a zone whose name only starts like the region (us-east-11a), once", () => {
      assert.deepEqual(zones(["us-east-1a", "us-east-1b", "us-east-11a"]), [
        'cluster.network.availabilityZones[2]: "us-east-11a" — must be an availability zone name, e.g. us-east-1a',
      ]);
    });

    it("accepts the region's own zones", () => {
      assert.deepEqual(zones(["us-east-1d", "us-east-1e", "us-east-1f"]), []);
    });
  });

  describe("defect 10: a secret through env, and keys the platform sets", () => {
    const agentProblems = (edit: (agents: any[]) => void, stack = "dev") =>
      problemsAt(
        rawOf(stack, (c) => edit(c.agents)),
        "agents[",
      );

    it("refuses a key in both env and secrets without printing its value (the example)", () => {
      const lines = agentProblems((a) => (a[0].env.LLM_API_KEY = "sk-live-0123456789"));
      assert.deepEqual(lines, [
        `agents[0] (security-agent).env.LLM_API_KEY: "[secret]" — must not also be a secret (secrets[0]): env values are written into the ConfigMap, resources.json and manifests.yaml; keep the key in secrets only (its value in Vault)`,
      ]);
      assert.doesNotMatch(lines.join("\n"), /sk-live/);
    });

    it("refuses any other key in both, e.g. PAGERDUTY_TOKEN", () => {
      assert.deepEqual(
        agentProblems((a) => (a[1].env.PAGERDUTY_TOKEN = "pd-0123")).map((l) => l.split(" — ")[0]),
        ['agents[1] (it-ops-agent).env.PAGERDUTY_TOKEN: "[secret]"'],
      );
    });

    it("refuses env.OPENAI_BASE_URL while the LLM gateway sets it (the example)", () => {
      assert.deepEqual(
        agentProblems((a) => (a[1].env.OPENAI_BASE_URL = "https://api.openai.com/v1")),
        [
          `agents[1] (it-ops-agent).env.OPENAI_BASE_URL: "https://api.openai.com/v1" — is set by the platform: the LLM gateway sets it for agents with llm.monthlyUsd > 0 (OPENAI_BASE_URL, ANTHROPIC_BASE_URL), and its value replaces this one; remove the key`,
        ],
      );
    });

    it("refuses ANTHROPIC_BASE_URL in secrets (it would route around the gateway) and LLM_API_KEY in env", () => {
      const lines = agentProblems((a) => {
        a[0].secrets.push("ANTHROPIC_BASE_URL");
        a[3].secrets = [];
        a[3].env.LLM_API_KEY = "sk-0123";
      });
      assert.deepEqual(
        lines.map((l) => l.split(" — ")[0]),
        [
          'agents[0] (security-agent).secrets[1]: "ANTHROPIC_BASE_URL"',
          'agents[3] (architect-agent).env.LLM_API_KEY: "[secret]"',
        ],
      );
      assert.doesNotMatch(lines.join("\n"), /sk-0123/);
    });

    it("accepts OPENAI_BASE_URL in env where no gateway runs", () => {
      const raw = rawOf("dev", (c) => {
        c.platform.llmGateway.enabled = false;
        c.agents[1].env.OPENAI_BASE_URL = "https://api.openai.com/v1";
      });
      assert.equal(parseStackConfig(raw).agents[1]!.env.OPENAI_BASE_URL, "https://api.openai.com/v1");
    });

    it("refuses the OpenTelemetry variables the platform sets on every container, in env and in secrets", () => {
      assert.deepEqual(
        agentProblems((a) => {
          a[2].env.OTEL_SERVICE_NAME = "mine";
          a[2].secrets.push("OTEL_EXPORTER_OTLP_ENDPOINT");
        }).map((l) => l.split(" — ")[0]),
        // In the order of the entry's keys: dev's agents list secrets before env.
        [
          'agents[2] (ai-agent).secrets[2]: "OTEL_EXPORTER_OTLP_ENDPOINT"',
          'agents[2] (ai-agent).env.OTEL_SERVICE_NAME: "mine"',
        ],
      );
    });

    it("the Agent component refuses a gateway key in env when it is given the gateway", () => {
      const args = {
        tenant: (validConfig().agentops.tenants as any[])[0],
        environment: "dev",
        agent: { ...(validConfig().agentops.agents as any[])[2], env: { OPENAI_BASE_URL: "x" } },
        llmGateway: { env: { OPENAI_BASE_URL: "http://gw/v1", ANTHROPIC_BASE_URL: "http://gw/anthropic" } },
      };
      assert.throws(
        () => agentObjects(args),
        (err: unknown) =>
          err instanceof ComponentArgsError &&
          /agent\.env\.OPENAI_BASE_URL: "x" — is set by the platform/.test(err.message),
      );
      assert.doesNotThrow(() => agentObjects({ ...args, llmGateway: undefined }));
    });

    it("refuses env.AUDIT_DB_HOST on an agent that lists store audit (the store's value would replace it)", () => {
      assert.deepEqual(
        agentProblems((a) => (a[0].env.AUDIT_DB_HOST = "db.example.com")),
        [
          `agents[0] (security-agent).env.AUDIT_DB_HOST: "db.example.com" — must not be set here: store audit (postgres) sets AUDIT_DB_HOST, AUDIT_DB_PORT, AUDIT_DB_NAME, AUDIT_DB_USER, AUDIT_DB_SSLMODE, AUDIT_DB_PASSWORD on the agents that list it, and its value would replace this one; rename the key`,
        ],
      );
    });

    it("refuses a secret named like a store's credential (CACHE_REDIS_PASSWORD) and an optional store key (EVIDENCE_S3_ENDPOINT)", () => {
      const lines = agentProblems((a) => {
        a[1].secrets.push("CACHE_REDIS_PASSWORD");
        a[0].env.EVIDENCE_S3_ENDPOINT = "https://minio:9000";
      });
      assert.deepEqual(
        lines.map((l) => l.split(" — ")[0]),
        [
          'agents[0] (security-agent).env.EVIDENCE_S3_ENDPOINT: "https://minio:9000"',
          'agents[1] (it-ops-agent).secrets[2]: "CACHE_REDIS_PASSWORD"',
        ],
      );
      assert.match(lines[1]!, /a secret of this name would shadow the store's own; rename the key$/);
    });

    it("accepts a store's key names on an agent that does not list the store", () => {
      // security-agent lists audit and evidence, not cache.
      assert.deepEqual(
        agentProblems((a) => (a[0].env.CACHE_REDIS_HOST = "redis.example.com")),
        [],
      );
    });

    it("the list of a store's keys is every key the stores give an agent, whatever the engine and cluster", () => {
      const given = agentStoreAccess("dev", "a", ["pg", "kv", "s3-eks", "s3-minio"], {
        pg: { engine: "postgres", host: "h", database: "pg", to: [] },
        kv: { engine: "valkey", host: "h", tls: true, to: [] },
        "s3-eks": { engine: "s3", bucket: "b", region: "us-east-1", podIdentity: true, to: [], port: 443 },
        "s3-minio": {
          engine: "s3",
          bucket: "b",
          region: "us-east-1",
          endpoint: "https://minio:9000",
          podIdentity: false,
          to: [],
          port: 9000,
        },
      });
      const keys = [...Object.keys(given.env), ...given.secrets.map((x) => x.secretKey)];
      const listed = [
        ...storeAgentEnvKeys("pg", "postgres"),
        ...storeAgentEnvKeys("kv", "valkey"),
        ...storeAgentEnvKeys("s3-eks", "s3"),
        ...storeAgentEnvKeys("s3-minio", "s3"),
      ];
      assert.deepEqual(
        keys.filter((k) => !listed.includes(k)),
        [],
      );
      // Every listed key is one some endpoint gives (the list holds no stale name).
      assert.deepEqual(
        [...new Set(listed.map((k) => k.replace(/^(PG|KV|S3_EKS|S3_MINIO)_/, "")))].filter(
          (suffix) => !keys.some((k) => k.endsWith(`_${suffix}`)),
        ),
        [],
      );
    });
  });

  describe("defect 11: automountServiceAccountToken is refused until agents can use a token", () => {
    for (const [index, mode] of [
      [0, "service"],
      [1, "scheduled"],
      [2, "hybrid"],
    ] as const) {
      it(`refuses it on a ${mode} agent`, () => {
        assert.deepEqual(
          configProblems(withAgent(index, (a) => (a.automountServiceAccountToken = true))).map(
            (l) => l.split(" — ")[0],
          ),
          [
            `agents[${index}] (${(validConfig().agentops.agents as any[])[index].name}).automountServiceAccountToken: true`,
          ],
        );
      });
    }

    it("the Agent component refuses it too; false is accepted", () => {
      const agent = (validConfig().agentops.agents as any[])[0];
      const tenant = (validConfig().agentops.tenants as any[])[0];
      assert.throws(
        () =>
          agentObjects({
            tenant,
            environment: "dev",
            agent: { ...agent, automountServiceAccountToken: true },
          }),
        /automountServiceAccountToken: true — must be false/,
      );
      const o = agentObjects({
        tenant,
        environment: "dev",
        agent: { ...agent, automountServiceAccountToken: false },
      });
      assert.equal(o.serviceAccount.automountServiceAccountToken, false);
    });
  });

  describe("defect 13: messages that said too little or refused what Kubernetes accepts", () => {
    it("a node group's minSize above maxSize is reported on minSize (the example), not on desiredSize", () => {
      assert.deepEqual(
        problemsAt(
          rawOf("dev", (c) =>
            Object.assign(c.cluster.nodeGroups.gpu, { minSize: 3, maxSize: 2, desiredSize: 0 }),
          ),
          "cluster.nodeGroups",
        ),
        ["cluster.nodeGroups.gpu.minSize: 3 — must be <= maxSize (2)"],
      );
    });

    it("desiredSize below minSize and above maxSize each name the bound", () => {
      assert.deepEqual(
        problemsAt(
          rawOf("dev", (c) => {
            Object.assign(c.cluster.nodeGroups.system, { minSize: 2, desiredSize: 1, maxSize: 4 });
            Object.assign(c.cluster.nodeGroups.spot, { minSize: 0, desiredSize: 9, maxSize: 6 });
          }),
          "cluster.nodeGroups",
        ),
        [
          "cluster.nodeGroups.system.desiredSize: 1 — must be >= minSize (2)",
          "cluster.nodeGroups.spot.desiredSize: 9 — must be <= maxSize (6)",
        ],
      );
    });

    it("an unknown nested key lists the keys allowed there, at any depth", () => {
      assert.deepEqual(
        configProblems(
          rawOf("dev", (c) => {
            c.agents[0].resources.requests.gpu = 1;
            c.cluster.nodeGroups.system.disk = 60;
            c.platform.prometheus.retension = "1d";
            c.tenants[0].quota.gpus = 1;
          }),
        ),
        [
          "cluster.nodeGroups.system.disk: 60 — is not a known key here (known: instanceTypes, minSize, desiredSize, maxSize, diskSizeGiB)",
          'platform.prometheus.retension: "1d" — is not a known key here (known: retention, storageSize, replicas)',
          "tenants[0] (governance).quota.gpus: 1 — is not a known key here (known: requests, limits, gpu, pvcs, storage, loadBalancers)",
          "agents[0] (security-agent).resources.requests.gpu: 1 — is not a known key here (known: cpu, memory)",
        ],
      );
    });

    it("an unknown key of an agent lists its mode's keys, without those of other modes", () => {
      const [line] = configProblems(withAgent(1, (a) => (a.shedule = "0 1 * * *")));
      assert.match(
        line!,
        /^agents\[1\] \(nightly-report\)\.shedule: "0 1 \* \* \*" — is not a known key here \(known: mode, name, /,
      );
      assert.doesNotMatch(line!, /replicas|probes/);
      assert.match(line!, /schedule, timeZone, job\)$/);
    });

    it("an unknown key of an existing network lists its keys", () => {
      assert.deepEqual(
        problemsAt(
          rawOf("dev", (c) => {
            c.cluster.network = {
              existing: {
                vpcId: "vpc-0123456789abcdef0",
                privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                subnets: [],
              },
            };
          }),
          "cluster.network",
        ),
        [
          "cluster.network.existing.subnets: [] — is not a known key here (known: vpcId, privateSubnetIds, publicSubnetIds)",
        ],
      );
    });

    for (const retention of ["1d12h", "2w3d", "1y", "90m", "36h30m"]) {
      it(`accepts the Prometheus retention ${retention} (compound durations, as Prometheus parses them)`, () => {
        assert.equal(
          parseStackConfig(rawOf("dev", (c) => (c.platform.prometheus.retention = retention))).platform
            .prometheus.retention,
          retention,
        );
      });
    }

    for (const retention of ["12h1d", "0", "15D", "1.5d", "1d1d", ""]) {
      it(`refuses the Prometheus retention ${JSON.stringify(retention)}`, () => {
        assert.deepEqual(
          problemsAt(
            rawOf("dev", (c) => (c.platform.prometheus.retention = retention)),
            "platform",
          ).map((l) => l.split(" — ")[0]),
          [`platform.prometheus.retention: ${JSON.stringify(retention)}`],
        );
      });
    }

    const image = (ref: string) =>
      linesOf(withAgent(0, (a) => (a.image = ref))).map((l) =>
        l.replace(/^agents\[0\] \(it-ops-agent\)\.image: /, ""),
      );

    it("refuses Ghcr.io/Agentops/X:1.0 (upper case in the repository path; the example)", () => {
      assert.deepEqual(image("Ghcr.io/Agentops/X:1.0"), [
        `"Ghcr.io/Agentops/X:1.0" — must be a container image reference, e.g. ghcr.io/org/agent:1.2.3 (this one has upper case in its repository path "Agentops/X" (repository names must be lower case))`,
      ]);
    });

    it("refuses x@sha256:abc (a sha256 digest is 64 hex characters; the example)", () => {
      assert.match(image("x@sha256:abc")[0]!, /has an invalid digest "sha256:abc"/);
      assert.match(
        image(`x@sha256:${"a".repeat(63)}`)[0]!,
        /a sha256 digest of 63 hex characters \(sha256 has 64\)/,
      );
    });

    for (const ref of [
      "ghcr.io/org/app:",
      "ghcr.io/org/app:-1",
      `ghcr.io/org/app:${"1".repeat(129)}`,
      "ghcr.io//app:1",
      "ghcr.io/org/app/:1",
      "ghcr.io/org/App:1",
      "gh_cr.io:x/app:1",
    ]) {
      it(`refuses ${ref.length > 40 ? `${ref.slice(0, 40)}…` : ref}`, () => {
        assert.equal(image(ref).length, 1);
      });
    }

    for (const ref of [
      "localhost:5000/agent:1.0",
      "[::1]:5000/agent:1.0",
      "registry.example.com:443/team/agent_x/a-b:v1.0_rc-1",
      `ghcr.io/org/agent@sha256:${"0123456789abcdef".repeat(4)}`,
      `ghcr.io/org/agent:1.0@sha512:${"ab".repeat(64)}`,
      "nginx:1.27",
    ]) {
      it(`accepts ${ref.length > 48 ? `${ref.slice(0, 48)}…` : ref}`, () => {
        assert.deepEqual(image(ref), []);
      });
    }
  });

  describe("defect 14: node groups are one per zone, so each needs a node per zone", () => {
    it("refuses a maxSize below the number of zones, naming the key", () => {
      assert.deepEqual(
        problemsAt(
          rawOf("dev", (c) => (c.cluster.nodeGroups.gpu.maxSize = 2)),
          "cluster.nodeGroups",
        ),
        [
          'cluster.nodeGroups.gpu.maxSize: 2 — must be at least 3: the group is one managed node group per availability zone (volumes are zonal; README "Capacity plan"), and each needs a maxSize of at least 1',
        ],
      );
    });

    it("counts an existing VPC's private subnets as its zones", () => {
      const raw = rawOf("dev", (c) => {
        c.cluster.network = {
          existing: {
            vpcId: "vpc-0123456789abcdef0",
            privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
          },
        };
        c.cluster.nodeGroups.gpu.maxSize = 2;
      });
      assert.deepEqual(problemsAt(raw, "cluster.nodeGroups"), []);
      (raw.agentops.cluster as any).nodeGroups.gpu.maxSize = 1;
      assert.match(problemsAt(raw, "cluster.nodeGroups").join("\n"), /gpu\.maxSize: 1 — must be at least 2/);
    });
  });

  describe("defect 7: the name of a stack that is not its environment's own", () => {
    it("is kept in the configuration the program runs with", () => {
      assert.equal(parseStackConfig({ ...rawOf("dev"), stack: "dev" }).stack, "dev");
      assert.equal(parseStackConfig({ ...rawOf("dev"), stack: "it-1a2b3c4d" }).stack, "it-1a2b3c4d");
      assert.equal(parseStackConfig(rawOf("dev")).stack, undefined);
    });

    it("names the cluster after the stack: the environment's own names only for the environment's own stack", () => {
      assert.equal(clusterNameFor("dev", "dev"), "agentops-dev");
      assert.equal(clusterNameFor("dev"), "agentops-dev");
      assert.equal(clusterNameFor("dev", "it-1a2b3c4d"), "agentops-it-1a2b3c4d");
    });

    it("never gives a stack named like another environment that environment's names", () => {
      assert.match(clusterNameFor("dev", "staging"), /^agentops-staging-[0-9a-f]{6}$/);
      assert.match(clusterNameFor("staging", "prod"), /^agentops-prod-[0-9a-f]{6}$/);
    });

    for (const stack of ["It_1a2b", "test-broken-123456789", "feature.x", "--"]) {
      it(`shortens and hashes ${stack}: a DNS label that fits the node group prefixes, distinct per name`, () => {
        const name = clusterNameFor("dev", stack);
        assert.match(name, /^agentops-[a-z0-9]([-a-z0-9]*[a-z0-9])?-[0-9a-f]{6}$/);
        assert.ok(`${name}-system-a-`.length <= 37, name);
        assert.notEqual(name, clusterNameFor("dev", `${stack}x`));
      });
    }
  });

  describe("defect 2: a schedule that never fires is a warning, not an error", () => {
    for (const schedule of ["0 0 30 2 *", "0 0 31 4 *", "0 0 30,31 2 *", "0 0 31 2,4,6,9,11 *"]) {
      it(`accepts ${schedule} and warns once that it never fires`, () => {
        const config = parseStackConfig(withAgent(1, (a) => (a.schedule = schedule)));
        const warnings = configWarnings(config);
        assert.equal(warnings.length, 1);
        assert.match(
          warnings[0]!,
          new RegExp(
            `^agents\\[1\\] \\(nightly-report\\)\\.schedule: "${schedule.replace(/\*/g, "\\*")}" — never fires \\(`,
          ),
        );
      });
    }

    it("does not warn about schedules that fire, Feb 29 and a day of week included", () => {
      for (const schedule of ["0 0 29 2 *", "0 0 31 4,5 *", "0 0 30 2 1", "@every 1h"]) {
        assert.deepEqual(
          configWarnings(parseStackConfig(withAgent(1, (a) => (a.schedule = schedule)))),
          [],
          schedule,
        );
      }
    });
  });
});
