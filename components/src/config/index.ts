/**
 * The stack configuration: the one module that reads `pulumi.Config`. It validates everything before any
 * resource is registered and reports every problem at once, one per line.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { PRICES } from "../cost/prices";
import { parseQuantity } from "../lib/quantity";
import { agentSchema, agentsSchema } from "./agents";
import { clusterSchema } from "./cluster";
import { ConfigError, fromZodIssues, withEntryNames, type ConfigIssue } from "./errors";
import { derivedNameIssues } from "./names";
import { llmGatewayIssues, platformSchema } from "./platform";
import { oneOf, text } from "./schema";
import { agentTenantIssues, tenantsSchema } from "./tenants";

export * from "./errors";
export type { AgentConfig, AgentMode } from "./agents";
export { AGENT_MODES } from "./agents";
export { ciRunner, EKS_ACCESS_POLICIES, GITHUB_HOSTED_RUNNER } from "./cluster";
export type {
  ClusterConfig,
  EksClusterConfig,
  ExistingClusterConfig,
  ExistingVpcNetworkConfig,
  NetworkConfig,
  NewVpcNetworkConfig,
} from "./cluster";
export type { LlmGatewayConfig, LlmProviderConfig, PlatformConfig } from "./platform";
export { LLM_GATEWAY_MAX_MONTHLY_USD } from "./platform";
export type { TenantConfig } from "./tenants";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Every key of the `agentops:` namespace, with its schema. */
const KEYS = {
  environment: oneOf(ENVIRONMENTS),
  cluster: clusterSchema,
  platform: platformSchema,
  tenants: tenantsSchema,
  agents: agentsSchema,
} as const;

const REQUIRED: readonly (keyof typeof KEYS)[] = ["environment", "cluster", "tenants", "agents"];

/** The validated configuration of one stack. */
export interface StackConfig {
  /** The environment this stack is (`agentops:environment`); not the stack name, so ephemeral stacks work. */
  environment: Environment;
  /** AWS region (`aws:region`); required for an EKS cluster. */
  region: string | undefined;
  cluster: z.infer<typeof clusterSchema>;
  platform: z.infer<typeof platformSchema>;
  tenants: z.infer<typeof tenantsSchema>;
  agents: z.infer<typeof agentsSchema>;
}

/** Raw configuration as the stack file holds it: `agentops:` keys without their namespace, plus `aws:region`. */
export interface RawStackConfig {
  agentops: Record<string, unknown>;
  region?: unknown;
}

/**
 * Validates raw configuration. Pure: no Pulumi runtime needed, so it is testable and usable by other tools.
 * @throws {ConfigError} listing every problem.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const issues: ConfigIssue[] = [];
  const parsed: Record<string, unknown> = {};

  for (const key of Object.keys(raw.agentops)) {
    if (!(key in KEYS)) {
      issues.push({
        path: key,
        value: raw.agentops[key],
        allowed: `is not a known key of agentops: (known: ${Object.keys(KEYS).join(", ")})`,
      });
    }
  }
  for (const [key, schema] of Object.entries(KEYS)) {
    const value = raw.agentops[key];
    if (value === undefined && REQUIRED.includes(key as keyof typeof KEYS)) {
      issues.push({ path: key, value, allowed: "is required" });
      continue;
    }
    const result = (schema as z.ZodType).safeParse(value, { reportInput: true });
    if (result.success) parsed[key] = result.data;
    else issues.push(...fromZodIssues(key, result.error.issues));
  }

  const region = raw.region;
  const clusterMode = (raw.agentops.cluster as { mode?: unknown } | undefined)?.mode;
  if (clusterMode === "eks") {
    const r = text("an AWS region, e.g. eu-west-1").safeParse(region, { reportInput: true });
    if (!r.success)
      issues.push({
        path: "aws:region",
        value: region,
        allowed: "is required for an EKS cluster: an AWS region, e.g. eu-west-1",
      });
  }
  if (typeof region === "string" && region !== "" && !(region in PRICES)) {
    // The program prices the stack from the region's table (cost.json, OpenCost's pricing, the pack's budgets).
    issues.push({
      path: "aws:region",
      value: region,
      allowed: `must be a region priced in components/src/cost/prices.ts (${Object.keys(PRICES).join(", ")}); add the region's prices there to deploy to it`,
    });
  }

  if (clusterMode === "eks" && typeof region === "string") {
    // A value the schema already refused (a Graviton type on an x86 group) is reported once.
    const reported = new Set(issues.map((i) => i.path));
    issues.push(...priceTableIssues(raw.agentops, region).filter((i) => !reported.has(i.path)));
  }
  issues.push(...crossChecks(raw.agentops));
  if (issues.length > 0) throw new ConfigError(withEntryNames(issues, raw.agentops));
  return {
    ...(parsed as Omit<StackConfig, "region">),
    region: typeof region === "string" ? region : undefined,
  };
}

/**
 * On EKS, what the stack pays for by the hour must be in the cost model's price table for `region`
 * (components/src/cost/prices.ts): node group instance types and the LLM gateway's ElastiCache node type.
 * A type missing there is a typo or a type nobody priced yet, and either way the stack's cost (synth's
 * `cost.json`, the pack's tier budgets) could not be computed. The ElastiCache node type counts only where
 * the platform and its LLM gateway run.
 */
