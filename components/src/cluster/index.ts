/**
 * The cluster: a new EKS cluster (`mode: eks`) or an existing one reached through a kubeconfig context
 * (`mode: existing`), behind one entry point that returns what the rest of the program needs.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig, Environment } from "../config";
import { EksCluster, type ClusterCapabilities } from "./eks-cluster";
import { ExistingCluster } from "./existing-cluster";

export * from "./eks-cluster";
export * from "./existing-cluster";
export * from "./iam";
export * from "./kubeconfig";
export * from "./network";
export * from "./node-groups";
export * from "../catalog/kubernetes";

export interface CreateClusterArgs {
  /** The validated `agentops:cluster`. */
  config: ClusterConfig;
  /** The stack's environment (`agentops:environment`). */
  environment: Environment;
  /** AWS region (`aws:region`); required for `mode: eks`, ignored otherwise. */
  region?: string;
  /**
   * EKS: the EBS CSI controller runs its snapshotter (VolumeSnapshots of EBS volumes: backups and restores).
   * @default false
   */
  volumeSnapshots?: boolean;
  /**
   * The stack's name (`pulumi.getStack()`, which the program passes: components read no runtime state): a stack
   * that is not its environment's own names its cloud resources after itself. @default the environment's names
   */
  stack?: string;
}

/** The cloud side of an EKS cluster, for the platform's AWS-backed add-ons. */
export interface ClusterCloud {
  region: string;
  clusterName: pulumi.Output<string>;
  /** Loki's S3 bucket; Loki's service account has a Pod Identity role for it. */
  lokiBucket: pulumi.Output<string>;
  /** Vault's auto-unseal KMS key; Vault's service account has a Pod Identity role for it. */
  vaultKmsKeyId: pulumi.Output<string>;
  accountId: pulumi.Output<string>;
  /** The VPC, its private subnets and the cluster security group (the nodes' group), for in-VPC services. */
  network: {
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string>[];
    clusterSecurityGroupId: pulumi.Output<string>;
    /** The VPC's CIDR when this stack makes the VPC; for an existing VPC, look it up (`aws.ec2.getVpc`). */
    vpcCidr?: string;
  };
  /** The External Secrets controller's Pod Identity role, for the data stores' extra grants. */
  externalSecretsRoleName: pulumi.Output<string>;
}

/** Stack outputs of an EKS cluster. */
export interface ClusterOutputs {
  clusterName: pulumi.Output<string>;
  endpoint: pulumi.Output<string>;
  /** Secret. */
  kubeconfig: pulumi.Output<string>;
  oidcIssuer: pulumi.Output<string | undefined>;
  nodeGroupNames: pulumi.Output<string[]>;
  vpcId: pulumi.Output<string>;
}

export interface ClusterHandle {
  /** The Kubernetes provider every in-cluster resource uses. */
  provider: k8s.Provider;
  capabilities: ClusterCapabilities;
  /** `mode: eks` only. */
  cloud?: ClusterCloud;
  /** `mode: eks` only. */
  outputs?: ClusterOutputs;
}

/**
 * Declares the cluster the configuration asks for.
 * @throws Error for `mode: eks` without a region (the stack config's validation reports that first).
 */
export function createCluster(
  name: string,
  args: CreateClusterArgs,
  opts?: pulumi.ComponentResourceOptions,
): ClusterHandle {
  const { config } = args;
  if (config.mode === "existing") {
    const existing = new ExistingCluster(name, { config }, opts);
    return { provider: existing.provider, capabilities: existing.capabilities };
  }
  if (args.region === undefined) throw new Error("aws:region is required for an EKS cluster");
  const eks = new EksCluster(
    name,
    {
      config,
      environment: args.environment,
      region: args.region,
      ...(args.volumeSnapshots ? { volumeSnapshots: true } : {}),
      ...(args.stack !== undefined ? { stack: args.stack } : {}),
    },
    opts,
  );
  const { cluster } = eks;
  return {
    provider: eks.provider,
    capabilities: eks.capabilities,
    cloud: {
      region: args.region,
      clusterName: eks.clusterName,
      lokiBucket: eks.lokiBucket.bucket,
      vaultKmsKeyId: eks.vaultKmsKey.keyId,
      accountId: eks.accountId,
      network: {
        vpcId: eks.network.vpcId,
        privateSubnetIds: eks.network.privateSubnetIds,
        clusterSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
        ...("vpcCidr" in config.network ? { vpcCidr: config.network.vpcCidr } : {}),
      },
      externalSecretsRoleName: eks.workloadRoles.externalSecrets.name,
    },
    outputs: {
      clusterName: eks.clusterName,
      endpoint: cluster.endpoint,
      kubeconfig: eks.kubeconfig,
      oidcIssuer: cluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer),
      nodeGroupNames: pulumi.all(
        Object.values(eks.nodeGroups).flatMap((groups) => groups.map((ng) => ng.nodeGroupName)),
      ),
      vpcId: pulumi.output(eks.network.vpcId),
    },
  };
}
