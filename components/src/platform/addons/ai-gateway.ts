import { PLATFORM_ENDPOINTS } from "../../lib/contract";
import { CONTROLLER_REQUESTS } from "../../gateway/footprint";
import { controllerReplicas, resources, type AddonContext, type Values } from "../context";

/** The AI Gateway's CRDs (AIGatewayRoute, AIServiceBackend, BackendSecurityPolicy, …): nothing to set. */
export function aiGatewayCrdsValues(): Values {
  return {};
}

/**
 * The Envoy AI Gateway controller (ai-gateway-helm v1.1.0, defaults in ../shared/charts/ai-gateway-helm). It
 * maps the client-id header the gateway sets to the `agent` attribute of its GenAI metrics
 * (`controller.metricsRequestHeaderAttributes`, "header:label"), which the measured-spend rules group by.
 */
export function aiGatewayValues(ctx: AddonContext): Values {
  const ha = ctx.config.highAvailability;
  return {
    controller: {
      replicaCount: controllerReplicas(ctx),
      podDisruptionBudget: { enabled: ha, minAvailable: 1 },
      resources: resources(CONTROLLER_REQUESTS.cpu, CONTROLLER_REQUESTS.memory, "500m", "512Mi"),
      metricsRequestHeaderAttributes: `${PLATFORM_ENDPOINTS.llmGateway.clientIdHeader}:agent`,
    },
  };
}
