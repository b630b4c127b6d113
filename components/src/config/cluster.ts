import { z } from "zod";
import { gpusPerNode, NVIDIA_GPU_INSTANCES, SUPPORTED_KUBERNETES_VERSIONS } from "../catalog/kubernetes";
import { bool, cidr, integer, oneOf, PARSE_OPTIONS, taggedUnionError, text, unique } from "./schema";

/** The whole IPv4 internet; never an API endpoint allow-list entry unless asked for by name. */
export const ANYWHERE = "0.0.0.0/0";

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

const instanceType = text("an EC2 instance type, e.g. m7i.large").refine(
  (v) => INSTANCE_TYPE.test(v),
  "must be an EC2 instance type, e.g. m7i.large",
);

const gpuFamilies = Object.keys(NVIDIA_GPU_INSTANCES).join(", ");
/** Graviton families (m7g, c7gn, r8gd, t4g): a `g` right after the generation. */
const GRAVITON = /^[a-z]+\d+g/;
const x86InstanceType = instanceType.refine(
  (v) => !GRAVITON.test(v),
  "must be an x86_64 instance type: the group runs the AL2023_x86_64_STANDARD AMI (Graviton needs an ARM AMI)",
);

const nodeGroup = (opts: { minInstanceTypes: number; minSize: number; gpu?: boolean; why?: string }) =>
  z.strictObject({
    /** Instance types, in order of preference. */
    instanceTypes: z
      .array(
        opts.gpu
          ? instanceType.refine(
              (v) => gpusPerNode(v) !== undefined,
              `must be an NVIDIA GPU instance type the AL2023_x86_64_NVIDIA AMI runs (${gpuFamilies} families)`,
            )
          : x86InstanceType,
        { error: "must be a list of EC2 instance types" },
      )
      .min(
        opts.minInstanceTypes,
        `must list at least ${opts.minInstanceTypes} instance type${opts.minInstanceTypes === 1 ? "" : "s"}${opts.why ?? ""}`,
      )
      .superRefine(unique("instanceTypes")),
    minSize: integer(opts.minSize, 100),
    desiredSize: integer(0, 100),
    maxSize: integer(1, 100),
    /** gp3 root volume size. @default 50 */
    diskSizeGiB: integer(20, 2000).default(50),
  });

const endpointSchema = z
  .strictObject({
    /** CIDRs allowed to reach the public API endpoint; empty keeps the endpoint private. @default [] */
    publicAccessCidrs: z.array(cidr()).default([]),
    /**
     * Allow `0.0.0.0/0` in `publicAccessCidrs`: the API server reachable from the whole internet (still behind
     * IAM authentication). An explicit opt-in, so it never happens by accident. @default false
     */
    allowPublicInternet: bool().default(false),
  })
  .superRefine((e, ctx) => {
    if (e.allowPublicInternet) return;
    e.publicAccessCidrs.forEach((c, i) => {
      if (c === ANYWHERE)
        ctx.addIssue({
          code: "custom",
          path: ["publicAccessCidrs", i],
          input: c,
          message:
            "must not be the whole internet unless endpoint.allowPublicInternet is true; list the networks that need the API",
        });
    });
  });

const IAM_ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const roleArn = (example: string) => {
  const allowed = `must be an IAM role ARN, e.g. ${example}`;
  return z.string({ error: allowed }).refine((v) => IAM_ROLE.test(v), allowed);
};

/**
 * Labels of GitHub-hosted runners (https://docs.github.com/en/actions/using-github-hosted-runners): they run
 * outside every VPC, so they reach the API only through a public endpoint.
 */
const GITHUB_HOSTED = /^(ubuntu|windows|macos)-/;
/** A GitHub-hosted runner: the CI runner of a stack whose API endpoint is public (limited to CIDRs). */
export const GITHUB_HOSTED_RUNNER = "ubuntu-latest";

