import * as assert from "node:assert/strict";
import {
  Platform,
  parseStackConfig,
  rawStackConfig,
  tenantObjects,
  type AgentConfig,
  type StackConfig,
} from "@agentops/components";
import { bedrockInvokePolicy, podIdentityTrust } from "../components/src/cluster/iam";
import {
  budgetPolicy,
  costExpression,
  LLM_GATEWAY_AGENT_ENV,
  llmGatewayCoreObjects,
  monthlyLimitMicroUsd,
  providerObjects,
} from "../components/src/gateway/objects";
import { gatewayPrometheusRule } from "../components/src/observability/llm-gateway";
import { LLM_PRICES } from "../components/src/catalog/llm-prices";
import { METRICS } from "../components/src/observability/metrics";
import { readStackConfig, type KubernetesObject } from "@agentops/components/testing";
import { DEFAULT_NODE_GROUPS, estimateStack, regionPrices, stackCostInput } from "@agentops/components/model";
import {
  configProblems,
  crdValidators,
  manifestProblems,
  record,
  renderedStack,
  ROOT,
  STACKS,
  stackConfig,
  synthEdited,
  synthStack,
  requirePinnedCrds,
  validateManifest,
} from "./harness";
import { withoutPlatformOnlyStores } from "./fixtures/platform-off";

const GATEWAY_NS = "envoy-gateway-system";
const cents = (n: number) => Math.round(n * 100) / 100;
const GATEWAY_GROUPS = /^(gateway\.envoyproxy\.io|aigateway\.envoyproxy\.io)\//;

/** The raw `agentops:` keys of a stack file, to edit one value for an error test. */
function rawOf(stack: string) {
  return rawStackConfig(readStackConfig(ROOT, stack).config);
}

/** The raw keys of a stack file with `providers` added to its LLM gateway's. */
function rawWithProviders(stack: string, ...providers: object[]) {
  const raw = rawOf(stack);
  (raw.agentops.platform as { llmGateway: { providers: object[] } }).llmGateway.providers.push(...providers);
  return raw;
}

// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- an ES module: only a type import with resolution-mode reaches it from CommonJS
type CelModule = typeof import("@marcbachmann/cel-js/evaluator", { with: { "resolution-mode": "import" } });
let celModule: CelModule;
/** The CEL environment the gateway evaluates `llmRequestCosts` in (AIGatewayRoute CRD, field `cel`). */
const celEnvironment = (m: CelModule) =>
  new m.Environment()
    .registerVariable("model", "string")
    .registerVariable("backend", "string")
    .registerVariable("input_tokens", "uint")
    .registerVariable("cached_input_tokens", "uint")
    .registerVariable("cache_creation_input_tokens", "uint")
    .registerVariable("output_tokens", "uint")
    .registerVariable("total_tokens", "uint")
    .registerVariable("reasoning_tokens", "uint");
let cel: ReturnType<typeof celEnvironment>;

function costOf(expr: string, model: string, input: number, output: number): bigint {
  const u = (n: number) => new celModule.UnsignedInt(BigInt(n));
  const result = cel.evaluate(expr, {
    model,
    backend: "x.envoy-gateway-system",
    input_tokens: u(input),
    cached_input_tokens: u(0),
    cache_creation_input_tokens: u(0),
    output_tokens: u(output),
    total_tokens: u(input + output),
    reasoning_tokens: u(0),
  }) as unknown as { valueOf(): bigint };
  return result.valueOf();
}

/** The LLM gateway's objects: not the shared `public` Gateway's, nor exposed agents' policies in their namespaces. */
const gatewayObjectsOf = (manifests: readonly KubernetesObject[]) =>
  manifests.filter(
    (m) =>
      m.metadata.name !== "public" &&
      ((GATEWAY_GROUPS.test(m.apiVersion) && m.metadata.namespace === GATEWAY_NS) ||
        (m.metadata.namespace === GATEWAY_NS &&
          /^(ExternalSecret|PushSecret|Gateway|BackendTLSPolicy)$/.test(m.kind)) ||
        (m.kind === "GatewayClass" && m.metadata.name === "llm-gateway")),
  );

