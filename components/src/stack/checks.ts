/**
 * Stack-wide checks: what spans the keys of `agentops:` or entries of a list. They run on the raw values next to
 * the schemas, so a stack with a bad tier and a duplicate name hears of both at once; each skips values the
 * schemas already refuse. The checks of one agent entry, and of agents against their tenants, live beside the
 * Agent (agents/checks.ts); this file says which entries they run on and adds what only the whole stack knows.
 */
import { agentEntryIssues, gatewayEnvIssues, tenantFitIssues, type Located } from "../agents/checks";
import { PRICES } from "../catalog/prices";
import { hasJob, type AgentConfig } from "../config/agents";
import type { ConfigIssue } from "../config/errors";
import { LLM_GATEWAY_MAX_MONTHLY_USD } from "../config/platform";
import { storeIssues } from "../stores/checks";
import { ownedNamespace, PLATFORM_OWNED } from "../config/tenants";
import { LLM_GATEWAY_AGENT_ENV } from "../gateway/objects";
import { neverFiresReason, parseKubernetesCron } from "../lib/cron";
import { RELEASES } from "../platform/releases";
import { ACME_ISSUERS } from "../config/traffic";

/** The entries of a list key as located entries (`agents[2]`), objects only. */
function located(list: unknown, key: string): Located[] {
  return Array.isArray(list)
    ? list.flatMap((entry: unknown, i) =>
        typeof entry === "object" && entry !== null ? [{ entry, path: `${key}[${i}]` }] : [],
      )
    : [];
}

/**
 * Checks that span fields or entries of the stack configuration: unique names, agents' tenants declared, each
 * agent's own cross-field checks, the quota fit of every tenant, platform options that need a cluster mode or
 * environment, the LLM gateway against the agents, and node group sizes.
 */
export function crossChecks(cfg: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const tenants = located(cfg.tenants, "tenants");
  const agents = located(cfg.agents, "agents");

  duplicates(tenants, issues);
  duplicates(agents, issues);
  const tenantNames = new Set(
    tenants.map((t) => (t.entry as { name?: unknown }).name).filter((n) => typeof n === "string"),
  );
  for (const agent of agents) {
    const { tenant } = agent.entry as { tenant?: unknown };
    if (typeof tenant === "string" && tenant !== "" && !tenantNames.has(tenant)) {
      issues.push({
        path: `${agent.path}.tenant`,
        value: tenant,
        allowed: `must name a tenant declared under agentops:tenants (${[...tenantNames].join(", ") || "none declared"})`,
      });
    }
    issues.push(...agentEntryIssues(agent));
  }

  // Quota fit only for agents whose own entry is consistent, so a bad entry is reported once.
  const reported = (a: Located) => issues.some((issue) => issue.path.startsWith(`${a.path}.`));
  issues.push(...tenantFitIssues(tenants, agents, reported));

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
  issues.push(...storeIssues(cfg));
  const gatewayOn =
    (platform as { enabled?: unknown } | undefined)?.enabled !== false &&
    (platform as { llmGateway?: { enabled?: unknown } } | undefined)?.llmGateway?.enabled === true;
  if (gatewayOn) {
    const keys = Object.keys(LLM_GATEWAY_AGENT_ENV);
    for (const agent of agents) issues.push(...gatewayEnvIssues(agent, keys));
  }
  issues.push(...platformOffIssues(cfg, agents));
  issues.push(...tenantNamespaceIssues(tenants));
  issues.push(...nodeGroupSizeIssues(cfg.cluster));
  issues.push(...trafficIssues(cfg));
  return issues;
}

/**
 * Sizes of each node group that EKS refuses: `minSize <= desiredSize <= maxSize`. Each problem on the key to
 * change: `minSize` above `maxSize` on minSize (then desiredSize is not judged against either), desiredSize
 * below minSize or above maxSize on desiredSize.
 */
