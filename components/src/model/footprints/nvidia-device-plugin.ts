/**
 * What the nvidia-device-plugin release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/nvidia-device-plugin.ts builds the values from the same constants).
 */
import { LABELS, NODE_GROUPS } from "../../lib/contract";
import { container, type Placement, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const taint = NODE_GROUPS.gpu.taint;
export const GPU_NODE = { [LABELS.nodeGroup]: NODE_GROUPS.gpu.label };
export const REQUIRED_GPU_GROUP = [
  { key: LABELS.nodeGroup, operator: "In" as const, values: [NODE_GROUPS.gpu.label] },
];
export const TOLERATIONS = [{ key: taint.key, operator: "Exists" as const, effect: taint.effect }];
export const ON_GPU_NODES: Placement = {
  nodeSelector: GPU_NODE,
  required: [REQUIRED_GPU_GROUP],
  tolerations: TOLERATIONS,
};
/** `resources` applies to the plugin, the MPS daemon and its init container alike. */
export const PLUGIN = container("nvidia-device-plugin-ctr", "10m", "32Mi");

/**
 * The plugin on every GPU node. The chart also renders the MPS control daemon, which selects nodes labelled
 * `nvidia.com/mps.capable=true` by GPU feature discovery; no node here has that label, so it runs nowhere.
 */
export function nvidiaDevicePluginFootprint(_values: ChartValues): WorkloadFootprint[] {
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
