import { z } from "zod";
import { cpuMemory, dnsLabel, integer, quantity, text } from "./schema";

/** A team's namespace and its limits: one entry of `agentops:tenants`. */
export const tenantSchema = z.strictObject({
  /** Namespace name; DNS-1123 label, unique across the stack. */
  name: dnsLabel(40),
  /** Cost center that every object of the tenant is labelled with (`agentops.io/cost-center`). */
  costCenter: text("a non-empty cost-center string"),
  /** Kubernetes group of the team (mapped from an IAM role by an EKS access entry); bound to the tenant's Role. */
  group: text("a non-empty Kubernetes group name"),
  /** ResourceQuota of the namespace. */
  quota: z.strictObject({
    requests: cpuMemory(),
    limits: cpuMemory(),
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
      defaultRequest: cpuMemory().default({ cpu: "100m", memory: "128Mi" }),
      default: cpuMemory().default({ cpu: "500m", memory: "512Mi" }),
      max: cpuMemory().default({ cpu: "8", memory: "32Gi" }),
    })
    .default({
      defaultRequest: { cpu: "100m", memory: "128Mi" },
      default: { cpu: "500m", memory: "512Mi" },
      max: { cpu: "8", memory: "32Gi" },
    }),
});

export const tenantsSchema = z.array(tenantSchema, { error: "must be a list of tenants" });

export type TenantConfig = z.infer<typeof tenantSchema>;
