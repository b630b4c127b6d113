import { z } from "zod";
import { bool, cidr, integer, oneOf, text } from "./schema";

const nodeGroup = (opts: { minInstanceTypes: number; minSize: number }) =>
  z.strictObject({
    instanceTypes: z
      .array(text("an EC2 instance type, e.g. m7i.large"), { error: "must be a list of EC2 instance types" })
      .min(opts.minInstanceTypes, `must list at least ${opts.minInstanceTypes} instance type(s)`),
    minSize: integer(opts.minSize, 100),
    desiredSize: integer(0, 100),
    maxSize: integer(1, 100),
    /** gp3 root volume size. @default 50 */
    diskSizeGiB: integer(20, 2000).default(50),
  });

/** `agentops:cluster` with `mode: eks`: a new EKS cluster and its VPC. */
export const eksClusterSchema = z.strictObject({
  mode: z.literal("eks"),
  /** Kubernetes minor version of the control plane. */
  kubernetesVersion: text("a Kubernetes minor version, e.g. 1.34"),
  network: z.strictObject({
    /** CIDR of the new VPC. */
    vpcCidr: cidr(),
    /** Three availability zones of the region. */
    availabilityZones: z
      .array(text("an availability zone name"))
      .length(3, "must list exactly 3 availability zones"),
    /** `single`: one NAT gateway (cheap; dev); `perZone`: one per zone (available; prod). */
    natGateways: oneOf(["single", "perZone"]),
  }),
  endpoint: z
    .strictObject({
      /** CIDRs allowed to reach the public API endpoint; empty keeps the endpoint private. @default [] */
      publicAccessCidrs: z.array(cidr()).default([]),
    })
    .default({ publicAccessCidrs: [] }),
  /** Control plane log types on top of api, audit and authenticator. @default [] */
  extraLogTypes: z.array(oneOf(["controllerManager", "scheduler"])).default([]),
  /** IAM principal ARNs given cluster-admin through EKS access entries. @default [] */
  admins: z.array(text("an IAM principal ARN")).default([]),
  nodeGroups: z.strictObject({
    system: nodeGroup({ minInstanceTypes: 1, minSize: 1 }),
    spot: nodeGroup({ minInstanceTypes: 3, minSize: 0 }),
    gpu: nodeGroup({ minInstanceTypes: 1, minSize: 0 }),
  }),
  /** `protect` the cluster, its KMS key and data stores against deletion. @default false */
  protect: bool().default(false),
});

/** `agentops:cluster` with `mode: existing`: a cluster made elsewhere, reached through a kubeconfig context. */
export const existingClusterSchema = z.strictObject({
  mode: z.literal("existing"),
  /** kubeconfig context to use. */
  context: text("a kubeconfig context name"),
  /** kubeconfig file. @default the KUBECONFIG environment variable or ~/.kube/config */
  kubeconfig: text("a path to a kubeconfig file").optional(),
});

export const clusterSchema = z.discriminatedUnion("mode", [eksClusterSchema, existingClusterSchema], {
  error: "must be eks or existing",
});

export type EksClusterConfig = z.infer<typeof eksClusterSchema>;
export type ExistingClusterConfig = z.infer<typeof existingClusterSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;
