/**
 * `helm template` of every Helm Release a stack declares, with the exact chart, version, namespace and values
 * the program gives it, so the objects the releases install can be checked like the program's own.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { SUPPORTED_KUBERNETES_VERSIONS } from "@agentops/components";
import { parseStackConfig, rawStackConfig } from "@agentops/components";
import { ADDONS } from "@agentops/components";
import { removedAtExit, replaceOutputDir } from "../lib/cli";
import { synthesize, type KubernetesObject, type SynthResult } from "@agentops/components/testing";
import { cachedRender, renderCacheDir, type RenderKey } from "./cache";
import { chartFile, firstLine, lockEntry, run, sha256 } from "./charts";
import { RenderError } from "./errors";
import { findHelm } from "./helm";

/** The Pulumi type of the releases rendered. */
export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** Releases rendered at once: Helm is CPU-bound, and two keeps a small CI runner responsive. */
const PARALLEL = 2;

export interface RenderOptions {
  /** Project root: where `Pulumi.yaml`, `Pulumi.<stack>.yaml` and `index.ts` are. */
  root: string;
  stack: string;
  /** Folder to write `<release>.yaml` into (emptied first). @default nothing is written */
  outDir?: string;
  /** The stack's synthesis, when the caller has it already. @default synthesized here */
  synth?: SynthResult;
}

export interface RenderedRelease {
  /** Helm release name. */
  name: string;
  /** Chart as the release names it (a chart name or an `oci://` reference). */
  chart: string;
  version: string;
  namespace: string;
  /** Every object `helm template` prints (CRDs included), in Helm's order, except `helm test` hooks. */
  objects: KubernetesObject[];
  /**
   * Objects annotated `helm.sh/hook: test`: only `helm test` creates them, a Release never installs them, so
   * they are left out of `objects` and of the written files. Disable them in values where the chart allows.
   */
  testHooks: KubernetesObject[];
}

/** Whether only `helm test` creates this object (`helm.sh/hook` lists `test`). */
export function isTestHook(obj: KubernetesObject): boolean {
  const hooks = obj.metadata.annotations?.["helm.sh/hook"] ?? "";
  return hooks.split(",").some((h) => h.trim() === "test");
}

export interface RenderResult {
  stack: string;
  synth: SynthResult;
  /** `--kube-version` given to Helm: the cluster's Kubernetes minor version. */
  kubeVersion: string;
  /** `--api-versions` given to Helm: every `group/version` and `group/version/Kind` the rendered CRDs serve. */
  apiVersions: string[];
  /** In the order the program declares them. */
  releases: RenderedRelease[];
}

interface ReleaseInputs {
  name: string;
  chart: string;
  version: string;
  namespace?: string;
  values?: Record<string, unknown>;
}

/**
 * The Kubernetes version Helm renders for: the EKS cluster's `kubernetesVersion`; for an existing cluster
 * (whose version the configuration does not state) the newest version this package supports.
 */
export function kubeVersionOf(synth: SynthResult): string {
  const config = parseStackConfig(rawStackConfig(synth.config));
  return config.cluster.mode === "eks"
    ? config.cluster.kubernetesVersion
    : SUPPORTED_KUBERNETES_VERSIONS[SUPPORTED_KUBERNETES_VERSIONS.length - 1]!;
}

/** The `group/version` and `group/version/Kind` of every served version of the given CRDs, sorted. */
export function crdApiVersions(objects: readonly KubernetesObject[]): string[] {
  const apis = new Set<string>();
  for (const crd of objects.filter((o) => o.kind === "CustomResourceDefinition")) {
    const spec = crd.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; served?: boolean }[];
    };
    for (const v of spec.versions.filter((x) => x.served !== false)) {
      apis.add(`${spec.group}/${v.name}`);
      apis.add(`${spec.group}/${v.name}/${spec.names.kind}`);
    }
  }
  return [...apis].sort();
}

