import { z } from "zod";
import { cpuMemory, dns1123Label, integer, labelValue, quantity, text } from "./schema";

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
    }),
});

export const tenantsSchema = z.array(tenantSchema, { error: "must be a list of tenants" });

export type TenantConfig = z.infer<typeof tenantSchema>;
