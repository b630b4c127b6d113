/**
 * Day 2 against the real API server: the change report (`npm run diff`, components/src/diff) says which edits
 * apply in place and which replace or are refused; here the local Kubernetes 1.35 API server is asked the same.
 *
 * 1. The everyday edits of tests/day2.test.ts (tests/fixtures/day2-edits.ts), in sequence on the dev stack: the
 *    base is applied, then each edit's changed objects with server-side apply (what `pulumi up` sends: paths under
 *    `ignoreChanges` keep their applied values), then the base again. Every change the report calls in place must
 *    apply; a replacement must be refused in place (then it is deleted and created, as Pulumi does).
 * 2. The report's Kubernetes rules (components/src/diff/rules.ts), each on a valid object: a field it calls a
 *    replacement or a refusal must be refused in place by the API server, a field it calls in place must apply —
 *    except the replacements Pulumi's provider makes although the API server would update in place, listed in
 *    PROVIDER_ONLY with the reason.
 */
import * as assert from "node:assert/strict";
import { changeReport, parsePath, type ResourceRecord } from "../../tools/diff";
import type { SynthResult } from "@agentops/components/testing";
import { describeObject, poll, type KubeClient, type KubeObject } from "../../tools/kube/client";
import { applyPlanTo } from "../../tools/verify/apply";
import { emptyClusterWithCrds } from "../../tools/verify/verify";
import { applyPlan, byInstallOrder, type ResourceRecord as PlanRecord } from "../../tools/verify/plan";
import { DAY2_EDITS } from "../fixtures/day2-edits";
import { renderedStack, synthEdited, synthStack } from "../harness";
import { controlPlane, describeServer } from "./fixture";

const isKube = (r: { type: string }) =>
  r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/");

/**
 * The object Pulumi sends for a resource: its inputs; on an update, `ignoreChanges` paths keep the values last
 * applied (`live`), as the engine does.
 */
function sent(r: ResourceRecord & { ignoreChanges?: string[] }, live: KubeObject | undefined): KubeObject {
  const obj = structuredClone(r.inputs) as KubeObject;
  if (!live) return obj;
  for (const p of r.ignoreChanges ?? []) {
    const segments = parsePath(p);
    let from: unknown = live;
    for (const s of segments) from = (from as Record<string | number, unknown> | undefined)?.[s];
    let at = obj as unknown as Record<string | number, unknown>;
    for (const s of segments.slice(0, -1)) at = (at[s] ??= {}) as Record<string | number, unknown>;
    if (from === undefined) Reflect.deleteProperty(at, segments.at(-1)!);
    else at[segments.at(-1)!] = structuredClone(from);
  }
  return obj;
}

/** Deletes an object and waits until it is gone (finalizers such as pvc-protection run first). */
async function deleteAndWait(client: KubeClient, obj: KubeObject): Promise<void> {
  await client.delete(obj);
  const path = await client.pathOf(obj);
  await poll(async () => ((await client.get(path!)) === undefined ? true : undefined), 60_000);
}

/** Applies `from` → `to` (a whole stack's resources) as Pulumi would; returns each disagreement with the report. */
async function applyChange(
  client: KubeClient,
  from: readonly ResourceRecord[],
  to: readonly ResourceRecord[],
  served: (o: KubeObject) => Promise<boolean>,
  live: Map<string, KubeObject>,
): Promise<{ disagreements: string[]; applied: number }> {
  const report = changeReport(from, to);
  const before = new Map(from.map((r) => [r.urn, r]));
  const after = new Map(to.map((r) => [r.urn, r]));
  const disagreements: string[] = [];
  let applied = 0;
  const changes = report.changes.filter((c) => isKube(c));
  // Creations and updates in Helm's kind order (a new namespace before what is in it); deletions after.
  const ordered = byInstallOrder(
    changes
      .filter((c) => c.action !== "delete")
      .map((c) => ({
        object: sent(after.get(c.urn)!, c.action === "create" ? undefined : live.get(c.urn)),
        source: c.urn,
      })),
  );
  for (const { object, source } of ordered) {
    if (!(await served(object))) continue;
    const c = changes.find((x) => x.urn === source)!;
    const r = await client.apply(object);
    applied++;
    if (r.ok) live.set(source, object);
    const inPlace = c.action === "create" || (c.action === "update" && !c.refused);
    if (inPlace && !r.ok) {
      disagreements.push(
        `${c.label}: the report says ${c.action} in place; the API server refused: ${r.message}`,
      );
    } else if (!inPlace && r.ok) {
      disagreements.push(
        `${c.label}: the report says ${c.action} (${c.paths.join(", ")}); the API server applied it in place`,
      );
    } else if (!inPlace) {
      // What Pulumi does for a replacement of a named object: delete, then create.
      await deleteAndWait(client, object);
      const again = await client.apply(object);
      if (!again.ok) disagreements.push(`${c.label}: recreated after replacement: ${again.message}`);
      else live.set(source, object);
    }
  }
  for (const c of changes.filter((x) => x.action === "delete")) {
    const object = before.get(c.urn)!.inputs as KubeObject;
    if (await served(object)) await client.delete(object);
    live.delete(c.urn);
  }
  return { disagreements, applied };
}