/** Runs `task` over `items`, at most `limit` at a time; results in input order. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After a failure no new task starts: the caller is about to report it.
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await task(items[i]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Cluster-scoped kinds of the built-in APIs (Kubernetes 1.35, `kubectl api-resources --namespaced=false`);
 * custom kinds are cluster-scoped when their CRD says `scope: Cluster`.
 */
const CLUSTER_SCOPED_KINDS = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterTrustBundle",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "DeviceClass",
  "FlowSchema",
  "IngressClass",
  "IPAddress",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "ResourceSlice",
  "RuntimeClass",
  "ServiceCIDR",
  "StorageClass",
  "StorageVersionMigration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
  "VolumeAttributesClass",
]);

/**
 * Gives every namespaced object that a chart renders without `metadata.namespace` its release's namespace, as
 * `helm install --namespace` does (Helm sends such objects to the release namespace), so the rendered files are
 * what the release installs and policies judge them in the right namespace.
 */
export function withReleaseNamespaces(releases: readonly RenderedRelease[]): RenderedRelease[] {
  const clusterScoped = new Set(CLUSTER_SCOPED_KINDS);
  for (const crd of releases.flatMap((r) => r.objects).filter((o) => o.kind === "CustomResourceDefinition")) {
    const spec = crd.spec as { scope?: string; names?: { kind?: string } };
    if (spec.scope === "Cluster" && spec.names?.kind) clusterScoped.add(spec.names.kind);
  }
  return releases.map((r) => ({
    ...r,
    objects: r.objects.map((o) =>
      o.metadata.namespace !== undefined || clusterScoped.has(o.kind)
        ? o
        : { ...o, metadata: { ...o.metadata, namespace: r.namespace } },
    ),
  }));
}

/** The objects of Helm's multi-document output; empty documents dropped. */
export function parseRendered(release: string, text: string): KubernetesObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) {
      throw new RenderError(
        "helm",
        `release ${release}: Helm printed YAML that does not parse — ${doc.errors[0]!.message.split("\n")[0]}`,
      );
    }
    const obj = doc.toJS() as KubernetesObject | null;
    return obj && typeof obj === "object" ? [obj] : [];
  });
}

async function template(
  helm: string,
  root: string,
  release: ReleaseInputs,
  kubeVersion: string,
  apiVersions: readonly string[],
  tmp: string,
): Promise<RenderedRelease> {
  const chart = await chartFile(root, helm, release.chart, release.version);
  const namespace = release.namespace ?? "default";
  const flags = ["--include-crds"];
  const key: RenderKey = {
    helm: await sha256(helm),
    chart: lockEntry(release.chart, release.version).sha256,
    release: release.name,
    namespace,
    kubeVersion,
    apiVersions,
    values: release.values ?? {},
    flags,
  };
  const objects = await cachedRender(renderCacheDir(root), key, () =>
    helmTemplate(helm, chart, release, namespace, kubeVersion, apiVersions, flags, tmp),
  );
  return {
    name: release.name,
    chart: release.chart,
    version: release.version,
    namespace,
    objects: objects.filter((o) => !isTestHook(o)),
    testHooks: objects.filter(isTestHook),
  };
}

/** Every object `helm template` prints for the release. */
async function helmTemplate(
  helm: string,
  chart: string,
  release: ReleaseInputs,
  namespace: string,
  kubeVersion: string,
  apiVersions: readonly string[],
  flags: readonly string[],
  tmp: string,
): Promise<KubernetesObject[]> {
  // JSON is YAML: the values go to Helm exactly as the program built them.
  const values = path.join(tmp, `${release.name}.values.json`);
  fs.writeFileSync(values, JSON.stringify(release.values ?? {}));
  const args = [
    "template",
    release.name,
    chart,
    "--namespace",
    namespace,
    "--kube-version",
    kubeVersion,
    ...flags,
    ...apiVersions.flatMap((a) => ["--api-versions", a]),
    "-f",
    values,
  ];
  let result: Awaited<ReturnType<typeof run>>;
  try {
    result = await run(helm, args);
  } catch (err) {
    // The packaged binary is Linux x86-64: elsewhere it cannot start.
    throw new RenderError(
      "unavailable",
      `Helm at ${helm} does not start: ${(err as Error).message}`,
      "install Helm 3 or 4 (https://helm.sh/docs/intro/install/) or set HELM to its path",
    );
  }
  if (result.code !== 0) {
    throw new RenderError(
      "helm",
      `release ${release.name} (${release.chart} ${release.version}): helm template (${helm}) failed with exit code ${result.code}: ${result.stderr.trim().split("\n").join(" | ") || firstLine(result.stderr)}`,
    );
  }
  return parseRendered(release.name, result.stdout);
}

