/**
 * The managed node groups as pure data: what each group runs on, who may schedule there, and what the
 * cluster autoscaler needs to scale it from zero.
 */
import type { EksClusterConfig } from "../config";
import { LABELS, NODE_GROUPS } from "../lib/contract";
import { gpusPerNode } from "../catalog/kubernetes";

export type ClusterNodeGroup = keyof typeof NODE_GROUPS;
export const NODE_GROUP_NAMES = Object.keys(NODE_GROUPS) as ClusterNodeGroup[];

/** How EKS spells a Kubernetes taint effect. */
const EKS_TAINT_EFFECT = {
  NoSchedule: "NO_SCHEDULE",
  NoExecute: "NO_EXECUTE",
  PreferNoSchedule: "PREFER_NO_SCHEDULE",
} as const;

/** Labels NVIDIA's device plugin and GPU feature discovery select GPU nodes by. */
export const GPU_NODE_LABELS = { "nvidia.com/gpu.present": "true" } as const;

/** EKS sets this label on every managed node; the autoscaler must know it before a node exists. */
const CAPACITY_TYPE_LABEL = "eks.amazonaws.com/capacityType";

/** Root volume device of the AL2023 EKS AMIs (standard and NVIDIA). */
export const ROOT_DEVICE = "/dev/xvda";

/**
 * IMDS hop limit 1: a pod's network namespace is one hop further than the node, so pods cannot reach the
 * instance metadata service and the node role's credentials. Nothing in-cluster needs IMDS from a pod:
 * AWS credentials come from EKS Pod Identity (a link-local agent, not IMDS), and the components that do
 * read IMDS (aws-node, kube-proxy, the Pod Identity agent, the EBS CSI node plugin) run on the host network.
 */
export const IMDS_HOP_LIMIT = 1;

export interface NodeGroupSpec {
  group: ClusterNodeGroup;
  capacityType: "ON_DEMAND" | "SPOT";
  amiType: "AL2023_x86_64_STANDARD" | "AL2023_x86_64_NVIDIA";
  instanceTypes: string[];
  scaling: { minSize: number; desiredSize: number; maxSize: number };
  diskSizeGiB: number;
  labels: Record<string, string>;
  /** In EKS's spelling (`NO_SCHEDULE`). */
  taints: { key: string; value: string; effect: "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE" }[];
  /**
   * Cluster autoscaler tags: auto-discovery, plus the node template (labels, taints, GPUs) it cannot read
   * from a group with no nodes. They go on the node group and on its Auto Scaling group, where the
   * autoscaler reads them (EKS does not copy node group tags to the Auto Scaling group).
   */
  autoscalerTags: Record<string, string>;
}

/** The spec of one node group from its validated config. Pure. */
export function nodeGroupSpec(
  group: ClusterNodeGroup,
  config: EksClusterConfig["nodeGroups"][ClusterNodeGroup],
  clusterName: string,
): NodeGroupSpec {
  const capacityType = group === "spot" ? "SPOT" : "ON_DEMAND";
  const labels: Record<string, string> = {
    [LABELS.nodeGroup]: NODE_GROUPS[group].label,
    ...(group === "gpu" ? GPU_NODE_LABELS : {}),
  };
  const taint = NODE_GROUPS[group].taint;
  const taints = taint
    ? [{ key: taint.key, value: taint.value, effect: EKS_TAINT_EFFECT[taint.effect] }]
    : [];

  const template = "k8s.io/cluster-autoscaler/node-template";
  const autoscalerTags: Record<string, string> = {
    "k8s.io/cluster-autoscaler/enabled": "true",
    [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
    [`${template}/label/${CAPACITY_TYPE_LABEL}`]: capacityType,
    ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${template}/label/${k}`, v])),
    ...(taint ? { [`${template}/taint/${taint.key}`]: `${taint.value}:${taint.effect}` } : {}),
  };
  if (group === "gpu") {
    // The fewest GPUs any listed type has: the autoscaler never promises a pod more than a node brings.
    const gpus = Math.min(...config.instanceTypes.map((t) => gpusPerNode(t) ?? 1));
    autoscalerTags[`${template}/resources/nvidia.com/gpu`] = String(gpus);
  }

  return {
    group,
    capacityType,
    amiType: group === "gpu" ? "AL2023_x86_64_NVIDIA" : "AL2023_x86_64_STANDARD",
    instanceTypes: [...config.instanceTypes],
    scaling: { minSize: config.minSize, desiredSize: config.desiredSize, maxSize: config.maxSize },
    diskSizeGiB: config.diskSizeGiB,
    labels,
    taints,
    autoscalerTags,
  };
}

/** Launch template inputs: IMDSv2 only, and an encrypted gp3 root volume. Pure. */
export function launchTemplateSpec(diskSizeGiB: number) {
  return {
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: IMDS_HOP_LIMIT,
      instanceMetadataTags: "disabled",
    },
    blockDeviceMappings: [
      {
        deviceName: ROOT_DEVICE,
        ebs: {
          volumeSize: diskSizeGiB,
          volumeType: "gp3",
          encrypted: "true",
          deleteOnTermination: "true",
        },
      },
    ],
  };
}

/**
 * The sizes of one group split over its zonal node groups (one per availability zone: see eks-cluster.ts), as
 * evenly as whole nodes allow, the first zones taking the remainder: the zonal groups' sizes add up to the
 * configured ones, which stay the group's totals (`minSize` 2 over 3 zones: 1, 1, 0). Each zonal group keeps
 * `minSize <= desiredSize <= maxSize` and a `maxSize` of at least 1 (EKS refuses 0; the configuration asks
 * for a `maxSize` of at least the number of zones). Pure.
 */
export function zonalScaling(scaling: NodeGroupSpec["scaling"], zones: number): NodeGroupSpec["scaling"][] {
  const split = (total: number, i: number) => Math.floor(total / zones) + (i < total % zones ? 1 : 0);
  return Array.from({ length: zones }, (_, i) => ({
    minSize: split(scaling.minSize, i),
    desiredSize: split(scaling.desiredSize, i),
    maxSize: Math.max(1, split(scaling.maxSize, i)),
  }));
}

/**
 * The suffix that tells a zonal node group's names apart: the zone's letter (`us-east-1a` in `us-east-1`:
 * `a`), or, for an existing VPC's subnets, whose zones the stack does not know, the subnet's position from 1.
 */
export function zoneSuffix(zone: string | undefined, region: string, index: number): string {
  if (zone !== undefined && zone.startsWith(region) && zone.length > region.length) {
    return zone.slice(region.length);
  }
  return String(index + 1);
}