/** Edits with nothing for the API server to judge, with why. */
const NOT_ON_THE_API_SERVER: Record<string, string> = {
  lokiStorage:
    "changes only the Loki Helm release's values, under ignoreChanges (the release keeps its claim templates); no object of the program changes",
};

describeServer(
  "Day 2 on the local API server: the change report's in place / replace against the API server",
  function () {
    this.timeout(600_000);
    let client: KubeClient;
    let base: SynthResult;
    /** What the cluster holds of each resource, as last applied (by URN). */
    const live = new Map<string, KubeObject>();
    /** The rendered charts' CRDs applied before the tests; none without a chart cache. */
    let crds: KubeObject[] = [];
    const served = async (o: KubeObject) => (await client.resourceOf(o.apiVersion, o.kind)) !== undefined;

    before(async () => {
      const cp = await controlPlane();
      client = cp.client;
      base = await synthStack("dev");
      // The custom resources' CRDs come from the rendered charts; without a chart cache, custom resources are
      // left out (one line) and the core objects still run.
      crds = [];
      class NoCharts extends Error {}
      const skipInstead = {
        skip: () => {
          throw new NoCharts();
        },
      } as unknown as Mocha.Context;
      try {
        const rendered = await renderedStack(skipInstead, "dev");
        crds = rendered.releases
          .flatMap((r) => r.objects)
          .filter((o) => o.kind === "CustomResourceDefinition") as KubeObject[];
      } catch (err) {
        if (!(err instanceof NoCharts)) throw err;
      }
      if (crds.length === 0) console.log("day-2 server tests: no chart cache, custom resources left out");
      const { report } = await emptyClusterWithCrds(
        cp.stateDir,
        crds.map((object) => ({ object, source: "rendered CRDs" })),
      );
      client.refreshDiscovery();
      const plan = applyPlan(base.resources as unknown as PlanRecord[], new Map());
      await applyPlanTo(client, { ...plan, crds: [] }, report);
      for (const r of base.resources.filter(isKube)) live.set(r.urn, structuredClone(r.inputs) as KubeObject);
      const unexpected = report.refusals.filter((r) => !/does not serve/.test(r.message));
      assert.deepEqual(
        unexpected.map((r) => `${r.object}: ${r.message}`),
        [],
      );
    });

    for (const [name, edit] of Object.entries(DAY2_EDITS).filter(([n]) => !NOT_ON_THE_API_SERVER[n])) {
      it(`${name}: applies as the change report says, and back`, async function () {
        const head = (await synthEdited("dev", edit)).resources as unknown as ResourceRecord[];
        const baseRecords = base.resources as unknown as ResourceRecord[];
        const forward = await applyChange(client, baseRecords, head, served, live);
        const back = await applyChange(client, head, baseRecords, served, live);
        assert.deepEqual([...forward.disagreements, ...back.disagreements], []);
        if (forward.applied === 0 && crds.length === 0) {
          // Without a chart cache there are no CRDs: an edit of custom resources only (KEDA's ScaledObject) has
          // nothing the API server serves to apply. CI has the cache, so there it is checked.
          console.log(
            `day-2 server test ${name} skipped: it changes custom resources only, and no chart cache gave their CRDs`,
          );
          this.skip();
        }
        assert.ok(forward.applied > 0, "the edit changed at least one object the API server serves");
      });
    }
  },
);

// --- the rules, each on a valid object ---------------------------------------------------------------------

