/**
 * The data stores' Kubernetes objects, as pure builders: the stores' namespace, the generated database
 * credentials (External Secrets' Password generator → a Secret → Vault), the RDS role bootstrap Job (EKS), the
 * CloudNativePG objects and the Valkey values (existing clusters). Plain data, so tests read exact objects and
 * the CRD schemas of the pinned charts validate them.
 */
import { createHash } from "node:crypto";
import type * as inputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { POSTGRES_IMAGE } from "../catalog/images";
import type { PostgresStoreConfig, ValkeyStoreConfig } from "../config/stores";
import { PLATFORM_ENDPOINTS, STORE_TAGS } from "../lib/contract";
import { STORE_VALKEY_INIT } from "../model/footprints/stores";
import { STORE_PORTS } from "./access";
import { agentStoreNames, storeNames, STORES_NAMESPACE } from "./names";

/** A custom object as plain data (its `spec` may hold outputs of other resources). */
export interface StoreObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** Labels of the stores' objects; `store` names the store. */
export const storeLabels = (store?: string): Record<string, string> => ({
  "app.kubernetes.io/part-of": "agentops",
  "app.kubernetes.io/managed-by": "pulumi",
  ...(store ? { [STORE_TAGS.store]: store } : {}),
});

/** The stores' namespace, Pod Security `restricted` (CloudNativePG's, Valkey's and the Jobs' pods meet it). */
export function storesNamespace(): inputs.core.v1.Namespace {
  const psa = Object.fromEntries(
    ["enforce", "audit", "warn"].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, "restricted"],
      [`pod-security.kubernetes.io/${mode}-version`, "latest"],
    ]),
  );
  return { metadata: { name: STORES_NAMESPACE, labels: { ...storeLabels(), ...psa } } };
}

/** The Password generator the database credentials come from: 32 characters, no symbols (URL- and shell-safe). */
export const PASSWORD_GENERATOR = "store-password";

export function passwordGenerator(): StoreObject {
  return {
    apiVersion: "generators.external-secrets.io/v1alpha1",
    kind: "Password",
    metadata: { name: PASSWORD_GENERATOR, namespace: STORES_NAMESPACE, labels: storeLabels() },
    spec: { length: 32, digits: 6, symbols: 0, noUpper: false, allowRepeat: true },
  };
}

/**
 * An agent's database credentials, generated once in the cluster (refreshPolicy CreatedOnce: never rotated by
 * a refresh) into a `kubernetes.io/basic-auth` Secret `<store>-<agent>` with its role name: what CloudNativePG's
 * DatabaseRole and the RDS bootstrap Job read. No password passes through Pulumi.
 */
export function agentCredentials(environment: string, store: string, agent: string): StoreObject {
  const a = agentStoreNames(environment, store, agent);
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name: a.credentials, namespace: STORES_NAMESPACE, labels: storeLabels(store) },
    spec: {
      refreshPolicy: "CreatedOnce",
      target: {
        name: a.credentials,
        creationPolicy: "Owner",
        template: {
          type: "kubernetes.io/basic-auth",
          data: { username: a.role, password: "{{ .password }}" },
        },
      },
      dataFrom: [
        {
          sourceRef: {
            generatorRef: {
              apiVersion: "generators.external-secrets.io/v1alpha1",
              kind: "Password",
              name: PASSWORD_GENERATOR,
            },
          },
        },
      ],
    },
  };
}

/** A PushSecret of `secret`'s keys into Vault at `remoteKey` (each key its property), kept there when it goes. */
function pushToVault(
  name: string,
  store: string,
  secret: string,
  remoteKey: string,
  keys: readonly string[],
): StoreObject {
  return {
    apiVersion: "external-secrets.io/v1alpha1",
    kind: "PushSecret",
    metadata: { name, namespace: STORES_NAMESPACE, labels: storeLabels(store) },
    spec: {
      refreshInterval: "1h",
      updatePolicy: "Replace",
      deletionPolicy: "None",
      secretStoreRefs: [{ kind: "ClusterSecretStore", name: PLATFORM_ENDPOINTS.vaultSecretStore }],
      selector: { secret: { name: secret } },
      data: keys.map((key) => ({ match: { secretKey: key, remoteRef: { remoteKey, property: key } } })),
    },
  };
}

/** The agent's credentials in Vault at `stores/<env>/<store>/<agent>`, where its own ExternalSecret reads them. */
export function agentCredentialsPush(environment: string, store: string, agent: string): StoreObject {
  const a = agentStoreNames(environment, store, agent);
  return pushToVault(a.credentials, store, a.credentials, a.vaultKey, ["username", "password"]);
}

/** The cache's AUTH password in Vault at `stores/<env>/<store>`, where the agents' ExternalSecrets read it. */
export function storeAuthPush(environment: string, store: string): StoreObject {
  const n = storeNames(environment, store);
  return pushToVault(n.authSecret, store, n.authSecret, n.vaultKey, ["password"]);
}

