import { controllerReplicas, resources, type AddonContext, type Values } from "../context";

/**
 * Envoy Gateway (Gateway API). No defaults of this chart are kept in ../shared/charts, so its values are not
 * key-checked; they are kept to the few documented top-level keys.
 */
export function gatewayValues(ctx: AddonContext): Values {
  return {
    deployment: {
      replicas: controllerReplicas(ctx),
      envoyGateway: { resources: resources("100m", "256Mi", "500m", "1Gi") },
    },
    podDisruptionBudget: { minAvailable: ctx.config.highAvailability ? 1 : 0 },
  };
}