const NS = "day2-rules";
const labels = { app: "r" };
const container = { name: "c", image: "registry.k8s.io/pause:3.10" };
const podTemplate = { metadata: { labels }, spec: { containers: [container] } };

/** A valid object of each kind the rules cover, in namespace day2-rules. */
const OBJECTS: Record<string, KubeObject> = {
  StatefulSet: {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "sts", namespace: NS },
    spec: {
      selector: { matchLabels: labels },
      serviceName: "sts",
      replicas: 0,
      template: podTemplate,
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        },
      ],
    },
  },
  Deployment: {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "dep", namespace: NS },
    spec: { replicas: 0, selector: { matchLabels: labels }, template: podTemplate },
  },
  DaemonSet: {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "ds", namespace: NS },
    spec: { selector: { matchLabels: labels }, template: podTemplate },
  },
  ReplicaSet: {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "rs", namespace: NS },
    spec: { replicas: 0, selector: { matchLabels: labels }, template: podTemplate },
  },
  Job: {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "job", namespace: NS },
    spec: {
      suspend: true,
      completions: 2,
      parallelism: 1,
      template: { spec: { restartPolicy: "Never", containers: [container] } },
    },
  },
  Service: {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "svc", namespace: NS },
    spec: { clusterIP: "10.96.100.10", selector: labels, ports: [{ port: 80 }] },
  },
  RoleBinding: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "rb", namespace: NS },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    subjects: [{ kind: "Group", name: "g", apiGroup: "rbac.authorization.k8s.io" }],
  },
  ClusterRoleBinding: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "day2-crb" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    subjects: [{ kind: "Group", name: "g", apiGroup: "rbac.authorization.k8s.io" }],
  },
  StorageClass: {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "day2-sc" },
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3" },
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
  },
  PersistentVolumeClaim: {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "pvc", namespace: NS },
    spec: {
      storageClassName: "day2-sc",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
    },
  },
  ResourceQuota: {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "quota", namespace: NS },
    spec: { hard: { pods: "10" }, scopes: ["NotTerminating"] },
  },
  Secret: {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "secret", namespace: NS },
    type: "Opaque",
    stringData: { a: "1" },
  },
  ConfigMap: {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cm", namespace: NS },
    data: { a: "1" },
  },
};

/** Each edit: kind, path, new value. */
const EDITS: [string, string, unknown][] = [
  ["StatefulSet", "spec.selector.matchLabels.app", "other"],
  ["StatefulSet", "spec.serviceName", "other"],
  ["StatefulSet", "spec.podManagementPolicy", "Parallel"],
  ["StatefulSet", "spec.volumeClaimTemplates[0].spec.resources.requests.storage", "2Gi"],
  ["StatefulSet", "spec.revisionHistoryLimit", 3],
  ["StatefulSet", "spec.replicas", 1],
  ["StatefulSet", "spec.template.spec.containers[0].image", "registry.k8s.io/pause:3.9"],
  ["StatefulSet", "spec.minReadySeconds", 5],
  ["StatefulSet", "spec.updateStrategy.rollingUpdate.partition", 1],
  [
    "StatefulSet",
    "spec.persistentVolumeClaimRetentionPolicy",
    { whenDeleted: "Delete", whenScaled: "Retain" },
  ],
  ["Deployment", "spec.selector.matchLabels.app", "other"],
  ["Deployment", "spec.template.spec.containers[0].image", "registry.k8s.io/pause:3.9"],
  ["DaemonSet", "spec.selector.matchLabels.app", "other"],
  ["DaemonSet", "spec.template.spec.containers[0].image", "registry.k8s.io/pause:3.9"],
  ["ReplicaSet", "spec.selector.matchLabels.app", "other"],
  ["Job", "spec.template.spec.containers[0].image", "registry.k8s.io/pause:3.9"],
  ["Job", "spec.completions", 3],
  ["Job", "spec.parallelism", 2],
  ["Job", "spec.selector", { matchLabels: { app: "other" } }],
  ["Service", "spec.clusterIP", "10.96.100.11"],
  ["Service", "spec.ports[0].port", 81],
  ["RoleBinding", "roleRef.name", "edit"],
  ["RoleBinding", "subjects[0].name", "h"],
  ["ClusterRoleBinding", "roleRef.name", "edit"],
  ["StorageClass", "parameters.type", "io2"],
  ["StorageClass", "provisioner", "other.csi.aws.com"],
  ["StorageClass", "reclaimPolicy", "Retain"],
  ["StorageClass", "volumeBindingMode", "Immediate"],
  ["StorageClass", "allowVolumeExpansion", false],
  ["PersistentVolumeClaim", "spec.resources.requests.storage", "2Gi"],
  ["PersistentVolumeClaim", "spec.accessModes[0]", "ReadWriteMany"],
  ["PersistentVolumeClaim", "spec.storageClassName", "other"],
  ["ResourceQuota", "spec.scopes[0]", "Terminating"],
  ["ResourceQuota", "spec.hard.pods", "20"],
  ["Secret", "type", "kubernetes.io/basic-auth"],
  ["ConfigMap", "data.a", "2"],
];

