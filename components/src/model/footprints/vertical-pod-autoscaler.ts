/**
 * What the vertical-pod-autoscaler release runs: the recommender only (the platform runs VPA in recommendation
 * mode, `updateMode: "Off"`, so neither the updater nor the admission controller, nor the admission
 * controller's certgen hook Jobs, is rendered). Names as the chart (0.11.0, VPA 1.7.1) renders them for the
 * release `vertical-pod-autoscaler`; platform/addons/vertical-pod-autoscaler.ts builds the values from the same
 * constant.
 */
import { container, ON_SYSTEM_NODES, type ChartValues, type WorkloadFootprint } from "../capacity/workloads";

export const VPA_RECOMMENDER = container("recommender", "50m", "256Mi");

export function verticalPodAutoscalerFootprint(values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: "vertical-pod-autoscaler-recommender",
      kind: "Deployment",
      replicas: values.recommender.replicas,
      containers: [VPA_RECOMMENDER],
      placement: ON_SYSTEM_NODES,
    },
  ];
}
