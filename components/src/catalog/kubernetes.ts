/**
 * The Kubernetes versions this package can build a cluster for, and the EKS managed add-on versions pinned
 * for each. One table: a version is supported exactly when every add-on has a pinned build for it, so adding a
 * Kubernetes version is adding one row. Pure data, no imports: the config schema validates against it.
 *
 * Sources (read 2026-11-23; EKS add-on builds are per Kubernetes minor version):
 * - kube-proxy v1.35.3-eksbuild.2 and coredns v1.13.2-eksbuild.4: the "latest version of the Amazon EKS add-on
 *   type" tables for 1.35 in the Amazon EKS User Guide (managing-kube-proxy, managing-coredns).
 * - vpc-cni v1.21.1-eksbuild.7, eks-pod-identity-agent v1.3.10-eksbuild.2, aws-ebs-csi-driver
 *   v1.60.0-eksbuild.1: builds published for 1.35 as pinned by public EKS 1.35 stacks (terraform-aws-eks
 *   style `addons` blocks); the User Guide lists no per-version table for these three.
 * Newer builds exist; bump a row with `aws eks describe-addon-versions --kubernetes-version <v>
 * --addon-name <name>` and keep the tests' expectations in step.
 *
 * EKS support calendar (Amazon EKS Kubernetes release calendar): 1.35 released 2026-01-28, standard support
 * to 2027-03-27. 1.34 leaves standard support on 2026-12-02, so it is not offered for new clusters.
 */

/** EKS managed add-ons the cluster installs. */
export const EKS_ADDONS = [
  "vpc-cni",
  "eks-pod-identity-agent",
  "kube-proxy",
  "coredns",
  "aws-ebs-csi-driver",
] as const;
export type EksAddonName = (typeof EKS_ADDONS)[number];

/** Kubernetes minor version → add-on → pinned EKS build. */
export const EKS_ADDON_VERSIONS = {
  "1.35": {
    "vpc-cni": "v1.21.1-eksbuild.7",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    "kube-proxy": "v1.35.3-eksbuild.2",
    coredns: "v1.13.2-eksbuild.4",
    "aws-ebs-csi-driver": "v1.60.0-eksbuild.1",
  },
} as const satisfies Record<string, Record<EksAddonName, string>>;

export type KubernetesVersion = keyof typeof EKS_ADDON_VERSIONS;

/** The Kubernetes versions a new cluster may run: those with pinned add-on builds. */
export const SUPPORTED_KUBERNETES_VERSIONS = Object.keys(EKS_ADDON_VERSIONS) as [
  KubernetesVersion,
  ...KubernetesVersion[],
];

/**
 * NVIDIA GPU instance families that the `AL2023_x86_64_NVIDIA` AMI runs (x86_64 only: no g5g; no AMD g4ad),
 * with GPUs per node by size, for the cluster autoscaler's scale-from-zero template. From the EC2 accelerated
 * computing instance specifications.
 */
export const NVIDIA_GPU_INSTANCES: Record<string, Record<string, number>> = {
  g4dn: { xlarge: 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1, "12xlarge": 4, metal: 8 },
  g5: {
    xlarge: 1,
    "2xlarge": 1,
    "4xlarge": 1,
    "8xlarge": 1,
    "16xlarge": 1,
    "12xlarge": 4,
    "24xlarge": 4,
    "48xlarge": 8,
  },
  g6: {
    xlarge: 1,
    "2xlarge": 1,
    "4xlarge": 1,
    "8xlarge": 1,
    "16xlarge": 1,
    "12xlarge": 4,
    "24xlarge": 4,
    "48xlarge": 8,
  },
  g6e: {
    xlarge: 1,
    "2xlarge": 1,
    "4xlarge": 1,
    "8xlarge": 1,
    "16xlarge": 1,
    "12xlarge": 4,
    "24xlarge": 4,
    "48xlarge": 8,
  },
  p4d: { "24xlarge": 8 },
  p5: { "4xlarge": 1, "48xlarge": 8 },
  p5e: { "48xlarge": 8 },
  p5en: { "48xlarge": 8 },
};

/** GPUs per node of an NVIDIA instance type, `undefined` when it is not one this package knows. */
export function gpusPerNode(instanceType: string): number | undefined {
  const [family, size] = instanceType.split(".");
  return family === undefined || size === undefined ? undefined : NVIDIA_GPU_INSTANCES[family]?.[size];
}