function nodeGroupSizeIssues(clusterValue: unknown): ConfigIssue[] {
  const cluster = clusterValue as
    { mode?: unknown; nodeGroups?: Record<string, Record<string, unknown>> } | undefined;
  if (cluster?.mode !== "eks" || typeof cluster.nodeGroups !== "object" || cluster.nodeGroups === null)
    return [];
  // One managed node group per zone (private subnet), each of at least one node (cluster/eks-cluster.ts).
  const network = (
    cluster as { network?: { availabilityZones?: unknown; existing?: { privateSubnetIds?: unknown } } }
  ).network;
  const subnets = network?.existing ? network.existing.privateSubnetIds : network?.availabilityZones;
  const zones = Array.isArray(subnets) ? subnets.length : undefined;
  const issues: ConfigIssue[] = [];
  for (const [group, ng] of Object.entries(cluster.nodeGroups)) {
    const { minSize, desiredSize, maxSize } = (ng ?? {}) as Record<string, unknown>;
    const key = `cluster.nodeGroups.${group}`;
    const num = (v: unknown): v is number => typeof v === "number";
    if (num(minSize) && num(maxSize) && minSize > maxSize) {
      issues.push({ path: `${key}.minSize`, value: minSize, allowed: `must be <= maxSize (${maxSize})` });
      continue;
    }
    if (num(maxSize) && zones !== undefined && zones > 1 && maxSize < zones) {
      issues.push({
        path: `${key}.maxSize`,
        value: maxSize,
        allowed: `must be at least ${zones}: the group is one managed node group per availability zone (volumes are zonal; README "Capacity plan"), and each needs a maxSize of at least 1`,
      });
    }
    if (num(desiredSize) && num(minSize) && desiredSize < minSize) {
      issues.push({
        path: `${key}.desiredSize`,
        value: desiredSize,
        allowed: `must be >= minSize (${minSize})`,
      });
    } else if (num(desiredSize) && num(maxSize) && desiredSize > maxSize) {
      issues.push({
        path: `${key}.desiredSize`,
        value: desiredSize,
        allowed: `must be <= maxSize (${maxSize})`,
      });
    }
  }
  return issues;
}

/**
 * Tenants in a namespace a platform add-on runs in (its release's namespace or one of its `otherNamespaces`,
 * platform/releases.ts), naming the releases: the owner, more precisely than the tenant schema's check of the
 * contract's namespaces (config/tenants.ts `ownedNamespace`), whose line parseStackConfig then drops. Kubernetes'
 * own namespaces are the schema's alone.
 */
function tenantNamespaceIssues(tenants: readonly Located[]): ConfigIssue[] {
  const owners = new Map<string, string[]>();
  for (const addon of RELEASES) {
    for (const ns of [addon.namespace, ...(addon.otherNamespaces ?? [])]) {
      owners.set(ns, [...(owners.get(ns) ?? []), addon.name]);
    }
  }
  return tenants.flatMap(({ entry, path }) => {
    const name = (entry as { name?: unknown }).name;
    if (typeof name !== "string" || ownedNamespace(name)?.startsWith("Kubernetes")) return [];
    const releases = owners.get(name);
    if (!releases) return [];
    return [
      {
        path: `${path}.name`,
        value: name,
        allowed: `${PLATFORM_OWNED} (releases ${releases.join(", ")} run there): the tenant's Pod Security "restricted", quota, limit range and default-deny network policies would apply to their pods; choose a name of the team's own`,
      },
    ];
  });
}

/**
 * With `platform.enabled: false` no add-on is installed, so the custom resources that need their CRDs cannot
 * be created. The program leaves out what runs without them — an agent's ServiceMonitor (no Prometheus scrapes
 * it), the stores' PrometheusRule, and on EKS the VolumeSnapshotClass (AWS Backup snapshots EBS volumes itself)
 * — and this refuses what cannot run without them, one line each:
 * - an agent's `secrets`: an ExternalSecret (External Secrets Operator, from Vault) makes the Secret its pods read;
 * - a PostgreSQL or Valkey store, and an S3 store off EKS: their credentials reach the agents the same way (and a
 *   PostgreSQL store off EKS is a CloudNativePG cluster, whose operator is a platform release); an S3 store on
 *   EKS (a bucket, Pod Identity) is kept;
 * - an agent's `storage.restoreFrom`: a restore reads a VolumeSnapshot, a kind the snapshot-controller release
 *   installs;
 * - `backups` on an existing cluster: there the backups are VolumeSnapshots too (on EKS, AWS Backup: kept).
 */
