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
      // Each node group is one managed node group per zone (cluster/eks-cluster.ts): balancing keeps the zonal
      // groups of one group within a node of each other on scale-up, and a pod whose volume is in one zone
      // scales that zone's group (cluster-autoscaler FAQ, "I'm running cluster with nodes in multiple zones for
      // HA purposes"; cloudprovider/aws/README.md, Common Notes and Gotchas). The groups differ only in the
      // zone and EKS's `eks.amazonaws.com/nodegroup` label, which the AWS provider ignores when comparing.
      "balance-similar-node-groups": true,
      // `skip-nodes-with-local-storage` stays at its default (true): agents' pods say which of their local
      // volumes may go (agents/objects.ts AUTOSCALER_ANNOTATIONS), and the platform's pods are not evicted
      // with data they keep in an emptyDir.
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
