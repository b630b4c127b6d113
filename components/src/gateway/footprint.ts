/**
 * What the LLM gateway runs, as data, for the cost model and the capacity plan: its pods (requests and
 * replicas) and its counter store. One place, read by whoever prices or packs the platform.
 */
import type { PlatformConfig } from "../config";
import { PLATFORM_NAMESPACES } from "../lib/contract";
import { ELASTICACHE_ENGINE } from "./counter-store";

/** One kind of pod the gateway adds, with its per-pod requests. */
export interface GatewayPods {
  /** What runs: `envoy-proxy` (the LLM Gateway's proxies, with the AI Gateway's ext_proc sidecar), `ai-gateway-controller`, `counter-store`. */
  role: string;
  namespace: string;
  replicas: number;
  /** Per pod, Kubernetes quantities. */
  requests: { cpu: string; memory: string };
}

export interface LlmGatewayFootprint {
  pods: GatewayPods[];
  /** ElastiCache on EKS (billed per node-hour); the Valkey pod on an existing cluster (in `pods`). */
  store:
    | { kind: "elasticache"; engine: string; nodeType: string; nodes: number }
    | { kind: "valkey"; inCluster: true };
}

/** Proxy replicas of the LLM Gateway: two when the platform is highly available. */
export function llmGatewayReplicas(config: PlatformConfig): number {
  return config.highAvailability ? 2 : 1;
}

/** Requests of one Envoy proxy pod of the LLM Gateway (set on its EnvoyProxy). */
export const PROXY_REQUESTS = { cpu: "100m", memory: "256Mi" } as const;
/** Requests of the AI Gateway controller (its chart values). */
export const CONTROLLER_REQUESTS = { cpu: "100m", memory: "128Mi" } as const;
/** Requests of the in-cluster Valkey store (its chart values). */
export const VALKEY_REQUESTS = { cpu: "50m", memory: "64Mi" } as const;

/**
 * The gateway's pods and store for this platform configuration, or undefined when the gateway is off.
 * `eks`: the store is ElastiCache (else the Valkey chart). The ext_proc sidecar the AI Gateway injects into each
 * proxy pod is not counted: its requests are set by the controller, not by this project.
 */
export function llmGatewayFootprint(config: PlatformConfig, eks: boolean): LlmGatewayFootprint | undefined {
  if (!config.llmGateway.enabled) return undefined;
  const ns = { gateway: PLATFORM_NAMESPACES.gateway, ai: PLATFORM_NAMESPACES.aiGateway };
  const pods: GatewayPods[] = [
    {
      role: "envoy-proxy",
      namespace: ns.gateway,
      replicas: llmGatewayReplicas(config),
      requests: PROXY_REQUESTS,
    },
    {
      role: "ai-gateway-controller",
      namespace: ns.ai,
      replicas: llmGatewayReplicas(config),
      requests: CONTROLLER_REQUESTS,
    },
  ];
  if (!eks) {
    pods.push({ role: "counter-store", namespace: ns.gateway, replicas: 1, requests: VALKEY_REQUESTS });
    return { pods, store: { kind: "valkey", inCluster: true } };
  }
  const store = config.llmGateway.store;
  return {
    pods,
    store: {
      kind: "elasticache",
      engine: ELASTICACHE_ENGINE.engine,
      nodeType: store.nodeType,
      nodes: store.multiAz ? 2 : 1,
    },
  };
}
