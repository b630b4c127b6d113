/**
 * Agents that serve traffic: KEDA scaling (ScaledObject, TriggerAuthentication), recommendation-only VPAs and
 * exposure on the shared Gateway — the exact objects of each mode, the PromQL of every trigger, the custom
 * resources against the pinned charts' CRDs, the configuration errors, and what the platform, the tenant and
 * the cost model add.
 */
import * as assert from "node:assert/strict";
import type { RawStackConfig } from "@agentops/components";
import { estimateStack, regionPrices, stackCostInput, DEFAULT_NODE_GROUPS } from "@agentops/components/model";
import { Agent, agentObjects, type AgentArgs, type AgentObjects } from "../components/src/agents";
import { requestQuery, TRANSFER_HPA_OWNERSHIP } from "../components/src/agents/traffic";
import type { AgentConfig } from "../components/src/config/agents";
import { testAgent, testTenant } from "./fixtures/agent";
import { LLM_GATEWAY_AGENT_ENV } from "../components/src/gateway/objects";
import { exposedAgents, gatewayObjects } from "../components/src/platform/resources";
import { kedaSqsPolicy, podIdentityQueues } from "../components/src/platform/keda";
import { kedaValues } from "../components/src/platform/addons/keda";
import { verticalPodAutoscalerValues } from "../components/src/platform/addons/vertical-pod-autoscaler";
import { tenantObjects } from "../components/src/tenancy";
import { platformSchema } from "../components/src/config/platform";
import { configProblems, crdValidators, record, renderedStack, stackConfig, synthStack } from "./harness";
import { validConfig } from "./fixtures/config";
import type { KubernetesObject } from "@agentops/components/testing";

const tenant = testTenant();

/** The test agent with an LLM budget and the secrets its triggers and exposure name; each test adds what it is about. */
const agent = (overrides: Record<string, unknown> = {}): AgentConfig =>
  testAgent({
    llm: { monthlyUsd: 30 },
    secrets: ["LLM_API_KEY", "QUEUE_PASSWORD", "AWS_KEY_ID", "AWS_SECRET", "OIDC_SECRET"],
    ...overrides,
  });

const objects = (a: AgentConfig, more: Partial<AgentArgs> = {}): AgentObjects =>
  agentObjects({ agent: a, tenant, environment: "staging", ...more });
const viaGateway = { llmGateway: { env: LLM_GATEWAY_AGENT_ENV } };

