/**
 * The names the data stores derive from the store's, the agent's and the environment's names: AWS identifiers,
 * Kubernetes objects, PostgreSQL identifiers, Vault paths and environment variables. One place, so the stores,
 * the agents that use them and the tests agree. Every name derives from names users chose (day 2: a rename is
 * a deliberate replacement, nothing else renames anything).
 */
import { storeEnvPrefix } from "../config/stores";
import { PLATFORM_NAMESPACES } from "../lib/contract";

/** The namespace of the stores' in-cluster side. */
export const STORES_NAMESPACE = PLATFORM_NAMESPACES.stores;

/** A PostgreSQL identifier from a DNS label: `-` → `_` (`security-agent` → `security_agent`). */
export const sqlIdentifier = (name: string): string => name.replace(/-/g, "_");

/** Names of one store. */
export function storeNames(environment: string, store: string) {
  const prefix = storeEnvPrefix(store);
  return {
    /** RDS instance identifier and ElastiCache replication group id: `agentops-<env>-<store>`. */
    awsId: `agentops-${environment}-${store}`,
    /** The bucket's name stem; the account id follows (`agentops-<env>-<store>-<account>`), for global uniqueness. */
    bucketStem: `agentops-${environment}-${store}`,
    /** PostgreSQL database name, and the name of its owner role. */
    database: sqlIdentifier(store),
    /** RDS master user (its password lives in Secrets Manager, managed by RDS). */
    masterUser: "agentops_admin",
    /** The RDS instance's PostgreSQL log group, created with a retention before RDS writes into it. */
    rdsLogGroup: `/aws/rds/instance/agentops-${environment}-${store}/postgresql`,
    /** CloudNativePG Cluster (its read-write Service is `<store>-rw`), Database, ScheduledBackup, PodMonitor. */
    cluster: store,
    clusterService: `${store}-rw`,
    /** The Valkey release (in-cluster) and its Deployment, Service and containers (`fullnameOverride`). */
    valkeyRelease: store,
    valkeyFullname: `${store}-valkey`,
    /** Secret holding the cache's AUTH password (key `password`), in the stores' namespace. */
    authSecret: `${store}-auth`,
    /** Secret with the RDS master credentials, from Secrets Manager. */
    masterSecret: `${store}-master`,
    /** Vault KV v2 key of the store's shared credentials (the cache's password). */
    vaultKey: `stores/${environment}/${store}`,
    /** Environment variable prefix: `AUDIT`, `AUDIT_TRAIL`. */
    envPrefix: prefix,
  };
}

/** Names of one agent's access to one store. */
export function agentStoreNames(environment: string, store: string, agent: string) {
  return {
    /** The agent's PostgreSQL role and schema. */
    role: sqlIdentifier(agent),
    /** Secret (basic-auth) with the role's generated password, and its ExternalSecret, PushSecret, DatabaseRole. */
    credentials: `${store}-${agent}`,
    /** Vault KV v2 key of the agent's own credentials for the store. */
    vaultKey: `stores/${environment}/${store}/${agent}`,
    /** The agent's key prefix in a shared cache, and its object prefix in the evidence bucket. */
    keyPrefix: `${agent}:`,
    objectPrefix: `${agent}/`,
  };
}
