import type { WorkloadFootprint } from "../../capacity/workloads";
import {
  LLM_GATEWAY_CONTAINERS,
  llmGatewayOperatedFootprint,
  llmGatewayReplicas,
} from "../../gateway/footprint";
import { PLATFORM_NAMESPACES } from "../../lib/contract";
import {
  container,
  controllerReplicas,
  ON_SYSTEM_NODES,
  resources,
  type AddonContext,
  type Values,
} from "../context";

const C = {
  controller: container("envoy-gateway", "100m", "256Mi"),
  certgen: container("envoy-gateway-certgen", "10m", "32Mi"),
};

/**
 * The controller and its certgen hook; with the LLM gateway, the rate-limit service and the LLM Gateway's proxy
 * pods the controller creates (gateway/footprint.ts). The proxy pods of the public Gateway (only with
 * `certManager.acmeEmail`) are not counted.
 */
export function gatewayFootprint(values: Values): WorkloadFootprint[] {
  return [
    {
      name: "envoy-gateway",
      kind: "Deployment",
      replicas: values.deployment.replicas,
      containers: [C.controller],
      placement: ON_SYSTEM_NODES,
    },
    {
      name: "envoy-gateway-gateway-helm-certgen",
      kind: "Job",
      replicas: 1,
      containers: [C.certgen],
      placement: ON_SYSTEM_NODES,
      hook: true,
    },
    ...llmGatewayOperatedFootprint(values),
  ];
}

/**
 * Envoy Gateway's own configuration for the LLM gateway: the values of envoyproxy/ai-gateway
 * `manifests/envoy-gateway-values.yaml` (tag v1.1.0) — Backend and EnvoyPatchPolicy APIs, the extension manager
 * hooks that hand translation to the AI Gateway controller — plus global rate limiting on the counter store
 * (examples/token_ratelimit/envoy-gateway-values-addon.yaml): Redis protocol, TLS where the store speaks it,
 * the AUTH password as `REDIS_AUTH` of the rate-limit container (envoyproxy/ratelimit reads it; Envoy Gateway
 * has no field for it), and `failClosed` (EnvoyGateway `rateLimit.failClosed`: 500 while the service cannot
 * answer).
 */
function llmGatewayConfig(ctx: AddonContext): Values {
  const store = ctx.counterStore;
  if (!store) throw new Error("envoy-gateway: the LLM gateway is enabled but no counter store was given");
  return {
    gateway: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" },
    logging: { level: { default: "info" } },
    provider: {
      type: "Kubernetes",
      kubernetes: {
        rateLimitDeployment: {
          replicas: llmGatewayReplicas(ctx.config),
          container: {
            resources: resources(LLM_GATEWAY_CONTAINERS.rateLimit, "500m", "256Mi"),
            env: [
              {
                name: "REDIS_AUTH",
                valueFrom: { secretKeyRef: { name: store.authSecret.name, key: store.authSecret.key } },
              },
              // The health check fails while the store is unreachable: the CounterStoreDown alert sees it.
              { name: "REDIS_HEALTH_CHECK_ACTIVE_CONNECTION", value: "true" },
            ],
          },
        },
      },
    },
    extensionApis: { enableEnvoyPatchPolicy: true, enableBackend: true },
    extensionManager: {
      hooks: {
        xdsTranslator: {
          translation: {
            listener: { includeAll: true },
            route: { includeAll: true },
            cluster: { includeAll: true },
            secret: { includeAll: true },
          },
          post: ["Translation", "Cluster", "Route"],
        },
      },
      service: {
        fqdn: {
          hostname: `ai-gateway-controller.${PLATFORM_NAMESPACES.aiGateway}.svc.cluster.local`,
          port: 1063,
        },
      },
    },
    rateLimit: {
      backend: { type: "Redis", redis: { url: store.url, ...(store.tls ? { tls: {} } : {}) } },
      failClosed: ctx.config.llmGateway.failClosed,
    },
  };
}

/**
 * Envoy Gateway (Gateway API; gateway-helm v1.8.2, defaults in ../shared/charts/gateway-helm). With the LLM
 * gateway enabled, `config.envoyGateway` carries its extension and rate-limit settings (above).
 */
export function gatewayValues(ctx: AddonContext): Values {
  return {
    deployment: {
      replicas: controllerReplicas(ctx),
      envoyGateway: { resources: resources(C.controller, "500m", "1Gi") },
    },
    certgen: { job: { resources: resources(C.certgen, "100m", "64Mi") } },
    podDisruptionBudget: { minAvailable: ctx.config.highAvailability ? 1 : 0 },
    ...(ctx.config.llmGateway.enabled ? { config: { envoyGateway: llmGatewayConfig(ctx) } } : {}),
  };
}
