/**
 * Tenancy (a stack policy: it needs every object of a namespace): each namespace that runs workloads has a
 * ResourceQuota, a LimitRange, a default-deny NetworkPolicy and the `restricted` Pod Security enforce label,
 * and every workload carries the cost labels. Platform namespaces are exempt by default: their add-ons are
 * governed by their charts and reach this pack only through rendered manifests.
 */
import { LABELS, PLATFORM_NAMESPACES } from "@agentops/components/model";
import { stackPolicy } from "./define";
import {
  asArray,
  isRecord,
  kubeId,
  kubeObjects,
  WORKLOAD_KINDS,
  type Finding,
  type KubeObject,
  type StackResource,
} from "./kube";

/** The platform's namespaces: never tenants, so never checked as one. */
const PLATFORM_NAMESPACE_LIST: readonly string[] = Object.values(PLATFORM_NAMESPACES);

export const PSS_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

export interface TenantIsolationConfig {
  /**
   * Namespaces not checked besides the platform's own (lib/contract.ts PLATFORM_NAMESPACES, always exempt: they
   * are not tenants). @default []
   */
  exemptNamespaces: string[];
  /** Labels every workload must carry. */
  requiredLabels: string[];
}

/** A NetworkPolicy that selects every pod and allows nothing, in both directions. */
export function isDefaultDeny(policy: KubeObject): boolean {
  const spec = policy.spec ?? {};
  const selector = isRecord(spec.podSelector) ? spec.podSelector : undefined;
  const selectsAll =
    selector !== undefined &&
    Object.keys(isRecord(selector.matchLabels) ? selector.matchLabels : {}).length === 0 &&
    asArray(selector.matchExpressions).length === 0;
  const types = asArray(spec.policyTypes);
  return (
    selectsAll &&
    types.includes("Ingress") &&
    types.includes("Egress") &&
    asArray(spec.ingress).length === 0 &&
    asArray(spec.egress).length === 0
  );
}

export function checkTenantIsolation(
  resources: readonly StackResource[],
  config: TenantIsolationConfig,
): Finding[] {
  const objects = kubeObjects(resources);
  const ns = (o: KubeObject) => o.metadata.namespace ?? "default";
  const exempt = new Set([...PLATFORM_NAMESPACE_LIST, ...config.exemptNamespaces]);
  const workloads = objects.filter(({ obj }) => WORKLOAD_KINDS.includes(obj.kind) && !exempt.has(ns(obj)));
  const findings: Finding[] = [];

  for (const { obj, resource } of workloads) {
    for (const label of config.requiredLabels) {
      if (!obj.metadata.labels?.[label]) {
        findings.push({
          urn: resource.urn,
          message: `metadata.labels["${label}"]: (missing) — every workload carries ${config.requiredLabels.join(", ")}`,
        });
      }
    }
  }

  const namespaces = [...new Set(workloads.map(({ obj }) => ns(obj)))];
  for (const name of namespaces) {
    const inNs = objects.filter(({ obj }) => obj.kind !== "Namespace" && ns(obj) === name);
    const namespace = objects.find(({ obj }) => obj.kind === "Namespace" && obj.metadata.name === name);
    // Findings about a namespace point at its Namespace object, or at its first workload when it has none.
    const urn = namespace?.resource.urn ?? workloads.find(({ obj }) => ns(obj) === name)!.resource.urn;
    const first = workloads.find(({ obj }) => ns(obj) === name)!.obj;
    const at = (message: string) =>
      findings.push({ urn, message: `namespace ${JSON.stringify(name)}: ${message}` });
    if (!namespace) {
      at(
        `no Namespace object declared (workloads such as ${kubeId(first)} run in it) — declare it with ${PSS_ENFORCE_LABEL}: restricted`,
      );
    } else {
      const level = namespace.obj.metadata.labels?.[PSS_ENFORCE_LABEL];
      if (level !== "restricted") {
        at(
          `metadata.labels["${PSS_ENFORCE_LABEL}"]: ${level === undefined ? "(missing)" : JSON.stringify(level)} — must be "restricted"`,
        );
      }
    }
    if (!inNs.some(({ obj }) => obj.kind === "ResourceQuota"))
      at("no ResourceQuota — every namespace with workloads needs one");
    if (!inNs.some(({ obj }) => obj.kind === "LimitRange"))
      at("no LimitRange — every namespace with workloads needs one");
    if (!inNs.some(({ obj }) => obj.kind === "NetworkPolicy" && isDefaultDeny(obj))) {
      at(
        "no default-deny NetworkPolicy — needs one with podSelector {}, policyTypes [Ingress, Egress] and no rules",
      );
    }
  }
  return findings;
}

export const tenantIsolation = stackPolicy<TenantIsolationConfig>({
  name: "tenant-isolation",
  description:
    "Every namespace with workloads has a ResourceQuota, a LimitRange, a default-deny NetworkPolicy and the restricted Pod Security label; workloads carry the cost labels.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      exemptNamespaces: { type: "array", items: { type: "string" }, default: [] },
      requiredLabels: {
        type: "array",
        items: { type: "string" },
        default: [LABELS.tenant, LABELS.tier, LABELS.costCenter],
      },
    },
  },
  check: checkTenantIsolation,
});