function priceTableIssues(cfg: Record<string, unknown>, region: string): ConfigIssue[] {
  const prices = PRICES[region];
  if (!prices) return []; // `aws:region` itself is reported
  const platform = cfg.platform as
    { enabled?: unknown; llmGateway?: { enabled?: unknown; store?: { nodeType?: unknown } } } | undefined;
  const issues: ConfigIssue[] = [];
  const where = `components/src/cost/prices.ts for ${region}`;
  const groups = (cfg.cluster as { nodeGroups?: unknown } | undefined)?.nodeGroups;
  if (typeof groups === "object" && groups !== null) {
    for (const [group, ng] of Object.entries(groups as Record<string, unknown>)) {
      const types = (ng as { instanceTypes?: unknown } | null)?.instanceTypes;
      if (!Array.isArray(types)) continue;
      types.forEach((t, i) => {
        if (typeof t === "string" && !(t in prices.instances)) {
          issues.push({
            path: `cluster.nodeGroups.${group}.instanceTypes[${i}]`,
            value: t,
            allowed: `must be an instance type priced in ${where} (${Object.keys(prices.instances).join(", ")}); add its price there to use it`,
          });
        }
      });
    }
  }
  const gateway = platform?.llmGateway;
  const nodeType = gateway?.store?.nodeType;
  if (
    platform?.enabled !== false &&
    gateway?.enabled === true &&
    typeof nodeType === "string" &&
    !(nodeType in prices.elastiCacheValkeyNodeHourly)
  ) {
    issues.push({
      path: "platform.llmGateway.store.nodeType",
      value: nodeType,
      allowed: `must be an ElastiCache node type priced in ${where} (${Object.keys(prices.elastiCacheValkeyNodeHourly).join(", ")}); add its price there to use it`,
    });
  }
  return issues;
}

/**
 * Checks that span fields or entries. They run on the raw values, next to the schema, so a stack with a bad
 * tier and a duplicate name hears of both at once; each check skips values the schema already rejects.
 * The components run them on their own arguments too (component-args.ts).
 */
