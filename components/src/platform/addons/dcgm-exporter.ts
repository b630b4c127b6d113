import { resources, type AddonContext, type Values } from "../context";
import { EXPORTER, ON_GPU_NODES } from "../../model/footprints/dcgm-exporter";

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