function platformOffIssues(cfg: Record<string, unknown>, agents: readonly Located[]): ConfigIssue[] {
  if ((cfg.platform as { enabled?: unknown } | undefined)?.enabled !== false) return [];
  const eks = (cfg.cluster as { mode?: unknown } | undefined)?.mode === "eks";
  const off = "while platform.enabled is false";
  const issues: ConfigIssue[] = [];
  for (const { entry, path } of agents) {
    const { secrets, storage } = entry as { secrets?: unknown; storage?: { restoreFrom?: unknown } };
    if (Array.isArray(secrets) && secrets.length > 0) {
      issues.push({
        path: `${path}.secrets`,
        value: secrets,
        allowed: `must be empty ${off}: an agent's secrets come through an ExternalSecret, a kind the platform's external-secrets release installs (and Vault, which it reads); enable the platform or drop the secrets`,
      });
    }
    const scaling = (entry as { scaling?: unknown }).scaling;
    if (scaling !== undefined) {
      issues.push({
        path: `${path}.scaling`,
        value: scaling,
        allowed: `must be absent ${off}: KEDA scales on it through a ScaledObject, a kind the platform's keda release installs (with its operator); enable the platform, or drop scaling for the CPU and memory HPA`,
      });
    }
    const restoreFrom = typeof storage === "object" && storage !== null ? storage.restoreFrom : undefined;
    if (restoreFrom !== undefined) {
      issues.push({
        path: `${path}.storage.restoreFrom`,
        value: restoreFrom,
        allowed: `must be absent ${off}: a restore reads a VolumeSnapshot, a kind the platform's snapshot-controller release installs; enable the platform to restore`,
      });
    }
  }
  const stores = cfg.stores;
  if (typeof stores === "object" && stores !== null && !Array.isArray(stores)) {
    for (const [name, store] of Object.entries(stores as Record<string, unknown>)) {
      const engine = (store as { engine?: unknown } | undefined)?.engine;
      if (engine !== "postgres" && engine !== "valkey" && !(engine === "s3" && !eks)) continue;
      issues.push({
        path: `stores.${name}.engine`,
        value: engine,
        allowed: `must not be ${engine}${engine === "s3" ? " on an existing cluster" : ""} ${off}: the store's credentials reach agents through External Secrets and Vault${engine === "postgres" && !eks ? " and it runs on the CloudNativePG operator" : ""}, which the platform installs; enable the platform${eks ? " (only S3 stores run without it on EKS)" : ""}`,
      });
    }
  }
  const backups = cfg.backups as { enabled?: unknown } | undefined;
  if (!eks && typeof backups === "object" && backups !== null && backups.enabled !== false) {
    issues.push({
      path: "backups.enabled",
      value: backups.enabled ?? true,
      allowed: `must be false ${off} on an existing cluster: its backups are VolumeSnapshots, a kind the platform's snapshot-controller release installs (on EKS, AWS Backup needs no platform)`,
    });
  }
  return issues;
}

/**
 * `cluster.network.availabilityZones` against `aws:region`: a zone of the region is the region's name and a
 * letter (`us-east-1a`); a subnet in another region's zone fails only at deploy.
 */
export function zoneRegionIssues(cfg: Record<string, unknown>, region: string): ConfigIssue[] {
  const zones = (cfg.cluster as { network?: { availabilityZones?: unknown } } | undefined)?.network
    ?.availabilityZones;
  if (!Array.isArray(zones)) return [];
  return zones.flatMap((zone: unknown, i) =>
    typeof zone === "string" && !(zone.startsWith(region) && /^[a-z]$/.test(zone.slice(region.length)))
      ? [
          {
            path: `cluster.network.availabilityZones[${i}]`,
            value: zone,
            allowed: `must be an availability zone of aws:region ${region}: ${region} and a letter, e.g. ${region}a`,
          },
        ]
      : [],
  );
}

function duplicates(entries: readonly Located[], issues: ConfigIssue[]): void {
  const seen = new Map<unknown, string>();
  for (const { entry, path } of entries) {
    const { name } = entry as { name?: unknown };
    if (typeof name !== "string") continue;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, path);
    else
      issues.push({
        path: `${path}.name`,
        value: name,
        allowed: `must be unique across the stack (also ${first}.name)`,
      });
  }
}

