/**
 * Applying a plan (plan.ts) to the API server with server-side apply (field manager `agentops`), collecting
 * every refusal with the API server's own message.
 *
 * What the local control plane cannot hold, each handled in one stated way (never skipped silently):
 * - an APIService served by an in-cluster Service (an aggregated API such as metrics-server's
 *   `v1beta1.metrics.k8s.io`): applied with `dryRun=All` only. The API server validates and admits it, but
 *   stored it would point discovery at a server that cannot run here, and every client's discovery (the
 *   garbage collector, namespace deletion, kubectl) would then report the group unavailable.
 * - a CustomResourceDefinition with a conversion webhook: applied (the API server accepts it), and every
 *   custom resource is applied in the version it is written in; a request that needs conversion fails with the
 *   API server's message and counts as a refusal.
 */
import { describeObject, poll, type KubeClient, type KubeObject } from "../kube/client";
import type { ApplyPlan, PlannedObject } from "./plan";

/**
 * How long the CRDs may take to become Established. The pinned charts' CRDs carry megabytes of schemas: 30 s on
 * an idle 2-core machine, over two minutes on a loaded one. A CRD that is never Established is a refusal; a slow
 * API server is not.
 */
export const ESTABLISH_TIMEOUT_MS = 300_000;

/** One object the API server refused. */
export interface Refusal {
  /** `<Kind> <namespace>/<name>`. */
  object: string;
  source: string;
  /** HTTP status. */
  status: number;
  /** The API server's message. */
  message: string;
}

/** What applying a plan did. */
export interface ApplyReport {
  applied: number;
  /** Objects only validated (dry run), each with why. */
  dryRunOnly: { object: string; source: string; why: string }[];
  refusals: Refusal[];
  /** Warnings the API server returned (`Warning` headers), per object. */
  warnings: { object: string; warning: string }[];
  /** Namespaces the stack does not declare that verify had to create. */
  undeclaredNamespaces: string[];
}

/** Whether an object is an APIService backed by a Service (aggregated), which cannot be served locally. */
export function isAggregatedApiService(o: KubeObject): boolean {
  const spec = o.spec as { service?: unknown } | undefined;
  return o.kind === "APIService" && spec?.service != null;
}

const AGGREGATED_WHY =
  "an aggregated API (spec.service): stored, it would make discovery report its group unavailable, since its server cannot run here; validated with dryRun=All instead";

/** Applies objects, at most `parallel` at a time, into `report`. */
async function applyAll(
  client: KubeClient,
  objects: readonly PlannedObject[],
  report: ApplyReport,
  parallel = 16,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const p = objects[next++]!;
      const name = describeObject(p.object);
      const dryRun = isAggregatedApiService(p.object);
      let r = await client.apply(p.object, { dryRun });
      // A kind served only after a CRD of this wave: discovery is refreshed once and the object tried again.
      if (!r.ok && r.reason === "NotServed") {
        client.refreshDiscovery();
        r = await client.apply(p.object, { dryRun });
      }
      if (!r.ok) {
        report.refusals.push({ object: name, source: p.source, status: r.status, message: r.message });
        continue;
      }
      for (const w of r.warnings) report.warnings.push({ object: name, warning: w });
      if (dryRun) report.dryRunOnly.push({ object: name, source: p.source, why: AGGREGATED_WHY });
      else report.applied++;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** Applies one kind at a time (Helm's order), the objects of a kind in parallel. */
async function applyWave(
  client: KubeClient,
  wave: readonly PlannedObject[],
  report: ApplyReport,
): Promise<void> {
  const groups: PlannedObject[][] = [];
  for (const p of wave) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.object.kind === p.object.kind) last.push(p);
    else groups.push([p]);
  }
  for (const g of groups) {
    const t = Date.now();
    await applyAll(client, g, report);
    if (process.env.AGENTOPS_VERIFY_DEBUG)
      console.error(`  ${g.length} ${g[0]!.object.kind}: ${Date.now() - t} ms`);
  }
}

/**
 * Applies CustomResourceDefinitions and waits until each is Established (up to {@link ESTABLISH_TIMEOUT_MS}; one that is not is a
 * refusal with its conditions). Refreshes the client's discovery.
 */
export async function applyCrds(
  client: KubeClient,
  crds: readonly PlannedObject[],
  report: ApplyReport,
): Promise<void> {
  await applyAll(client, crds, report);
  const refused = new Set(report.refusals.map((r) => r.object));
  const crdNames = crds
    .map((c) => c.object.metadata.name!)
    .filter((n) => !refused.has(`CustomResourceDefinition ${n}`));
  type Crd = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };
  const notEstablished = async () => {
    const list = await client.list<Crd>("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
    const byName = new Map(list.map((c) => [c.metadata.name, c]));
    return crdNames
      .map((n) => ({ name: n, crd: byName.get(n) }))
      .filter(
        (x) => !x.crd?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"),
      );
  };
  const established = await poll(
    async () => ((await notEstablished()).length === 0 ? true : undefined),
    ESTABLISH_TIMEOUT_MS,
  );
  if (!established) {
    for (const { name, crd } of await notEstablished()) {
      report.refusals.push({
        object: `CustomResourceDefinition ${name}`,
        source: crds.find((p) => p.object.metadata.name === name)!.source,
        status: 0,
        message: `not Established after ${ESTABLISH_TIMEOUT_MS / 1000}s: conditions ${JSON.stringify(crd?.status?.conditions ?? [])}`,
      });
    }
  }
  client.refreshDiscovery();
}

/** An empty report. */
export const emptyReport = (): ApplyReport => ({
  applied: 0,
  dryRunOnly: [],
  refusals: [],
  warnings: [],
  undeclaredNamespaces: [],
});

/**
 * Applies the plan: namespaces, CRDs (see {@link applyCrds}; none when the caller applied them already), then
 * each wave, one kind at a time.
 */
export async function applyPlanTo(
  client: KubeClient,
  plan: ApplyPlan,
  report = emptyReport(),
): Promise<ApplyReport> {
  const existing = new Set((await client.list<KubeObject>("/api/v1/namespaces")).map((n) => n.metadata.name));
  for (const ns of plan.namespaces) {
    if (ns.source.startsWith("not declared") && !existing.has(ns.object.metadata.name)) {
      report.undeclaredNamespaces.push(ns.object.metadata.name!);
    }
  }
  await applyAll(client, plan.namespaces, report);
  if (plan.crds.length > 0) await applyCrds(client, plan.crds, report);
  for (const wave of plan.waves) await applyWave(client, wave, report);
  return report;
}
