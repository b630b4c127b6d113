import type * as pulumi from "@pulumi/pulumi";
import type { ChartValues } from "../model/capacity/workloads";
export { container, ON_SYSTEM_NODES, resources } from "../model/capacity/workloads";
import type { Environment, PlatformConfig } from "../config";

/**
 * What the cluster tells the platform: its node groups, and its cloud side when it is on EKS. The cluster
 * handle `createCluster` returns fits this shape as it is.
 */
export interface PlatformCluster {
  capabilities: {
    /** A spot node group exists (the log collector tolerates its taint). */
    spotNodeGroup: boolean;
    /** A GPU node group exists: the NVIDIA device plugin is installed. */
    gpuNodeGroup: boolean;
    /** EKS Pod Identity is available: the AWS Secrets Manager store is declared. */
    podIdentity: boolean;
  };
  /**
   * Present on EKS: region, cluster name (cluster-autoscaler's auto-discovery), Loki's bucket, Vault's unseal
   * key and the account. Absent on an existing cluster: no autoscaler, no KMS unseal, no S3 for Loki.
   * @default undefined
   */
  cloud?: {
    region: string;
    clusterName: pulumi.Input<string>;
    lokiBucket: pulumi.Input<string>;
    vaultKmsKeyId: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    /**
     * Where the LLM gateway's ElastiCache counter store goes: the VPC, its private subnets and the cluster
     * security group (which the nodes carry). @default undefined: no ElastiCache store can be declared
     */
    network?: {
      vpcId: pulumi.Input<string>;
      privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
      clusterSecurityGroupId: pulumi.Input<string>;
    };
  };
}

/**
 * The LLM gateway's counter store as Envoy Gateway's rate-limit service reaches it: `host:port`, whether it
 * speaks TLS, and the Secret (in Envoy Gateway's namespace) holding its AUTH password under `key`.
 */
export interface CounterStore {
  url: pulumi.Input<string>;
  tls: boolean;
  authSecret: { name: string; key: string };
}

/** Everything a values builder may read. Builders are pure: same context, same values. */
export interface AddonContext {
  environment: Environment;
  config: PlatformConfig;
  cluster: PlatformCluster;
  /** Present when `config.llmGateway.enabled`: the store the gateway's monthly limits count in. @default undefined */
  counterStore?: CounterStore;
  /** What the data stores need of the platform (PlatformArgs `storage`). @default neither */
  storage?: PlatformStorage;
  /**
   * The KEDA operator reads SQS queue lengths with EKS Pod Identity (an agent scales on an SQS queue with
   * `credentials.from: podIdentity`): its pods carry an annotation saying so. @default false
   */
  kedaPodIdentity?: boolean;
}

/** The operators the data stores and volume backups need. */
export interface PlatformStorage {
  /** The CSI snapshot controller and VolumeSnapshot CRDs: volume backups or restores are configured. @default false */
  volumeSnapshots?: boolean;
  /** The CloudNativePG operator: a PostgreSQL store runs in the cluster (existing clusters). @default false */
  postgresOperator?: boolean;
}

/** Helm values: plain data, possibly holding outputs of other resources (bucket names, key ids). */
export type Values = ChartValues;

/** The `restricted` container security context, for charts that take one whole. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** Replicas of a stateless controller: two when the environment asks for high availability. */
export const controllerReplicas = (ctx: AddonContext) => (ctx.config.highAvailability ? 2 : 1);