/** The RDS master credentials from Secrets Manager (the secret RDS manages), for the role bootstrap Job. */
export function rdsMasterCredentials(
  environment: string,
  store: string,
  secretArn: pulumi.Input<string>,
): StoreObject {
  const n = storeNames(environment, store);
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name: n.masterSecret, namespace: STORES_NAMESPACE, labels: storeLabels(store) },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: PLATFORM_ENDPOINTS.awsSecretStore },
      target: { name: n.masterSecret, creationPolicy: "Owner" },
      data: ["username", "password"].map((key) => ({
        secretKey: key,
        remoteRef: { key: secretArn, property: key },
      })),
    },
  };
}

/** The restricted security context of the stores' own Jobs and CronJobs. */
export const RESTRICTED_POD = (uid: number): inputs.core.v1.PodSecurityContext => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  seccompProfile: { type: "RuntimeDefault" },
});
export const RESTRICTED_CONTAINER_CONTEXT: inputs.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
};

/** The `postgres` user of the CloudNativePG images. */
const POSTGRES_UID = 26;

/** The SQL that gives one agent its role and schema, idempotent; psql variables `role` and `pw`. */
export const AGENT_ROLE_SQL = [
  `SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec`,
  `ALTER ROLE :"role" WITH LOGIN PASSWORD :'pw';`,
  `GRANT CONNECT ON DATABASE :"db" TO :"role";`,
  `CREATE SCHEMA IF NOT EXISTS :"role" AUTHORIZATION :"role";`,
].join("\n");

const envName = (agent: string) => `PW_${agent.toUpperCase().replace(/-/g, "_")}`;

/**
 * The Job that gives each agent of an RDS store its own role (LOGIN, the generated password) and schema (which
 * it owns; no other agent's), and takes CONNECT on the database from PUBLIC. RDS has no declarative roles; the
 * SQL is idempotent, and the Job's name carries a hash of the agents, so adding one runs a new Job.
 */
export function rdsRolesJob(
  environment: string,
  store: string,
  agents: readonly string[],
  host: pulumi.Input<string>,
): inputs.batch.v1.Job & { metadata: { name: string } } {
  const n = storeNames(environment, store);
  const sorted = [...agents].sort();
  const hash = createHash("sha256")
    .update(JSON.stringify({ sorted, sql: AGENT_ROLE_SQL }))
    .digest("hex")
    .slice(0, 8);
  const script = [
    "set -eu",
    `psql -v ON_ERROR_STOP=1 -c 'REVOKE ALL ON DATABASE "${n.database}" FROM PUBLIC'`,
    ...sorted.map((agent) => {
      const role = agentStoreNames(environment, store, agent).role;
      return `psql -v ON_ERROR_STOP=1 -v db=${n.database} -v role=${role} -v pw="$${envName(agent)}" <<'SQL'\n${AGENT_ROLE_SQL}\nSQL`;
    }),
  ].join("\n");
  const secretEnv = (name: string, secret: string, key: string): inputs.core.v1.EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key } },
  });
  return {
    metadata: { name: `${store}-roles-${hash}`, namespace: STORES_NAMESPACE, labels: storeLabels(store) },
    spec: {
      backoffLimit: 10,
      activeDeadlineSeconds: 3600,
      template: {
        metadata: { labels: storeLabels(store) },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: RESTRICTED_POD(POSTGRES_UID),
          containers: [
            {
              name: "roles",
              image: POSTGRES_IMAGE,
              imagePullPolicy: "IfNotPresent",
              command: ["/bin/sh", "-c", script],
              env: [
                { name: "PGHOST", value: host },
                { name: "PGPORT", value: String(STORE_PORTS.postgres) },
                { name: "PGDATABASE", value: n.database },
                { name: "PGSSLMODE", value: "require" },
                { name: "HOME", value: "/tmp" },
                secretEnv("PGUSER", n.masterSecret, "username"),
                secretEnv("PGPASSWORD", n.masterSecret, "password"),
                ...sorted.map((agent) =>
                  secretEnv(
                    envName(agent),
                    agentStoreNames(environment, store, agent).credentials,
                    "password",
                  ),
                ),
              ],
              resources: {
                requests: { cpu: "50m", memory: "64Mi" },
                limits: { cpu: "200m", memory: "128Mi" },
              },
              securityContext: RESTRICTED_CONTAINER_CONTEXT,
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

/** The VolumeSnapshotClass every snapshot of the stack uses (backups, CloudNativePG's backups, restores). */
export const SNAPSHOT_CLASS = "agentops-snapshots";

/**
 * The CloudNativePG cluster of a PostgreSQL store: `instances` pods of {@link POSTGRES_IMAGE}, requests = limits
 * from config, the database and its owner made at bootstrap, every connection logged, connections without TLS
 * refused (`hostnossl … reject`, before the operator's closing `host all all all` rule), backups as volume
 * snapshots (owned by their Backup, so pruning a Backup removes its snapshots).
 */
export function cnpgCluster(store: string, config: PostgresStoreConfig, environment: string): StoreObject {
  const n = storeNames(environment, store);
  const resources = { cpu: config.resources.cpu, memory: config.resources.memory };
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: n.cluster, namespace: STORES_NAMESPACE, labels: storeLabels(store) },
    spec: {
      instances: config.instances,
      imageName: POSTGRES_IMAGE,
      storage: { size: `${config.storageGiB}Gi` },
      resources: { requests: resources, limits: resources },
      bootstrap: { initdb: { database: n.database, owner: n.database } },
      postgresql: {
        parameters: { log_connections: "on", log_disconnections: "on" },
        pg_hba: ["hostnossl all all all reject"],
      },
      backup: { volumeSnapshot: { className: SNAPSHOT_CLASS, snapshotOwnerReference: "backup" } },
      inheritedMetadata: { labels: storeLabels(store) },
    },
  };
}

/** The store's database, with one schema per agent owned by the agent's role (the agents' only place to write). */
export function cnpgDatabase(store: string, environment: string, agents: readonly string[]): StoreObject {
  const n = storeNames(environment, store);
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Database",
    metadata: { name: n.cluster, namespace: STORES_NAMESPACE, labels: storeLabels(store) },
    spec: {
      cluster: { name: n.cluster },
      name: n.database,
      owner: n.database,
      // Kept if this object goes: the data is the audit trail.
      databaseReclaimPolicy: "retain",
      schemas: [...agents].sort().map((agent) => {
        const role = agentStoreNames(environment, store, agent).role;
        return { name: role, owner: role };
      }),
    },
  };
}

/** One agent's role: LOGIN with its generated password, nothing else (no CREATEDB, no CREATEROLE, no superuser). */
export function cnpgDatabaseRole(store: string, environment: string, agent: string): StoreObject {
  const n = storeNames(environment, store);
  const a = agentStoreNames(environment, store, agent);
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "DatabaseRole",
    metadata: { name: a.credentials, namespace: STORES_NAMESPACE, labels: storeLabels(store) },
    spec: {
      cluster: { name: n.cluster },
      name: a.role,
      login: true,
      passwordSecret: { name: a.credentials },
      comment: `AgentOps agent ${agent}`,
    },
  };
}

/** Daily volume-snapshot backups at the start of the store's backup window (CloudNativePG's six-field cron, seconds first). */
export function cnpgScheduledBackup(
  store: string,
  config: PostgresStoreConfig,
  environment: string,
): StoreObject {
  const n = storeNames(environment, store);
  const [hour, minute] = config.backupWindow.split("-")[0]!.split(":").map(Number);
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "ScheduledBackup",
    metadata: { name: n.cluster, namespace: STORES_NAMESPACE, labels: storeLabels(store) },
    spec: {
      cluster: { name: n.cluster },
      schedule: `0 ${minute} ${hour} * * *`,
      method: "volumeSnapshot",
      immediate: true,
      backupOwnerReference: "self",
    },
  };
}

