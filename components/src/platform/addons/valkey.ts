import { LLM_GATEWAY_CONTAINERS } from "../../model/footprints/llm-gateway";
import { resources, type AddonContext, type Values } from "../context";
export { VALKEY_RELEASE } from "../../model/footprints/valkey";

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
