import { PLATFORM_ENDPOINTS } from "../../lib/contract";
import { LLM_GATEWAY_CONTAINERS } from "../../model/footprints/llm-gateway";
import {
  controllerReplicas,
  resources,
  RESTRICTED_CONTAINER,
  type AddonContext,
  type Values,
} from "../context";

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
      resources: resources(LLM_GATEWAY_CONTAINERS.controller, "500m", "512Mi"),
      metricsRequestHeaderAttributes: `${PLATFORM_ENDPOINTS.llmGateway.clientIdHeader}:agent`,
      // The chart's own context (user 65532, no privilege) plus a read-only root: the controller writes
      // nothing but reads its webhook certificate from a mounted Secret.
      securityContext: { ...RESTRICTED_CONTAINER, privileged: false, runAsUser: 65532, runAsGroup: 65532 },
    },
  };
}
