import { z } from "zod";
import { parseQuantity } from "../lib/quantity";
import { cpuMemory, dns1123Label, integer, labelValue, quantity, quantityProblem, text } from "./schema";

/** A team's namespace and its limits: one entry of `agentops:tenants`. */
export const tenantSchema = z.strictObject({
  /** Namespace name: a DNS-1123 label of at most 63 characters (Kubernetes' rule), unique across the stack. */
  name: dns1123Label(),
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
