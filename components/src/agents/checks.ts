/**
 * The checks on an agent entry that span fields, or an agent and its tenant: they run on the raw values beside
 * the schema, so a stack with a bad tier and a quota shortfall hears of both at once, and each skips values the
 * schema already refuses. The stack (stack/checks.ts) runs them on every `agentops:agents` entry, the `Agent`
 * component on its own arguments; both name the keys their way through `at`.
 */
import { agentSchema, hasJob, hasService, HIDDEN_VALUE, type AgentConfig } from "../config/agents";
import type { ConfigIssue } from "../config/errors";
import { tenantSchema, type TenantConfig } from "../config/tenants";
import { parseQuantity } from "../lib/quantity";
import { derivedNameIssues, LLM_API_KEY } from "./names";

/** Where an entry stands, for messages: `agents[2]` in a stack file, `agent` as a component argument. */
export interface Located {
  entry: unknown;
  path: string;
}

const at = (where: string) => (key: string) => `${where}.${key}`;

/**
 * One agent entry's cross-field problems: `replicas.min <= replicas.max`, requests within limits, no spot for
 * GPU agents, and the names Kubernetes derives from its name within their limits (agents/names.ts).
 */
export function agentEntryIssues(agent: Located): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (typeof agent.entry !== "object" || agent.entry === null) return issues;
  const a = agent.entry as Record<string, unknown>;
  const key = at(agent.path);
  const replicas = a.replicas as { min?: unknown; max?: unknown } | undefined;
  if (typeof replicas?.min === "number" && typeof replicas.max === "number" && replicas.min > replicas.max) {
    issues.push({
      path: key("replicas.min"),
      value: replicas.min,
      allowed: `must be <= replicas.max (${replicas.max})`,
    });
  }
  const resources = a.resources as
    { requests?: Record<string, unknown>; limits?: Record<string, unknown> } | undefined;
  for (const r of ["cpu", "memory"] as const) {
    const req = quantityOf(resources?.requests?.[r]);
    const lim = quantityOf(resources?.limits?.[r]);
    if (req !== undefined && lim !== undefined && req > lim) {
      issues.push({
        path: key(`resources.requests.${r}`),
        value: resources?.requests?.[r],
        allowed: `must be <= resources.limits.${r} (${String(resources?.limits?.[r])})`,
      });
    }
  }
  if (a.spot === true && typeof a.gpu === "number" && a.gpu > 0) {
    issues.push({
      path: key("spot"),
      value: true,
      allowed: "must be false for an agent with gpu > 0 (GPU agents run on the gpu node group)",
    });
  }
  issues.push(...trafficIssues(a, key));
  const parsed = agentSchema.safeParse(agent.entry);
  if (parsed.success) issues.push(...derivedNameIssues(parsed.data, key));
  return issues;
}

/**
 * `env` and `secrets` keys the LLM gateway sets for an agent with `llm.monthlyUsd > 0`: its base URLs
 * (`gatewayEnv`, e.g. OPENAI_BASE_URL) go into the agent's ConfigMap over any `env` entry of the same name, and
 * a `secrets` key of that name would override them in turn (pods read the Secret after the ConfigMap), sending
 * the agent around the gateway; its gateway key LLM_API_KEY goes into the agent's Secret, never into `env`.
 * Runs on raw values; an agent without an LLM budget gets no gateway settings and no issue.
 */
export function gatewayEnvIssues(agent: Located, gatewayEnv: readonly string[]): ConfigIssue[] {
  if (typeof agent.entry !== "object" || agent.entry === null) return [];
  const a = agent.entry as { llm?: { monthlyUsd?: unknown }; env?: unknown; secrets?: unknown };
  const usd = a.llm?.monthlyUsd;
  if (!(typeof usd === "number" && usd > 0)) return [];
  const key = at(agent.path);
  const env = typeof a.env === "object" && a.env !== null ? (a.env as Record<string, unknown>) : {};
  const secrets = Array.isArray(a.secrets) ? (a.secrets as unknown[]) : [];
  const why = `the LLM gateway sets it for agents with llm.monthlyUsd > 0 (${gatewayEnv.join(", ")})`;
  const issues: ConfigIssue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (gatewayEnv.includes(name)) {
      issues.push({
        path: key(`env.${name}`),
        value,
        allowed: `is set by the platform: ${why}, and its value replaces this one; remove the key`,
      });
    } else if (name === LLM_API_KEY && !secrets.includes(name)) {
      issues.push({
        path: key(`env.${name}`),
        value: HIDDEN_VALUE,
        allowed: `is set by the platform: the agent's LLM gateway key, which the gateway puts in the agent's Secret from Vault; an env value would be written into the ConfigMap, resources.json and manifests.yaml; remove the key`,
      });
    }
  }
  secrets.forEach((name, i) => {
    if (typeof name === "string" && gatewayEnv.includes(name)) {
      issues.push({
        path: key(`secrets[${i}]`),
        value: name,
        allowed: `is set by the platform: ${why}; a Secret key of that name would override it and send the agent around the gateway; remove it from secrets`,
      });
    }
  });
  return issues;
}

/**
 * `replicas.min: 0` only with a queue trigger (nothing else can wake an agent that runs no pod: requests to
 * its Service would find none, and CPU and memory are not measured at zero pods), and every secret a trigger
 * or the OIDC sign-in reads named among `secrets` (the Secret they read is the one `secrets` fills from Vault).
 */
