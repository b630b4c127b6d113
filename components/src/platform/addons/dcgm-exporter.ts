import { LABELS, NODE_GROUPS } from "../../lib/contract";
import type { Placement, WorkloadFootprint } from "../../capacity/workloads";
import { container, resources, type AddonContext, type Values } from "../context";

const EXPORTER = container("exporter", "100m", "128Mi");
const gpu = NODE_GROUPS.gpu;
const ON_GPU_NODES: Placement = {
  nodeSelector: { [LABELS.nodeGroup]: gpu.label },
  tolerations: [{ key: gpu.taint.key, operator: "Exists", effect: gpu.taint.effect }],
};

/** One exporter per GPU node. */
export function dcgmExporterFootprint(_values: Values): WorkloadFootprint[] {
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

/**
 * NVIDIA's DCGM exporter: per-GPU utilisation and memory (`DCGM_FI_DEV_*`), for the resources dashboard and
 * the GPUIdle alert. A DaemonSet on GPU nodes only, tolerating their taint. It keeps the chart's security
 * context (root with SYS_ADMIN, which the profiling counters need, no privilege escalation), so it runs in the
 * privileged node-agents namespace. `honorLabels` keeps the namespace and pod of the workload holding each GPU
 * rather than the exporter's own.
 */
export function dcgmExporterValues(_ctx: AddonContext): Values {
  return {
    nodeSelector: ON_GPU_NODES.nodeSelector,
    tolerations: ON_GPU_NODES.tolerations,
    resources: resources(EXPORTER, "200m", "512Mi"),
    serviceMonitor: { enabled: true, honorLabels: true },
  };
}
