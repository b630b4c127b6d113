/**
 * The LLM gateway's Kubernetes objects, as pure builders: the Gateway agents call, one backend set per provider,
 * the AI route with its cost expression, the per-agent credentials and the per-agent monthly limits.
 *
 * Sources (Envoy AI Gateway v1.1.0 and Envoy Gateway v1.8 CRDs in ../shared/helm-cache; field docs there):
 * - AIGatewayRoute `llmRequestCosts` of type CEL: variables `model`, `input_tokens`, `output_tokens`, … (uint);
 *   the result is stored as dynamic metadata under `io.envoy.ai_gateway/<metadataKey>`
 *   (envoyproxy/ai-gateway examples/token_ratelimit/token_ratelimit.yaml).
 * - BackendTrafficPolicy `rateLimit.global.rules[].cost.response.from: Metadata` charges that metadata after the
 *   response; `limit.requests` is a uint32; `shared: true` makes one bucket across every route of the target.
 * - SecurityPolicy `apiKeyAuth`: credential Secrets whose keys are client ids; `forwardClientIDHeader` sets the
 *   matched client id on the request, `sanitize` drops the key before it goes upstream.
 */
import type { AgentConfig, Environment, LlmGatewayConfig, LlmProviderConfig } from "../config";
import { PLATFORM_ENDPOINTS } from "../lib/contract";
import { childName } from "../lib/names";
import { resources } from "../model/capacity/workloads";
import { LLM_GATEWAY_CONTAINERS } from "../model/footprints/llm-gateway";
import { shutdownManagerPatch } from "../model/footprints/gateway";
import { bedrockRegion } from "../catalog/bedrock";
import { bedrockProviders } from "../config/platform";
import { LLM_PRICES, type LlmSchema } from "../catalog/llm-prices";

/** A namespaced custom or core object, as the API server receives it. */
export interface GatewayObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

const GW = PLATFORM_ENDPOINTS.llmGateway;
/** Dynamic metadata namespace Envoy AI Gateway writes request costs into. */
export const COST_METADATA_NAMESPACE = "io.envoy.ai_gateway";
/** Metadata key of a request's cost in micro-USD (the CEL cost). */
export const COST_METADATA_KEY = "llm_cost_micro_usd";
const AI_GROUP = "aigateway.envoyproxy.io/v1beta1";
const EG_GROUP = "gateway.envoyproxy.io/v1alpha1";
const C = LLM_GATEWAY_CONTAINERS;
const LABELS = { "app.kubernetes.io/part-of": "agentops", "app.kubernetes.io/component": "llm-gateway" };

/** Names of the gateway's objects, so tests, the tenant's policies and agents agree with the builders. */
export const llmGatewayNames = {
  gateway: GW.name,
  gatewayClass: GW.name,
  envoyProxy: GW.name,
  gatewayConfig: GW.name,
  route: GW.name,
  securityPolicy: childName(GW.name, "clients"),
  budgetPolicy: childName(GW.name, "budgets"),
  /** Secret (and ExternalSecret) holding a provider's API key under `apiKey`. */
  providerSecret: (provider: string) => childName("llm-provider", provider),
  /** Secret (and ExternalSecret) holding one agent's gateway key under the agent's name (its client id). */
  clientSecret: (agent: string) => childName("llm-client", agent),
} as const;

/** Annotation of the proxy pods when Bedrock providers sign with Pod Identity (its change rolls them). */
export const BEDROCK_CREDENTIALS_ANNOTATION = "agentops.io/bedrock-credentials";

/** `targetRefs` of a policy that applies to the whole LLM Gateway (its client auth, its monthly limits). */
const gatewayTargetRefs = () => [
  { group: "gateway.networking.k8s.io", kind: "Gateway", name: llmGatewayNames.gateway },
];

/** The gateway's in-cluster base URL; OpenAI-compatible clients append `/v1/...`. */
export const LLM_GATEWAY_URL = `http://${GW.name}.${GW.namespace}.svc.cluster.local`;

