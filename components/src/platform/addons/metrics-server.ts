import { controllerReplicas, resources, type AddonContext, type Values } from "../context";
import { METRICS_SERVER } from "../../model/footprints/metrics-server";

/** metrics-server: what HorizontalPodAutoscalers read CPU and memory from. */
export function metricsServerValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  return {
    replicas,
    podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
    resources: resources(METRICS_SERVER, "200m", "256Mi"),
  };
}
