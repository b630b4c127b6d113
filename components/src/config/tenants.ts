import { z } from "zod";
import { parseQuantity } from "../lib/quantity";
import { agentSchema, type AgentConfig } from "./agents";
import type { ConfigIssue } from "./errors";
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

/**
 * What one agent asks of its tenant's quota at its peak: every workload at `replicas.max` while a rollout
 * runs, plus one run of its job. See agents/agent.ts for the objects:
 * - without storage the service is a Deployment rolling with maxSurge 1 / maxUnavailable 0, so a rollout at
 *   `replicas.max` runs one pod more; with storage it is a StatefulSet, which rolls without surge (it
 *   replaces pods one by one) and holds one claim per replica;
 * - a scheduled run is one pod (concurrencyPolicy Forbid); with storage it mounts a claim of its own;
 * - a GPU service pod takes `gpu` GPUs, surge pod included; a job pod `job.gpu`, else `gpu`.
 * Terminated pods (finished or failed runs) are not counted by a ResourceQuota, so retries add nothing.
 */
export interface AgentDemand {
  /** Service pods at `replicas.max`, 0 for a scheduled agent. */
  servicePods: number;
  /** Extra pods a rollout adds: 1 for a Deployment (maxSurge 1), 0 for a StatefulSet or no service. */
  surgePods: number;
  /** Pods of one scheduled run: 1 for scheduled and hybrid agents, else 0. */
  jobPods: number;
  /** Sums over all those pods, in cores and bytes. */
  requests: { cpu: number; memory: number };
  limits: { cpu: number; memory: number };
  gpus: number;
  /** Storage in bytes: one claim per service replica at max plus one for the job. */
  storageBytes: number;
  pvcs: number;
}

/** Pods a Deployment rollout adds on top of its replicas: its `maxSurge` (agents/agent.ts). */
export const DEPLOYMENT_MAX_SURGE = 1;

/** An agent's demand on its tenant's quota: see {@link AgentDemand}. */
export function agentDemand(agent: AgentConfig): AgentDemand {
  const servicePods = agent.mode === "scheduled" ? 0 : (agent.replicas?.max ?? 1);
  const surgePods = servicePods > 0 && !agent.storage ? DEPLOYMENT_MAX_SURGE : 0;
  const jobPods = agent.mode === "service" ? 0 : 1;
  const pods = servicePods + surgePods + jobPods;
  const q = (v: string) => parseQuantity(v) ?? 0;
  const { requests, limits } = agent.resources;
  const pvcs = agent.storage ? servicePods + jobPods : 0;
  return {
    servicePods,
    surgePods,
    jobPods,
    requests: { cpu: q(requests.cpu) * pods, memory: q(requests.memory) * pods },
    limits: { cpu: q(limits.cpu) * pods, memory: q(limits.memory) * pods },
    gpus: agent.gpu * (servicePods + surgePods) + (agent.job?.gpu ?? agent.gpu) * jobPods,
    storageBytes: agent.storage ? q(agent.storage.size) * pvcs : 0,
    pvcs,
  };
}

/** `2 replicas.max + 1 surge pod + 1 job run` */
export function describePods(d: AgentDemand): string {
  const parts = [];
  if (d.servicePods > 0) parts.push(`${d.servicePods} replicas.max`);
  if (d.surgePods > 0) parts.push(`${d.surgePods} surge pod`);
  if (d.jobPods > 0) parts.push(`${d.jobPods} job run`);
  return parts.join(" + ");
}

/** One tenant quota key: how to read it from the tenant and from a demand, and its unit. */
const QUOTA_KEYS: {
  key: string;
  have: (t: TenantConfig) => number;
  need: (d: AgentDemand) => number;
  unit: "cpu" | "bytes" | "count";
  what: string;
}[] = [
  {
    key: "quota.requests.cpu",
    have: (t) => q(t.quota.requests.cpu),
    need: (d) => d.requests.cpu,
    unit: "cpu",
    what: "CPU requests",
  },
  {
    key: "quota.requests.memory",
    have: (t) => q(t.quota.requests.memory),
    need: (d) => d.requests.memory,
    unit: "bytes",
    what: "memory requests",
  },
  {
    key: "quota.limits.cpu",
    have: (t) => q(t.quota.limits.cpu),
    need: (d) => d.limits.cpu,
    unit: "cpu",
    what: "CPU limits",
  },
  {
    key: "quota.limits.memory",
    have: (t) => q(t.quota.limits.memory),
    need: (d) => d.limits.memory,
    unit: "bytes",
    what: "memory limits",
  },
  { key: "quota.gpu", have: (t) => t.quota.gpu, need: (d) => d.gpus, unit: "count", what: "GPUs" },
  {
    key: "quota.pvcs",
    have: (t) => t.quota.pvcs,
    need: (d) => d.pvcs,
    unit: "count",
    what: "PersistentVolumeClaims",
  },
  {
    key: "quota.storage",
    have: (t) => q(t.quota.storage),
    need: (d) => d.storageBytes,
    unit: "bytes",
    what: "storage",
  },
];