/**
 * Environment variables an agent's SDKs read to find the gateway: the OpenAI SDKs take the base URL with
 * `/v1`; the Anthropic SDKs append `/v1/messages` to theirs (the gateway serves Anthropic under `/anthropic`,
 * ai-gateway-helm `endpointConfig.anthropic`).
 */
export const LLM_GATEWAY_AGENT_ENV: Readonly<Record<string, string>> = {
  OPENAI_BASE_URL: `${LLM_GATEWAY_URL}/v1`,
  ANTHROPIC_BASE_URL: `${LLM_GATEWAY_URL}/anthropic`,
};

/** The agents the gateway admits: those with an LLM budget. */
export function gatewayAgents(agents: readonly AgentConfig[]): AgentConfig[] {
  return agents.filter((a) => a.llm.monthlyUsd > 0);
}

/** `limit.requests` of an agent's rule: its monthly LLM budget in micro-USD. */
export function monthlyLimitMicroUsd(agent: AgentConfig): number {
  return Math.round(agent.llm.monthlyUsd * 1_000_000);
}

/** Thousandths of a USD per million tokens: whole numbers for every price of the table. */
const milli = (usdPerMillion: number) => Math.round(usdPerMillion * 1000);

/**
 * The CEL expression that prices one request in micro-USD. Tokens × USD per million tokens is micro-USD, so with
 * prices in thousandths of a USD the sum is divided by 1000, rounding up (a request never costs less than it
 * did). All arithmetic is uint: CEL does not mix uint and double. A model not in `models` is charged at the
 * highest input and output prices among them, so an unpriced model cannot run for free.
 * @throws when `models` is empty or names a model missing from the price table.
 */
export function costExpression(models: readonly string[]): string {
  if (models.length === 0) throw new Error("costExpression: no models to price");
  const priced = [...models].sort().map((m) => {
    const p = LLM_PRICES[m];
    if (!p) throw new Error(`costExpression: model ${m} is not in the price table`);
    return { model: m, input: milli(p.inputUsdPerMillionTokens), output: milli(p.outputUsdPerMillionTokens) };
  });
  const formula = (input: number, output: number) =>
    `(input_tokens * ${input}u + output_tokens * ${output}u + 999u) / 1000u`;
  const fallback = formula(Math.max(...priced.map((p) => p.input)), Math.max(...priced.map((p) => p.output)));
  return priced.reduceRight(
    (rest, p) => `model == ${JSON.stringify(p.model)} ? ${formula(p.input, p.output)} : ${rest}`,
    fallback,
  );
}

/** The BackendSecurityPolicy type and field of each key-authenticated schema (`Authorization` or `x-api-key`). */
const KEY_AUTH: Record<Exclude<LlmSchema, "AWSBedrock">, { type: string; field: string }> = {
  OpenAI: { type: "APIKey", field: "apiKey" },
  Anthropic: { type: "AnthropicAPIKey", field: "anthropicAPIKey" },
};

/** An ExternalSecret in the gateway's namespace reading one Vault key into one Secret key. */
function externalSecret(name: string, secretKey: string, vaultKey: string, property: string): GatewayObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace: GW.namespace, labels: LABELS },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: PLATFORM_ENDPOINTS.vaultSecretStore },
      target: { name, creationPolicy: "Owner", template: { metadata: { labels: LABELS } } },
      data: [{ secretKey, remoteRef: { key: vaultKey, property } }],
    },
  };
}

/**
 * How the gateway authenticates to one provider: the BackendSecurityPolicy and, where a secret is needed, the
 * ExternalSecret that reads it from Vault `platform/<env>/llm/<name>`.
 * - OpenAI, Anthropic: the API key (property `apiKey`), injected as `Authorization` or `x-api-key`.
 * - AWSBedrock with `podIdentity` (EKS): requests signed (SigV4) with the proxies' Pod Identity credentials,
 *   found by the default AWS credential chain; no secret at all.
 * - AWSBedrock without it (an existing cluster): an AWS shared credentials file (property `credentials`, a
 *   `[default]` profile), the only way the AI Gateway takes static AWS keys.
 */