/** EKS access policies (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html). */
export const EKS_ACCESS_POLICIES = {
  clusterAdmin: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
  view: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
} as const;

/**
 * `cluster.access`: how CI reaches and authenticates to the cluster. Each role gets an EKS access entry with a
 * cluster-scoped access policy; `runner` is the `runs-on` label of the preview and deploy jobs of this stack.
 */
const accessSchema = z
  .strictObject({
    /**
     * Role that `deploy.yml` assumes by OIDC to run `pulumi up`: AmazonEKSClusterAdminPolicy, cluster scope.
     * Not the identity that created the cluster: EKS gave that one its own entry
     * (`bootstrapClusterCreatorAdminPermissions`) and a second entry for it is refused.
     */
    deployRoleArn: roleArn("arn:aws:iam::123456789012:role/agentops-dev-deploy").optional(),
    /**
     * Role that `preview.yml` assumes by OIDC to run `pulumi preview`: AmazonEKSViewPolicy (read-only), cluster
     * scope, or `previewAccessPolicy: clusterAdmin`.
     */
    previewRoleArn: roleArn("arn:aws:iam::123456789012:role/agentops-dev-preview").optional(),
    /**
     * Access policy of the preview role. `view` keeps pull requests read-only in the cluster; but Kubernetes
     * authorizes a server-side dry run like the write itself (https://kubernetes.io/docs/reference/using-api/api-concepts/#dry-run-authorization),
     * and pulumi-kubernetes previews with server-side apply are dry-run patches (pulumi/pulumi-kubernetes#2213),
     * so with `view` the preview of in-cluster objects is refused. `clusterAdmin` gives full previews to
     * every pull request that runs with the repository's credentials. @default view
     */
    previewAccessPolicy: oneOf(["view", "clusterAdmin"]).default("view"),
    /**
     * `runs-on` label of this stack's preview and deploy jobs: a self-hosted runner inside the VPC (e.g. an
     * actions-runner-controller scale set) when the endpoint is private. @default ubuntu-latest, allowed only
     * when `endpoint.publicAccessCidrs` is set
     */
    runner: text(
      "a GitHub Actions runner label, e.g. agentops-dev (a self-hosted runner scale set)",
    ).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.deployRoleArn !== undefined && a.deployRoleArn === a.previewRoleArn)
      ctx.addIssue({
        code: "custom",
        path: ["previewRoleArn"],
        input: a.previewRoleArn,
        message: "must not be the deploy role: a pull request's role must not hold the deploy role's access",
      });
  });

/** `network` of a new VPC: three zones, private subnets for nodes, public ones for load balancers. */
export const newVpcNetworkSchema = z.strictObject({
  /** CIDR of the new VPC, /16 to /20: a quarter per private subnet, the last quarter for public subnets. */
  vpcCidr: cidr().refine((v) => {
    const prefix = Number(v.split("/")[1]);
    return prefix >= 16 && prefix <= 20 && isNetworkAddress(v);
  }, "must be a network address from /16 to /20 (pods take VPC addresses), e.g. 10.10.0.0/16"),
  /** Three availability zones of the region. */
  availabilityZones: z
    .array(
      text("an availability zone name, e.g. us-east-1a").refine(
        (v) => AVAILABILITY_ZONE.test(v),
        "must be an availability zone name, e.g. us-east-1a",
      ),
      { error: "must be a list of 3 availability zone names" },
    )
    .length(3, "must list exactly 3 availability zones")
    .superRefine(unique("availabilityZones")),
  /** `single`: one NAT gateway (cheap; dev); `perZone`: one per zone (available; prod). */
  natGateways: oneOf(["single", "perZone"]),
});