/**
 * Checks of `platform.llmGateway` against the rest of the stack, on raw values (skipping what the schema
 * rejects): providers when enabled, unique provider names and models, and agents' LLM budgets within the
 * gateway's uint32 limit.
 */
function llmGatewayIssues(platform: unknown, agents: unknown): ConfigIssue[] {
  const gw = (platform as { llmGateway?: Record<string, unknown> } | undefined)?.llmGateway;
  if (gw?.enabled !== true) return [];
  const issues: ConfigIssue[] = [];
  const providers = Array.isArray(gw.providers) ? (gw.providers as Record<string, unknown>[]) : [];
  if (Array.isArray(gw.providers) && providers.length === 0) {
    issues.push({
      path: "platform.llmGateway.providers",
      value: gw.providers,
      allowed: "must name at least one provider when platform.llmGateway.enabled is true",
    });
  }
  const names = new Map<unknown, number>();
  const models = new Map<unknown, string>();
  providers.forEach((p, i) => {
    if (typeof p !== "object" || p === null) return;
    if (names.has(p.name))
      issues.push({
        path: `platform.llmGateway.providers[${i}].name`,
        value: p.name,
        allowed: `must be unique (also providers[${names.get(p.name)}].name)`,
      });
    else names.set(p.name, i);
    (Array.isArray(p.models) ? (p.models as unknown[]) : []).forEach((m, j) => {
      const at = `platform.llmGateway.providers[${i}].models[${j}]`;
      const first = models.get(m);
      if (first !== undefined)
        issues.push({ path: at, value: m, allowed: `must be routed by one provider only (also ${first})` });
      else models.set(m, at);
    });
  });
  (Array.isArray(agents) ? (agents as unknown[]) : []).forEach((a, i) => {
    const usd = (a as { llm?: { monthlyUsd?: unknown } } | null)?.llm?.monthlyUsd;
    if (typeof usd === "number" && usd > LLM_GATEWAY_MAX_MONTHLY_USD) {
      issues.push({
        path: `agents[${i}].llm.monthlyUsd`,
        value: usd,
        allowed: `must be at most ${LLM_GATEWAY_MAX_MONTHLY_USD} while platform.llmGateway is enabled: the gateway's monthly limit is a uint32 count of micro-USD (at most 4,294,967,295)`,
      });
    }
  });
  return issues;
}

/**
 * On EKS, what the stack pays for by the hour must be in the cost model's price table for `region`
 * (components/src/catalog/prices.ts): node group instance types and the LLM gateway's ElastiCache node type.
 * A type missing there is a typo or a type nobody priced yet, and either way the stack's cost (synth's
 * `cost.json`, the pack's tier budgets) could not be computed. The ElastiCache node type counts only where
 * the platform and its LLM gateway run.
 */
export function priceTableIssues(cfg: Record<string, unknown>, region: string): ConfigIssue[] {
  const prices = PRICES[region];
  if (!prices) return []; // `aws:region` itself is reported
  const platform = cfg.platform as
    { enabled?: unknown; llmGateway?: { enabled?: unknown; store?: { nodeType?: unknown } } } | undefined;
  const issues: ConfigIssue[] = [];
  const where = `components/src/catalog/prices.ts for ${region}`;
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
  const stores = cfg.stores;
  if (typeof stores === "object" && stores !== null && !Array.isArray(stores)) {
    for (const [name, store] of Object.entries(stores as Record<string, Record<string, unknown> | null>)) {
      const instanceClass = store?.instanceClass;
      if (
        store?.engine === "postgres" &&
        typeof instanceClass === "string" &&
        !(instanceClass in prices.rdsPostgresInstanceHourly)
      ) {
        issues.push({
          path: `stores.${name}.instanceClass`,
          value: instanceClass,
          allowed: `must be an RDS instance class priced in ${where} (${Object.keys(prices.rdsPostgresInstanceHourly).join(", ")}); add its price there to use it`,
        });
      }
      const storeNode = store?.nodeType;
      if (
        store?.engine === "valkey" &&
        typeof storeNode === "string" &&
        !(storeNode in prices.elastiCacheValkeyNodeHourly)
      ) {
        issues.push({
          path: `stores.${name}.nodeType`,
          value: storeNode,
          allowed: `must be an ElastiCache node type priced in ${where} (${Object.keys(prices.elastiCacheValkeyNodeHourly).join(", ")}); add its price there to use it`,
        });
      }
    }
  }
  return issues;
}

