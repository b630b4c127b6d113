/**
 * The LLM gateway's counter store on EKS: an ElastiCache (Valkey engine) replication group in the cluster's
 * private subnets, reachable only from the cluster security group, TLS in transit, encrypted at rest, with an
 * AUTH token. On an existing cluster the Valkey chart runs instead (platform registry, `llm-gateway-store`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LlmGatewayConfig } from "../config";
import { childName } from "../lib/names";

/** The Redis protocol port of the store, in-cluster and on ElastiCache. */
export const COUNTER_STORE_PORT = 6379;
/** ElastiCache engine and version: Valkey speaks the Redis protocol Envoy's rate-limit service uses. */
export const ELASTICACHE_ENGINE = { engine: "valkey", engineVersion: "8.0" } as const;

export interface ElastiCacheStoreArgs {
  /** `platform.llmGateway` (its `store`: node type and Multi-AZ). */
  gateway: LlmGatewayConfig;
  /** The cluster's VPC, private subnets and security group (the nodes'). */
  network: {
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    clusterSecurityGroupId: pulumi.Input<string>;
  };
  /** AUTH token (secret), 16 to 128 printable characters without `/`, `"` or `@`. */
  authToken: pulumi.Input<string>;
  /** `protect` the replication group (prod). @default false */
  protect?: boolean;
  /** Tags of the security group, subnet group and replication group (`awsTags`). @default {} */
  tags?: Record<string, string>;
}

/**
 * Declares the store and returns the `host:port` Envoy Gateway's rate-limit service connects to.
 * Every resource is a child of `parent`; names derive from `name`.
 */
export function elastiCacheStore(
  name: string,
  args: ElastiCacheStoreArgs,
  parent: pulumi.Resource,
): { url: pulumi.Output<string>; replicationGroup: aws.elasticache.ReplicationGroup } {
  const opts = { parent, protect: args.protect ?? false };
  const tags = args.tags ?? {};
  const securityGroup = new aws.ec2.SecurityGroup(
    childName(name, "sg"),
    {
      vpcId: args.network.vpcId,
      description: "LLM gateway counter store: Redis protocol from the cluster's nodes only",
      tags,
      ingress: [
        {
          description: "Envoy Gateway rate-limit service",
          protocol: "tcp",
          fromPort: COUNTER_STORE_PORT,
          toPort: COUNTER_STORE_PORT,
          securityGroups: [args.network.clusterSecurityGroupId],
        },
      ],
    },
    opts,
  );
  const subnets = new aws.elasticache.SubnetGroup(
    childName(name, "subnets"),
    { description: "LLM gateway counter store", subnetIds: args.network.privateSubnetIds, tags },
    opts,
  );
  const multiAz = args.gateway.store.multiAz;
  const replicationGroup = new aws.elasticache.ReplicationGroup(
    childName(name, "store"),
    {
      description: "AgentOps LLM gateway: per-agent monthly spend counters",
      ...ELASTICACHE_ENGINE,
      nodeType: args.gateway.store.nodeType,
      port: COUNTER_STORE_PORT,
      // Multi-AZ: a replica in another zone that takes over automatically.
      numCacheClusters: multiAz ? 2 : 1,
      automaticFailoverEnabled: multiAz,
      multiAzEnabled: multiAz,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken: args.authToken,
      subnetGroupName: subnets.name,
      securityGroupIds: [securityGroup.id],
      applyImmediately: true,
      tags,
    },
    opts,
  );
  return {
    url: pulumi.interpolate`${replicationGroup.primaryEndpointAddress}:${COUNTER_STORE_PORT}`,
    replicationGroup,
  };
}