const awsId = (prefix: "vpc" | "subnet", example: string) => {
  const pattern = new RegExp(`^${prefix}-[0-9a-f]{8,17}$`);
  const allowed = `must be a ${prefix === "vpc" ? "VPC" : "subnet"} id, e.g. ${example}`;
  return z.string({ error: allowed }).refine((v) => pattern.test(v), allowed);
};
const subnetIds = () =>
  z.array(awsId("subnet", "subnet-0123456789abcdef0"), { error: "must be a list of subnet ids" });

/**
 * `network` of a VPC made elsewhere: nothing of the network is declared, the node groups and the control
 * plane go into the given private subnets. Their load balancer and cluster tags are the VPC owner's job.
 */
export const existingVpcNetworkSchema = z.strictObject({
  existing: z
    .strictObject({
      /** The VPC's id. */
      vpcId: awsId("vpc", "vpc-0123456789abcdef0"),
      /** Private subnets for nodes and the control plane's network interfaces, in at least two zones. */
      privateSubnetIds: subnetIds()
        .min(2, "must list at least 2 private subnet ids (EKS needs subnets in two availability zones)")
        .superRefine(unique("privateSubnetIds")),
      /** Public subnets for internet-facing load balancers; none for an internal-only cluster. @default [] */
      publicSubnetIds: subnetIds().superRefine(unique("publicSubnetIds")).default([]),
    })
    .superRefine((e, ctx) => {
      e.publicSubnetIds.forEach((id, i) => {
        const other = e.privateSubnetIds.indexOf(id);
        if (other !== -1)
          ctx.addIssue({
            code: "custom",
            path: ["publicSubnetIds", i],
            input: id,
            message: `must not also be a private subnet (privateSubnetIds[${other}]): nodes need subnets without a route to an internet gateway`,
          });
      });
    }),
});

export type NewVpcNetworkConfig = z.infer<typeof newVpcNetworkSchema>;
export type ExistingVpcNetworkConfig = z.infer<typeof existingVpcNetworkSchema>;
export type NetworkConfig = NewVpcNetworkConfig | ExistingVpcNetworkConfig;

const NEW_VPC_KEYS = Object.keys(newVpcNetworkSchema.shape);
const NETWORK_SHAPES =
  "a new VPC { vpcCidr, availabilityZones, natGateways } or an existing one { existing: { vpcId, privateSubnetIds, publicSubnetIds } }";

/**
 * Either network shape, chosen by its keys, so that a mistake in one shape is reported against that shape
 * alone rather than as a union's "matches neither" with the other shape's complaints mixed in.
 */