function providerAuth(
  provider: LlmProviderConfig,
  environment: Environment,
  podIdentity: boolean,
): GatewayObject[] {
  const meta = { name: provider.name, namespace: GW.namespace, labels: LABELS };
  const secret = llmGatewayNames.providerSecret(provider.name);
  const vaultKey = `platform/${environment}/llm/${provider.name}`;
  const targetRefs = [{ group: "aigateway.envoyproxy.io", kind: "AIServiceBackend", name: provider.name }];
  if (provider.schema === "AWSBedrock") {
    const region = bedrockRegion(provider.host);
    if (region === undefined)
      throw new Error(`providerObjects: ${provider.host} is not a Bedrock runtime host`);
    const policy: GatewayObject = {
      apiVersion: AI_GROUP,
      kind: "BackendSecurityPolicy",
      metadata: meta,
      spec: {
        targetRefs,
        type: "AWSCredentials",
        awsCredentials: podIdentity
          ? { region }
          : { region, credentialsFile: { secretRef: { name: secret }, profile: "default" } },
      },
    };
    return podIdentity ? [policy] : [externalSecret(secret, "credentials", vaultKey, "credentials"), policy];
  }
  const auth = KEY_AUTH[provider.schema];
  return [
    externalSecret(secret, "apiKey", vaultKey, "apiKey"),
    {
      apiVersion: AI_GROUP,
      kind: "BackendSecurityPolicy",
      metadata: meta,
      spec: { targetRefs, type: auth.type, [auth.field]: { secretRef: { name: secret } } },
    },
  ];
}

/**
 * One provider: its Backend (the host on 443), the BackendTLSPolicy that verifies it against the system CAs,
 * the AIServiceBackend (API schema) and its authentication (`providerAuth`). Provider credentials stay in the
 * gateway's namespace.
 * @param podIdentity the cluster has EKS Pod Identity (Bedrock credentials come from it).
 */
export function providerObjects(
  provider: LlmProviderConfig,
  environment: Environment,
  podIdentity: boolean,
): GatewayObject[] {
  const meta = { name: provider.name, namespace: GW.namespace, labels: LABELS };
  return [
    {
      apiVersion: EG_GROUP,
      kind: "Backend",
      metadata: meta,
      spec: { endpoints: [{ fqdn: { hostname: provider.host, port: 443 } }] },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "BackendTLSPolicy",
      metadata: meta,
      spec: {
        targetRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: provider.name }],
        validation: { wellKnownCACertificates: "System", hostname: provider.host },
      },
    },
    {
      apiVersion: AI_GROUP,
      kind: "AIServiceBackend",
      metadata: meta,
      spec: {
        schema: { name: provider.schema },
        backendRef: { name: provider.name, kind: "Backend", group: "gateway.envoyproxy.io" },
      },
    },
    ...providerAuth(provider, environment, podIdentity),
  ];
}

/**
 * The Gateway agents call: its own GatewayClass, an EnvoyProxy that gives its Service a fixed name (the URL in
 * agents' environment), `replicas` proxies and their containers' requests (gateway/footprint.ts), a
 * GatewayConfig with the external processor's requests, and one HTTP listener for routes of its own namespace.
 * With `bedrockPodIdentity` the proxy pods carry an annotation saying so: EKS gives a pod its Pod Identity
 * credentials when the pod is created, so adding (or removing) Bedrock must roll the proxies, and a change of
 * their pod template is what rolls them.
 */
