/**
 * The pods of the EKS managed add-ons the cluster installs (cluster/versions.ts EKS_ADDONS), with the requests
 * their default configuration sets. Sources (read 2026-11-30):
 * - vpc-cni: aws/amazon-vpc-cni-k8s charts/aws-vpc-cni (b521883): `resources.requests.cpu: 25m` for aws-node,
 *   and by default for aws-eks-nodeagent and the init container; tolerates every taint.
 * - eks-pod-identity-agent: aws/eks-pod-identity-agent charts (d4dc0f3): `resources: {}`, tolerates every taint.
 * - kube-proxy: the EKS add-on's DaemonSet requests `cpu: 100m` (Amazon EKS User Guide, managing-kube-proxy);
 *   tolerates every taint.
 * - coredns: the EKS add-on runs 2 replicas requesting `cpu: 100m, memory: 70Mi` (Amazon EKS User Guide,
 *   managing-coredns); tolerates only `CriticalAddonsOnly` and control-plane taints, so system nodes.
 * - aws-ebs-csi-driver: kubernetes-sigs/aws-ebs-csi-driver charts/aws-ebs-csi-driver (429e202): controller 2
 *   replicas of ebs-plugin, csi-provisioner, csi-attacher, csi-resizer at `10m/40Mi` and liveness-probe at
 *   `10m/32Mi`; csi-snapshotter `10m/40Mi` like the other sidecars, only with `sidecars.snapshotter.forceEnable`
 *   (the chart renders it when the snapshot CRDs exist at install time, or when forced); node DaemonSet
 *   ebs-plugin `10m/40Mi`, node-driver-registrar and liveness-probe `10m/32Mi`, `tolerateAllTaints: true`.
 */
import type { WorkloadFootprint } from "./workloads";

const everyTaint = { tolerations: [{ operator: "Exists" as const }] };
const c = (name: string, cpu: string, memory: string) => ({ name, cpu, memory });

/** Footprint of each EKS managed add-on, by add-on name. */
export const EKS_ADDON_FOOTPRINTS: Readonly<
  Record<string, { namespace: string; workloads: readonly WorkloadFootprint[] }>
> = {
  "vpc-cni": {
    namespace: "kube-system",
    workloads: [
      {
        name: "aws-node",
        kind: "DaemonSet",
        replicas: 1,
        containers: [c("aws-node", "25m", "0"), c("aws-eks-nodeagent", "25m", "0")],
        initContainers: [c("aws-vpc-cni-init", "25m", "0")],
        placement: everyTaint,
      },
    ],
  },
  "eks-pod-identity-agent": {
    namespace: "kube-system",
    workloads: [
      {
        name: "eks-pod-identity-agent",
        kind: "DaemonSet",
        replicas: 1,
        containers: [c("eks-pod-identity-agent", "0", "0")],
        placement: everyTaint,
      },
    ],
  },
  "kube-proxy": {
    namespace: "kube-system",
    workloads: [
      {
        name: "kube-proxy",
        kind: "DaemonSet",
        replicas: 1,
        containers: [c("kube-proxy", "100m", "0")],
        placement: everyTaint,
      },
    ],
  },
  coredns: {
    namespace: "kube-system",
    workloads: [
      {
        name: "coredns",
        kind: "Deployment",
        replicas: 2,
        containers: [c("coredns", "100m", "70Mi")],
        placement: { tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }] },
      },
    ],
  },
  "aws-ebs-csi-driver": {
    namespace: "kube-system",
    workloads: [
      {
        name: "ebs-csi-controller",
        kind: "Deployment",
        replicas: 2,
        containers: [
          c("ebs-plugin", "10m", "40Mi"),
          c("csi-provisioner", "10m", "40Mi"),
          c("csi-attacher", "10m", "40Mi"),
          c("csi-resizer", "10m", "40Mi"),
          c("liveness-probe", "10m", "32Mi"),
        ],
        placement: {
          tolerations: [
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { operator: "Exists", effect: "NoExecute" },
          ],
        },
      },
      {
        name: "ebs-csi-node",
        kind: "DaemonSet",
        replicas: 1,
        containers: [
          c("ebs-plugin", "10m", "40Mi"),
          c("node-driver-registrar", "10m", "32Mi"),
          c("liveness-probe", "10m", "32Mi"),
        ],
        placement: everyTaint,
      },
    ],
  },
};

/** The snapshotter sidecar of the EBS CSI controller, rendered with `sidecars.snapshotter.forceEnable`. */
export const EBS_CSI_SNAPSHOTTER = c("csi-snapshotter", "10m", "40Mi");

/**
 * The workloads of an EKS managed add-on with its `configurationValues` (the JSON the Addon resource carries):
 * the footprint above, and for aws-ebs-csi-driver the csi-snapshotter sidecar when the configuration forces it.
 * `undefined` for an add-on the table does not know.
 */
export function eksAddonFootprint(
  addonName: string,
  configurationValues: unknown,
): { namespace: string; workloads: readonly WorkloadFootprint[] } | undefined {
  const footprint = EKS_ADDON_FOOTPRINTS[addonName];
  if (!footprint || addonName !== "aws-ebs-csi-driver") return footprint;
  let config: unknown;
  try {
    config = typeof configurationValues === "string" ? JSON.parse(configurationValues) : undefined;
  } catch {
    config = undefined;
  }
  const forced =
    (config as { sidecars?: { snapshotter?: { forceEnable?: unknown } } } | undefined)?.sidecars?.snapshotter
      ?.forceEnable === true;
  if (!forced) return footprint;
  return {
    namespace: footprint.namespace,
    workloads: footprint.workloads.map((w) =>
      w.name === "ebs-csi-controller" ? { ...w, containers: [...w.containers, EBS_CSI_SNAPSHOTTER] } : w,
    ),
  };
}
