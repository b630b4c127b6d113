import { WORKLOAD_IDENTITIES } from "../../lib/contract";
import { resources, type AddonContext, type Values } from "../context";
import { AUTOSCALER } from "../../model/footprints/cluster-autoscaler";

/**
 * cluster-autoscaler rather than Karpenter: the cluster's capacity is three EKS managed node groups whose
 * shapes the stack files pin, and the autoscaler scales exactly those (from zero too, reading labels and
 * taints from the node groups' `node-template` tags). Karpenter would replace the node groups with its own
 * NodePools and a controller that must run outside the nodes it manages.
 */
export function clusterAutoscalerValues(ctx: AddonContext): Values {
  const cloud = ctx.cluster.cloud;
  if (!cloud) throw new Error("cluster-autoscaler needs an EKS cluster (cluster.mode: eks)");
  return {
    cloudProvider: "aws",
    awsRegion: cloud.region,
    autoDiscovery: { clusterName: cloud.clusterName },
    rbac: { serviceAccount: { create: true, name: WORKLOAD_IDENTITIES.clusterAutoscaler.serviceAccount } },
    extraArgs: {
      "balance-similar-node-groups": true,
      "skip-nodes-with-system-pods": false,
      expander: "least-waste",
      "scale-down-unneeded-time": "10m",
    },
    resources: resources(AUTOSCALER, "200m", "512Mi"),
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
  };
}
