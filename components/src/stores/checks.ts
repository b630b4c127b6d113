/**
 * Stack-wide checks of `agentops:stores`, `agentops:backups` and what agents ask of them, on the raw values
 * beside the schemas (each skips what the schemas already refuse): agents naming stores that exist, what prod
 * requires (Object Lock in COMPLIANCE mode, a Multi-AZ database), what an existing cluster needs (an endpoint
 * for S3, volume snapshots for PostgreSQL), and restores that can be carried out.
 */
import type { AgentConfig } from "../config/agents";
import type { ConfigIssue } from "../config/errors";
import { STORE_ENGINES, storeAgentEnvKeys, type StoreEngine } from "../config/stores";
import { restorableClaims } from "../agents/restore";

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The issues, paths under `agentops:` (`stores.evidence.objectLock.enabled`, `agents[1].stores[0]`).
 * `cfg` is the raw configuration.
 */
export function storeIssues(cfg: Rec): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const stores = isRec(cfg.stores) ? cfg.stores : {};
  const names = Object.keys(stores);
  const clusterMode = isRec(cfg.cluster) ? cfg.cluster.mode : undefined;
  const eks = clusterMode === "eks";
  const existing = clusterMode === "existing";
  const prod = cfg.environment === "prod";
  const backups = isRec(cfg.backups) ? cfg.backups : undefined;
  const backupsOn = backups !== undefined && backups.enabled !== false;

  for (const [name, store] of Object.entries(stores)) {
    if (!isRec(store)) continue;
    const at = `stores.${name}`;
    if (store.engine === "s3" && eks && prod) {
      const lock = isRec(store.objectLock) ? store.objectLock : {};
      if (lock.enabled !== true) {
        issues.push({
          path: `${at}.objectLock.enabled`,
          value: lock.enabled ?? false,
          allowed:
            "must be true in prod: the evidence store keeps every object version under S3 Object Lock (COMPLIANCE) for its retention",
        });
      } else if (lock.mode === "GOVERNANCE") {
        issues.push({
          path: `${at}.objectLock.mode`,
          value: lock.mode,
          allowed:
            "must be COMPLIANCE in prod: in GOVERNANCE mode a privileged principal can delete evidence",
        });
      }
    }
    if (store.engine === "postgres" && eks && prod && store.multiAz !== true) {
      issues.push({
        path: `${at}.multiAz`,
        value: store.multiAz ?? false,
        allowed: "must be true in prod: the audit trail survives the loss of a zone only with a standby",
      });
    }
    if (store.engine === "s3" && existing) {
      for (const key of ["endpoint", "bucket", "network"] as const) {
        if (store[key] === undefined) {
          issues.push({
            path: `${at}.${key}`,
            value: undefined,
            allowed: {
              endpoint:
                "is required on an existing cluster: the S3-compatible endpoint, e.g. https://minio.example.com:9000",
              bucket: "is required on an existing cluster: the bucket at that endpoint",
              network:
                "is required on an existing cluster: { cidr } or { namespace, podLabels }, where the agents' egress policy lets them go",
            }[key],
          });
        }
      }
    }
    if (store.engine === "postgres" && existing && !backupsOn) {
      issues.push({
        path: at,
        value: "postgres",
        allowed:
          "needs agentops:backups on an existing cluster: CloudNativePG takes its backups as volume snapshots of the class agentops:backups declares",
      });
    }
  }

  const agents = Array.isArray(cfg.agents) ? cfg.agents : [];
  agents.forEach((raw: unknown, i) => {
    if (!isRec(raw)) return;
    const at = `agents[${i}]`;
    (Array.isArray(raw.stores) ? raw.stores : []).forEach((store: unknown, j) => {
      if (typeof store === "string" && !names.includes(store)) {
        issues.push({
          path: `${at}.stores[${j}]`,
          value: store,
          allowed: `must name a store declared under agentops:stores (${names.join(", ") || "none declared"})`,
        });
      }
    });
    issues.push(...storeEnvIssues(at, raw, stores));
    const storage = isRec(raw.storage) ? raw.storage : undefined;
    const restore = storage && isRec(storage.restoreFrom) ? storage.restoreFrom : undefined;
    if (!restore) return;
    if (typeof restore.pointInTime === "string" && eks) {
      issues.push({
        path: `${at}.storage.restoreFrom.pointInTime`,
        value: restore.pointInTime,
        allowed:
          "is for existing clusters (scheduled VolumeSnapshots are named by their time); on EKS name the AWS Backup recovery point: snapshot: snap-… (aws backup list-recovery-points-by-resource)",
      });
    } else if (typeof restore.pointInTime === "string" && !backupsOn) {
      issues.push({
        path: `${at}.storage.restoreFrom.pointInTime`,
        value: restore.pointInTime,
        allowed: "needs agentops:backups: a point in time picks one of the scheduled snapshots",
      });
    }
    if (typeof restore.claim === "string" && typeof raw.name === "string") {
      const claims = restorableClaims(raw as unknown as AgentConfig);
      if (!claims.includes(restore.claim)) {
        issues.push({
          path: `${at}.storage.restoreFrom.claim`,
          value: restore.claim,
          allowed: `must be one of the agent's claims (${claims.join(", ") || "none"})`,
        });
      }
    }
  });
  return issues;
}

/**
 * An agent's own `env` and `secrets` keys that a store it lists sets too (`AUDIT_DB_HOST`, `AUDIT_DB_PASSWORD`):
 * the store's connection settings replace the agent's value in its ConfigMap, and an agent's secret of a
 * credential's name would shadow the store's own credentials. Refused, naming the store and its variables.
 */
function storeEnvIssues(at: string, agent: Rec, stores: Rec): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const setBy = new Map<string, { store: string; engine: StoreEngine; keys: string[] }>();
  for (const store of Array.isArray(agent.stores) ? agent.stores : []) {
    if (typeof store !== "string") continue;
    const engine = isRec(stores[store]) ? (stores[store] as Rec).engine : undefined;
    if (!(STORE_ENGINES as readonly unknown[]).includes(engine)) continue;
    const keys = storeAgentEnvKeys(store, engine as StoreEngine);
    for (const key of keys) setBy.set(key, { store, engine: engine as StoreEngine, keys });
  }
  if (setBy.size === 0) return issues;
  const owner = (key: string) => {
    const s = setBy.get(key)!;
    return `store ${s.store} (${s.engine}) sets ${s.keys.join(", ")} on the agents that list it`;
  };
  for (const [key, value] of Object.entries(isRec(agent.env) ? agent.env : {})) {
    if (!setBy.has(key)) continue;
    issues.push({
      path: `${at}.env.${key}`,
      value,
      allowed: `must not be set here: ${owner(key)}, and its value would replace this one; rename the key`,
    });
  }
  (Array.isArray(agent.secrets) ? agent.secrets : []).forEach((key: unknown, i) => {
    if (typeof key !== "string" || !setBy.has(key)) return;
    issues.push({
      path: `${at}.secrets[${i}]`,
      value: key,
      allowed: `must not be a secret here: ${owner(key)}, and a secret of this name would shadow the store's own; rename the key`,
    });
  });
  return issues;
}
