/**
 * What the opencost release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/opencost.ts builds the values from the same constants).
 */
import { container, ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const OPENCOST = container("opencost", "10m", "128Mi");

/** One exporter (the UI is off). */
export function openCostFootprint(_values: ChartValues): WorkloadFootprint[] {
  return [
    { name: "opencost", kind: "Deployment", replicas: 1, containers: [OPENCOST], placement: ON_SYSTEM_NODES },
  ];
}