describe("LLM gateway", function () {
  this.timeout(300_000);

  describe("configuration", () => {
    it("refuses an LLM budget above $4,294 while the gateway runs: the limit is a uint32 of micro-USD", () => {
      const raw = rawOf("dev");
      (raw.agentops.agents as { llm: { monthlyUsd: number } }[])[1]!.llm.monthlyUsd = 5000;
      assert.deepEqual(configProblems(raw), [
        "agents[1] (it-ops-agent).llm.monthlyUsd: 5000 — must be at most 4294 while platform.llmGateway is enabled: the gateway's monthly limit is a uint32 count of micro-USD (at most 4,294,967,295)",
      ]);
    });

    it("accepts exactly $4,294, whose limit fits a uint32", () => {
      const cfg = stackConfig("dev");
      const agent = { ...cfg.agents[0]!, llm: { monthlyUsd: 4294 } };
      assert.equal(monthlyLimitMicroUsd(agent), 4_294_000_000);
      assert.ok(monthlyLimitMicroUsd(agent) <= 2 ** 32 - 1);
    });

    it("names the models of the price table a provider's schema allows", () => {
      const raw = rawOf("dev");
      const gw = (raw.agentops.platform as { llmGateway: { providers: { models: string[] }[] } }).llmGateway;
      gw.providers[1]!.models = ["gpt-4o"];
      assert.deepEqual(configProblems(raw), [
        'platform.llmGateway.providers[1].models[0]: "gpt-4o" — must be one of the Anthropic models of the gateway\'s price table (claude-haiku-4-5, claude-opus-5-5, claude-sonnet-5-5)',
      ]);
    });

    it("needs a provider when enabled, unique provider names and one provider per model", () => {
      const empty = rawOf("dev");
      (empty.agentops.platform as { llmGateway: { providers: unknown[] } }).llmGateway.providers = [];
      assert.deepEqual(configProblems(empty), [
        "platform.llmGateway.providers: [] — must name at least one provider when platform.llmGateway.enabled is true",
      ]);
      const twice = rawOf("dev");
      const providers = (twice.agentops.platform as { llmGateway: { providers: object[] } }).llmGateway
        .providers;
      providers.push({ ...providers[0]! });
      assert.deepEqual(configProblems(twice), [
        'platform.llmGateway.providers[2].name: "openai" — must be unique (also providers[0].name)',
        'platform.llmGateway.providers[2].models[0]: "gpt-4o-mini" — must be routed by one provider only (also platform.llmGateway.providers[0].models[0])',
        'platform.llmGateway.providers[2].models[1]: "gpt-4.1-mini" — must be routed by one provider only (also platform.llmGateway.providers[0].models[1])',
      ]);
    });

    it("refuses a Bedrock provider whose host is not a Bedrock runtime endpoint", () => {
      const raw = rawWithProviders("staging", {
        name: "bedrock",
        schema: "AWSBedrock",
        host: "bedrock.us-east-1.amazonaws.com",
        models: ["amazon.nova-lite-v1:0"],
      });
      assert.deepEqual(configProblems(raw), [
        'platform.llmGateway.providers[2].host: "bedrock.us-east-1.amazonaws.com" — must be a Bedrock runtime endpoint of the aws partition for schema AWSBedrock: bedrock-runtime.<region>.amazonaws.com, or bedrock-runtime-fips.<region>.amazonaws.com in a US or Canadian region',
      ]);
    });

    it("refuses, on EKS, an ElastiCache node type or instance type the cost model cannot price", () => {
      const raw = rawOf("dev");
      const platform = raw.agentops.platform as { llmGateway: { store: { nodeType: string } } };
      platform.llmGateway.store.nodeType = "cache.t4g.nano";
      const cluster = raw.agentops.cluster as { nodeGroups: Record<string, { instanceTypes: string[] }> };
      cluster.nodeGroups.spot!.instanceTypes = ["m7i.xlarge", "m7i.xlrage", "m6i.xlarge"];
      assert.deepEqual(configProblems(raw), [
        'cluster.nodeGroups.spot.instanceTypes[1]: "m7i.xlrage" — must be an instance type priced in components/src/catalog/prices.ts for us-east-1 (m7i.large, m7i.xlarge, m6i.xlarge, m7a.xlarge, m6a.xlarge, g6.xlarge, g5.xlarge); add its price there to use it',
        'platform.llmGateway.store.nodeType: "cache.t4g.nano" — must be an ElastiCache node type priced in components/src/catalog/prices.ts for us-east-1 (cache.t4g.micro, cache.t4g.small, cache.t4g.medium, cache.m7g.large, cache.r7g.large); add its price there to use it',
      ]);
    });

    it("refuses a region the price table does not know, naming the priced ones", () => {
      const raw = rawOf("dev");
      raw.region = "eu-central-2";
      const cluster = raw.agentops.cluster as { network: { availabilityZones: string[] } };
      cluster.network.availabilityZones = ["eu-central-2a", "eu-central-2b", "eu-central-2c"];
      (raw.agentops.platform as { llmGateway: { store: { nodeType: string } } }).llmGateway.store.nodeType =
        "cache.t4g.nano";
      assert.deepEqual(configProblems(raw), [
        'aws:region: "eu-central-2" — must be a region priced in components/src/catalog/prices.ts (us-east-1); add the region\'s prices there to deploy to it',
      ]);
    });

    it("checks the ElastiCache node type only where the platform and its gateway run", () => {
      const raw = rawOf("dev");
      const platform = raw.agentops.platform as {
        enabled: boolean;
        llmGateway: { store: { nodeType: string } };
      };
      platform.llmGateway.store.nodeType = "cache.t3.micro";
      platform.enabled = false;
      // Without the platform, agents' secrets and the stores that need it are refused: none here.
      withoutPlatformOnlyStores(raw.agentops);
      assert.equal(parseStackConfig(raw).platform.llmGateway.store.nodeType, "cache.t3.micro");
    });

    it("refuses Bedrock hosts of other partitions, FIPS outside the US and Canada, and says lower-case once", () => {
      const hosts = [
        "bedrock-runtime.us-gov-west-1.amazonaws.com",
        "bedrock-runtime.cn-north-1.amazonaws.com",
        "bedrock-runtime-fips.eu-west-1.amazonaws.com",
        "Bedrock-Runtime.us-east-1.amazonaws.com",
      ];
      const raw = rawWithProviders(
        "staging",
        ...hosts.map((host, i) => ({
          name: `bedrock-${i}`,
          schema: "AWSBedrock",
          host,
          models: [`amazon.nova-${["micro", "lite", "pro"][i % 3]}-v1:0`],
        })),
      );
      const bedrockHost =
        "must be a Bedrock runtime endpoint of the aws partition for schema AWSBedrock: bedrock-runtime.<region>.amazonaws.com, or bedrock-runtime-fips.<region>.amazonaws.com in a US or Canadian region";
      assert.deepEqual(configProblems(raw), [
        `platform.llmGateway.providers[2].host: "${hosts[0]}" — ${bedrockHost}`,
        `platform.llmGateway.providers[3].host: "${hosts[1]}" — ${bedrockHost}`,
        `platform.llmGateway.providers[4].host: "${hosts[2]}" — ${bedrockHost}`,
        `platform.llmGateway.providers[5].host: "${hosts[3]}" — must be a lower-case host name, e.g. api.openai.com`,
        'platform.llmGateway.providers[5].models[0]: "amazon.nova-micro-v1:0" — must be routed by one provider only (also platform.llmGateway.providers[2].models[0])',
      ]);
    });

    it("refuses an inference profile the host's region cannot call", () => {
      const raw = rawWithProviders("staging", {
        name: "bedrock",
        schema: "AWSBedrock",
        host: "bedrock-runtime.eu-west-1.amazonaws.com",
        models: [
          "amazon.nova-pro-v1:0",
          "us.anthropic.claude-haiku-4-5-20251001-v1:0",
          "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        ],
      });
      assert.deepEqual(configProblems(raw), [
        'platform.llmGateway.providers[2].models[1]: "us.anthropic.claude-haiku-4-5-20251001-v1:0" — must be callable there: us. inference profiles are called from US regions (us-east-*, us-west-*), not from eu-west-1 (the host\'s region)',
      ]);
    });

    it("fails closed in prod and staging, open in dev, from the stack files", () => {
      assert.deepEqual(
        STACKS.map((s) => [s, stackConfig(s).platform.llmGateway.failClosed]),
        [
          ["dev", false],
          ["staging", true],
          ["prod", true],
        ],
      );
    });
  });

  describe("CEL cost expression", () => {
    before(async () => {
      // An ES module: imported, not required.
      celModule = await import("@marcbachmann/cel-js/evaluator");
      cel = celEnvironment(celModule);
    });
    const models = [
      "gpt-4o",
      "gpt-4o-mini",
      "claude-haiku-4-5",
      "claude-sonnet-5-5",
      "amazon.nova-micro-v1:0",
      "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    ];
    const expr = costExpression(models);

    it("type-checks in the gateway's variables as a uint", () => {
      assert.deepEqual(cel.check(expr), { valid: true, type: "uint" });
    });

    it("charges hand-computed micro-USD for sample token counts", () => {
      // tokens × USD per million tokens = micro-USD.
      const cases: [string, number, number, bigint][] = [
        ["gpt-4o", 1000, 500, 7500n], // 1000 × 2.5 + 500 × 10
        ["gpt-4o-mini", 1_000_000, 0, 150_000n], // 1M × 0.15 = $0.15
        ["gpt-4o-mini", 0, 1_000_000, 600_000n], // 1M × 0.60
        ["claude-haiku-4-5", 1234, 567, 4069n], // 1234 × 1 + 567 × 5
        ["claude-sonnet-5-5", 20_000, 2_000, 60_000n], // 20000 × 2 + 2000 × 10
        ["amazon.nova-micro-v1:0", 1000, 1000, 175n], // 1000 × 0.035 + 1000 × 0.14
        ["us.anthropic.claude-haiku-4-5-20251001-v1:0", 10_000, 1000, 16_500n], // 10000 × 1.1 + 1000 × 5.5
        ["amazon.nova-micro-v1:0", 3, 0, 1n], // 3 × 0.035 = 0.105, rounded up
        ["gpt-4o-mini", 1, 1, 1n], // 0.15 + 0.6 = 0.75, rounded up
        ["gpt-4o-mini", 0, 0, 0n],
      ];
      assert.deepEqual(
        cases.map(([m, i, o]) => [m, i, o, costOf(expr, m, i, o)]),
        cases,
      );
    });

    it("charges a model outside the table at the highest input and output prices", () => {
      // gpt-4o has the highest input price (2.5), gpt-4o and claude-sonnet-5-5 the highest output price (10).
      assert.equal(costOf(expr, "some-new-model", 1000, 1000), 12_500n);
    });

    it("is the route's CEL cost, stored under the key the budget rules charge", async () => {
      const { manifests } = await synthStack("prod");
      const route = manifests.find((m) => m.kind === "AIGatewayRoute")!;
      const cfg = stackConfig("prod");
      const spec = route.spec as { llmRequestCosts: { metadataKey: string; type: string; cel?: string }[] };
      assert.deepEqual(spec.llmRequestCosts, [
        { metadataKey: "llm_input_token", type: "InputToken" },
        { metadataKey: "llm_output_token", type: "OutputToken" },
        { metadataKey: "llm_total_token", type: "TotalToken" },
        {
          metadataKey: "llm_cost_micro_usd",
          type: "CEL",
          cel: costExpression(cfg.platform.llmGateway.providers.flatMap((p) => p.models)),
        },
      ]);
    });
  });

  describe("per-agent objects (dev)", () => {
    let cfg: StackConfig;
    let manifests: KubernetesObject[];
    before(async () => {
      cfg = stackConfig("dev");
      manifests = (await synthStack("dev")).manifests;
    });
    const find = (kind: string, name: string, namespace?: string) => {
      const m = manifests.find(
        (o) =>
          o.kind === kind && o.metadata.name === name && (!namespace || o.metadata.namespace === namespace),
      );
      assert.ok(m, `no ${kind} ${name}`);
      return m;
    };

    it("has one monthly rule per agent: budget × 10⁶ micro-USD, Month, shared, charged from the response", () => {
      const policy = find("BackendTrafficPolicy", "llm-gateway-budgets", GATEWAY_NS);
      const rule = (agent: string, requests: number) => ({
        clientSelectors: [{ headers: [{ name: "x-agentops-agent", type: "Exact", value: agent }] }],
        limit: { requests, unit: "Month" },
        shared: true,
        cost: {
          request: { from: "Number", number: 0 },
          response: {
            from: "Metadata",
            metadata: { namespace: "io.envoy.ai_gateway", key: "llm_cost_micro_usd" },
          },
        },
      });
      assert.deepEqual(policy.spec, {
        targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "llm-gateway" }],
        rateLimit: {
          type: "Global",
          global: {
            rules: [
              rule("security-agent", 40_000_000),
              rule("it-ops-agent", 80_000_000),
              rule("ai-agent", 100_000_000),
              rule("architect-agent", 150_000_000),
              rule("triage-agent", 20_000_000),
            ],
          },
        },
      });
    });

    it("leaves an agent without an LLM budget out of the limits (no credential: 401 at the gateway)", () => {
      const agents: AgentConfig[] = [{ ...cfg.agents[0]!, llm: { monthlyUsd: 0 } }];
      assert.equal(budgetPolicy(agents), undefined);
    });

    it("accepts each agent's key from Vault, strips it and sets the client id header itself", () => {
      const policy = find("SecurityPolicy", "llm-gateway-clients", GATEWAY_NS);
      const names = cfg.agents.map((a) => a.name);
      assert.deepEqual(policy.spec, {
        targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "llm-gateway" }],
        apiKeyAuth: {
          credentialRefs: names.map((n) => ({ group: "", kind: "Secret", name: `llm-client-${n}` })),
          extractFrom: [{ headers: ["authorization"] }, { headers: ["x-api-key"] }],
          forwardClientIDHeader: "x-agentops-agent",
          sanitize: true,
        },
      });
      for (const n of names) {
        const es = find("ExternalSecret", `llm-client-${n}`, GATEWAY_NS);
        assert.deepEqual((es.spec as { data: unknown }).data, [
          { secretKey: n, remoteRef: { key: `agents/dev/${n}`, property: "LLM_API_KEY" } },
        ]);
      }
    });

    it("keeps provider keys in the gateway's namespace, read from platform/<env>/llm/<provider>", () => {
      const providerSecrets = manifests.filter(
        (m) => m.kind === "ExternalSecret" && m.metadata.name?.startsWith("llm-provider-"),
      );
      assert.deepEqual(
        providerSecrets.map((m) => [
          m.metadata.namespace,
          m.metadata.name,
          (m.spec as { data: unknown[] }).data,
        ]),
        [
          [
            GATEWAY_NS,
            "llm-provider-openai",
            [{ secretKey: "apiKey", remoteRef: { key: "platform/dev/llm/openai", property: "apiKey" } }],
          ],
          [
            GATEWAY_NS,
            "llm-provider-anthropic",
            [{ secretKey: "apiKey", remoteRef: { key: "platform/dev/llm/anthropic", property: "apiKey" } }],
          ],
        ],
      );
      assert.deepEqual(find("BackendSecurityPolicy", "anthropic", GATEWAY_NS).spec, {
        targetRefs: [{ group: "aigateway.envoyproxy.io", kind: "AIServiceBackend", name: "anthropic" }],
        type: "AnthropicAPIKey",
        anthropicAPIKey: { secretRef: { name: "llm-provider-anthropic" } },
      });
      assert.deepEqual(find("BackendTLSPolicy", "openai", GATEWAY_NS).spec, {
        targetRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: "openai" }],
        validation: { wellKnownCACertificates: "System", hostname: "api.openai.com" },
      });
      // No agent namespace holds an ExternalSecret of a platform path.
      const tenants = new Set(cfg.tenants.map((t) => t.name));
      const agentSide = manifests.filter(
        (m) => m.kind === "ExternalSecret" && tenants.has(m.metadata.namespace ?? ""),
      );
      assert.equal(agentSide.length, cfg.agents.length);
      for (const es of agentSide) {
        for (const d of (es.spec as { data?: { remoteRef: { key: string } }[] }).data ?? [])
          assert.ok(!d.remoteRef.key.startsWith("platform/"), `${es.metadata.name} reads ${d.remoteRef.key}`);
      }
    });

    it("gives each agent the gateway's URLs and its gateway key as LLM_API_KEY", () => {
      for (const a of cfg.agents) {
        const data = (find("ConfigMap", `${a.name}-config`, a.tenant) as { data?: Record<string, string> })
          .data!;
        assert.deepEqual(
          [data.OPENAI_BASE_URL, data.ANTHROPIC_BASE_URL],
          [
            "http://llm-gateway.envoy-gateway-system.svc.cluster.local/v1",
            "http://llm-gateway.envoy-gateway-system.svc.cluster.local/anthropic",
          ],
        );
        const es = find("ExternalSecret", a.name, a.tenant);
        const keys = (es.spec as { data: { secretKey: string }[] }).data.map((d) => d.secretKey);
        assert.ok(keys.includes("LLM_API_KEY"), `${a.name}: ${keys.join(", ")}`);
      }
      assert.deepEqual(Object.keys(LLM_GATEWAY_AGENT_ENV), ["OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"]);
    });

    it("lets agents with an LLM budget reach the proxies on 10080 (listener 80 + 10000), and no others", () => {
      const policy = find("NetworkPolicy", "allow-llm-gateway-egress", "governance");
      assert.deepEqual(policy.spec, {
        podSelector: {
          matchExpressions: [
            {
              key: "agentops.io/agent",
              operator: "In",
              values: ["ai-agent", "architect-agent", "it-ops-agent", "security-agent", "triage-agent"],
            },
          ],
        },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": GATEWAY_NS } },
                podSelector: {
                  matchLabels: {
                    "gateway.envoyproxy.io/owning-gateway-name": "llm-gateway",
                    "gateway.envoyproxy.io/owning-gateway-namespace": GATEWAY_NS,
                  },
                },
              },
            ],
            ports: [{ protocol: "TCP", port: 10080 }],
          },
        ],
      });
      const noLlm = { ...cfg.agents[0]!, llm: { monthlyUsd: 0 } };
      const objects = tenantObjects({
        tenant: cfg.tenants[0]!,
        environment: "dev",
        agents: [noLlm],
        llmGateway: { namespace: GATEWAY_NS, podLabels: {}, containerPort: 10080 },
      });
      assert.equal(objects.networkPolicies["allow-llm-gateway-egress"], undefined);
    });
  });

  describe("counter store", () => {
    it("prod: ElastiCache Valkey, Multi-AZ, encrypted at rest and in transit, AUTH token, protected", async () => {
      const { resources } = await synthStack("prod");
      const rg = resources.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
      const i = rg.inputs as Record<string, unknown>;
      assert.deepEqual(
        [
          i.engine,
          i.engineVersion,
          i.nodeType,
          i.numCacheClusters,
          i.multiAzEnabled,
          i.automaticFailoverEnabled,
        ],
        ["valkey", "8.0", "cache.t4g.small", 2, true, true],
      );
      assert.deepEqual(
        [i.atRestEncryptionEnabled, i.transitEncryptionEnabled, i.authToken, rg.protect],
        [true, true, "[secret]", true],
      );
      // Cost allocation: the environment's tags, as on the cluster's resources.
      assert.deepEqual(i.tags, { Project: "agentops", Environment: "prod", ManagedBy: "pulumi" });
      const sg = resources.find(
        (r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name.includes("llm"),
      )!;
      const ingress = (sg.inputs as { ingress: { fromPort: number; toPort: number }[] }).ingress;
      assert.deepEqual(
        ingress.map((r) => [r.fromPort, r.toPort]),
        [[6379, 6379]],
      );
    });

    it("dev: one node, not protected; Envoy Gateway reaches it over TLS with REDIS_AUTH from the Secret", async () => {
      const { resources } = await synthStack("dev");
      const rg = resources.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
      assert.deepEqual(
        [(rg.inputs as { numCacheClusters: number }).numCacheClusters, rg.protect],
        [1, false],
      );
      const eg = resources.find(
        (r) =>
          r.type === "kubernetes:helm.sh/v3:Release" &&
          (r.inputs as { name: string }).name === "envoy-gateway",
      )!;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Helm values
      const config = (eg.inputs as any).values.config.envoyGateway;
      assert.deepEqual(config.rateLimit.failClosed, false);
      assert.deepEqual(config.rateLimit.backend.type, "Redis");
      assert.deepEqual(config.rateLimit.backend.redis.tls, {});
      assert.match(config.rateLimit.backend.redis.url, /:6379$/);
      assert.deepEqual(config.provider.kubernetes.rateLimitDeployment.container.env[0], {
        name: "REDIS_AUTH",
        valueFrom: { secretKeyRef: { name: "llm-gateway-store-auth", key: "password" } },
      });
      assert.deepEqual(config.extensionApis, { enableEnvoyPatchPolicy: true, enableBackend: true });
      assert.deepEqual(config.extensionManager.service, {
        fqdn: { hostname: "ai-gateway-controller.envoy-ai-gateway-system.svc.cluster.local", port: 1063 },
      });
    });

    it("keeps the AUTH token in Vault: a PushSecret copies its Secret to platform/<env>/llm-gateway/store", async () => {
      const { manifests, resources } = await synthStack("dev");
      // The data stores push their own credentials from their namespace (tests/stores.test.ts).
      const push = manifests.filter((m) => m.kind === "PushSecret" && m.metadata.namespace === GATEWAY_NS);
      assert.deepEqual(
        push.map((m) => [m.apiVersion, m.metadata.namespace, m.metadata.name, m.spec]),
        [
          [
            "external-secrets.io/v1alpha1",
            GATEWAY_NS,
            "llm-gateway-store-auth",
            {
              refreshInterval: "1h",
              updatePolicy: "Replace",
              deletionPolicy: "None",
              secretStoreRefs: [{ kind: "ClusterSecretStore", name: "vault" }],
              selector: { secret: { name: "llm-gateway-store-auth" } },
              data: [
                {
                  match: {
                    secretKey: "password",
                    remoteRef: { remoteKey: "platform/dev/llm-gateway/store", property: "password" },
                  },
                },
              ],
            },
          ],
        ],
      );
      // After the Vault store it pushes through and the Secret it pushes.
      const urn = (type: string, name: string) =>
        resources.find((r) => r.type === type && r.name === name)!.urn;
      const pushResource = resources.find((r) => r.name === "platform-pushsecret-llm-gateway-store-auth")!;
      assert.deepEqual(
        [...pushResource.dependsOn].sort(),
        [
          urn("kubernetes:core/v1:Secret", "platform-llm-gateway-store-auth"),
          urn("kubernetes:external-secrets.io/v1:ClusterSecretStore", "platform-clustersecretstore-vault"),
        ].sort(),
      );
    });

    it("existing cluster: the Valkey chart with ACL auth from the same Secret, reached without TLS, no ElastiCache", async () => {
      const cfg = stackConfig("dev");
      const rec = await record(() => {
        new Platform("platform", {
          environment: cfg.environment,
          config: cfg.platform,
          cluster: { capabilities: { spotNodeGroup: false, gpuNodeGroup: false, podIdentity: false } },
          agents: cfg.agents,
        });
      });
      const release = (name: string) =>
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Helm values
        rec.inputs("kubernetes:helm.sh/v3:Release", `platform-${name}`) as any;
      const valkey = release("llm-gateway-store");
      assert.deepEqual([valkey.chart, valkey.version, valkey.namespace], ["valkey", "0.11.0", GATEWAY_NS]);
      assert.deepEqual(valkey.values.auth, {
        enabled: true,
        usersExistingSecret: "llm-gateway-store-auth",
        aclUsers: { default: { permissions: "~* &* +@all", passwordKey: "password" } },
      });
      assert.deepEqual(release("envoy-gateway").values.config.envoyGateway.rateLimit.backend, {
        type: "Redis",
        redis: { url: "llm-gateway-store.envoy-gateway-system.svc.cluster.local:6379" },
      });
      assert.deepEqual(rec.ofType("aws:elasticache/replicationGroup:ReplicationGroup"), []);
    });

    it("counts the gateway's pods in the capacity plan and its ElastiCache nodes in the infrastructure cost", async () => {
      const synth = await synthStack("prod");
      const resources = synth.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.inputs,
      }));
      const input = stackCostInput(resources, DEFAULT_NODE_GROUPS);
      const gateway = input.workloads
        .filter(
          (w) =>
            w.owner === "release/ai-gateway" ||
            w.workload.includes("envoy-ratelimit") ||
            w.workload.includes("llm-gateway"),
        )
        .map((w) => [
          w.owner,
          w.workload,
          w.replicas.min,
          cents(w.requests.cpu),
          cents(w.requests.memoryGiB * 1024),
        ]);
      assert.deepEqual(gateway, [
        // envoy + shutdown-manager + ai-gateway-extproc: 100m + 10m + 100m, 256 + 32 + 128 MiB.
        ["release/envoy-gateway", "Deployment/envoy-gateway-system/envoy-ratelimit", 2, 0.05, 64],
        [
          "release/envoy-gateway",
          "Deployment/envoy-gateway-system/envoy-envoy-gateway-system-llm-gateway",
          2,
          0.21,
          416,
        ],
        ["release/ai-gateway", "Deployment/envoy-ai-gateway-system/ai-gateway-controller", 2, 0.1, 128],
      ]);
      assert.deepEqual(input.cacheNodes, [{ nodeType: "cache.t4g.small", nodes: 2 }]);
      const line = estimateStack(input, regionPrices("us-east-1")).infrastructure.find(
        (l) => l.name === "ElastiCache nodes",
      );
      // 2 nodes × $0.0256 per node-hour × 730 hours.
      assert.deepEqual([line?.detail, cents(line?.monthlyUsd ?? 0)], ["2 × cache.t4g.small", 37.38]);
    });

    it("sets the requests the footprints declare on the objects Envoy Gateway builds the pods from", () => {
      /* eslint-disable @typescript-eslint/no-explicit-any -- custom resources' specs are free-form */
      const objects = llmGatewayCoreObjects(2);
      const proxy = objects.find((o) => o.kind === "EnvoyProxy")!.spec as any;
      const deployment = proxy.provider.kubernetes.envoyDeployment;
      assert.deepEqual(deployment.container.resources.requests, { cpu: "100m", memory: "256Mi" });
      assert.deepEqual(deployment.patch.value.spec.template.spec.containers, [
        {
          name: "shutdown-manager",
          resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
        },
      ]);
      const config = objects.find((o) => o.kind === "GatewayConfig")!;
      assert.deepEqual((config.spec as any).extProc.kubernetes.resources.requests, {
        cpu: "100m",
        memory: "128Mi",
      });
      const gateway = objects.find((o) => o.kind === "Gateway")!;
      assert.deepEqual(gateway.metadata.annotations, {
        "aigateway.envoyproxy.io/gateway-config": config.metadata.name,
      });
      /* eslint-enable @typescript-eslint/no-explicit-any */
    });
  });

  describe("Amazon Bedrock", () => {
    const BEDROCK = {
      name: "bedrock",
      schema: "AWSBedrock",
      host: "bedrock-runtime.us-west-2.amazonaws.com",
      models: ["amazon.nova-lite-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"],
    } as const;
    const withBedrock = (config: Record<string, unknown>) =>
      (config.platform as { llmGateway: { providers: object[] } }).llmGateway.providers.push({
        ...BEDROCK,
        models: [...BEDROCK.models],
      });
    const INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];

    it("lets the role invoke exactly the configured models: foundation models in the region, profiles through themselves", () => {
      const scope = { partition: "aws", region: "us-west-2", accountId: "123456789012" };
      const profile = (id: string) => `arn:aws:bedrock:us-west-2:123456789012:inference-profile/${id}`;
      const usHaiku = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
      const globalHaiku = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
      assert.deepEqual(bedrockInvokePolicy(scope, ["amazon.nova-lite-v1:0", usHaiku, globalHaiku]), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "InvokeFoundationModels",
            Effect: "Allow",
            Action: INVOKE,
            Resource: ["arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0"],
          },
          {
            Sid: "InvokeInferenceProfiles",
            Effect: "Allow",
            Action: INVOKE,
            Resource: [profile(globalHaiku), profile(usHaiku)],
          },
          {
            // Wherever the profile routes (a `*` region also matches a global profile's region-less ARN),
            // but only through one of these profiles.
            Sid: "InvokeProfileModelsThroughProfiles",
            Effect: "Allow",
            Action: INVOKE,
            Resource: [
              "arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
              "arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
            ],
            Condition: {
              StringEquals: { "bedrock:InferenceProfileArn": [profile(globalHaiku), profile(usHaiku)] },
            },
          },
        ],
      });
      assert.throws(() => bedrockInvokePolicy(scope, []), /no models/);
    });

    it("EKS: the proxies' service account gets a Pod Identity role for the provider's region, and no AWS key exists", async () => {
      const { resources, manifests } = await synthEdited("staging", withBedrock);
      const one = (type: string) => {
        const found = resources.filter((r) => r.type === type && r.name.includes("llm-gateway-bedrock"));
        assert.equal(found.length, 1, type);
        return found[0]!;
      };
      const role = one("aws:iam/role:Role");
      // The trust's shape is tested with the cluster's roles (cluster.test.ts); here: which cluster, namespace and
      // service account it names, the ones the EnvoyProxy gives the proxies.
      assert.deepEqual(
        JSON.parse((role.inputs as { assumeRolePolicy: string }).assumeRolePolicy),
        podIdentityTrust(
          { partition: "aws", region: "", accountId: "000000000000" },
          "agentops-staging",
          GATEWAY_NS,
          "llm-gateway",
        ),
      );
      const policy = JSON.parse((one("aws:iam/rolePolicy:RolePolicy").inputs as { policy: string }).policy);
      const expected = bedrockInvokePolicy(
        { partition: "aws", region: "us-west-2", accountId: "000000000000" },
        BEDROCK.models,
      );
      assert.deepEqual(policy, {
        ...expected,
        Statement: expected.Statement.map((st) => ({ ...st, Sid: `${st.Sid}uswest2` })),
      });
      assert.deepEqual((role.inputs as { tags: unknown }).tags, {
        Project: "agentops",
        Environment: "staging",
        ManagedBy: "pulumi",
      });
      const association = one("aws:eks/podIdentityAssociation:PodIdentityAssociation");
      assert.deepEqual(
        [
          (association.inputs as { namespace: string }).namespace,
          (association.inputs as { serviceAccount: string }).serviceAccount,
        ],
        [GATEWAY_NS, "llm-gateway"],
      );
      // The association exists (with its policy) before the gateway's proxies and backends are declared.
      assert.ok(association.dependsOn.includes(one("aws:iam/rolePolicy:RolePolicy").urn));
      const securityPolicy = resources.find((r) => r.name === "platform-backendsecuritypolicy-bedrock")!;
      assert.ok(securityPolicy.dependsOn.includes(association.urn));
      const find = (kind: string, name: string) =>
        manifests.find(
          (m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === GATEWAY_NS,
        );
      assert.deepEqual(find("BackendSecurityPolicy", "bedrock")?.spec, {
        targetRefs: [{ group: "aigateway.envoyproxy.io", kind: "AIServiceBackend", name: "bedrock" }],
        type: "AWSCredentials",
        awsCredentials: { region: "us-west-2" },
      });
      assert.deepEqual(find("AIServiceBackend", "bedrock")?.spec, {
        schema: { name: "AWSBedrock" },
        backendRef: { name: "bedrock", kind: "Backend", group: "gateway.envoyproxy.io" },
      });
      assert.equal(find("ExternalSecret", "llm-provider-bedrock"), undefined);
      const proxy = find("EnvoyProxy", "llm-gateway")?.spec as {
        provider: { kubernetes: { envoyServiceAccount: unknown; envoyDeployment: { pod?: unknown } } };
      };
      assert.deepEqual(proxy.provider.kubernetes.envoyServiceAccount, { name: "llm-gateway" });
      // Pod Identity credentials come with a pod's creation: adding Bedrock changes the pod template, so the
      // proxies roll and restart with them.
      assert.deepEqual(proxy.provider.kubernetes.envoyDeployment.pod, {
        annotations: { "agentops.io/bedrock-credentials": "pod-identity" },
      });
      // The route sends both models to the Bedrock backend.
      const route = find("AIGatewayRoute", "llm-gateway")?.spec as {
        rules: { matches: { headers: { value: string }[] }[]; backendRefs: { name: string }[] }[];
      };
      assert.deepEqual(
        route.rules.map((r) => [r.backendRefs[0]!.name, r.matches.map((m) => m.headers[0]!.value)]),
        [
          ["openai", ["gpt-4o", "gpt-4o-mini", "gpt-4.1-mini"]],
          ["anthropic", ["claude-sonnet-5-5", "claude-haiku-4-5"]],
          ["bedrock", [...BEDROCK.models]],
        ],
      );
    });

    it("declares no Bedrock role, and no proxy annotation, when no provider is Bedrock", async () => {
      const { resources, manifests } = await synthStack("staging");
      assert.deepEqual(
        resources.filter((r) => r.name.includes("bedrock")).map((r) => r.name),
        [],
      );
      const proxy = manifests.find((m) => m.kind === "EnvoyProxy")!.spec as {
        provider: { kubernetes: { envoyDeployment: { pod?: unknown } } };
      };
      assert.equal(proxy.provider.kubernetes.envoyDeployment.pod, undefined);
    });

    it("existing cluster: signs with an AWS credentials file read from Vault into the gateway's namespace", () => {
      const objects = providerObjects({ ...BEDROCK, models: [...BEDROCK.models] }, "dev", false);
      assert.deepEqual(
        objects
          .filter((o) => o.kind === "ExternalSecret" || o.kind === "BackendSecurityPolicy")
          .map((o) => o.spec),
        [
          {
            refreshInterval: "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: "vault" },
            target: {
              name: "llm-provider-bedrock",
              creationPolicy: "Owner",
              template: {
                metadata: {
                  labels: {
                    "app.kubernetes.io/part-of": "agentops",
                    "app.kubernetes.io/component": "llm-gateway",
                  },
                },
              },
            },
            data: [
              {
                secretKey: "credentials",
                remoteRef: { key: "platform/dev/llm/bedrock", property: "credentials" },
              },
            ],
          },
          {
            targetRefs: [{ group: "aigateway.envoyproxy.io", kind: "AIServiceBackend", name: "bedrock" }],
            type: "AWSCredentials",
            awsCredentials: {
              region: "us-west-2",
              credentialsFile: { secretRef: { name: "llm-provider-bedrock" }, profile: "default" },
            },
          },
        ],
      );
    });

    it("validates both Bedrock variants against the pinned AI Gateway CRDs", async function () {
      await requirePinnedCrds(this);
      for (const podIdentity of [true, false]) {
        for (const o of providerObjects({ ...BEDROCK, models: [...BEDROCK.models] }, "prod", podIdentity))
          await validateManifest(o as KubernetesObject);
      }
      const { manifests } = await synthEdited("staging", withBedrock);
      await validateManifest(manifests.find((m) => m.kind === "EnvoyProxy")!);
    });
  });

  describe("measured spend", () => {
    it("prices tokens with the same table as the route, per model and token type", () => {
      const gw = stackConfig("dev").platform.llmGateway;
      const prices = gatewayPrometheusRule(gw).spec.groups[0]!.rules;
      assert.deepEqual(
        prices.map((r) => [r.labels, r.expr]),
        [
          [{ gen_ai_request_model: "claude-haiku-4-5", gen_ai_token_type: "input" }, "vector(1)"],
          [{ gen_ai_request_model: "claude-haiku-4-5", gen_ai_token_type: "output" }, "vector(5)"],
          [{ gen_ai_request_model: "gpt-4.1-mini", gen_ai_token_type: "input" }, "vector(0.4)"],
          [{ gen_ai_request_model: "gpt-4.1-mini", gen_ai_token_type: "output" }, "vector(1.6)"],
          [{ gen_ai_request_model: "gpt-4o-mini", gen_ai_token_type: "input" }, "vector(0.15)"],
          [{ gen_ai_request_model: "gpt-4o-mini", gen_ai_token_type: "output" }, "vector(0.6)"],
        ],
      );
      assert.equal(LLM_PRICES["gpt-4o-mini"]!.inputUsdPerMillionTokens, 0.15);
    });

    it("projects BudgetExceeded from measured LLM spend plus compute when the gateway runs", async () => {
      const { manifests } = await synthStack("dev");
      const rules = manifests.find(
        (m) => m.kind === "PrometheusRule" && m.metadata.name === "agentops-rules",
      )!;
      const all = (rules.spec as { groups: { rules: { record?: string; expr: string }[] }[] }).groups.flatMap(
        (g) => g.rules,
      );
      const projected = all.find((r) => r.record === "agentops:agent_projected_monthly_usd")!;
      assert.equal(
        projected.expr,
        "sum_over_time(agentops:agent_compute_cost_hourly_usd[1d]) / 1440 * 730 + on (agent, tenant, tier) agentops:agent_llm_spend_monthly_usd",
      );
    });

    it("parses every gateway rule expression and names only known or recorded metrics", async () => {
      const { parser } = (await import("@prometheus-io/lezer-promql")) as unknown as {
        parser: {
          parse(input: string): {
            iterate(spec: {
              enter(n: { name: string; from: number; to: number; type: { isError: boolean } }): void;
            }): void;
          };
        };
      };
      const rule = gatewayPrometheusRule(stackConfig("prod").platform.llmGateway);
      const exprs = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.expr));
      const recorded = new Set(
        rule.spec.groups.flatMap((g) => g.rules.map((r) => ("record" in r ? r.record : ""))),
      );
      const known = new Set([
        ...METRICS.map((m) => m.name),
        ...recorded,
        "gen_ai_client_token_usage_sum", // the gateway's ext_proc (gateway/observability.ts)
        "up", // Prometheus, per scrape target
        "kube_deployment_status_replicas_available", // kube-state-metrics
      ]);
      assert.ok(exprs.length >= 10);
      for (const expr of exprs) {
        const errors: number[] = [];
        const names: string[] = [];
        parser.parse(expr).iterate({
          enter: (n) => {
            if (n.type.isError) errors.push(n.from);
            if (n.name === "Identifier") names.push(expr.slice(n.from, n.to));
          },
        });
        assert.deepEqual(errors, [], expr);
        const unknown = names.filter((n) => /[_:]/.test(n) && !known.has(n) && !/^(agent|gen_ai_)/.test(n));
        assert.deepEqual(unknown, [], expr);
      }
      // The syntax check itself can fail.
      const errors: number[] = [];
      parser.parse("sum(rate(x[5m])").iterate({ enter: (n) => void (n.type.isError && errors.push(n.from)) });
      assert.ok(errors.length > 0);
    });
  });

  describe("against the pinned CRDs", () => {
    it("validates every gateway object of every stack against the CRDs of the cached charts", async function () {
      await requirePinnedCrds(this);
      for (const stack of STACKS) {
        const objects = gatewayObjectsOf((await synthStack(stack)).manifests);
        assert.ok(objects.length >= 17, `${stack}: only ${objects.length} gateway objects`);
        for (const o of objects) await validateManifest(o);
      }
    });

    it("finds a schema violation (the check itself can fail)", async function () {
      await requirePinnedCrds(this);
      const { manifests } = await synthStack("dev");
      const policy = structuredClone(manifests.find((m) => m.kind === "BackendTrafficPolicy")!);
      const rule = (
        policy.spec as { rateLimit: { global: { rules: { limit: { requests: number; unit: string } }[] } } }
      ).rateLimit.global.rules[0]!;
      rule.limit.requests = 2 ** 32;
      rule.limit.unit = "Week";
      await assert.rejects(
        validateManifest(policy),
        /requests must be <= 4294967295.*unit must be equal to one of the allowed values/,
      );
    });

    it("prod: renders the gateway charts and validates its objects against the CRDs Helm rendered", async function () {
      const result = await renderedStack(this, "prod");
      const release = (name: string) => result.releases.find((r) => r.name === name)!;
      const validators = crdValidators([
        ...release("envoy-gateway").objects,
        ...release("ai-gateway-crds").objects,
      ]);
      const objects = gatewayObjectsOf(result.synth.manifests).filter((o) =>
        GATEWAY_GROUPS.test(o.apiVersion),
      );
      assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
        "AIGatewayRoute/llm-gateway",
        "AIServiceBackend/anthropic",
        "AIServiceBackend/openai",
        "Backend/anthropic",
        "Backend/openai",
        "BackendSecurityPolicy/anthropic",
        "BackendSecurityPolicy/openai",
        "BackendTrafficPolicy/llm-gateway-budgets",
        "EnvoyProxy/llm-gateway",
        "GatewayConfig/llm-gateway",
        "SecurityPolicy/llm-gateway-clients",
      ]);
      assert.deepEqual((await Promise.all(objects.map((o) => manifestProblems(o, validators)))).flat(), []);
      // The controller maps the client-id header to the `agent` metric label.
      const controller = release("ai-gateway").objects.find(
        (o) => o.kind === "Deployment" && o.metadata.name === "ai-gateway-controller",
      ) as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
      assert.ok(
        controller.spec.template.spec.containers[0]!.args.includes(
          "--metricsRequestHeaderAttributes=x-agentops-agent:agent",
        ),
      );
      // Envoy Gateway's own configuration carries the extension manager and the rate limit.
      const egConfig = release("envoy-gateway").objects.find(
        (o) => o.kind === "ConfigMap" && o.metadata.name === "envoy-gateway-config",
      ) as unknown as { data: Record<string, string> };
      const text = egConfig.data["envoy-gateway.yaml"]!;
      for (const needle of ["extensionManager:", "enableBackend: true", "failClosed: true", "type: Redis"])
        assert.ok(text.includes(needle), `envoy-gateway.yaml lacks ${needle}`);
    });
  });
});
