/**
 * The stack configuration, validated: everything is checked before any resource is registered, and every problem
 * is reported at once, one per line. Pure: `loadStackConfig` (./load.ts) is what reads the Pulumi runtime.
 */
import type { z } from "zod";
import { PRICES } from "../catalog/prices";
import { agentsSchema, issuesBesideMode } from "../config/agents";
import { clusterSchema } from "../config/cluster";
import { ConfigError, fromZodIssues, withEntryNames, type ConfigIssue } from "../config/errors";
import { ENVIRONMENTS, type Environment } from "../config/environments";
import { platformSchema } from "../config/platform";
import { backupsSchema, storesSchema } from "../config/stores";
import { oneOf, PARSE_OPTIONS, text } from "../config/schema";
import { PLATFORM_OWNED, tenantsSchema } from "../config/tenants";
import { crossChecks, priceTableIssues, zoneRegionIssues } from "./checks";

/** Every key of the `agentops:` namespace, with its schema. */
export const STACK_KEYS = {
  environment: oneOf(ENVIRONMENTS),
  cluster: clusterSchema,
  platform: platformSchema,
  tenants: tenantsSchema,
  agents: agentsSchema,
  stores: storesSchema,
  backups: backupsSchema,
} as const;

const KEYS = STACK_KEYS;
const REQUIRED: readonly (keyof typeof KEYS)[] = ["environment", "cluster", "tenants", "agents"];

/** The validated configuration of one stack. */
export interface StackConfig {
  /** The environment this stack is (`agentops:environment`); not the stack name, so ephemeral stacks work. */
  environment: Environment;
  /**
   * The stack's name (`pulumi.getStack()`), when known: a stack that is not its environment's own names its
   * cloud resources after itself (cluster/eks-cluster.ts `clusterNameFor`). `undefined`: the environment's own
   * names.
   */
  stack: string | undefined;
  /** AWS region (`aws:region`); required for an EKS cluster. */
  region: string | undefined;
  cluster: z.infer<typeof clusterSchema>;
  platform: z.infer<typeof platformSchema>;
  tenants: z.infer<typeof tenantsSchema>;
  agents: z.infer<typeof agentsSchema>;
  /** The data stores (`agentops:stores`), by name; `{}` when none. */
  stores: z.infer<typeof storesSchema>;
  /** Backups of agents' volumes (`agentops:backups`); `enabled: false` when the key is absent. */
  backups: z.infer<typeof backupsSchema>;
}

/** Raw configuration as the stack file holds it: `agentops:` keys without their namespace, plus `aws:region`. */
export interface RawStackConfig {
  agentops: Record<string, unknown>;
  region?: unknown;
  /** The stack's name (`pulumi.getStack()`), when the caller knows it. */
  stack?: string;
}

/**
 * Validates raw configuration. Pure: no Pulumi runtime needed, so it is testable and usable by other tools.
 * @throws {ConfigError} listing every problem.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const issues: ConfigIssue[] = [];
  const parsed: Record<string, unknown> = {};

  for (const key of Object.keys(raw.agentops)) {
    if (!Object.hasOwn(KEYS, key)) {
      issues.push({
        // Quoted when not a plain name, so that an empty key, spaces or a control character show.
        path: /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key),
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
    const result = (schema as z.ZodType).safeParse(value, PARSE_OPTIONS);
    const found = result.success ? [] : result.error.issues;
    if (result.success) parsed[key] = result.data;
    // An agent without a valid mode has its other fields checked too, reported in the order of the file.
    const beside =
      key === "agents" && Array.isArray(value)
        ? value.flatMap((entry: unknown, i) =>
            issuesBesideMode(entry).map((issue) => ({ ...issue, path: [i, ...issue.path] })),
          )
        : [];
    issues.push(...fromZodIssues(key, inFileOrder([...found, ...beside], value)));
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
      allowed: `must be a region priced in components/src/catalog/prices.ts (${Object.keys(PRICES).join(", ")}); add the region's prices there to deploy to it`,
    });
  }

  if (clusterMode === "eks" && typeof region === "string" && region !== "") {
    // A value the schema already refused (a Graviton type on an x86 group, a zone of no region) is reported once.
    const reported = new Set(issues.map((i) => i.path));
    issues.push(
      ...[...priceTableIssues(raw.agentops, region), ...zoneRegionIssues(raw.agentops, region)].filter(
        (i) => !reported.has(i.path),
      ),
    );
  }
  const cross = crossChecks(raw.agentops);
  // A tenant in a platform namespace: the stack's line names the releases there; the schema's is dropped.
  const named = new Set(cross.filter((i) => i.allowed.startsWith(PLATFORM_OWNED)).map((i) => i.path));
  const kept = issues.filter((i) => !(named.has(i.path) && i.allowed.startsWith(PLATFORM_OWNED)));
  issues.splice(0, issues.length, ...kept, ...cross);
  if (issues.length > 0) throw new ConfigError(withEntryNames(issues, raw.agentops));
  return {
    ...(parsed as Omit<StackConfig, "region" | "stack">),
    region: typeof region === "string" ? region : undefined,
    stack: raw.stack,
  };
}

/**
 * Raw configuration from Pulumi's flat config map (`agentops:agents` → JSON string), as the CLI passes it to
 * a program and as `readStackConfig` reads it from a stack file.
 */
export function rawStackConfig(all: Record<string, string>): RawStackConfig {
  const agentops: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(all)) {
    // The namespace ends at the first colon; the rest is the key, colons included (`agentops:environment:x` is
    // the unknown key `environment:x`, never `environment`).
    const colon = fullKey.indexOf(":");
    if (colon < 0 || fullKey.slice(0, colon) !== "agentops") continue;
    const key = fullKey.slice(colon + 1);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = value; // A plain string value, e.g. `agentops:environment: dev`.
    }
    // An own property whatever the key (`__proto__` included), so that every key is checked.
    Object.defineProperty(agentops, key, {
      value: parsed,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { agentops, region: all["aws:region"] };
}

/**
 * Issues sorted as their keys stand in the file: by list index, then by the order of the entry's keys (zod
 * reports a union's discriminator before the other fields). Stable otherwise.
 */
function inFileOrder(issues: z.core.$ZodIssue[], value: unknown): z.core.$ZodIssue[] {
  const rank = (issue: z.core.$ZodIssue): [number, number] => {
    const [index, field] = issue.path;
    // A discriminated union's issue stands at the entry; it is about its discriminator.
    const key = field ?? ("discriminator" in issue ? issue.discriminator : undefined);
    if (typeof index !== "number" || !Array.isArray(value)) return [0, 0];
    const entry = value[index] as unknown;
    const keys = typeof entry === "object" && entry !== null ? Object.keys(entry) : [];
    const at = typeof key === "string" ? keys.indexOf(key) : -1;
    return [index, at < 0 ? keys.length : at];
  };
  return issues
    .map((issue, i) => ({ issue, i, r: rank(issue) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.i - b.i)
    .map((x) => x.issue);
}