function q(v: string): number {
  return parseQuantity(v) ?? 0;
}

/** A figure in the unit people write: cores as `1.5`, bytes in the largest binary unit that keeps it short. */
export function formatAmount(value: number, unit: "cpu" | "bytes" | "count"): string {
  const round = (n: number) => String(Math.round(n * 1000) / 1000);
  if (unit !== "bytes") return round(value);
  for (const [suffix, size] of [
    ["Ti", 2 ** 40],
    ["Gi", 2 ** 30],
    ["Mi", 2 ** 20],
    ["Ki", 2 ** 10],
  ] as const) {
    if (value >= size) return `${round(value / size)}${suffix}`;
  }
  return round(value);
}

/**
 * Agent/tenant combinations that cannot work:
 * - per tenant and quota key, the sum of its agents' {@link agentDemand} above the quota: named on the
 *   tenant's quota key, with the shortfall and every contributing agent;
 * - per agent, GPUs in a tenant whose GPU quota is 0, and a container limit above the LimitRange maximum.
 * Entries the schema rejects, or whose tenant does not exist, are skipped (they are reported elsewhere).
 * `name(i)` renders `agents[i]` with its name, as every message does.
 */
export function agentTenantIssues(
  rawTenants: unknown[],
  rawAgents: unknown[],
  /** Agents to leave out, e.g. those with problems of their own: fixing those changes the figures. */
  skip: (index: number) => boolean = () => false,
): ConfigIssue[] {
  const tenants = new Map<string, { index: number; tenant: TenantConfig }>();
  rawTenants.forEach((raw, index) => {
    const t = tenantSchema.safeParse(raw);
    if (t.success) tenants.set(t.data.name, { index, tenant: t.data });
  });
  const issues: ConfigIssue[] = [];
  const byTenant = new Map<string, { index: number; agent: AgentConfig; demand: AgentDemand }[]>();
  rawAgents.forEach((raw, i) => {
    const parsed = agentSchema.safeParse(raw);
    if (!parsed.success || skip(i)) return;
    const agent = parsed.data;
    const entry = tenants.get(agent.tenant);
    if (!entry) return;
    const { tenant } = entry;
    const at = (key: string) => `agents[${i}].${key}`;
    const of = `tenant ${JSON.stringify(tenant.name)}`;
    if (tenant.quota.gpu === 0) {
      // `gpu` covers the service and, without a `job.gpu` of its own, the job; `job.gpu` the job alone.
      const usesGpu = agent.gpu > 0 && (agent.mode !== "scheduled" || agent.job?.gpu === undefined);
      const nope = `must be 0: ${of} has quota.gpu 0 (raise it to run GPU agents there)`;
      if (usesGpu) issues.push({ path: at("gpu"), value: agent.gpu, allowed: nope });
      if (agent.mode !== "service" && (agent.job?.gpu ?? 0) > 0) {
        issues.push({ path: at("job.gpu"), value: agent.job?.gpu, allowed: nope });
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
    const list = byTenant.get(tenant.name) ?? [];
    list.push({ index: i, agent, demand: agentDemand(agent) });
    byTenant.set(tenant.name, list);
  });

  for (const [name, agents] of byTenant) {
    const { index, tenant } = tenants.get(name)!;
    for (const k of QUOTA_KEYS) {
      // A GPU quota of 0 is reported on the agents above, where the fix usually is.
      if (k.key === "quota.gpu" && tenant.quota.gpu === 0) continue;
      const have = k.have(tenant);
      const contributors = agents.filter((a) => k.need(a.demand) > 0);
      const need = contributors.reduce((sum, a) => sum + k.need(a.demand), 0);
      if (need <= have * (1 + 1e-12)) continue;
      const parts = contributors.map(
        (a) =>
          `agents[${a.index}] (${a.agent.name}): ${formatAmount(k.need(a.demand), k.unit)} (${describePods(a.demand)})`,
      );
      const value = k.key
        .split(".")
        .slice(1)
        .reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tenant.quota);
      issues.push({
        path: `tenants[${index}].${k.key}`,
        value,
        allowed: `short by ${formatAmount(need - have, k.unit)}: a rollout at replicas.max plus one run of each job needs ${formatAmount(need, k.unit)} ${k.what} — ${parts.join(", ")}`,
      });
    }
  }
  return issues;
}
