import { resources, type AddonContext, type Values } from "../context";
import {
  GPU_NODE,
  REQUIRED_GPU_GROUP,
  TOLERATIONS,
  PLUGIN,
} from "../../model/footprints/nvidia-device-plugin";

/**
 * The NVIDIA device plugin, only on GPU nodes: it advertises `nvidia.com/gpu` to the scheduler. The chart's
 * default affinity expects Node Feature Discovery labels, which EKS GPU nodes do not carry without NFD, so the
 * affinity is replaced by the node group's own label.
 */
export function nvidiaDevicePluginValues(_ctx: AddonContext): Values {
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: REQUIRED_GPU_GROUP }],
        },
      },
    },
    nodeSelector: GPU_NODE,
    tolerations: TOLERATIONS,
    resources: resources(PLUGIN, "100m", "128Mi"),
    // The chart's default when neither CPU-manager compatibility nor SYS_ADMIN is needed, plus a read-only
    // root: the plugin writes only its socket, into the kubelet's device-plugins hostPath.
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    },
  };
}
