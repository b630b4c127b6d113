import { LLM_GATEWAY_CONTAINERS, llmGatewayReplicas } from "../../model/footprints/llm-gateway";
import { PLATFORM_NAMESPACES } from "../../lib/contract";
import { controllerReplicas, resources, type AddonContext, type Values } from "../context";
import { ENVOY_GATEWAY_CONTAINERS as C } from "../../model/footprints/gateway";

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
