/**
 * What the valkey release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/valkey.ts builds the values from the same constants).
 */
import { ON_SYSTEM_NODES, type WorkloadFootprint } from "../capacity/workloads";
import { LLM_GATEWAY_CONTAINERS } from "./llm-gateway";

/** Release name of the in-cluster counter store; the chart names its Service after it. */
export const VALKEY_RELEASE = "llm-gateway-store";

/** One Valkey primary (`<release>-valkey`, replicas fixed at 1 by the chart) with its init script. */
export function valkeyFootprint(): WorkloadFootprint[] {
  return [
    {
      name: `${VALKEY_RELEASE}-valkey`,
      kind: "Deployment",
      replicas: 1,
      containers: [LLM_GATEWAY_CONTAINERS.valkey],
      initContainers: [LLM_GATEWAY_CONTAINERS.valkeyInit],
      placement: ON_SYSTEM_NODES,
    },
  ];
}
