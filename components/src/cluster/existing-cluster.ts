/**
 * ExistingCluster: a cluster made elsewhere (kind, k3s, an EKS cluster of another stack), reached through a
 * kubeconfig context. Registers no cloud resource: only the Kubernetes provider.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ExistingClusterConfig } from "../config";
import { childName } from "../lib/names";
import { KUBERNETES_PROVIDER_DAY2, type ClusterCapabilities } from "./eks-cluster";

export interface ExistingClusterArgs {
  /** The validated `agentops:cluster` (`mode: existing`). */
  config: ExistingClusterConfig;
}

/**
 * Nothing is known about such a cluster's nodes or cloud identity, so agents place no pods on spot or GPU
 * node groups (GPU pods keep their GPU requests) and the platform uses no Pod Identity.
 */
export const EXISTING_CLUSTER_CAPABILITIES: ClusterCapabilities = {
  spotNodeGroup: false,
  gpuNodeGroup: false,
  podIdentity: false,
};

export class ExistingCluster extends pulumi.ComponentResource {
  public readonly provider: k8s.Provider;
  public readonly capabilities = EXISTING_CLUSTER_CAPABILITIES;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agentops:cluster:ExistingCluster", name, {}, opts);
    const { context, kubeconfig } = args.config;
    this.provider = new k8s.Provider(
      childName(name, "k8s"),
      // `kubeconfig` takes a path or the file's contents; unset, the provider reads KUBECONFIG or ~/.kube/config.
      { context, ...(kubeconfig !== undefined ? { kubeconfig } : {}), ...KUBERNETES_PROVIDER_DAY2 },
      { parent: this },
    );
    this.registerOutputs({ context });
  }
}
