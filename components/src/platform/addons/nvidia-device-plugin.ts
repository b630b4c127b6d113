import { LABELS, NODE_GROUPS } from "../../lib/contract";
import { resources, type AddonContext, type Values } from "../context";

/**
 * The NVIDIA device plugin, only on GPU nodes: it advertises `nvidia.com/gpu` to the scheduler. The chart's
 * default affinity expects Node Feature Discovery labels, which EKS GPU nodes do not carry without NFD, so the
 * affinity is replaced by the node group's own label.
 */
export function nvidiaDevicePluginValues(_ctx: AddonContext): Values {
  const taint = NODE_GROUPS.gpu.taint;
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [{ key: LABELS.nodeGroup, operator: "In", values: [NODE_GROUPS.gpu.label] }],
            },
          ],
        },
      },
    },
    nodeSelector: { [LABELS.nodeGroup]: NODE_GROUPS.gpu.label },
    tolerations: [{ key: taint.key, operator: "Exists", effect: taint.effect }],
    resources: resources("10m", "32Mi", "100m", "128Mi"),
    // The chart's default when neither CPU-manager compatibility nor SYS_ADMIN is needed, plus a read-only
    // root: the plugin writes only its socket, into the kubelet's device-plugins hostPath.
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    },
  };
}
