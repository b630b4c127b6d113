/**
 * What the ai-gateway release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/ai-gateway.ts builds the values from the same constants).
 */
import { ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";
import { LLM_GATEWAY_CONTAINERS } from "./llm-gateway";

/** CRDs only: no pods. */
export function aiGatewayCrdsFootprint(): WorkloadFootprint[] {
  return [];
}

/**
 * The controller Deployment (the chart's `fullnameOverride`, `ai-gateway-controller`). The external processor
 * it injects into the LLM Gateway's proxy pods is counted with those pods (envoy-gateway's footprint).
 */
export function aiGatewayFootprint(values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: "ai-gateway-controller",
      kind: "Deployment",
      replicas: values.controller.replicaCount,
      containers: [LLM_GATEWAY_CONTAINERS.controller],
      placement: ON_SYSTEM_NODES,
    },
  ];
}
