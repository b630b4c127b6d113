/**
 * The names the data stores derive from the store's, the agent's and the environment's names (AWS identifiers
 * from the stack's stem instead, {@link storeAwsNames}):
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
    /** PostgreSQL database name, and the name of its owner role. */
    database: sqlIdentifier(store),
    /** RDS master user (its password lives in Secrets Manager, managed by RDS). */
    masterUser: "agentops_admin",
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

/**
 * Where a store's names come from: the environment (in-cluster names, Vault paths, descriptions) and the stem of
 * its AWS names, `agentops-<env>` for the environment's own stack and another for any other stack deployed from
 * its stack file (config/stack-names.ts `storesNameStem`), so two stacks in one account never share a database,
 * a bucket or a vault.
 */
export interface StoreScope {
  environment: string;
  stem: string;
}

/** AWS names of one store: `<stem>-<store>` (`agentops-dev-audit` for dev's own stack). */
export function storeAwsNames(stem: string, store: string) {
  return {
    /** RDS instance identifier and ElastiCache replication group id: `<stem>-<store>`. */
    awsId: `${stem}-${store}`,
    /** The bucket's name stem; the account id follows (`<stem>-<store>-<account>`), for global uniqueness. */
    bucketStem: `${stem}-${store}`,
    /** The RDS instance's PostgreSQL log group, created with a retention before RDS writes into it. */
    rdsLogGroup: `/aws/rds/instance/${stem}-${store}/postgresql`,
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