/** Prometheus scrapes each instance's exporter (port `metrics`): the store's down, lag and backup alerts read it. */
export function cnpgPodMonitor(store: string, environment: string): StoreObject {
  const n = storeNames(environment, store);
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: n.cluster, namespace: STORES_NAMESPACE, labels: storeLabels(store) },
    spec: {
      selector: { matchLabels: { "cnpg.io/cluster": n.cluster } },
      podMetricsEndpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
    },
  };
}

/** The CloudNativePG pods of a store, as the agents' network policy selects them. */
export const cnpgPodLabels = (store: string) => ({ "cnpg.io/cluster": store });
/** The Valkey pod of a store's release. */
export const valkeyPodLabels = (store: string) => ({
  "app.kubernetes.io/name": "valkey",
  "app.kubernetes.io/instance": store,
});

/**
 * The values of a Valkey store's release (valkey 0.11.0): one pod with requests = limits from config, RDB
 * snapshots on a volume (`dataStorage`; the schedule snapshots it), Recreate (one RWO volume), ACL auth with the
 * `default` user's password from the Secret `<store>-auth`.
 */
export function storeValkeyValues(
  store: string,
  config: ValkeyStoreConfig,
  environment: string,
): Record<string, unknown> {
  const n = storeNames(environment, store);
  const main = { cpu: config.resources.cpu, memory: config.resources.memory };
  const init = { ...STORE_VALKEY_INIT };
  return {
    fullnameOverride: n.valkeyFullname,
    resources: { requests: main, limits: main },
    initResources: { requests: init, limits: init },
    deploymentStrategy: "Recreate",
    dataStorage: { enabled: true, requestedSize: `${config.storageGiB}Gi` },
    auth: {
      enabled: true,
      usersExistingSecret: n.authSecret,
      aclUsers: { default: { permissions: "~* &* +@all", passwordKey: "password" } },
    },
    // The chart labels its pods itself (name, instance, managed-by): only the store's label is added.
    podLabels: { [STORE_TAGS.store]: store },
  };
}
