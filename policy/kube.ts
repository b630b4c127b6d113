/**
 * Plain-object views shared by the policies: Kubernetes objects, the pod spec inside each workload kind, and
 * the resources of a stack as both @pulumi/policy and the offline runner hand them over.
 */
import { asArray, isRecord, renderValue, type StackResourceLike } from "@agentops/components/model";

/** The subset of a Kubernetes object the policies read. Fields are `unknown` until checked. */
export interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * A resource of a stack: what a stack policy sees, and what a finding points at. The cost model's own type, so
 * the budget policy hands the engine's resources to it unchanged.
 */
export type StackResource = StackResourceLike;

/** One violation of a stack policy: the resource it concerns (if any) and the message. */
export interface Finding {
  urn?: string;
  message: string;
}

export const WORKLOAD_KINDS = [
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "CronJob",
];

/** The Kubernetes object of a Pulumi resource, or `undefined` for anything else (AWS, Helm releases). */
export function kubeObjectOf(type: string, props: Record<string, unknown>): KubeObject | undefined {
  if (!type.startsWith("kubernetes:") || type.startsWith("kubernetes:helm.sh/")) return undefined;
  if (typeof props.kind !== "string") return undefined;
  const metadata = isRecord(props.metadata) ? props.metadata : {};
  return { ...props, kind: props.kind, metadata } as KubeObject;
}

/** The Pulumi type token of a Kubernetes object: `kubernetes:apps/v1:Deployment`, `kubernetes:core/v1:Pod`. */
export function kubeTypeToken(obj: { apiVersion?: unknown; kind: string }): string {
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "v1";
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["core", apiVersion];
  return `kubernetes:${group}/${version}:${obj.kind}`;
}

/** `Deployment/governance/it-ops-agent` */
export function kubeId(obj: KubeObject): string {
  return `${obj.kind}/${obj.metadata.namespace ?? "-"}/${obj.metadata.name ?? "?"}`;
}

export interface PodSpecAt {
  spec: Record<string, unknown>;
  /** Path of the pod spec inside the object, e.g. `spec.template.spec`. */
  path: string;
  /** Metadata of the pod (template), where AppArmor annotations live. */
  metadata: Record<string, unknown>;
}

/** The pod spec of a workload of any kind, or `undefined` when the object runs no pods. */
export function podSpecOf(obj: KubeObject): PodSpecAt | undefined {
  const at = (root: unknown, path: string[], meta: unknown): PodSpecAt | undefined => {
    let node: unknown = root;
    for (const key of path) node = isRecord(node) ? node[key] : undefined;
    return isRecord(node)
      ? { spec: node, path: path.join("."), metadata: isRecord(meta) ? meta : {} }
      : undefined;
  };
  switch (obj.kind) {
    case "Pod":
      return at(obj, ["spec"], obj.metadata);
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return at(
        obj,
        ["spec", "template", "spec"],
        (obj.spec?.template as Record<string, unknown> | undefined)?.metadata,
      );
    case "CronJob": {
      const template = (
        (obj.spec?.jobTemplate as Record<string, unknown> | undefined)?.spec as
          Record<string, unknown> | undefined
      )?.template as Record<string, unknown> | undefined;
      return at(obj, ["spec", "jobTemplate", "spec", "template", "spec"], template?.metadata);
    }
    default:
      return undefined;
  }
}

export type ContainerList = "containers" | "initContainers" | "ephemeralContainers";

export interface ContainerAt {
  list: ContainerList;
  name: string;
  container: Record<string, unknown>;
  /** e.g. `spec.template.spec.containers["agent"]` */
  path: string;
}

/** Every container of a pod spec: regular, init and ephemeral. */
export function containersOf(pod: PodSpecAt): ContainerAt[] {
  const lists: ContainerList[] = ["containers", "initContainers", "ephemeralContainers"];
  return lists.flatMap((list) =>
    asArray(pod.spec[list])
      .filter(isRecord)
      .map((container, i) => {
        const name = typeof container.name === "string" ? container.name : `#${i}`;
        return { list, name, container, path: `${pod.path}.${list}[${JSON.stringify(name)}]` };
      }),
  );
}

/** `<path>: <value> — <what is allowed>`, the project's message format. */
export function violation(path: string, value: unknown, allowed: string): string {
  return `${path}: ${renderValue(value)} — ${allowed}`;
}

// The plain-data readers are the components' own (the cost model reads resources with them too).
export { asArray, get, isRecord } from "@agentops/components/model";

/** Kubernetes objects among stack resources, with the resource each came from. */
export function kubeObjects(
  resources: readonly StackResource[],
): { obj: KubeObject; resource: StackResource }[] {
  return resources.flatMap((resource) => {
    const obj = kubeObjectOf(resource.type, resource.props);
    return obj ? [{ obj, resource }] : [];
  });
}

/**
 * Whether `resource.props[prop]` refers to `target`: through the engine's property dependencies, or by the
 * target's id appearing as (or in) the value.
 */
export function refersTo(resource: StackResource, prop: string, target: StackResource): boolean {
  if (resource.propertyDependencies?.[prop]?.some((d) => d.urn === target.urn)) return true;
  const id = target.props.id;
  if (typeof id !== "string") return false;
  const value = resource.props[prop];
  return value === id || (Array.isArray(value) && value.includes(id));
}