/**
 * Warnings, not errors: what the API server accepts but will not do. A schedule that never fires
 * (`0 0 30 2 *`: February has no day 30) is a valid CronJob that never starts a Job; the cost model counts
 * it at 0 runs. One line per agent, in the configuration's key format.
 */
export function configWarnings(config: { agents: readonly AgentConfig[] }): string[] {
  return config.agents.flatMap((agent, i) => {
    if (!hasJob(agent)) return [];
    const parsed = parseKubernetesCron(agent.schedule);
    const reason = parsed.ok ? neverFiresReason(parsed.schedule) : undefined;
    return reason === undefined
      ? []
      : [
          `agents[${i}] (${agent.name}).schedule: ${JSON.stringify(agent.schedule)} — never fires (${reason}): Kubernetes accepts the CronJob but never starts a Job; the cost model counts 0 runs`,
        ];
  });
}

/**
 * Checks of agents' `expose` and `scaling` against the rest of the stack, on raw values (skipping what the
 * schema rejects): hostnames unique across the stack (one listener and certificate each); an exposed agent
 * needs the platform (its Gateway, cert-manager) with the LLM gateway (whose global rate-limit service and
 * counter store count the per-client limits: Envoy Gateway's local limits cannot tell clients apart), and an
 * ACME issuer needs `platform.certManager.acmeEmail`; an SQS queue read with Pod Identity needs an EKS
 * cluster.
 */
function trafficIssues(cfg: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const platform = cfg.platform as
    | { enabled?: unknown; llmGateway?: { enabled?: unknown }; certManager?: { acmeEmail?: unknown } }
    | undefined;
  const platformOn = platform?.enabled !== false;
  const rateLimits = platformOn && platform?.llmGateway?.enabled === true;
  const acme = typeof platform?.certManager?.acmeEmail === "string";
  const eks = (cfg.cluster as { mode?: unknown } | undefined)?.mode === "eks";
  const hosts = new Map<string, string>();
  for (const { entry, path } of located(cfg.agents, "agents")) {
    const a = entry as {
      mode?: unknown;
      expose?: { hostname?: unknown; issuer?: unknown };
      scaling?: { queue?: { kind?: unknown; credentials?: { from?: unknown } } };
    };
    if (a.mode === "scheduled") continue; // the schema refuses expose and scaling there
    const expose = a.expose;
    if (typeof expose === "object" && expose !== null) {
      const host = expose.hostname;
      if (typeof host === "string") {
        const first = hosts.get(host);
        if (first !== undefined)
          issues.push({
            path: `${path}.expose.hostname`,
            value: host,
            allowed: `must be unique across the stack (also ${first}.expose.hostname): one listener and certificate per host`,
          });
        else hosts.set(host, path);
      }
      if (!rateLimits) {
        issues.push({
          path: `${path}.expose`,
          value: expose,
          allowed: platformOn
            ? "needs platform.llmGateway.enabled: the per-client rate limit of an exposed agent counts in Envoy Gateway's global rate-limit service, which the LLM gateway's counter store backs"
            : "needs platform.enabled: the shared Gateway and cert-manager are the platform's",
        });
      }
      const issuer = expose.issuer ?? "letsencrypt-production";
      if (typeof issuer === "string" && ACME_ISSUERS.includes(issuer) && !acme) {
        issues.push({
          path: `${path}.expose.issuer`,
          value: issuer,
          allowed:
            "needs platform.certManager.acmeEmail (the Let's Encrypt issuers exist only with it), or issuer agentops-ca (the internal CA)",
        });
      }
    }
    const scaling = a.scaling;
    if (typeof scaling === "object" && scaling !== null) {
      // Without the platform, scaling is refused by platformOffIssues (KEDA's CRDs are the platform's).
      const queue = scaling.queue;
      if (queue?.kind === "sqs" && queue.credentials?.from === "podIdentity" && !eks) {
        issues.push({
          path: `${path}.scaling.queue.credentials.from`,
          value: "podIdentity",
          allowed:
            "needs cluster.mode eks (EKS Pod Identity); on another cluster use from: secrets with accessKeyId and secretAccessKey",
        });
      }
    }
  }
  return issues;
}