export function llmGatewayCoreObjects(replicas: number, bedrockPodIdentity = false): GatewayObject[] {
  return [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: llmGatewayNames.gatewayClass, labels: LABELS },
      spec: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" },
    },
    {
      apiVersion: EG_GROUP,
      kind: "EnvoyProxy",
      metadata: { name: llmGatewayNames.envoyProxy, namespace: GW.namespace, labels: LABELS },
      spec: {
        provider: {
          type: "Kubernetes",
          kubernetes: {
            envoyService: { name: GW.name, type: "ClusterIP" },
            // A fixed name (Envoy Gateway creates it) that a Bedrock Pod Identity association can bind.
            envoyServiceAccount: { name: GW.serviceAccount },
            envoyDeployment: {
              replicas,
              ...(bedrockPodIdentity
                ? { pod: { annotations: { [BEDROCK_CREDENTIALS_ANNOTATION]: "pod-identity" } } }
                : {}),
              container: { resources: resources(C.envoy, "1", "1Gi") },
              // Envoy Gateway has no field for the shutdown manager's resources: a strategic-merge patch of
              // the Deployment sets them, so the footprint's figure is what the pod requests.
              patch: shutdownManagerPatch(C.shutdownManager),
            },
          },
        },
      },
    },
    {
      // The AI Gateway's external processor in each proxy pod: its requests (GatewayConfig, referenced by the
      // Gateway's `aigateway.envoyproxy.io/gateway-config` annotation, same namespace).
      apiVersion: AI_GROUP,
      kind: "GatewayConfig",
      metadata: { name: llmGatewayNames.gatewayConfig, namespace: GW.namespace, labels: LABELS },
      spec: { extProc: { kubernetes: { resources: resources(C.extProc, "500m", "512Mi") } } },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: {
        name: llmGatewayNames.gateway,
        namespace: GW.namespace,
        labels: LABELS,
        annotations: { "aigateway.envoyproxy.io/gateway-config": llmGatewayNames.gatewayConfig },
      },
      spec: {
        gatewayClassName: llmGatewayNames.gatewayClass,
        infrastructure: {
          parametersRef: {
            group: "gateway.envoyproxy.io",
            kind: "EnvoyProxy",
            name: llmGatewayNames.envoyProxy,
          },
        },
        listeners: [
          { name: "http", protocol: "HTTP", port: GW.port, allowedRoutes: { namespaces: { from: "Same" } } },
        ],
      },
    },
  ];
}

/**
 * The one AIGatewayRoute: a rule per provider matching its models (the gateway sets `x-ai-eg-model` from the
 * request body) and the request costs: input, output and total tokens, and the CEL cost in micro-USD that the
 * budget rules charge.
 */
export function routeObject(gateway: LlmGatewayConfig): GatewayObject {
  const models = gateway.providers.flatMap((p) => p.models);
  return {
    apiVersion: AI_GROUP,
    kind: "AIGatewayRoute",
    metadata: { name: llmGatewayNames.route, namespace: GW.namespace, labels: LABELS },
    spec: {
      parentRefs: [{ name: llmGatewayNames.gateway, kind: "Gateway", group: "gateway.networking.k8s.io" }],
      rules: gateway.providers.map((p) => ({
        matches: p.models.map((model) => ({
          headers: [{ type: "Exact", name: "x-ai-eg-model", value: model }],
        })),
        backendRefs: [{ name: p.name }],
      })),
      llmRequestCosts: [
        { metadataKey: "llm_input_token", type: "InputToken" },
        { metadataKey: "llm_output_token", type: "OutputToken" },
        { metadataKey: "llm_total_token", type: "TotalToken" },
        { metadataKey: COST_METADATA_KEY, type: "CEL", cel: costExpression(models) },
      ],
    },
  };
}

/**
 * Agents' credentials: per agent an ExternalSecret reading its `LLM_API_KEY` from Vault `agents/<env>/<agent>`
 * (the same key its own namespace gets) into a Secret keyed by the agent's name, and one SecurityPolicy on the
 * Gateway that accepts those keys (from `Authorization: Bearer` as OpenAI SDKs send it, or `x-api-key` as
 * Anthropic SDKs do), strips them, and sets the agent's name in `x-agentops-agent`, overwriting anything the
 * client sent.
 */
export function clientObjects(agents: readonly AgentConfig[], environment: Environment): GatewayObject[] {
  const admitted = gatewayAgents(agents);
  const secrets = admitted.map((a) =>
    externalSecret(
      llmGatewayNames.clientSecret(a.name),
      a.name,
      `agents/${environment}/${a.name}`,
      "LLM_API_KEY",
    ),
  );
  if (admitted.length === 0) return [];
  return [
    ...secrets,
    {
      apiVersion: EG_GROUP,
      kind: "SecurityPolicy",
      metadata: { name: llmGatewayNames.securityPolicy, namespace: GW.namespace, labels: LABELS },
      spec: {
        targetRefs: gatewayTargetRefs(),
        apiKeyAuth: {
          credentialRefs: admitted.map((a) => ({
            group: "",
            kind: "Secret",
            name: llmGatewayNames.clientSecret(a.name),
          })),
          extractFrom: [{ headers: ["authorization"] }, { headers: ["x-api-key"] }],
          forwardClientIDHeader: GW.clientIdHeader,
          sanitize: true,
        },
      },
    },
  ];
}