/**
 * Replacements of Pulumi's Kubernetes provider (provider/pkg/provider/diff.go `forceNew`) that the API server
 * would make in place: the report says replace because `pulumi up` replaces; the API server is not the judge.
 */
const PROVIDER_ONLY: Record<string, string> = {
  "StatefulSet spec.revisionHistoryLimit":
    "the provider's forceNew lists it; ValidateStatefulSetUpdate allows it",
  "Job spec.parallelism":
    "the provider's forceNew lists it; ValidateJobUpdate allows it (a Job can be scaled)",
  "ConfigMap data.a":
    "the provider replaces a ConfigMap on data unless enableConfigMapMutable (the stacks set it; this fixture does not)",
};

const URN = "urn:pulumi:dev::agentops::";
function record(obj: KubeObject): ResourceRecord {
  const token = obj.apiVersion.includes("/") ? obj.apiVersion : `core/${obj.apiVersion}`;
  const name = obj.metadata.name!;
  return {
    urn: `${URN}kubernetes:${token}:${obj.kind}::${name}`,
    type: `kubernetes:${token}:${obj.kind}`,
    name,
    custom: true,
    inputs: structuredClone(obj) as Record<string, unknown>,
  };
}
function edited(obj: KubeObject, path: string, value: unknown): KubeObject {
  const copy = structuredClone(obj);
  const segments = parsePath(path);
  let at = copy as unknown as Record<string | number, unknown>;
  for (const s of segments.slice(0, -1)) at = (at[s] ??= {}) as Record<string | number, unknown>;
  at[segments.at(-1)!] = value;
  return copy;
}

describeServer("Day 2 on the local API server: every Kubernetes rule of the change report", function () {
  this.timeout(300_000);
  let client: KubeClient;
  before(async () => {
    client = (await controlPlane()).client;
    const r = await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    assert.ok(r.ok);
  });

  for (const [kind, path, value] of EDITS) {
    it(`${kind} ${path}`, async () => {
      const base = OBJECTS[kind]!;
      // A fresh object each time (delete what an earlier case left), so every edit starts from the base.
      await deleteAndWait(client, base);
      const created = await client.apply(base);
      assert.ok(created.ok, created.ok ? "" : `${describeObject(base)}: ${created.message}`);
      if (kind === "PersistentVolumeClaim") {
        // Its StorageClass as the fixture has it (an earlier case edits the class).
        await deleteAndWait(client, OBJECTS.StorageClass!);
        assert.ok((await client.apply(OBJECTS.StorageClass!)).ok);
        // Only a bound claim can grow: kwok's provisioning stage binds it.
        await poll(async () => {
          const pvc = await client.get<{ status?: { phase?: string } }>((await client.pathOf(base))!);
          return pvc?.status?.phase === "Bound" ? true : undefined;
        }, 30_000);
      }
      const after = edited(base, path, value);
      const report = changeReport([record(base)], [record(after)]);
      const change = report.changes[0]!;
      const inPlace = change.action === "update" && !change.refused;
      const r = await client.apply(after);
      const key = `${kind} ${path}`;
      if (PROVIDER_ONLY[key]) {
        assert.equal(
          change.action,
          "replace",
          `${key}: the report should say replace (${PROVIDER_ONLY[key]})`,
        );
        assert.ok(r.ok, `${key}: ${PROVIDER_ONLY[key]}`);
        return;
      }
      assert.equal(
        r.ok ? "in place" : "refused",
        inPlace ? "in place" : "refused",
        `${key}: the report says ${change.action}${change.refused ? " (refused)" : ""}; the API server ${r.ok ? "applied it" : `refused: ${r.message}`}`,
      );
    });
  }
});