function trafficIssues(a: Record<string, unknown>, key: (k: string) => string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const replicas = a.replicas as { min?: unknown } | undefined;
  const scaling = a.scaling as { queue?: { credentials?: Record<string, unknown> } } | undefined;
  if (replicas?.min === 0 && (typeof scaling !== "object" || scaling === null || !scaling.queue)) {
    issues.push({
      path: key("replicas.min"),
      value: 0,
      allowed:
        "must be at least 1 without scaling.queue: only a queue trigger wakes an agent that runs no pod (requests find no pod to reach)",
    });
  }
  const secrets = Array.isArray(a.secrets) ? (a.secrets as unknown[]) : [];
  const named = (path: string, value: unknown) => {
    if (typeof value === "string" && /^[A-Z_][A-Z0-9_]*$/.test(value) && !secrets.includes(value)) {
      issues.push({
        path: key(path),
        value,
        allowed: `must be one of the agent's secrets (${secrets.map(String).join(", ") || "none"}): add it to secrets, and its value to Vault agents/<env>/${String(a.name)}`,
      });
    }
  };
  const credentials = scaling?.queue?.credentials;
  if (typeof credentials === "object" && credentials !== null) {
    for (const field of ["password", "accessKeyId", "secretAccessKey"]) {
      named(`scaling.queue.credentials.${field}`, credentials[field]);
    }
  }
  const auth = (a.expose as { auth?: { kind?: unknown; clientSecret?: unknown } } | undefined)?.auth;
  if (auth?.kind === "oidc") named("expose.auth.clientSecret", auth.clientSecret);
  return issues;
}

function quantityOf(v: unknown): number | undefined {
  return typeof v === "string" || typeof v === "number" ? parseQuantity(v) : undefined;
}

/**
 * What one agent asks of its tenant's quota at its peak: every workload at `replicas.max` while a rollout
 * runs, plus one run of its job (`replicas.max` is the HPA's `maxReplicas` or, with `scaling`, the KEDA
 * ScaledObject's `maxReplicaCount`; a queue agent at `min: 0` still counts its maximum). See agents/agent.ts for
 * the objects:
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
  const servicePods = hasService(agent) ? agent.replicas.max : 0;
  const surgePods = servicePods > 0 && !agent.storage ? DEPLOYMENT_MAX_SURGE : 0;
  const jobPods = hasJob(agent) ? 1 : 0;
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
    gpus:
      agent.gpu * (servicePods + surgePods) + (hasJob(agent) ? (agent.job.gpu ?? agent.gpu) : 0) * jobPods,
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
 * Entries the schema refuses, or whose tenant is not among `tenants`, are skipped (they are reported
 * elsewhere), and so are the agents `skip` names: those with problems of their own, whose fix changes the
 * figures.
 */
export function tenantFitIssues(
  tenants: readonly Located[],
  agents: readonly Located[],
  skip: (agent: Located) => boolean = () => false,
): ConfigIssue[] {
  const byName = new Map<string, { path: string; tenant: TenantConfig }>();
  for (const t of tenants) {
    const parsed = tenantSchema.safeParse(t.entry);
    if (parsed.success) byName.set(parsed.data.name, { path: t.path, tenant: parsed.data });
  }
  const issues: ConfigIssue[] = [];
  const byTenant = new Map<string, { path: string; agent: AgentConfig; demand: AgentDemand }[]>();
  for (const located of agents) {
    const parsed = agentSchema.safeParse(located.entry);
    if (!parsed.success || skip(located)) continue;
    const agent = parsed.data;
    const entry = byName.get(agent.tenant);
    if (!entry) continue;
    const { tenant } = entry;
    const key = at(located.path);
    const of = `tenant ${JSON.stringify(tenant.name)}`;
    if (tenant.quota.gpu === 0) {
      // `gpu` covers the service and, without a `job.gpu` of its own, the job; `job.gpu` the job alone.
      const usesGpu = agent.gpu > 0 && (hasService(agent) || agent.job.gpu === undefined);
      const nope = `must be 0: ${of} has quota.gpu 0 (raise it to run GPU agents there)`;
      if (usesGpu) issues.push({ path: key("gpu"), value: agent.gpu, allowed: nope });
      if (hasJob(agent) && (agent.job.gpu ?? 0) > 0) {
        issues.push({ path: key("job.gpu"), value: agent.job.gpu, allowed: nope });
      }
    }
    for (const r of ["cpu", "memory"] as const) {
      const max = tenant.limitRange.max[r];
      if (q(agent.resources.limits[r]) > q(max)) {
        issues.push({
          path: key(`resources.limits.${r}`),
          value: agent.resources.limits[r],
          allowed: `must be <= ${of} limitRange.max.${r} (${JSON.stringify(max)})`,
        });
      }
    }
    const list = byTenant.get(tenant.name) ?? [];
    list.push({ path: located.path, agent, demand: agentDemand(agent) });
    byTenant.set(tenant.name, list);
  }

  for (const [name, members] of byTenant) {
    const { path, tenant } = byName.get(name)!;
    for (const k of QUOTA_KEYS) {
      // A GPU quota of 0 is reported on the agents above, where the fix usually is.
      if (k.key === "quota.gpu" && tenant.quota.gpu === 0) continue;
      const have = k.have(tenant);
      const contributors = members.filter((a) => k.need(a.demand) > 0);
      const need = contributors.reduce((sum, a) => sum + k.need(a.demand), 0);
      if (need <= have * (1 + 1e-12)) continue;
      const parts = contributors.map(
        (a) =>
          `${a.path} (${a.agent.name}): ${formatAmount(k.need(a.demand), k.unit)} (${describePods(a.demand)})`,
      );
      const value = k.key
        .split(".")
        .slice(1)
        .reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tenant.quota);
      issues.push({
        path: `${path}.${k.key}`,
        value,
        allowed: `short by ${formatAmount(need - have, k.unit)}: a rollout at replicas.max plus one run of each job needs ${formatAmount(need, k.unit)} ${k.what} — ${parts.join(", ")}`,
      });
    }
  }
  return issues;
}
