import type { WorkloadFootprint } from "../../capacity/workloads";
import {
  container,
  controllerReplicas,
  ON_SYSTEM_NODES,
  resources,
  type AddonContext,
  type Values,
} from "../context";

const METRICS_SERVER = container("metrics-server", "50m", "64Mi");

export function metricsServerFootprint(values: Values): WorkloadFootprint[] {
  return [
    {
      name: "metrics-server",
      kind: "Deployment",
      replicas: values.replicas,
      containers: [METRICS_SERVER],
      placement: ON_SYSTEM_NODES,
    },
  ];
}

/** metrics-server: what HorizontalPodAutoscalers read CPU and memory from. */
export function metricsServerValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  return {
    replicas,
    podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
    resources: resources(METRICS_SERVER, "200m", "256Mi"),
  };
}
