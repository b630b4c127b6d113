/**
 * What the capacity plan places: workloads with their pods' requests and scheduling constraints, in the shape
 * the Kubernetes scheduler reads them (nodeSelector, node affinity, tolerations). Platform add-ons declare
 * theirs as footprints (platform/registry.ts), the EKS managed add-ons in eks-addons.ts, agents come from
 * their workloads.
 */
import type { PodRequests } from "../cost/estimate";
import { cpuCores, gibibytes } from "../../lib/quantity";

/** One container's requests, as the chart's values spell them. */
export interface ContainerRequests {
  name: string;
  /** CPU quantity, e.g. `50m`. */
  cpu: string;
  /** Memory quantity, e.g. `64Mi`. */
  memory: string;
}

/** A node selector requirement (`matchExpressions` entry): `In`, `NotIn`, `Exists`, `DoesNotExist`. */
export interface NodeRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: readonly string[];
}

/** A toleration as in a pod spec. An empty `key` with `Exists` tolerates every taint (of `effect`, if set). */
export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Where a pod may and would rather run. */
export interface Placement {
  /** Node labels the pod requires (`spec.nodeSelector`). @default {} */
  nodeSelector?: Readonly<Record<string, string>>;
  /** Required node affinity: any term (all of its requirements) must match. @default none */
  required?: readonly (readonly NodeRequirement[])[];
  /** Preferred node affinity terms: a group matching one is chosen over those that do not. @default none */
  preferred?: readonly (readonly NodeRequirement[])[];
  tolerations?: readonly Toleration[];
}

/** The workload kinds the plan knows; a DaemonSet runs one pod per node it fits. */
export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "Job";

/**
 * One workload of a platform release (its footprint) or of the cluster: the pods the chart renders for it.
 * The values builders set every container's requests from this, so the chart and the plan agree (checked
 * against rendered charts by tests/footprint.test.ts).
 */
export interface WorkloadFootprint {
  /** `metadata.name` of the rendered workload. */
  name: string;
  kind: WorkloadKind;
  /** Pods of a Deployment or StatefulSet (ignored for a DaemonSet: one per node). */
  replicas: number;
  containers: readonly ContainerRequests[];
  /** Init containers: a pod reserves the largest of them if that is more than its containers' sum. @default none */
  initContainers?: readonly ContainerRequests[];
  placement: Placement;
  /** Required pod anti-affinity on `kubernetes.io/hostname` among its own pods: one per node. @default false */
  onePerNode?: boolean;
  /**
   * Created by an operator from a custom resource the release renders (Prometheus, Alertmanager), so it is no
   * pod template of the rendered chart. @default false
   */
  operated?: boolean;
  /** A Helm hook (pre/post-install Job): it runs during an install or upgrade only, so the plan leaves it out. */
  hook?: boolean;
}

/** A workload the plan places: pods at the minimum and maximum of their count. */
export interface PlannedWorkload {
  /** Who runs it: `release/<name>`, `eks-addon/<name>`, `agent/<namespace>/<name>`. */
  owner: string;
  /** `<kind>/<namespace>/<name>`. */
  workload: string;
  kind: WorkloadKind;
  requests: PodRequests;
  /** Pods at the minimum (expected) and maximum (budget) scale; per node for a DaemonSet. */
  replicas: { min: number; max: number };
  placement: Placement;
  onePerNode: boolean;
}

/**
 * What one pod of these containers reserves: the sum of its containers, or its largest init container if that
 * is more (Kubernetes' effective request, kubernetes.io/docs/concepts/workloads/pods/init-containers).
 */
export function podRequestsOf(
  containers: readonly { cpu: number; memoryGiB: number; gpus: number }[],
  initContainers: readonly { cpu: number; memoryGiB: number; gpus: number }[] = [],
): PodRequests {
  const sum = containers.reduce(
    (a, b) => ({ cpu: a.cpu + b.cpu, memoryGiB: a.memoryGiB + b.memoryGiB, gpus: a.gpus + b.gpus }),
    { cpu: 0, memoryGiB: 0, gpus: 0 },
  );
  return {
    cpu: Math.max(sum.cpu, ...initContainers.map((i) => i.cpu)),
    memoryGiB: Math.max(sum.memoryGiB, ...initContainers.map((i) => i.memoryGiB)),
    gpus: Math.max(sum.gpus, ...initContainers.map((i) => i.gpus)),
  };
}

const parsed = (c: ContainerRequests) => ({ cpu: cpuCores(c.cpu), memoryGiB: gibibytes(c.memory), gpus: 0 });

/** A footprint workload as the plan places it; `owner` and `namespace` say whose and where. */
export function plannedFromFootprint(
  owner: string,
  namespace: string,
  w: WorkloadFootprint,
): PlannedWorkload {
  return {
    owner,
    workload: `${w.kind}/${namespace}/${w.name}`,
    kind: w.kind,
    requests: podRequestsOf(w.containers.map(parsed), (w.initContainers ?? []).map(parsed)),
    replicas: { min: w.replicas, max: w.replicas },
    placement: w.placement,
    onePerNode: w.onePerNode ?? false,
  };
}

/** Requests and limits from a footprint container: what a values builder writes into a chart's `resources`. */
export function containerResources(c: ContainerRequests, limits: { cpu: string; memory: string }) {
  return { requests: { cpu: c.cpu, memory: c.memory }, limits };
}

/** A footprint container: its name in the rendered pod and its requests. */
export const container = (name: string, cpu: string, memory: string): ContainerRequests => ({
  name,
  cpu,
  memory,
});

/** Pods of the platform's own services: on system nodes (untainted), as the charts leave them. */
export const ON_SYSTEM_NODES: Placement = {};

/** Helm values as a footprint reads them: the chart's free-form tree. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- values mirror each chart's free-form schema
export type ChartValues = Record<string, any>;

/**
 * Requests from a footprint container and the given limits, the way every chart spells them: the footprint
 * (registry.ts) is the one place a container's requests are written.
 */
export const resources = (container: ContainerRequests, cpuLimit: string, memoryLimit: string) => ({
  requests: { cpu: container.cpu, memory: container.memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});