const networkSchema = z
  .custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
    error: `must be ${NETWORK_SHAPES}`,
  })
  .transform((value, ctx): NetworkConfig => {
    const existing = "existing" in value;
    const newVpc = NEW_VPC_KEYS.some((k) => k in value);
    if (existing && newVpc) {
      // The keys rather than the value: cut to 60 characters, the value would hide the second shape's keys.
      ctx.addIssue({
        code: "custom",
        input: Object.keys(value),
        message: `must have the keys of either ${NETWORK_SHAPES}, not both`,
      });
      return z.NEVER;
    }
    if (!existing && !newVpc) {
      ctx.addIssue({ code: "custom", input: value, message: `must be ${NETWORK_SHAPES}` });
      return z.NEVER;
    }
    const schema: z.ZodType<NetworkConfig> = existing ? existingVpcNetworkSchema : newVpcNetworkSchema;
    const result = schema.safeParse(value, PARSE_OPTIONS);
    if (result.success) return result.data;
    // Paths are relative to `network`; zod prefixes the rest of the key path.
    for (const issue of result.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
    return z.NEVER;
  });

/** `agentops:cluster` with `mode: eks`: a new EKS cluster and its VPC. */
const eksClusterObject = z.strictObject({
  mode: z.literal("eks"),
  /** Kubernetes minor version of the control plane: one with pinned add-on builds (cluster/versions.ts). */
  kubernetesVersion: z.enum(SUPPORTED_KUBERNETES_VERSIONS, {
    error: `must be a Kubernetes version in EKS standard support with pinned add-on versions: ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`,
  }),
  /** A new VPC (`vpcCidr`, `availabilityZones`, `natGateways`) or an existing one (`existing`). */
  network: networkSchema,
  endpoint: endpointSchema.default({ publicAccessCidrs: [], allowPublicInternet: false }),
  /** Control plane log types on top of api, audit and authenticator. @default [] */
  extraLogTypes: z.array(oneOf(["controllerManager", "scheduler"])).default([]),
  /** IAM principal ARNs given cluster-admin through EKS access entries. @default [] */
  admins: z
    .array(
      z
        .string({
          error: "must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/platform-admin",
        })
        .refine(
          (v) => IAM_PRINCIPAL.test(v),
          "must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/platform-admin",
        ),
    )
    .default([])
    .superRefine(unique("admins")),
  /** CI access: deploy and preview roles (EKS access entries) and the runner label. @default {} */
  access: accessSchema.default({ previewAccessPolicy: "view" }),
  nodeGroups: z.strictObject({
    system: nodeGroup({ minInstanceTypes: 1, minSize: 1 }),
    spot: nodeGroup({
      minInstanceTypes: 3,
      minSize: 0,
      why: " (interchangeable types keep the group alive when one spot pool is reclaimed)",
    }),
    gpu: nodeGroup({ minInstanceTypes: 1, minSize: 0, gpu: true }),
  }),
  /** `protect` the cluster, its KMS keys and data stores against deletion. @default false */
  protect: bool().default(false),
});

/** `agentops:cluster` with `mode: eks`: a new EKS cluster and its VPC, and how CI reaches it. */
export const eksClusterSchema = eksClusterObject.superRefine((c, ctx) => {
  const privateEndpoint = c.endpoint.publicAccessCidrs.length === 0;
  const runner = c.access.runner;
  const usesCi = c.access.deployRoleArn !== undefined || c.access.previewRoleArn !== undefined;
  if (privateEndpoint && runner !== undefined && GITHUB_HOSTED.test(runner))
    ctx.addIssue({
      code: "custom",
      path: ["access", "runner"],
      input: runner,
      message:
        "must be a self-hosted runner inside the VPC while endpoint.publicAccessCidrs is empty: a GitHub-hosted runner cannot reach a private API endpoint",
    });
  if (privateEndpoint && runner === undefined && usesCi)
    ctx.addIssue({
      code: "custom",
      path: ["access", "runner"],
      input: runner,
      message:
        "is required while endpoint.publicAccessCidrs is empty and CI roles are set: the label of a self-hosted runner inside the VPC (e.g. an actions-runner-controller scale set), or list the CI runners' CIDRs in endpoint.publicAccessCidrs",
    });
  c.admins.forEach((arn, i) => {
    for (const key of ["deployRoleArn", "previewRoleArn"] as const)
      if (c.access[key] === arn)
        ctx.addIssue({
          code: "custom",
          path: ["access", key],
          input: arn,
          message: `must not also be in admins (admins[${i}]): one access entry per principal`,
        });
  });
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
  error: taggedUnionError("must be eks or existing"),
});

/** `10.10.0.0/16` is; `10.10.1.0/16` is not (host bits set). */
function isNetworkAddress(block: string): boolean {
  const [address, prefix] = block.split("/") as [string, string];
  const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const hostBits = 32 - Number(prefix);
  return value % 2 ** hostBits === 0;
}

export type EksClusterConfig = z.infer<typeof eksClusterSchema>;
export type ExistingClusterConfig = z.infer<typeof existingClusterSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;

/** The `runs-on` label of a stack's preview and deploy jobs: `cluster.access.runner`, else GitHub-hosted. */
export function ciRunner(cluster: ClusterConfig): string {
  return (cluster.mode === "eks" ? cluster.access.runner : undefined) ?? GITHUB_HOSTED_RUNNER;
}
