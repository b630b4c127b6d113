/**
 * What the jaeger release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/jaeger.ts builds the values from the same constants).
 */
import { container, ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const JAEGER = container("jaeger", "100m", "256Mi");

/** One Jaeger pod (Badger is single-writer). */
export function jaegerFootprint(values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: "jaeger",
      kind: "Deployment",
      replicas: values.jaeger.replicas,
      containers: [JAEGER],
      placement: ON_SYSTEM_NODES,
    },
  ];
}