/**
 * The monthly limits: one BackendTrafficPolicy on the Gateway with one global rule per admitted agent, selected
 * by the client-id header the SecurityPolicy set. Each rule checks the agent's bucket before the request (cost 0)
 * and charges the request's CEL cost after the response. Over the limit: HTTP 429.
 */
export function budgetPolicy(agents: readonly AgentConfig[]): GatewayObject | undefined {
  const admitted = gatewayAgents(agents);
  if (admitted.length === 0) return undefined;
  return {
    apiVersion: EG_GROUP,
    kind: "BackendTrafficPolicy",
    metadata: { name: llmGatewayNames.budgetPolicy, namespace: GW.namespace, labels: LABELS },
    spec: {
      targetRefs: gatewayTargetRefs(),
      rateLimit: {
        type: "Global",
        global: {
          rules: admitted.map((a) => ({
            clientSelectors: [{ headers: [{ name: GW.clientIdHeader, type: "Exact", value: a.name }] }],
            limit: { requests: monthlyLimitMicroUsd(a), unit: "Month" },
            shared: true,
            cost: {
              request: { from: "Number", number: 0 },
              response: {
                from: "Metadata",
                metadata: { namespace: COST_METADATA_NAMESPACE, key: COST_METADATA_KEY },
              },
            },
          })),
        },
      },
    },
  };
}

/** Where the counter store's AUTH token is kept in Vault (KV v2 mount `secret`), property `password`. */
export const counterStoreVaultKey = (environment: Environment) => `platform/${environment}/llm-gateway/store`;

/**
 * The PushSecret that copies the counter store's AUTH token from its Kubernetes Secret (which Pulumi fills from
 * the generated password) into Vault `platform/<env>/llm-gateway/store`, so the token is kept in Vault beside the
 * other platform secrets. Pushed again on every change (`Replace`); kept in Vault if the PushSecret goes (`None`).
 * The Vault policy of External Secrets must allow writing there (README, Vault).
 */
export function counterStoreAuthPushSecret(
  environment: Environment,
  secret: { name: string; key: string },
): GatewayObject {
  return {
    apiVersion: "external-secrets.io/v1alpha1",
    kind: "PushSecret",
    metadata: { name: secret.name, namespace: GW.namespace, labels: LABELS },
    spec: {
      refreshInterval: "1h",
      updatePolicy: "Replace",
      deletionPolicy: "None",
      secretStoreRefs: [{ kind: "ClusterSecretStore", name: PLATFORM_ENDPOINTS.vaultSecretStore }],
      selector: { secret: { name: secret.name } },
      data: [
        {
          match: {
            secretKey: secret.key,
            remoteRef: { remoteKey: counterStoreVaultKey(environment), property: "password" },
          },
        },
      ],
    },
  };
}

/** Every in-cluster object of the gateway for this stack, in the order they are declared. */
export function llmGatewayObjects(args: {
  gateway: LlmGatewayConfig;
  agents: readonly AgentConfig[];
  environment: Environment;
  replicas: number;
  /** The cluster has EKS Pod Identity: Bedrock providers use it. */
  podIdentity: boolean;
}): GatewayObject[] {
  const budgets = budgetPolicy(args.agents);
  return [
    ...llmGatewayCoreObjects(args.replicas, args.podIdentity && bedrockProviders(args.gateway).length > 0),
    ...args.gateway.providers.flatMap((p) => providerObjects(p, args.environment, args.podIdentity)),
    routeObject(args.gateway),
    ...clientObjects(args.agents, args.environment),
    ...(budgets ? [budgets] : []),
  ];
}
