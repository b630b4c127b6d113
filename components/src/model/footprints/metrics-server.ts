/**
 * What the metrics-server release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/metrics-server.ts builds the values from the same constants).
 */
import { container, ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const METRICS_SERVER = container("metrics-server", "50m", "64Mi");

export function metricsServerFootprint(values: ChartValues): WorkloadFootprint[] {
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
