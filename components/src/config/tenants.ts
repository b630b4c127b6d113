import { z } from "zod";
import { PLATFORM_NAMESPACES } from "../lib/contract";
import { parseQuantity } from "../lib/quantity";
import { cpuMemory, dns1123Label, integer, labelValue, quantity, quantityProblem, text } from "./schema";

/**
 * Who owns `name`, when a tenant may not take it: Kubernetes (`default` and every `kube-*` namespace: the
 * cluster's own pods, aws-node, kube-proxy and CoreDNS run in kube-system, and a namespace the API server may
 * create later starts with `kube-`) or the platform (PLATFORM_NAMESPACES: its add-ons run there). The stack's
 * checks add the namespaces of every platform add-on (platform/registry.ts), naming the releases.
 */
export function ownedNamespace(name: string): string | undefined {
  if (name === "default" || name.startsWith("kube-")) {
    return `Kubernetes owns (default and kube-*: the cluster's own pods run there)`;
  }
  const platform = Object.values(PLATFORM_NAMESPACES) as string[];
  if (platform.includes(name)) return `the platform owns (its add-ons run in ${platform.join(", ")})`;
  return undefined;
}

/** How a refusal of a platform namespace begins; the stack's check, which names the releases, replaces it. */
export const PLATFORM_OWNED = "must not be a namespace the platform owns";

/** A team's namespace and its limits: one entry of `agentops:tenants`. */
export const tenantSchema = z.strictObject({
  /**
   * Namespace name: a DNS-1123 label of at most 63 characters (Kubernetes' rule), unique across the stack, and
   * not a namespace the cluster or the platform owns (see {@link ownedNamespace}).
   */
  name: dns1123Label().superRefine((name, ctx) => {
    const owner = ownedNamespace(name);
    if (owner !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `must not be a namespace ${owner}: the tenant's Pod Security "restricted", quota, limit range and default-deny network policies would apply to its pods; choose a name of the team's own`,
      });
    }
  }),
  /** Cost center that every object of the tenant is labelled with (`agentops.io/cost-center`): a label value. */
  costCenter: labelValue("a cost center"),
  /** Kubernetes group of the team (mapped from an IAM role by an EKS access entry); bound to the tenant's Role. */
  group: text("a non-empty Kubernetes group name"),
  /** ResourceQuota of the namespace. */
  quota: z.strictObject({
    requests: cpuMemory({ container: false }),
    limits: cpuMemory({ container: false }),
    /** `requests.nvidia.com/gpu`. @default 0 */
    gpu: integer(0).default(0),
    /** PersistentVolumeClaims. @default 10 */
    pvcs: integer(0).default(10),
    /** Total requested storage. @default "200Gi" */
    storage: quantity("storage").default("200Gi"),
    /** `services.loadbalancers`. @default 0 */
    loadBalancers: integer(0).default(0),
  }),
  /** LimitRange defaults for containers that declare no resources of their own. */
  limitRange: z
    .strictObject({
      defaultRequest: cpuMemory({ container: true }).default({ cpu: "100m", memory: "128Mi" }),
      default: cpuMemory({ container: true }).default({ cpu: "500m", memory: "512Mi" }),
      max: cpuMemory({ container: true }).default({ cpu: "8", memory: "32Gi" }),
    })
    .default({
      defaultRequest: { cpu: "100m", memory: "128Mi" },
      default: { cpu: "500m", memory: "512Mi" },
      max: { cpu: "8", memory: "32Gi" },
    })
    .superRefine((lr, ctx) => {
      // The API server's LimitRange validation (core validation `ValidateLimitRange`): a default request above
      // the default limit passed here and was refused at deploy (issue 20).
      const q = (v: string) => parseQuantity(v) ?? 0;
      for (const r of ["cpu", "memory"] as const) {
        const pairs = [
          ["defaultRequest", "default", "default request value", "default limit value"],
          ["default", "max", "default value", "max value"],
          ["defaultRequest", "max", "default request value", "max value"],
        ] as const;
        for (const [low, high, lowName, highName] of pairs) {
          // A value its own rule refuses (fractional bytes) is reported once, there.
          if (quantityProblem(r, lr[low][r]) || quantityProblem(r, lr[high][r])) continue;
          if (q(lr[low][r]) > q(lr[high][r])) {
            ctx.addIssue({
              code: "custom",
              path: [low, r],
              input: lr[low][r],
              message: `must be <= limitRange.${high}.${r} (${JSON.stringify(lr[high][r])}): the API server refuses a ${lowName} greater than the ${highName}`,
            });
            break;
          }
        }
      }
    }),
});

export const tenantsSchema = z.array(tenantSchema, { error: "must be a list of tenants" });

export type TenantConfig = z.infer<typeof tenantSchema>;