export function crossChecks(cfg: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const list = (v: unknown): Record<string, unknown>[] =>
    Array.isArray(v)
      ? v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null)
      : [];
  const tenants = list(cfg.tenants);
  const agents = Array.isArray(cfg.agents) ? (cfg.agents as unknown[]) : [];

  duplicates(tenants, "tenants", issues);
  duplicates(list(cfg.agents), "agents", issues);
  const tenantNames = new Set(tenants.map((t) => t.name).filter((n) => typeof n === "string"));

  agents.forEach((entry, i) => {
    if (typeof entry !== "object" || entry === null) return;
    const a = entry as Record<string, unknown>;
    const at = (key: string) => `agents[${i}].${key}`;
    const { mode } = a;

    if (typeof a.tenant === "string" && a.tenant !== "" && !tenantNames.has(a.tenant)) {
      issues.push({
        path: at("tenant"),
        value: a.tenant,
        allowed: `must name a tenant declared under agentops:tenants (${[...tenantNames].join(", ") || "none declared"})`,
      });
    }
    if ((mode === "scheduled" || mode === "hybrid") && a.schedule === undefined) {
      issues.push({
        path: at("schedule"),
        value: undefined,
        allowed: `is required for mode ${mode}: a five-field cron expression`,
      });
    }
    if (mode === "service") {
      for (const key of ["schedule", "job"] as const) {
        if (a[key] !== undefined)
          issues.push({ path: at(key), value: a[key], allowed: "applies only to mode scheduled or hybrid" });
      }
    }
    if (mode === "service" || mode === "hybrid") {
      if (a.replicas === undefined)
        issues.push({
          path: at("replicas"),
          value: undefined,
          allowed: `is required for mode ${mode}: { min, max }`,
        });
    }
    if (mode === "scheduled") {
      for (const key of ["replicas", "autoscaling"] as const) {
        if (a[key] !== undefined) {
          issues.push({
            path: at(key),
            value: a[key],
            allowed:
              "applies only to mode service or hybrid (a scheduled agent runs no long-lived pods to scale)",
          });
        }
      }
    }
    const replicas = a.replicas as { min?: unknown; max?: unknown } | undefined;
    if (
      typeof replicas?.min === "number" &&
      typeof replicas.max === "number" &&
      replicas.min > replicas.max
    ) {
      issues.push({
        path: at("replicas.min"),
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
          path: at(`resources.requests.${r}`),
          value: resources?.requests?.[r],
          allowed: `must be <= resources.limits.${r} (${String(resources?.limits?.[r])})`,
        });
      }
    }
    if (a.spot === true && typeof a.gpu === "number" && a.gpu > 0) {
      issues.push({
        path: at("spot"),
        value: true,
        allowed: "must be false for an agent with gpu > 0 (GPU agents run on the gpu node group)",
      });
    }
  });

  agents.forEach((entry, i) => {
    const parsed = agentSchema.safeParse(entry);
    if (parsed.success) issues.push(...derivedNameIssues(parsed.data, i));
  });

  // Quota fit only for agents whose own entry is consistent, so a bad entry is reported once.
  const agentReported = (i: number) => issues.some((issue) => issue.path.startsWith(`agents[${i}].`));
  issues.push(...agentTenantIssues(tenants, agents, agentReported));

  const platform = cfg.platform as { loki?: { mode?: unknown }; jaeger?: { storage?: unknown } } | undefined;
  if (
    platform?.loki?.mode === "simpleScalable" &&
    (cfg.cluster as { mode?: unknown } | undefined)?.mode !== "eks"
  ) {
    issues.push({
      path: "platform.loki.mode",
      value: "simpleScalable",
      allowed: "needs cluster.mode eks (Loki keeps its chunks in the cluster's S3 bucket); use singleBinary",
    });
  }
  if (
    platform?.jaeger?.storage === "memory" &&
    typeof cfg.environment === "string" &&
    cfg.environment !== "dev"
  ) {
    issues.push({
      path: "platform.jaeger.storage",
      value: "memory",
      allowed: `must be badger in ${cfg.environment} (in-memory traces are lost on every restart; dev only)`,
    });
  }
  issues.push(...llmGatewayIssues(cfg.platform, cfg.agents));
  const cluster = cfg.cluster as
    { mode?: unknown; nodeGroups?: Record<string, Record<string, unknown>> } | undefined;
  if (cluster?.mode === "eks" && cluster.nodeGroups) {
    for (const [group, ng] of Object.entries(cluster.nodeGroups)) {
      const { minSize, desiredSize, maxSize } = ng ?? {};
      if (typeof minSize === "number" && typeof desiredSize === "number" && typeof maxSize === "number") {
        if (!(minSize <= desiredSize && desiredSize <= maxSize)) {
          issues.push({
            path: `cluster.nodeGroups.${group}.desiredSize`,
            value: desiredSize,
            allowed: `must be between minSize (${minSize}) and maxSize (${maxSize})`,
          });
        }
      }
    }
  }
  return issues;
}

function duplicates(entries: Record<string, unknown>[], key: string, issues: ConfigIssue[]): void {
  const seen = new Map<unknown, number>();
  entries.forEach((e, i) => {
    if (typeof e.name !== "string") return;
    const first = seen.get(e.name);
    if (first === undefined) seen.set(e.name, i);
    else
      issues.push({
        path: `${key}[${i}].name`,
        value: e.name,
        allowed: `must be unique across the stack (also ${key}[${first}].name)`,
      });
  });
}

function quantityOf(v: unknown): number | undefined {
  return typeof v === "string" || typeof v === "number" ? parseQuantity(v) : undefined;
}

/**
 * Raw configuration from Pulumi's flat config map (`agentops:agents` → JSON string), as the CLI passes it to
 * a program and as `readStackConfig` reads it from a stack file.
 */
export function rawStackConfig(all: Record<string, string>): RawStackConfig {
  const agentops: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(all)) {
    const [namespace, key] = fullKey.split(":", 2) as [string, string];
    if (namespace !== "agentops") continue;
    try {
      agentops[key] = JSON.parse(value);
    } catch {
      agentops[key] = value; // A plain string value, e.g. `agentops:environment: dev`.
    }
  }
  return { agentops, region: all["aws:region"] };
}

/**
 * Reads the stack's configuration from the Pulumi runtime, once, and validates it.
 * @throws {ConfigError} listing every problem.
 */
export function loadStackConfig(): StackConfig {
  return parseStackConfig(rawStackConfig(pulumi.runtime.allConfig()));
}
