/**
 * What the cluster-autoscaler release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/cluster-autoscaler.ts builds the values from the same constants).
 */
import { container, ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const AUTOSCALER = container("aws-cluster-autoscaler", "50m", "128Mi");

/** The chart's one Deployment (replicaCount 1, the chart's default: one active autoscaler per cluster). */
export function clusterAutoscalerFootprint(_values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: "cluster-autoscaler-aws-cluster-autoscaler",
      kind: "Deployment",
      replicas: 1,
      containers: [AUTOSCALER],
      placement: ON_SYSTEM_NODES,
    },
  ];
}
