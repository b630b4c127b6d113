import { LABELS, NODE_GROUPS } from "../../lib/contract";
import type { Placement, WorkloadFootprint } from "../../capacity/workloads";
import { container, resources, type AddonContext, type Values } from "../context";

const taint = NODE_GROUPS.gpu.taint;
const GPU_NODE = { [LABELS.nodeGroup]: NODE_GROUPS.gpu.label };
const REQUIRED_GPU_GROUP = [
  { key: LABELS.nodeGroup, operator: "In" as const, values: [NODE_GROUPS.gpu.label] },
];
const TOLERATIONS = [{ key: taint.key, operator: "Exists" as const, effect: taint.effect }];
const ON_GPU_NODES: Placement = {
  nodeSelector: GPU_NODE,
  required: [REQUIRED_GPU_GROUP],
  tolerations: TOLERATIONS,
};
/** `resources` applies to the plugin, the MPS daemon and its init container alike. */
const PLUGIN = container("nvidia-device-plugin-ctr", "10m", "32Mi");

/**
 * The plugin on every GPU node. The chart also renders the MPS control daemon, which selects nodes labelled
 * `nvidia.com/mps.capable=true` by GPU feature discovery; no node here has that label, so it runs nowhere.
 */
export function nvidiaDevicePluginFootprint(_values: Values): WorkloadFootprint[] {
  return [
    {
      name: "nvidia-device-plugin",
      kind: "DaemonSet",
      replicas: 1,
      containers: [PLUGIN],
      placement: ON_GPU_NODES,
    },
    {
      name: "nvidia-device-plugin-mps-control-daemon",
      kind: "DaemonSet",
      replicas: 1,
      containers: [{ ...PLUGIN, name: "mps-control-daemon-ctr" }],
      initContainers: [{ ...PLUGIN, name: "mps-control-daemon-mounts" }],
      placement: { ...ON_GPU_NODES, nodeSelector: { "nvidia.com/mps.capable": "true", ...GPU_NODE } },
    },
  ];
}

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
