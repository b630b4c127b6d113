/**
 * What the dcgm-exporter release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/dcgm-exporter.ts builds the values from the same constants).
 */
import { LABELS, NODE_GROUPS } from "../../lib/contract";
import { container, type Placement, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const EXPORTER = container("exporter", "100m", "128Mi");
export const gpu = NODE_GROUPS.gpu;
export const ON_GPU_NODES: Placement = {
  nodeSelector: { [LABELS.nodeGroup]: gpu.label },
  tolerations: [{ key: gpu.taint.key, operator: "Exists", effect: gpu.taint.effect }],
};

/** One exporter per GPU node. */
export function dcgmExporterFootprint(_values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: "dcgm-exporter",
      kind: "DaemonSet",
      replicas: 1,
      containers: [EXPORTER],
      placement: ON_GPU_NODES,
    },
  ];
}
