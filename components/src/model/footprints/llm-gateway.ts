/**
 * What the LLM gateway's pods request, as footprint containers: the one place these requests are written. The
 * values builders (envoy-gateway, ai-gateway, valkey) and the gateway's EnvoyProxy and GatewayConfig objects set
 * them from here, and the registry's footprints declare them, so the capacity plan and the cost model count what
 * the cluster runs. The counter store on EKS (ElastiCache) is no pod: the cost model prices its
 * ReplicationGroup's nodes (cost/stack.ts).
 */
import { container, ON_SYSTEM_NODES, type ChartValues, type WorkloadFootprint } from "../capacity/workloads";
import type { PlatformConfig } from "../../config/platform";
import { PLATFORM_ENDPOINTS } from "../../lib/contract";

/**
 * Requests of the gateway's containers. Names are those of the pods as created: Envoy Gateway names the proxy
 * containers `envoy` and `shutdown-manager` and the rate-limit container `envoy-ratelimit`; the AI Gateway's
 * mutating webhook adds `ai-gateway-extproc` to each proxy pod; the charts name theirs after the chart or
 * release (rendered: ai-gateway-helm v1.1.0, valkey 0.11.0).
 */
export const LLM_GATEWAY_CONTAINERS = {
  /** The Envoy proxy of the LLM Gateway (EnvoyProxy `envoyDeployment.container`). */
  envoy: container("envoy", "100m", "256Mi"),
  /** Envoy Gateway's drain helper beside each proxy (set through the EnvoyProxy's deployment patch). */
  shutdownManager: container("shutdown-manager", "10m", "32Mi"),
  /** The AI Gateway's external processor in each proxy pod (GatewayConfig `extProc.kubernetes.resources`). */
  extProc: container("ai-gateway-extproc", "100m", "128Mi"),
  /** Envoy Gateway's global rate-limit service (EnvoyGateway `rateLimitDeployment.container`). */
  rateLimit: container("envoy-ratelimit", "50m", "64Mi"),
  /** The AI Gateway controller (ai-gateway-helm `controller.resources`). */
  controller: container("ai-gateway-helm", "100m", "128Mi"),
  /** In-cluster Valkey counter store (valkey chart `resources`). */
  valkey: container("llm-gateway-store-valkey", "50m", "64Mi"),
  /** Its init script (valkey chart `initResources`). */
  valkeyInit: container("llm-gateway-store-valkey-init", "10m", "16Mi"),
} as const;

/**
 * Replicas of the LLM Gateway's proxies and of the rate-limit service: two when the platform is highly
 * available. Both are created by Envoy Gateway, the proxies from the EnvoyProxy, the rate-limit service from
 * Envoy Gateway's `rateLimitDeployment` values, which is where the footprint reads the count back.
 */
export function llmGatewayReplicas(config: PlatformConfig): number {
  return config.highAvailability ? 2 : 1;
}

const GW = PLATFORM_ENDPOINTS.llmGateway;

/**
 * The pods Envoy Gateway creates for the LLM gateway, from its release's values (present when
 * `config.envoyGateway.rateLimit` is): the rate-limit Deployment `envoy-ratelimit` and the proxies of the
 * `llm-gateway` Gateway (Envoy Gateway names that Deployment `envoy-<namespace>-<gateway>-<hash>`; the hash is
 * left out here). Both are `operated`: no chart template renders them. Replicas: the rate-limit Deployment's,
 * which {@link llmGatewayReplicas} sets for both.
 */
export function llmGatewayOperatedFootprint(values: ChartValues): WorkloadFootprint[] {
  const kubernetes = values.config?.envoyGateway?.provider?.kubernetes;
  if (values.config?.envoyGateway?.rateLimit === undefined || kubernetes?.rateLimitDeployment === undefined) {
    return [];
  }
  const replicas = Number(kubernetes.rateLimitDeployment.replicas ?? 1);
  const C = LLM_GATEWAY_CONTAINERS;
  return [
    {
      name: "envoy-ratelimit",
      kind: "Deployment",
      replicas,
      containers: [C.rateLimit],
      placement: ON_SYSTEM_NODES,
      operated: true,
    },
    {
      name: `envoy-${GW.namespace}-${GW.name}`,
      kind: "Deployment",
      replicas,
      // ai-gateway-extproc runs as a sidecar for the pod's whole life, so its requests add to the pod's.
      containers: [C.envoy, C.shutdownManager, C.extProc],
      placement: ON_SYSTEM_NODES,
      operated: true,
    },
  ];
}