const LABELS = {
  "app.kubernetes.io/name": "helper",
  "app.kubernetes.io/instance": "helper",
  "app.kubernetes.io/component": "service",
  "app.kubernetes.io/part-of": "agentops",
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/version": "1.2.3",
  "agentops.io/tenant": "team-a",
  "agentops.io/tier": "2",
  "agentops.io/cost-center": "cc-42",
  "agentops.io/agent": "helper",
};
const PROMETHEUS = "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090";
/** Today's HPA behaviour (config/agents.ts autoscalingSchema defaults), carried into the ScaledObject. */
const BEHAVIOR = {
  scaleUp: {
    stabilizationWindowSeconds: 60,
    selectPolicy: "Max",
    policies: [
      { type: "Percent", value: 50, periodSeconds: 60 },
      { type: "Pods", value: 4, periodSeconds: 60 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 300,
    selectPolicy: "Min",
    policies: [
      { type: "Percent", value: 10, periodSeconds: 60 },
      { type: "Pods", value: 2, periodSeconds: 60 },
    ],
  },
};
const CPU_MEMORY = [
  { type: "cpu", metricType: "Utilization", metadata: { value: "70" } },
  { type: "memory", metricType: "Utilization", metadata: { value: "80" } },
];
const redis = {
  kind: "redis",
  address: "queue.team-a.svc.cluster.local:6379",
  list: "jobs",
  credentials: { from: "secrets", password: "QUEUE_PASSWORD" },
};
const SQS_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/triage";
const jwt = {
  kind: "jwt",
  issuer: "https://auth.example.com/",
  jwksUri: "https://auth.example.com/.well-known/jwks.json",
  audiences: ["helper"],
};

describe("traffic: KEDA, VPA and exposure", () => {
  describe("objects per mode", () => {
    it("without scaling: the CPU/memory HPA as before, a VPA, no ScaledObject", () => {
      const o = objects(agent());
      assert.ok(o.hpa);
      assert.equal(o.scaledObject, undefined);
      assert.equal(o.triggerAuthentication, undefined);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs are free-form here
      assert.deepEqual((o.hpa.spec as any).behavior, BEHAVIOR);
    });

    it("requests through the LLM gateway: a ScaledObject on its LLM requests in flight, CPU and memory kept; no HPA", () => {
      const o = objects(agent({ scaling: { requests: { signal: "inFlight", perPod: 4 } } }), viaGateway);
      assert.equal(o.hpa, undefined);
      assert.equal(o.triggerAuthentication, undefined);
      assert.deepEqual(o.scaledObject, {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: {
          name: "helper",
          namespace: "team-a",
          labels: LABELS,
          annotations: { [TRANSFER_HPA_OWNERSHIP]: "true" },
        },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "helper" },
          minReplicaCount: 1,
          maxReplicaCount: 5,
          pollingInterval: 30,
          cooldownPeriod: 300,
          advanced: { horizontalPodAutoscalerConfig: { name: "helper", behavior: BEHAVIOR } },
          triggers: [
            {
              type: "prometheus",
              name: "requests",
              metricType: "AverageValue",
              metadata: {
                serverAddress: PROMETHEUS,
                query:
                  'sum(rate(gen_ai_server_request_duration_seconds_sum{job="envoy-gateway-system/llm-gateway", agent="helper"}[2m])) or vector(0)',
                threshold: "4",
                ignoreNullValues: "true",
              },
            },
            ...CPU_MEMORY,
          ],
        },
      });
    });

    it("requests without the gateway: the agent's own HTTP server histogram, 100 requests/s per pod by default", () => {
      const o = objects(agent({ llm: { monthlyUsd: 0 }, scaling: { requests: { signal: "requestRate" } } }));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- custom resource specs are free-form
      const [trigger] = (o.scaledObject!.spec as any).triggers;
      assert.deepEqual(trigger.metadata, {
        serverAddress: PROMETHEUS,
        query: 'sum(rate(http_server_request_duration_seconds_count{job="team-a/helper"}[2m])) or vector(0)',
        threshold: "100",
        ignoreNullValues: "true",
      });
    });

    it("a Redis queue: scales to zero when empty, the password from the agent's Secret (ExternalSecret)", () => {
      const o = objects(agent({ replicas: { min: 0, max: 4 }, scaling: { queue: redis } }));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const so = o.scaledObject!.spec as any;
      assert.equal(so.minReplicaCount, 0);
      assert.deepEqual(so.triggers, [
        {
          type: "redis",
          name: "queue",
          metadata: {
            address: "queue.team-a.svc.cluster.local:6379",
            listName: "jobs",
            listLength: "50",
            activationListLength: "0",
            enableTLS: "false",
          },
          authenticationRef: { name: "helper" },
        },
        ...CPU_MEMORY,
      ]);
      assert.deepEqual(o.triggerAuthentication, {
        apiVersion: "keda.sh/v1alpha1",
        kind: "TriggerAuthentication",
        metadata: { name: "helper", namespace: "team-a", labels: LABELS },
        spec: { secretTargetRef: [{ parameter: "password", name: "helper-secrets", key: "QUEUE_PASSWORD" }] },
      });
    });

    it("an SQS queue with Pod Identity: the KEDA operator's own role, no secret", () => {
      const o = objects(
        agent({
          replicas: { min: 0, max: 3 },
          scaling: { queue: { kind: "sqs", queueUrl: SQS_URL, credentials: { from: "podIdentity" } } },
        }),
      );
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.deepEqual((o.scaledObject!.spec as any).triggers[0], {
        type: "aws-sqs-queue",
        name: "queue",
        metadata: {
          queueURL: SQS_URL,
          queueLength: "50",
          activationQueueLength: "0",
          awsRegion: "eu-west-1",
          scaleOnInFlight: "true",
        },
        authenticationRef: { name: "helper" },
      });
      assert.deepEqual(o.triggerAuthentication!.spec, { podIdentity: { provider: "aws" } });
    });

    it("an SQS queue with keys: both from the agent's Secret", () => {
      const o = objects(
        agent({
          scaling: {
            queue: {
              kind: "sqs",
              queueUrl: SQS_URL,
              perPod: 20,
              credentials: { from: "secrets", accessKeyId: "AWS_KEY_ID", secretAccessKey: "AWS_SECRET" },
            },
          },
        }),
      );
      assert.deepEqual(o.triggerAuthentication!.spec, {
        secretTargetRef: [
          { parameter: "awsAccessKeyID", name: "helper-secrets", key: "AWS_KEY_ID" },
          { parameter: "awsSecretAccessKey", name: "helper-secrets", key: "AWS_SECRET" },
        ],
      });
    });

    it("a StatefulSet (storage) is the ScaledObject's target", () => {
      const o = objects(
        agent({ storage: { size: "5Gi" }, scaling: { requests: { signal: "requestRate" } } }),
      );
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.deepEqual((o.scaledObject!.spec as any).scaleTargetRef, {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        name: "helper",
      });
    });

    it("VPAs in recommendation mode: the service's and, for a hybrid agent, the CronJob's; none when turned off", () => {
      const hybrid = agent({ mode: "hybrid", schedule: "0 3 * * *" });
      const o = objects(hybrid);
      const jobLabels = { ...LABELS, "app.kubernetes.io/component": "job" };
      const policy = {
        containerPolicies: [
          {
            containerName: "agent",
            controlledResources: ["cpu", "memory"],
            controlledValues: "RequestsOnly",
            maxAllowed: { cpu: "8", memory: "32Gi" },
          },
        ],
      };
      assert.deepEqual(o.serviceVpa, {
        apiVersion: "autoscaling.k8s.io/v1",
        kind: "VerticalPodAutoscaler",
        metadata: { name: "helper", namespace: "team-a", labels: LABELS },
        spec: {
          targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "helper" },
          updatePolicy: { updateMode: "Off" },
          resourcePolicy: policy,
        },
      });
      assert.deepEqual(o.jobVpa, {
        apiVersion: "autoscaling.k8s.io/v1",
        kind: "VerticalPodAutoscaler",
        metadata: { name: "helper-job", namespace: "team-a", labels: jobLabels },
        spec: {
          targetRef: { apiVersion: "batch/v1", kind: "CronJob", name: "helper-job" },
          updatePolicy: { updateMode: "Off" },
          resourcePolicy: policy,
        },
      });
      const scheduled = agent({ mode: "scheduled", replicas: undefined, schedule: "0 3 * * *" });
      assert.equal(objects(scheduled).serviceVpa, undefined);
      assert.ok(objects(scheduled).jobVpa);
      const off = objects(hybrid, { verticalPodAutoscaler: false });
      assert.deepEqual([off.serviceVpa, off.jobVpa], [undefined, undefined]);
    });

    it("exposed with JWT: route to the Service on its listener, JWT policy, per-subject rate limit", () => {
      const o = objects(
        agent({
          expose: {
            hostname: "helper.example.com",
            path: "/api",
            auth: jwt,
            rateLimit: { requestsPerMinute: 90 },
          },
        }),
      );
      const route = [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "helper" }];
      assert.deepEqual(o.httpRoute, {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "helper", namespace: "team-a", labels: LABELS },
        spec: {
          parentRefs: [
            {
              group: "gateway.networking.k8s.io",
              kind: "Gateway",
              name: "public",
              namespace: "envoy-gateway-system",
              sectionName: "https-helper",
            },
          ],
          hostnames: ["helper.example.com"],
          rules: [
            {
              matches: [{ path: { type: "PathPrefix", value: "/api" } }],
              backendRefs: [{ group: "", kind: "Service", name: "helper", port: 80 }],
            },
          ],
        },
      });
      assert.deepEqual(o.securityPolicy!.spec, {
        targetRefs: route,
        jwt: {
          providers: [
            {
              name: "issuer",
              issuer: "https://auth.example.com/",
              audiences: ["helper"],
              remoteJWKS: { uri: "https://auth.example.com/.well-known/jwks.json" },
              claimToHeaders: [{ claim: "sub", header: "x-agentops-client" }],
            },
          ],
        },
      });
      assert.deepEqual(o.rateLimitPolicy!.spec, {
        targetRefs: route,
        rateLimit: {
          global: {
            rules: [
              {
                clientSelectors: [{ headers: [{ name: "x-agentops-client", type: "Distinct" }] }],
                limit: { requests: 90, unit: "Minute" },
              },
            ],
          },
        },
      });
      assert.equal(o.oidcExternalSecret, undefined);
    });

    it("exposed with OIDC: the client secret from Vault into the key Envoy Gateway reads; callback under the path", () => {
      const o = objects(
        agent({
          expose: {
            hostname: "helper.example.com",
            path: "/ui/",
            auth: {
              kind: "oidc",
              issuer: "https://login.example.com",
              clientId: "helper",
              clientSecret: "OIDC_SECRET",
            },
          },
        }),
      );
      assert.deepEqual(o.oidcExternalSecret!.spec, {
        refreshInterval: "1h",
        secretStoreRef: { kind: "ClusterSecretStore", name: "vault" },
        target: { name: "helper-oidc", creationPolicy: "Owner" },
        data: [
          {
            secretKey: "client-secret",
            remoteRef: { key: "agents/staging/helper", property: "OIDC_SECRET" },
          },
        ],
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.deepEqual((o.securityPolicy!.spec as any).oidc, {
        provider: { issuer: "https://login.example.com" },
        clientID: "helper",
        clientSecret: { group: "", kind: "Secret", name: "helper-oidc" },
        redirectURL: "https://helper.example.com/ui/oauth2/callback",
        logoutPath: "/ui/logout",
      });
    });

    it("exposed without auth: no SecurityPolicy, 600 requests a minute per client address", () => {
      const o = objects(agent({ expose: { hostname: "helper.example.com" } }));
      assert.equal(o.securityPolicy, undefined);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.deepEqual((o.rateLimitPolicy!.spec as any).rateLimit.global.rules, [
        {
          clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
          limit: { requests: 600, unit: "Minute" },
        },
      ]);
    });

    it("the component registers each object after what it points at", async () => {
      const a = agent({
        replicas: { min: 0, max: 4 },
        scaling: { queue: redis },
        expose: { hostname: "helper.example.com", auth: jwt },
      });
      const rec = await record(() => {
        new Agent("helper", { agent: a, tenant, environment: "staging" });
      });
      const depends = (type: string, name: string) =>
        rec
          .get(type, name)
          .dependsOn.map((u) => u.split("::").pop())
          .sort();
      const CR = (kind: string) => `kubernetes:${kind}`;
      assert.deepEqual(depends(CR("keda.sh/v1alpha1:ScaledObject"), "helper-scaled-object"), [
        "helper-deployment",
        "helper-trigger-authentication",
      ]);
      assert.deepEqual(
        depends(CR("keda.sh/v1alpha1:TriggerAuthentication"), "helper-trigger-authentication"),
        ["helper-external-secret"],
      );
      assert.deepEqual(depends(CR("autoscaling.k8s.io/v1:VerticalPodAutoscaler"), "helper-vpa"), [
        "helper-deployment",
      ]);
      assert.deepEqual(depends(CR("gateway.networking.k8s.io/v1:HTTPRoute"), "helper-http-route"), [
        "helper-service",
      ]);
      assert.deepEqual(
        depends(CR("gateway.envoyproxy.io/v1alpha1:SecurityPolicy"), "helper-security-policy"),
        ["helper-http-route"],
      );
      assert.equal(rec.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").length, 0);
    });
  });

  describe("PromQL of the triggers", () => {
    type Node = { name: string; from: number; to: number; type: { isError: boolean } };
    let parser: { parse(input: string): { iterate(spec: { enter(n: Node): void }): void } };
    before(async () => {
      ({ parser } = (await import("@prometheus-io/lezer-promql")) as unknown as { parser: typeof parser });
    });
    const parsed = (expr: string) => {
      const errors: number[] = [];
      const names: string[] = [];
      parser.parse(expr).iterate({
        enter: (n) => {
          if (n.type.isError) errors.push(n.from);
          if (n.name === "Identifier") names.push(expr.slice(n.from, n.to));
        },
      });
      return { errors, names };
    };

    it("the parse check itself finds an error", () => {
      assert.deepEqual(parsed("sum(rate(x[2m])").errors, [15]);
    });

    for (const signal of ["requestRate", "inFlight"] as const) {
      for (const gateway of [true, false]) {
        it(`${signal} ${gateway ? "through the LLM gateway" : "from the agent's own histogram"} parses`, () => {
          const query = requestQuery({ name: "helper" }, { name: "team-a" }, signal, gateway);
          const metric = gateway
            ? "gen_ai_server_request_duration_seconds"
            : "http_server_request_duration_seconds";
          assert.deepEqual(parsed(query), {
            errors: [],
            names: [`${metric}_${signal === "requestRate" ? "count" : "sum"}`],
          });
        });
      }
    }

    it("every prometheus trigger of the three stacks parses", async () => {
      for (const stack of ["dev", "staging", "prod"]) {
        const triggers = (await synthStack(stack)).manifests
          .filter((m) => m.kind === "ScaledObject")
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          .flatMap((m) => (m.spec as any).triggers as { type: string; metadata: { query?: string } }[])
          .filter((t) => t.type === "prometheus");
        for (const t of triggers) assert.deepEqual(parsed(t.metadata.query!).errors, [], t.metadata.query);
      }
    });
  });

  describe("the custom resources against the pinned charts' CRDs", function () {
    this.timeout(300_000);
    it("every mode's ScaledObject, TriggerAuthentication, VPA, HTTPRoute and policies validate", async function () {
      const { releases } = await renderedStack(this, "dev");
      const validators = crdValidators(releases.flatMap((r) => r.objects));
      const modes = [
        objects(agent({ scaling: { requests: { signal: "inFlight", perPod: 2.5 } } }), viaGateway),
        objects(agent({ replicas: { min: 0, max: 2 }, scaling: { queue: redis } })),
        objects(
          agent({
            scaling: { queue: { kind: "sqs", queueUrl: SQS_URL, credentials: { from: "podIdentity" } } },
          }),
        ),
        objects(
          agent({ mode: "hybrid", schedule: "0 3 * * *", expose: { hostname: "a.example.com", auth: jwt } }),
        ),
        objects(
          agent({
            expose: {
              hostname: "b.example.com",
              auth: {
                kind: "oidc",
                issuer: "https://login.example.com",
                clientId: "c",
                clientSecret: "OIDC_SECRET",
              },
            },
          }),
        ),
      ];
      const custom = modes.flatMap((o) =>
        [
          o.scaledObject,
          o.triggerAuthentication,
          o.serviceVpa,
          o.jobVpa,
          o.httpRoute,
          o.securityPolicy,
          o.rateLimitPolicy,
        ].filter((x) => x !== undefined),
      ) as unknown as KubernetesObject[];
      const platform = gatewayObjects(
        [{ name: "helper", tenant: "team-a", hostname: "a.example.com", issuer: "letsencrypt-production" }],
        2,
      ) as unknown as KubernetesObject[];
      const problems: string[] = [];
      for (const obj of [...custom, ...platform]) {
        const validate = validators.get(`${obj.apiVersion}/${obj.kind}`);
        if (!validate) problems.push(`no CRD for ${obj.apiVersion} ${obj.kind}`);
        else problems.push(...validate(obj));
      }
      assert.deepEqual(problems, []);
    });
  });

  describe("configuration errors", () => {
    /** validConfig() with the LLM gateway and ACME issuers on, so exposure is allowed; `edit` changes it. */
    function withTraffic(edit: (agents: Record<string, unknown>[]) => void): RawStackConfig {
      const cfg = validConfig();
      cfg.agentops.platform = {
        enabled: true,
        certManager: { acmeEmail: "ops@example.com" },
        llmGateway: {
          enabled: true,
          providers: [{ name: "openai", schema: "OpenAI", host: "api.openai.com", models: ["gpt-4o-mini"] }],
        },
      };
      edit(cfg.agentops.agents as Record<string, unknown>[]);
      return cfg;
    }

    it("the fixture with traffic settings is valid", () => {
      assert.throws(() => configProblems(withTraffic(() => undefined)), /was accepted/);
    });

    it("expose on a scheduled agent", () => {
      assert.deepEqual(
        configProblems(withTraffic((a) => (a[1]!.expose = { hostname: "report.example.com" }))),
        [
          `agents[1] (nightly-report).expose: {"hostname":"report.example.com"} — applies only to mode service or hybrid (a scheduled agent serves no requests; expose a service agent)`,
        ],
      );
    });

    it("scaling on a scheduled agent", () => {
      assert.deepEqual(
        configProblems(withTraffic((a) => (a[1]!.scaling = { requests: { signal: "requestRate" } }))),
        [
          `agents[1] (nightly-report).scaling: {"requests":{"signal":"requestRate"}} — applies only to mode service or hybrid (a scheduled agent runs no long-lived pods to scale)`,
        ],
      );
    });

    it("duplicate hostnames", () => {
      assert.deepEqual(
        configProblems(
          withTraffic((a) => {
            a[0]!.expose = { hostname: "agents.example.com" };
            a[2]!.expose = { hostname: "agents.example.com" };
          }),
        ),
        [
          `agents[2] (security-agent).expose.hostname: "agents.example.com" — must be unique across the stack (also agents[0].expose.hostname): one listener and certificate per host`,
        ],
      );
    });

    for (const [bad, why] of [
      [
        "Agents.Example.com",
        "must be a lower-case RFC 1123 host name of two labels or more, e.g. security.agents.example.com",
      ],
      [
        "localhost",
        "must be a lower-case RFC 1123 host name of two labels or more, e.g. security.agents.example.com",
      ],
      [
        "-a.example.com",
        "must be a lower-case RFC 1123 host name of two labels or more, e.g. security.agents.example.com",
      ],
      [
        "*.example.com",
        "must be a lower-case RFC 1123 host name of two labels or more, e.g. security.agents.example.com; no wildcard (each host gets its own certificate by HTTP-01)",
      ],
    ] as const) {
      it(`an invalid hostname: ${bad}`, () => {
        assert.deepEqual(configProblems(withTraffic((a) => (a[0]!.expose = { hostname: bad }))), [
          `agents[0] (it-ops-agent).expose.hostname: ${JSON.stringify(bad)} — ${why}`,
        ]);
      });
    }

    it("a path Gateway API refuses", () => {
      assert.deepEqual(
        configProblems(withTraffic((a) => (a[0]!.expose = { hostname: "a.example.com", path: "/a/../b" }))),
        [
          `agents[0] (it-ops-agent).expose.path: "/a/../b" — must be an absolute path prefix without //, /./, /../, %2f or #, e.g. /api`,
        ],
      );
    });

    it("a queue without credentials", () => {
      assert.deepEqual(
        configProblems(
          withTraffic(
            (a) =>
              (a[0]!.scaling = {
                queue: { kind: "redis", address: "queue.governance.svc.cluster.local:6379", list: "jobs" },
              }),
          ),
        ),
        [
          "agents[0] (it-ops-agent).scaling.queue.credentials: (missing) — is required for a redis queue: how KEDA reads its length ({ from: secrets, password: <one of the agent's secrets> })",
        ],
      );
      assert.deepEqual(
        configProblems(withTraffic((a) => (a[0]!.scaling = { queue: { kind: "sqs", queueUrl: SQS_URL } }))),
        [
          "agents[0] (it-ops-agent).scaling.queue.credentials: (missing) — is required for a sqs queue: how KEDA reads its length ({ from: podIdentity } or { from: secrets, accessKeyId, secretAccessKey })",
        ],
      );
    });

    it("a credential that is not one of the agent's secrets", () => {
      assert.deepEqual(
        configProblems(
          withTraffic((a) => {
            a[0]!.secrets = ["GITHUB_TOKEN"];
            a[0]!.scaling = {
              queue: { ...redis, credentials: { from: "secrets", password: "REDIS_PASSWORD" } },
            };
          }),
        ),
        [
          `agents[0] (it-ops-agent).scaling.queue.credentials.password: "REDIS_PASSWORD" — must be one of the agent's secrets (GITHUB_TOKEN): add it to secrets, and its value to Vault agents/<env>/it-ops-agent`,
        ],
      );
    });

    it("min > max with KEDA", () => {
      assert.deepEqual(
        configProblems(
          withTraffic((a) => {
            a[0]!.replicas = { min: 3, max: 2 };
            a[0]!.scaling = { requests: { signal: "requestRate" } };
          }),
        ),
        ["agents[0] (it-ops-agent).replicas.min: 3 — must be <= replicas.max (2)"],
      );
    });

    it("min 0 without a queue", () => {
      assert.deepEqual(
        configProblems(
          withTraffic((a) => {
            a[0]!.replicas = { min: 0, max: 2 };
            a[0]!.scaling = { requests: { signal: "requestRate" } };
          }),
        ),
        [
          "agents[0] (it-ops-agent).replicas.min: 0 — must be at least 1 without scaling.queue: only a queue trigger wakes an agent that runs no pod (requests find no pod to reach)",
        ],
      );
    });

    it("scaling with neither requests nor queue", () => {
      assert.deepEqual(configProblems(withTraffic((a) => (a[0]!.scaling = {}))), [
        "agents[0] (it-ops-agent).scaling: {} — must set requests, queue or both (leave scaling out to scale on CPU and memory alone)",
      ]);
    });

    it("inFlight without its per-pod target", () => {
      assert.deepEqual(
        configProblems(withTraffic((a) => (a[0]!.scaling = { requests: { signal: "inFlight" } }))),
        [
          "agents[0] (it-ops-agent).scaling.requests.perPod: (missing) — must be a number > 0 (requests in flight per pod)",
        ],
      );
    });

    it("expose without the LLM gateway's rate-limit service", () => {
      const cfg = validConfig();
      cfg.agentops.platform = { enabled: true, certManager: { acmeEmail: "ops@example.com" } };
      (cfg.agentops.agents as Record<string, unknown>[])[0]!.expose = { hostname: "a.example.com" };
      assert.deepEqual(configProblems(cfg), [
        `agents[0] (it-ops-agent).expose: {"hostname":"a.example.com"} — needs platform.llmGateway.enabled: the per-client rate limit of an exposed agent counts in Envoy Gateway's global rate-limit service, which the LLM gateway's counter store backs`,
      ]);
    });

    it("a Let's Encrypt issuer without an ACME e-mail; the internal CA needs none", () => {
      const cfg = withTraffic((a) => (a[0]!.expose = { hostname: "a.example.com" }));
      (cfg.agentops.platform as { certManager: unknown }).certManager = {};
      assert.deepEqual(configProblems(cfg), [
        `agents[0] (it-ops-agent).expose.issuer: "letsencrypt-production" — needs platform.certManager.acmeEmail (the Let's Encrypt issuers exist only with it), or issuer agentops-ca (the internal CA)`,
      ]);
      (cfg.agentops.agents as Record<string, unknown>[])[0]!.expose = {
        hostname: "a.example.com",
        issuer: "agentops-ca",
      };
      assert.throws(() => configProblems(cfg), /was accepted/);
    });

    it("SQS with Pod Identity off EKS", () => {
      assert.deepEqual(
        configProblems(
          withTraffic(
            (a) =>
              (a[0]!.scaling = {
                queue: { kind: "sqs", queueUrl: SQS_URL, credentials: { from: "podIdentity" } },
              }),
          ),
        ),
        [
          `agents[0] (it-ops-agent).scaling.queue.credentials.from: "podIdentity" — needs cluster.mode eks (EKS Pod Identity); on another cluster use from: secrets with accessKeyId and secretAccessKey`,
        ],
      );
    });
  });

  describe("platform, tenant and cost model", () => {
    it("the Gateway gets one HTTPS listener per exposed agent, for its tenant's routes only, and a certificate", () => {
      const cfg = stackConfig("prod");
      const exposed = exposedAgents(cfg.agents);
      assert.deepEqual(exposed, [
        {
          name: "security-agent",
          tenant: "governance",
          hostname: "security-agent.agentops.example.com",
          issuer: "letsencrypt-production",
        },
      ]);
      const objs = gatewayObjects(exposed, 2);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const gateway = objs.find((o) => o.kind === "Gateway")!.spec as any;
      assert.deepEqual(gateway.listeners[1], {
        name: "https-security-agent",
        protocol: "HTTPS",
        port: 443,
        hostname: "security-agent.agentops.example.com",
        tls: {
          mode: "Terminate",
          certificateRefs: [{ group: "", kind: "Secret", name: "expose-security-agent" }],
        },
        allowedRoutes: {
          namespaces: {
            from: "Selector",
            selector: { matchLabels: { "kubernetes.io/metadata.name": "governance" } },
          },
        },
      });
      assert.deepEqual(
        objs.find((o) => o.kind === "Certificate"),
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: "expose-security-agent", namespace: "envoy-gateway-system" },
          spec: {
            secretName: "expose-security-agent",
            dnsNames: ["security-agent.agentops.example.com"],
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
            issuerRef: { name: "letsencrypt-production", kind: "ClusterIssuer", group: "cert-manager.io" },
          },
        },
      );
    });

    it("the tenant admits the Gateway's proxies to exactly the exposed agents", () => {
      const cfg = stackConfig("staging");
      const t = tenantObjects({ tenant: cfg.tenants[0]!, environment: "staging", agents: cfg.agents });
      assert.deepEqual(t.networkPolicies["allow-gateway-ingress"]!.spec, {
        podSelector: {
          matchExpressions: [{ key: "agentops.io/agent", operator: "In", values: ["security-agent"] }],
        },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } },
                podSelector: {
                  matchLabels: {
                    "gateway.envoyproxy.io/owning-gateway-name": "public",
                    "gateway.envoyproxy.io/owning-gateway-namespace": "envoy-gateway-system",
                  },
                },
              },
            ],
            ports: [{ protocol: "TCP", port: "http" }],
          },
        ],
      });
      const dev = stackConfig("dev");
      const none = tenantObjects({ tenant: dev.tenants[0]!, environment: "dev", agents: dev.agents });
      assert.equal(none.networkPolicies["allow-gateway-ingress"], undefined);
    });

    it("KEDA's operator reads the SQS queues of Pod Identity agents, and nothing else", () => {
      const dev = stackConfig("dev");
      const queues = podIdentityQueues(dev.agents);
      assert.deepEqual(queues, ["https://sqs.us-east-1.amazonaws.com/000000000000/agentops-dev-triage"]);
      assert.deepEqual(kedaSqsPolicy(queues), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ReadQueueLengths",
            Effect: "Allow",
            Action: ["sqs:GetQueueAttributes"],
            Resource: ["arn:aws:sqs:us-east-1:000000000000:agentops-dev-triage"],
          },
        ],
      });
    });

    it("dev declares the KEDA operator's role and association, and rolls the operator when it appears", async () => {
      const synth = await synthStack("dev");
      const assoc = synth.resources.find(
        (r) =>
          r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" &&
          r.name === "platform-keda-pod-identity",
      );
      assert.ok(assoc);
      assert.deepEqual([assoc.inputs.namespace, assoc.inputs.serviceAccount], ["keda", "keda-operator"]);
      const keda = synth.resources.find(
        (r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as { name: string }).name === "keda",
      )!;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.deepEqual((keda.inputs as any).values.podAnnotations.keda, {
        "agentops.io/aws-credentials": "pod-identity",
      });
      assert.ok(keda.dependsOn.includes(assoc.urn));
    });

    it("KEDA and the VPA recommender: replicas and disruption budgets follow high availability", () => {
      const ctx = (ha: boolean) => ({
        environment: "prod" as const,
        config: platformSchema.parse({ highAvailability: ha }),
        cluster: { capabilities: { spotNodeGroup: false, gpuNodeGroup: false, podIdentity: false } },
      });
      const ha = kedaValues(ctx(true));
      assert.deepEqual(
        [
          ha.operator.replicaCount,
          ha.metricsServer.replicaCount,
          ha.webhooks.replicaCount,
          ha.podDisruptionBudget,
        ],
        [2, 1, 2, { operator: { maxUnavailable: 1 }, webhooks: { maxUnavailable: 1 } }],
      );
      assert.deepEqual(kedaValues(ctx(false)).podDisruptionBudget, { operator: {}, webhooks: {} });
      const vpa = verticalPodAutoscalerValues(ctx(false));
      assert.deepEqual(
        [vpa.recommender.replicas, vpa.recommender.podDisruptionBudget, vpa.updater, vpa.admissionController],
        [1, { enabled: false }, { enabled: false }, { enabled: false, certGen: { enabled: false } }],
      );
    });

    it("the cost model reads a ScaledObject's bounds: zero at min costs nothing, max as for an HPA", () => {
      const a = agent({
        llm: { monthlyUsd: 0 },
        replicas: { min: 0, max: 4 },
        scaling: { queue: redis },
      });
      const o = objects(a) as unknown as Record<string, object>;
      const kinds: Record<string, string> = { deployment: "Deployment", scaledObject: "ScaledObject" };
      const resources = Object.entries(kinds).map(([key, kind]) => ({
        type: `kubernetes:${kind}`,
        name: key,
        urn: key,
        props: { ...o[key], kind },
      }));
      const input = stackCostInput(resources, DEFAULT_NODE_GROUPS);
      assert.deepEqual(input.workloads[0]!.replicas, { min: 0, max: 4 });
      const [cost] = estimateStack(input, regionPrices("us-east-1")).agents;
      assert.equal(cost!.cost.expectedComputeUsd, 0);
      assert.ok(cost!.cost.maxComputeUsd > 0);
    });

    it("dev: the queue agent at zero costs its LLM spend only; KEDA and the recommender are on the system nodes", async () => {
      const synth = await synthStack("dev");
      const placements = new Set(
        synth.resources
          .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
          .map((r) => (r.inputs as { name: string }).name),
      );
      assert.ok(placements.has("keda") && placements.has("vertical-pod-autoscaler"));
      const scaled = synth.manifests.find(
        (m) => m.kind === "ScaledObject" && m.metadata.name === "triage-agent",
      )!;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      assert.deepEqual([(scaled.spec as any).minReplicaCount, (scaled.spec as any).maxReplicaCount], [0, 3]);
      assert.equal(
        synth.manifests.filter(
          (m) => m.kind === "HorizontalPodAutoscaler" && m.metadata.name === "triage-agent",
        ).length,
        0,
      );
    });
  });
});
