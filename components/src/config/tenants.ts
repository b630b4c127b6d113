import { z } from "zod";
import { parseQuantity } from "../lib/quantity";
import { agentSchema, type AgentConfig } from "./agents";
import type { ConfigIssue } from "./errors";
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

/** What one agent asks of its tenant's quota when every workload is at its maximum. */
export interface AgentDemand {
  /** Pods of the service at `replicas.max`, 0 for a scheduled agent. */
  servicePods: number;
  /** Pods of one scheduled run: 1 for scheduled and hybrid agents, else 0. */
  jobPods: number;
  requests: { cpu: number; memory: number };
  limits: { cpu: number; memory: number };
  gpus: number;
  /** Storage in bytes: one claim per service replica at max plus one for the job. */
  storageBytes: number;
  pvcs: number;
}

/**
 * An agent's demand on its tenant at max replicas plus one run of its job. Agents with storage run their
 * service as a StatefulSet (one claim per replica) and their job on a claim of its own; see agents/agent.ts.
 */
export function agentDemand(agent: AgentConfig): AgentDemand {
  const servicePods = agent.mode === "scheduled" ? 0 : (agent.replicas?.max ?? 1);
  const jobPods = agent.mode === "service" ? 0 : 1;
  const pods = servicePods + jobPods;
  const q = (v: string) => parseQuantity(v) ?? 0;
  const { requests, limits } = agent.resources;
  const pvcs = agent.storage ? pods : 0;
  return {
    servicePods,
    jobPods,
    requests: { cpu: q(requests.cpu) * pods, memory: q(requests.memory) * pods },
    limits: { cpu: q(limits.cpu) * pods, memory: q(limits.memory) * pods },
    gpus: agent.gpu * servicePods + (agent.job?.gpu ?? agent.gpu) * jobPods,
    storageBytes: agent.storage ? q(agent.storage.size) * pvcs : 0,
    pvcs,
  };
}

/**
 * Agent/tenant combinations that cannot work: a GPU agent in a tenant without GPU quota, an agent whose own
 * maximum (replicas at max plus one job run) exceeds the tenant's quota, a container limit above the
 * tenant's LimitRange maximum. Each is checked per agent, so the message names the key to change; entries the
 * schema rejects, or whose tenant does not exist, are skipped (they are reported elsewhere).
 */
export function agentTenantIssues(
  rawTenants: unknown[],
  rawAgents: unknown[],
  /** Agents to leave out, e.g. those with problems of their own: fixing those changes the figures. */
  skip: (index: number) => boolean = () => false,
): ConfigIssue[] {
  const tenants = new Map<string, TenantConfig>();
  for (const raw of rawTenants) {
    const t = tenantSchema.safeParse(raw);
    if (t.success) tenants.set(t.data.name, t.data);
  }
  const issues: ConfigIssue[] = [];
  rawAgents.forEach((raw, i) => {
    const parsed = agentSchema.safeParse(raw);
    if (!parsed.success || skip(i)) return;
    const agent = parsed.data;
    const tenant = tenants.get(agent.tenant);
    if (!tenant) return;
    const at = (key: string) => `agents[${i}].${key}`;
    const of = `tenant ${JSON.stringify(tenant.name)}`;
    const demand = agentDemand(agent);
    const pods = demand.servicePods + demand.jobPods;
    const podsText = describePods(demand);
    const q = (v: string) => parseQuantity(v) ?? 0;

    // Without a `job.gpu` of its own, the job runs with the agent's `gpu`.
    const jobGpu = agent.job?.gpu;
    const gpuChecks = [
      {
        key: "gpu",
        value: agent.gpu,
        total: agent.gpu * demand.servicePods + (jobGpu === undefined ? agent.gpu * demand.jobPods : 0),
        text: jobGpu === undefined ? podsText : `${demand.servicePods} at replicas.max`,
      },
      { key: "job.gpu", value: jobGpu ?? 0, total: (jobGpu ?? 0) * demand.jobPods, text: "1 job run" },
    ];
    for (const c of gpuChecks) {
      if (c.total === 0) continue;
      if (tenant.quota.gpu === 0) {
        issues.push({
          path: at(c.key),
          value: c.value,
          allowed: `must be 0: ${of} has quota.gpu 0 (raise it to run GPU agents there)`,
        });
      } else if (c.total > tenant.quota.gpu) {
        issues.push({
          path: at(c.key),
          value: c.value,
          allowed: `needs ${c.total} GPUs (${c.text}); must fit ${of} quota.gpu (${tenant.quota.gpu})`,
        });
      }
    }

    for (const kind of ["requests", "limits"] as const) {
      for (const r of ["cpu", "memory"] as const) {
        const quota = tenant.quota[kind][r];
        const perPod = agent.resources[kind][r];
        if (demand[kind][r] > q(quota)) {
          issues.push({
            path: at(`resources.${kind}.${r}`),
            value: perPod,
            allowed: `× ${pods} pods (${podsText}) exceeds ${of} quota.${kind}.${r} (${JSON.stringify(quota)})`,
          });
        }
      }
    }
    for (const r of ["cpu", "memory"] as const) {
      const max = tenant.limitRange.max[r];
      if (q(agent.resources.limits[r]) > q(max)) {
        issues.push({
          path: at(`resources.limits.${r}`),
          value: agent.resources.limits[r],
          allowed: `must be <= ${of} limitRange.max.${r} (${JSON.stringify(max)})`,
        });
      }
    }

    if (agent.storage) {
      if (demand.storageBytes > q(tenant.quota.storage)) {
        issues.push({
          path: at("storage.size"),
          value: agent.storage.size,
          allowed: `× ${demand.pvcs} claims (${podsText}) exceeds ${of} quota.storage (${JSON.stringify(tenant.quota.storage)})`,
        });
      }
      if (demand.pvcs > tenant.quota.pvcs) {
        issues.push({
          path: at("storage"),
          value: (raw as { storage?: unknown }).storage,
          allowed: `needs ${demand.pvcs} PersistentVolumeClaims (${podsText}); must fit ${of} quota.pvcs (${tenant.quota.pvcs})`,
        });
      }
    }
  });
  return issues;
}

function describePods(d: AgentDemand): string {
  const parts = [];
  if (d.servicePods > 0) parts.push(`${d.servicePods} at replicas.max`);
  if (d.jobPods > 0) parts.push(`${d.jobPods} job run`);
  return parts.join(" + ");
}
