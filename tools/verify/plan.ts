/**
 * The order verify applies a stack in, from its synth output alone (pure):
 * 1. namespaces (the stack's Namespace objects with their labels; then any other namespace an object is in);
 * 2. every CustomResourceDefinition the releases render (then verify waits until each is Established);
 * 3. everything else in waves that follow the program's dependencies: a resource goes after every resource
 *    of its `dependsOn` (a component in `dependsOn` stands for all its descendants, as in the Pulumi engine), a
 *    Helm Release's objects (`rendered/<release>.yaml`) go together as that Release; within a wave, objects go
 *    in Helm's install order of kinds (`releaseutil.InstallOrder`: namespaces, quotas and limit ranges, service
 *    accounts, secrets and config maps before the workloads that use them).
 */
import type { KubeObject } from "../kube/client";

/** A resource of `resources.json`. */
export interface ResourceRecord {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  custom: boolean;
  dependsOn: string[];
  inputs: Record<string, unknown>;
}

/** One object to apply and where it comes from (for messages). */
export interface PlannedObject {
  object: KubeObject;
  /** `manifests.yaml (<Pulumi resource name>)` or `rendered/<release>.yaml`. */
  source: string;
}

export interface ApplyPlan {
  namespaces: PlannedObject[];
  crds: PlannedObject[];
  /** Waves: every object of a wave may be applied once the waves before it are. */
  waves: PlannedObject[][];
}

/** Pulumi's type of a Helm release (v3 API of the Kubernetes provider). */
export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** Helm's install order (helm.sh/helm/v3 pkg/releaseutil/kind_sorter.go `InstallOrder`); other kinds go last. */
export const INSTALL_ORDER = [
  "PriorityClass",
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
];

const rank = (kind: string) => {
  const i = INSTALL_ORDER.indexOf(kind);
  return i < 0 ? INSTALL_ORDER.length : i;
};

/** Sorts objects by Helm's install order of their kinds (stable). */
export function byInstallOrder(objects: readonly PlannedObject[]): PlannedObject[] {
  return [...objects].sort((a, b) => rank(a.object.kind) - rank(b.object.kind));
}

const isKubernetes = (r: ResourceRecord) =>
  r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/");

/**
 * The plan for a stack. `rendered` maps each Helm release name (the Release's `name` input) to the objects
 * `npm run render` wrote for it; a Release without an entry contributes nothing (the caller says why).
 */
export function applyPlan(
  resources: readonly ResourceRecord[],
  rendered: ReadonlyMap<string, KubeObject[]>,
): ApplyPlan {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, ResourceRecord[]>();
  for (const r of resources) {
    if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  }
  const units = resources.filter((r) => isKubernetes(r) || r.type === RELEASE_TYPE);
  const unitUrns = new Set(units.map((u) => u.urn));
  /** The units a dependency on `urn` waits for: itself, or a component's descendants that are units. */
  const expand = (urn: string, seen = new Set<string>()): string[] => {
    if (seen.has(urn)) return [];
    seen.add(urn);
    if (unitUrns.has(urn)) return [urn];
    const r = byUrn.get(urn);
    if (!r || r.custom) return [];
    return (children.get(urn) ?? []).flatMap((c) => expand(c.urn, seen));
  };
  const deps = new Map(
    units.map((u) => [u.urn, new Set(u.dependsOn.flatMap((d) => expand(d)).filter((d) => d !== u.urn))]),
  );

  const objectsOf = (u: ResourceRecord): PlannedObject[] => {
    if (u.type === RELEASE_TYPE) {
      const release = String(u.inputs.name ?? u.name);
      return (rendered.get(release) ?? []).map((object) => ({ object, source: `rendered/${release}.yaml` }));
    }
    const { apiVersion, kind, metadata, ...rest } = u.inputs as Record<string, unknown>;
    return [
      {
        object: { apiVersion, kind, metadata: metadata ?? {}, ...rest } as KubeObject,
        source: `manifests.yaml (${u.name})`,
      },
    ];
  };

  const namespaces: PlannedObject[] = [];
  const crds: PlannedObject[] = [];
  const waves: PlannedObject[][] = [];
  const done = new Set<string>();
  let pending = [...units];
  while (pending.length > 0) {
    let ready = pending.filter((u) => [...deps.get(u.urn)!].every((d) => done.has(d)));
    // A cycle cannot come from the engine; if one did, the rest goes in one wave rather than never.
    if (ready.length === 0) ready = pending;
    const wave: PlannedObject[] = [];
    for (const u of ready) {
      for (const p of objectsOf(u)) {
        if (p.object.kind === "Namespace") namespaces.push(p);
        else if (p.object.kind === "CustomResourceDefinition") crds.push(p);
        else wave.push(p);
      }
      done.add(u.urn);
    }
    if (wave.length > 0) waves.push(byInstallOrder(wave));
    const readySet = new Set(ready);
    pending = pending.filter((u) => !readySet.has(u));
  }
  const declared = new Set(namespaces.map((n) => n.object.metadata.name));
  const referenced = [
    ...new Set(
      waves
        .flat()
        .map((p) => p.object.metadata.namespace)
        .filter((n): n is string => typeof n === "string" && !declared.has(n)),
    ),
  ].sort();
  for (const name of referenced) {
    namespaces.push({
      object: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      source: "not declared by the stack: an object is in it",
    });
  }
  return { namespaces, crds, waves };
}
