import { controllerReplicas, resources, type AddonContext, type Values } from "../context";

/** metrics-server: what HorizontalPodAutoscalers read CPU and memory from. */
export function metricsServerValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  return {
    replicas,
    podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
    resources: resources("50m", "64Mi", "200m", "256Mi"),
  };
}
