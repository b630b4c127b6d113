import { LABELS, NODE_GROUPS } from "../../lib/contract";
import { resources, type AddonContext, type Values } from "../context";

/**
 * NVIDIA's DCGM exporter: per-GPU utilisation and memory (`DCGM_FI_DEV_*`), for the resources dashboard and
 * the GPUIdle alert. A DaemonSet on GPU nodes only, tolerating their taint. It keeps the chart's security
 * context (root with SYS_ADMIN, which the profiling counters need, no privilege escalation), so it runs in the
 * privileged node-agents namespace. `honorLabels` keeps the namespace and pod of the workload holding each GPU
 * rather than the exporter's own.
 */
export function dcgmExporterValues(_ctx: AddonContext): Values {
  const gpu = NODE_GROUPS.gpu;
  return {
    nodeSelector: { [LABELS.nodeGroup]: gpu.label },
    tolerations: [{ key: gpu.taint.key, operator: "Exists", effect: gpu.taint.effect }],
    resources: resources("100m", "128Mi", "200m", "512Mi"),
    serviceMonitor: { enabled: true, honorLabels: true },
  };
}