/**
 * The API versions the last render in this process settled on, by Kubernetes version: stacks of one project
 * mostly share their CRDs, so the next render usually needs one pass.
 */
const lastApiVersions = new Map<string, string[]>();

/**
 * Synthesizes a stack (unless `synth` is given) and renders each of its Helm Releases with `helm template`
 * (`--kube-version` of the cluster, `--include-crds`, `--api-versions` of every CRD the platform's releases
 * render), at most two at a time. The API versions are a fixpoint: rendered with a first guess (the CRDs of the
 * add-ons the registry marks `installsCrds`, rendered alone; or the previous render's), then again whenever the
 * CRDs rendered serve a different set.
 * @throws RenderError (see its kinds); ConfigError or UsageError from synthesis for a bad stack.
 */
export async function renderStack(opts: RenderOptions): Promise<RenderResult> {
  // The stack's configuration first: a mistake there is named before Helm is looked for or unpacked.
  const synth = opts.synth ?? (await synthesize({ root: opts.root, stack: opts.stack }));
  const helm = await findHelm(opts.root);
  const kubeVersion = kubeVersionOf(synth);
  const releases = synth.resources
    .filter((r) => r.type === RELEASE_TYPE)
    .map((r) => r.inputs as unknown as ReleaseInputs);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-render-"));
  // The values files Helm reads: removed at the end, or on Ctrl-C while Helm runs.
  const remove = removedAtExit(tmp);
  try {
    // The API versions to render with: a guess, then what the rendered CRDs serve, until the two agree.
    const render = (subset: readonly ReleaseInputs[], apis: readonly string[]) =>
      pool(subset, PARALLEL, (r) => template(helm, opts.root, r, kubeVersion, apis, tmp));
    const installsCrds = new Set(ADDONS.filter((a) => a.installsCrds).map((a) => a.name));
    const crdInstallers = releases.filter((r) => installsCrds.has(r.name));
    let apiVersions =
      lastApiVersions.get(kubeVersion) ??
      crdApiVersions((await render(crdInstallers, [])).flatMap((r) => r.objects));
    let rendered: RenderedRelease[] | undefined;
    for (let pass = 1; ; pass++) {
      const known = apiVersions;
      rendered = await render(releases, known);
      apiVersions = crdApiVersions(rendered.flatMap((r) => r.objects));
      if (apiVersions.join() === known.join()) break;
      if (pass === 3) {
        throw new RenderError(
          "helm",
          `the CRDs the releases render change with the API versions given to Helm (${known.length} → ${apiVersions.length} after 3 passes)`,
        );
      }
    }
    lastApiVersions.set(kubeVersion, apiVersions);
    rendered = withReleaseNamespaces(rendered);
    const outDir = opts.outDir;
    if (outDir !== undefined) replaceOutputDir(outDir, (tmp) => writeRendered(tmp, rendered));
    return { stack: opts.stack, synth, kubeVersion, apiVersions, releases: rendered };
  } finally {
    remove();
  }
}

/** Writes `<dir>/<release>.yaml` per release (multi-document YAML) into an existing folder. */
export function writeRendered(dir: string, releases: readonly RenderedRelease[]): void {
  for (const r of releases) {
    fs.writeFileSync(
      path.join(dir, `${r.name}.yaml`),
      r.objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"),
    );
  }
}
