import { VALKEY_REQUESTS } from "../../gateway/footprint";
import { resources, type AddonContext, type Values } from "../context";

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
    resources: resources(VALKEY_REQUESTS.cpu, VALKEY_REQUESTS.memory, "500m", "256Mi"),
    auth: {
      enabled: true,
      usersExistingSecret: auth?.name ?? "",
      aclUsers: { default: { permissions: "~* &* +@all", passwordKey: auth?.key ?? "password" } },
    },
  };
}
