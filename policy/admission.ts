/**
 * Pod security as the API server's admission will judge it: every pod template, checked at the level its
 * namespace ENFORCES (label `pod-security.kubernetes.io/enforce`), and listed as advisory where a stricter
 * `warn` level would only print warnings. Pure functions over Kubernetes objects: the program's
 * `manifests.yaml` gives the Namespaces and their labels, `helm template` output the charts' pods.
 * The checks are those of a 1.35 API server, which is what `enforce-version: latest` (the program's label)
 * means there; a namespace pinned to an older `enforce-version` would be judged by that version's checks,
 * which this module does not model.
 */
import { checkPodSecurity, POD_SECURITY_LEVELS, type PodSecurityLevel } from "./pod-security";
import { kubeId, podSpecOf, type KubeObject } from "./kube";

/** A Pod Security Admission level; `privileged` admits everything. */
export type AdmissionLevel = "privileged" | PodSecurityLevel;

/** What a namespace enforces and warns about. */
export interface NamespaceLevels {
  enforce: AdmissionLevel;
  warn: AdmissionLevel;
  /** Where the levels came from: the Namespace's labels, or the cluster default for an unlabelled one. */
  source: "labels" | "cluster default";
}

/**
 * The cluster's defaults for namespaces without labels. EKS configures no PodSecurity admission defaults, so
 * the plugin's own apply: `privileged` for enforce, warn and audit; `kube-system`, which EKS creates without
 * labels, is such a namespace (Amazon EKS User Guide, "Pod Security Standards"; the PodSecurity admission
 * configuration defaults, k8s.io/pod-security-admission/admission/api).
 */
export const EKS_DEFAULT_LEVELS: NamespaceLevels = {
  enforce: "privileged",
  warn: "privileged",
  source: "cluster default",
};

const LEVELS: readonly AdmissionLevel[] = ["privileged", ...POD_SECURITY_LEVELS];
const label = (mode: "enforce" | "warn") => `pod-security.kubernetes.io/${mode}`;

/**
 * The levels of every Namespace among `objects`, by name. A label with a value Kubernetes does not know is
 * read as `restricted`, the level the API server applies to an invalid label value.
 */
export function namespaceLevels(objects: readonly KubeObject[]): Map<string, NamespaceLevels> {
  const out = new Map<string, NamespaceLevels>();
  for (const ns of objects.filter((o) => o.kind === "Namespace" && typeof o.metadata.name === "string")) {
    const labels = ns.metadata.labels ?? {};
    const level = (mode: "enforce" | "warn"): AdmissionLevel => {
      const value = labels[label(mode)];
      if (value === undefined) return "privileged";
      return LEVELS.includes(value as AdmissionLevel) ? (value as AdmissionLevel) : "restricted";
    };
    out.set(ns.metadata.name!, { enforce: level("enforce"), warn: level("warn"), source: "labels" });
  }
  return out;
}

/** One finding of the admission check. */
export interface AdmissionFinding {
  /** `Deployment/monitoring/loki-gateway` */
  object: string;
  namespace: string;
  level: PodSecurityLevel;
  message: string;
}

export interface AdmissionReport {
  /** Pods the API server would refuse: violations of the level their namespace enforces. */
  rejected: AdmissionFinding[];
  /** Violations of a stricter `warn` level only: `kubectl` and Pulumi print a warning, the pod runs. */
  advisory: AdmissionFinding[];
  /** Pod templates judged, per namespace, with the levels used. */
  judged: {
    namespace: string;
    enforce: AdmissionLevel;
    warn: AdmissionLevel;
    source: string;
    pods: number;
  }[];
}

/** Helm test hooks are run only by `helm test`, never installed by a Release (`helm.sh/hook: test`). */
export function isHelmTestHook(obj: KubeObject): boolean {
  const hook = obj.metadata.annotations?.["helm.sh/hook"];
  return typeof hook === "string" && hook.split(",").some((h) => h.trim().startsWith("test"));
}

/**
 * Judges every pod template among `objects` as admission will. `namespaceOf` gives an object's namespace
 * (e.g. its release's namespace when the chart leaves `metadata.namespace` unset); namespaces missing from
 * `levels` get `defaults`. The project's own rules (read-only root filesystem, resources) are not part of
 * admission and are left out.
 */
export function judgeAdmission(
  objects: readonly KubeObject[],
  levels: ReadonlyMap<string, NamespaceLevels>,
  namespaceOf: (obj: KubeObject) => string = (obj) => obj.metadata.namespace ?? "default",
  defaults: NamespaceLevels = EKS_DEFAULT_LEVELS,
): AdmissionReport {
  const report: AdmissionReport = { rejected: [], advisory: [], judged: [] };
  const judged = new Map<string, AdmissionReport["judged"][number]>();
  for (const obj of objects) {
    if (!podSpecOf(obj) || isHelmTestHook(obj)) continue;
    const namespace = namespaceOf(obj);
    const ns = levels.get(namespace) ?? defaults;
    const entry = judged.get(namespace) ?? { namespace, ...ns, pods: 0 };
    entry.pods++;
    judged.set(namespace, entry);
    const check = (level: PodSecurityLevel) =>
      checkPodSecurity(
        { ...obj, metadata: { ...obj.metadata, namespace } },
        { level, requireReadOnlyRootFilesystem: false, requireResources: false, exemptNamespaces: [] },
      );
    const object = kubeId({ ...obj, metadata: { ...obj.metadata, namespace } });
    const enforced = ns.enforce === "privileged" ? [] : check(ns.enforce);
    for (const message of enforced)
      report.rejected.push({ object, namespace, level: ns.enforce as PodSecurityLevel, message });
    if (ns.warn !== "privileged" && LEVELS.indexOf(ns.warn) > LEVELS.indexOf(ns.enforce)) {
      const warned = check(ns.warn).filter((m) => !enforced.includes(m));
      for (const message of warned) report.advisory.push({ object, namespace, level: ns.warn, message });
    }
  }
  report.judged = [...judged.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
  return report;
}

/** The report as lines: pods judged per namespace, then rejected and advisory findings. */
export function formatAdmissionReport(stack: string, report: AdmissionReport): string {
  const lines = [`pod security admission, stack ${stack}:`];
  for (const j of report.judged) {
    lines.push(
      `  ${j.namespace}: ${j.pods} pod templates, enforce ${j.enforce}, warn ${j.warn} (${j.source})`,
    );
  }
  lines.push(`  rejected: ${report.rejected.length}`);
  for (const f of report.rejected) lines.push(`    ${f.level} ${f.object}: ${f.message}`);
  lines.push(`  advisory (warn only): ${report.advisory.length}`);
  for (const f of report.advisory) lines.push(`    ${f.level} ${f.object}: ${f.message}`);
  return lines.join("\n");
}
