import type { WorkloadFootprint } from "../../capacity/workloads";
import { LLM_GATEWAY_CONTAINERS } from "../../gateway/footprint";
import { ON_SYSTEM_NODES, resources, type AddonContext, type Values } from "../context";

/** Release name of the in-cluster counter store; the chart names its Service after it. */
export const VALKEY_RELEASE = "llm-gateway-store";

/**
 * Valkey (valkey 0.11.0, defaults in ../shared/charts/valkey): the LLM gateway's counter store on an existing
 * cluster. One primary without persistence: the counters are a month's spend, and a restart resets them (see
 * README, LLM gateway). ACL auth with the `default` user's password from the Secret Pulumi generates.
 */
export function valkeyValues(ctx: AddonContext): Values {
  const auth = ctx.counterStore?.authSecret;
  return {
    resources: resources(LLM_GATEWAY_CONTAINERS.valkey, "500m", "256Mi"),
    initResources: resources(LLM_GATEWAY_CONTAINERS.valkeyInit, "100m", "64Mi"),
    auth: {
      enabled: true,
      usersExistingSecret: auth?.name ?? "",
      aclUsers: { default: { permissions: "~* &* +@all", passwordKey: auth?.key ?? "password" } },
    },
  };
}

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
