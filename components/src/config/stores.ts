/**
 * `agentops:stores` and `agentops:backups`: the governance framework's data stores (an audit-trail PostgreSQL,
 * a Valkey cache, an S3 evidence store, …) per environment, and the backups of agents' volumes. Each store is
 * named by its key; agents opt in with `agents[].stores: [<name>, …]`. On EKS the stores are managed services
 * (RDS, ElastiCache, S3); on an existing cluster they run in it (CloudNativePG, the Valkey chart) or, for S3,
 * are an S3-compatible endpoint the user names. Which keys apply where is said on each; the README's
 * configuration reference has the table.
 */
import { z } from "zod";
import { awsCronExpression, longestGapMinutes } from "../lib/cron";
import { DNS1123_LABEL } from "../lib/names";
import {
  bool,
  cidr,
  cpuMemory,
  cron,
  integer,
  labelValue,
  oneOf,
  taggedUnionError,
  text,
  usd,
} from "./schema";

/** The store engines: PostgreSQL, Valkey (the Redis protocol), S3 (or S3-compatible) object storage. */
export const STORE_ENGINES = ["postgres", "valkey", "s3"] as const;
export type StoreEngine = (typeof STORE_ENGINES)[number];

/**
 * Longest store name: it ends up in the RDS identifier and ElastiCache replication group id
 * `<stem>-<store>` (ElastiCache allows 40 characters; the stem, `agentops-<env>` or another stack's, is at most
 * 16, config/stack-names.ts `MAX_STORES_STEM`, so `agentops-staging-` takes 17) and in the bucket name
 * `<stem>-<store>-<account>` (≤ 63).
 */
export const STORE_NAME_MAX = 20;

/** A store's name: a DNS-1123 label starting with a letter, at most {@link STORE_NAME_MAX} characters. */
export const storeName = () =>
  z
    .string({ error: "must be a store name" })
    .refine(
      (v) => v.length <= STORE_NAME_MAX && DNS1123_LABEL.test(v) && /^[a-z]/.test(v),
      `must be a store name: at most ${STORE_NAME_MAX} lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (it names the RDS instance, the ElastiCache group and the bucket)`,
    );

/** `hh:mm-hh:mm` in UTC, at least 30 minutes long (RDS `PreferredBackupWindow`). */
const backupWindow = () =>
  z.string({ error: "must be a UTC time range hh:mm-hh:mm, e.g. 03:00-03:30" }).superRefine((v, ctx) => {
    const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
    if (!m) {
      ctx.addIssue({ code: "custom", message: "must be a UTC time range hh:mm-hh:mm, e.g. 03:00-03:30" });
      return;
    }
    const start = Number(m[1]) * 60 + Number(m[2]);
    const end = Number(m[3]) * 60 + Number(m[4]);
    if ((end - start + 1440) % 1440 < 30) {
      ctx.addIssue({
        code: "custom",
        message: "must be at least 30 minutes long (RDS refuses a shorter backup window)",
      });
    }
  });

/** `engine: postgres`: RDS for PostgreSQL on EKS, a CloudNativePG cluster on an existing cluster. */
export const postgresStoreSchema = z.strictObject({
  engine: z.literal("postgres"),
  /**
   * EKS: the RDS instance class; it must be priced for `aws:region` in components/src/catalog/prices.ts.
   * @default "db.t4g.micro"
   */
  instanceClass: text("an RDS instance class, e.g. db.t4g.small").default("db.t4g.micro"),
  /** Allocated storage in GiB (gp3; RDS's gp3 minimum for PostgreSQL is 20). Grows in place. @default 20 */
  storageGiB: integer(20, 65536).default(20),
  /** EKS: a synchronous standby in a second zone with automatic failover. Required in prod. @default false */
  multiAz: bool().default(false),
  /**
   * Days of point-in-time recovery: RDS keeps automated backups and transaction logs this long (1–35); in the
   * cluster, volume-snapshot backups older than this are pruned. @default 7
   */
  backupRetentionDays: z
    .number({
      error: "must be a whole number of days from 1 to 35 (RDS keeps automated backups 1 to 35 days)",
    })
    .int("must be a whole number of days from 1 to 35 (RDS keeps automated backups 1 to 35 days)")
    .min(1, "must be a whole number of days from 1 to 35 (RDS keeps automated backups 1 to 35 days)")
    .max(35, "must be a whole number of days from 1 to 35 (RDS keeps automated backups 1 to 35 days)")
    .default(7),
  /**
   * The daily backup window, UTC: RDS's automated snapshot; in the cluster, the start of the ScheduledBackup.
   * @default "03:00-03:30"
   */
  backupWindow: backupWindow().default("03:00-03:30"),
  /** Existing cluster: PostgreSQL instances of the CloudNativePG cluster (1 primary + standbys). @default 1 */
  instances: integer(1, 5).default(1),
  /** Existing cluster: requests (= limits) of each PostgreSQL pod. @default 250m / 512Mi */
  resources: cpuMemory({ container: true }).default({ cpu: "250m", memory: "512Mi" }),
});

/** `engine: valkey`: ElastiCache for Valkey on EKS, the Valkey chart on an existing cluster. */
export const valkeyStoreSchema = z.strictObject({
  engine: z.literal("valkey"),
  /**
   * EKS: the ElastiCache node type; it must be priced for `aws:region` in components/src/catalog/prices.ts.
   * @default "cache.t4g.micro"
   */
  nodeType: text("an ElastiCache node type, e.g. cache.t4g.micro").default("cache.t4g.micro"),
  /** EKS: a replica in a second zone with automatic failover. @default false */
  multiAz: bool().default(false),
  /**
   * EKS: days ElastiCache keeps its daily snapshots (0 turns them off; one is free per node). @default 1
   */
  backupRetentionDays: integer(0, 35).default(1),
  /** Existing cluster: the volume Valkey persists its RDB snapshots to, GiB. @default 1 */
  storageGiB: integer(1, 1000).default(1),
  /** Existing cluster: requests (= limits) of the Valkey pod. @default 100m / 128Mi */
  resources: cpuMemory({ container: true }).default({ cpu: "100m", memory: "128Mi" }),
});

/** Where an S3-compatible endpoint is, for the agents' network policy: an address range or in-cluster pods. */
const endpointNetworkSchema = z.union(
  [
    z.strictObject({ cidr: cidr() }),
    z.strictObject({
      namespace: labelValue("a namespace"),
      podLabels: z
        .record(z.string(), z.string({ error: "must be a label value" }))
        .refine((v) => Object.keys(v).length > 0, "must name at least one label"),
    }),
  ],
  {
    error:
      "must be { cidr } (the address range the endpoint resolves to) or { namespace, podLabels } (the pods serving it in this cluster)",
  },
);

/** Object Lock of the evidence bucket: objects cannot be deleted or overwritten until their retention ends. */
const objectLockSchema = z
  .strictObject({
    /** Required (and COMPLIANCE) in prod. Can only be turned on when the bucket is created. @default false */
    enabled: bool().default(false),
    /**
     * COMPLIANCE: nobody, the root user included, can shorten the retention or delete a locked version;
     * GOVERNANCE: principals with `s3:BypassGovernanceRetention` can. @default "COMPLIANCE"
     */
    mode: oneOf(["COMPLIANCE", "GOVERNANCE"]).default("COMPLIANCE"),
    /** Default retention of every new object version, days (1 to 100 years). @default 365 */
    retentionDays: z
      .number({ error: "must be a whole number of days from 1 to 36500 (S3 Object Lock: up to 100 years)" })
      .int("must be a whole number of days from 1 to 36500 (S3 Object Lock: up to 100 years)")
      .min(1, "must be a whole number of days from 1 to 36500 (S3 Object Lock: up to 100 years)")
      .max(36500, "must be a whole number of days from 1 to 36500 (S3 Object Lock: up to 100 years)")
      .default(365),
  })
  .default({ enabled: false, mode: "COMPLIANCE", retentionDays: 365 });

/** `engine: s3`: a versioned, KMS-encrypted S3 bucket on EKS; an S3-compatible endpoint on an existing cluster. */
export const s3StoreSchema = z
  .strictObject({
    engine: z.literal("s3"),
    /** EKS: the data it is expected to hold, GiB: the cost model prices it (S3 Standard). @default 10 */
    expectedStorageGiB: usd({ positive: false }).default(10),
    /** EKS: requests a month, for the cost model: writes (PUT, COPY, POST, LIST) and reads (GET). */
    expectedRequestsPerMonth: z
      .strictObject({
        writes: integer(0).default(100_000),
        reads: integer(0).default(1_000_000),
      })
      .default({ writes: 100_000, reads: 1_000_000 }),
    /** EKS: S3 Object Lock. */
    objectLock: objectLockSchema,
    /** EKS: days until an object version moves to S3 Standard-IA (S3's minimum is 30). @default 30 */
    infrequentAccessAfterDays: integer(30, 36500).default(30),
    /** EKS: days until an object version moves to S3 Glacier Instant Retrieval. @default 180 */
    glacierAfterDays: integer(90, 36500).default(180),
    /** Existing cluster (required there): the S3-compatible endpoint, e.g. https://minio.example.com:9000. */
    endpoint: z
      .string({ error: "must be an https:// URL, e.g. https://minio.example.com:9000" })
      .refine((v) => {
        try {
          return new URL(v).protocol === "https:";
        } catch {
          return false;
        }
      }, "must be an https:// URL, e.g. https://minio.example.com:9000")
      .optional(),
    /** Existing cluster (required there): the bucket at that endpoint; made by its owner. */
    bucket: text("a bucket name").optional(),
    /** Existing cluster: the region the endpoint signs for. @default "us-east-1" */
    region: text("a region name, e.g. us-east-1").default("us-east-1"),
    /** Existing cluster (required there): where the endpoint is, for the agents' egress policy. */
    network: endpointNetworkSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.glacierAfterDays < s.infrequentAccessAfterDays + 30) {
      ctx.addIssue({
        code: "custom",
        path: ["glacierAfterDays"],
        input: s.glacierAfterDays,
        message: `must be at least infrequentAccessAfterDays + 30 (${s.infrequentAccessAfterDays + 30}): S3 keeps an object in Standard-IA 30 days before another transition`,
      });
    }
  });

/** One store: its `engine` says which. */
export const storeSchema = z.discriminatedUnion(
  "engine",
  [postgresStoreSchema, valkeyStoreSchema, s3StoreSchema],
  {
    error: taggedUnionError(`must be one of ${STORE_ENGINES.join(", ")}`),
  },
);

/** `agentops:stores`: name → store. @default {} (no stores) */
export const storesSchema = z
  .record(storeName(), storeSchema, {
    error: "must be a map of store name to store, e.g. { audit: { engine: postgres } }",
  })
  .default({});

export type StoreConfig = z.infer<typeof storeSchema>;
export type PostgresStoreConfig = z.infer<typeof postgresStoreSchema>;
export type ValkeyStoreConfig = z.infer<typeof valkeyStoreSchema>;
export type S3StoreConfig = z.infer<typeof s3StoreSchema>;
export type StoresConfig = z.infer<typeof storesSchema>;

/** The longest gap an AWS Backup freshness alarm can watch: CloudWatch evaluates at most 7 days, less an hour's slack. */
export const MAX_BACKUP_GAP_HOURS = 167;

const BACKUP_DEFAULTS = {
  enabled: false,
  schedule: "0 3 * * *",
  retentionDays: 7,
  csiDriver: "ebs.csi.aws.com",
};

/**
 * `agentops:backups`: scheduled backups of every agent's volumes. On EKS an AWS Backup plan snapshots the
 * agents' EBS volumes (selected by the tags the EBS CSI driver puts on them); on an existing cluster a CronJob
 * takes CSI VolumeSnapshots. Either way restores go through `agents[].storage.restoreFrom`.
 * @default off when the key is absent
 */
export const backupsSchema = z
  .strictObject({
    /** @default true (when the key is present) */
    enabled: bool().default(true),
    /**
     * When to take them, UTC: a five-field cron expression at most hourly, e.g. "0 3 * * *". On EKS AWS Backup
     * runs it (one minute value; not both day fields restricted); the freshness alarm watches gaps up to 167 h.
     * @default "0 3 * * *"
     */
    schedule: cron()
      .superRefine((v, ctx) => {
        const aws = awsCronExpression(v);
        if (!aws.ok)
          ctx.addIssue({ code: "custom", message: `must be a schedule AWS Backup runs: ${aws.error}` });
        const gap = longestGapMinutes(v);
        if (aws.ok && gap !== undefined && gap > MAX_BACKUP_GAP_HOURS * 60) {
          ctx.addIssue({
            code: "custom",
            message: `must run at least every ${MAX_BACKUP_GAP_HOURS} hours (its longest gap is ${Math.round(gap / 60)} h; the freshness alarm cannot watch longer)`,
          });
        }
      })
      .default(BACKUP_DEFAULTS.schedule),
    /** Days a backup is kept (1 to 3650). @default 7 */
    retentionDays: z
      .number({ error: "must be a whole number of days from 1 to 3650" })
      .int("must be a whole number of days from 1 to 3650")
      .min(1, "must be a whole number of days from 1 to 3650")
      .max(3650, "must be a whole number of days from 1 to 3650")
      .default(7),
    /** Existing cluster: the CSI driver of the VolumeSnapshotClass (EKS: always ebs.csi.aws.com). @default "ebs.csi.aws.com" */
    csiDriver: text("a CSI driver name, e.g. ebs.csi.aws.com").default(BACKUP_DEFAULTS.csiDriver),
  })
  .default(BACKUP_DEFAULTS);

export type BackupsConfig = z.infer<typeof backupsSchema>;

/** The environment variable prefix of a store: `audit-trail` → `AUDIT_TRAIL`. */
export function storeEnvPrefix(store: string): string {
  return store.toUpperCase().replace(/-/g, "_");
}

/**
 * The variables a store sets on the agents that list it, by engine, after its prefix (`AUDIT_DB_HOST`):
 * connection settings in the agent's ConfigMap and credentials in its Secret (stores/access.ts, which
 * tests/stores.test.ts keeps in step with this list). Optional ones (an S3 endpoint, access keys off EKS) count:
 * an agent's own `env` or `secrets` key of these names would be overridden by, or shadow, the store's.
 */
export const STORE_AGENT_ENV = {
  postgres: ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_SSLMODE", "DB_PASSWORD"],
  valkey: ["REDIS_HOST", "REDIS_PORT", "REDIS_TLS", "REDIS_KEY_PREFIX", "REDIS_PASSWORD"],
  s3: [
    "S3_BUCKET",
    "S3_PREFIX",
    "S3_REGION",
    "S3_ENDPOINT",
    "S3_FORCE_PATH_STYLE",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
  ],
} as const satisfies Record<StoreEngine, readonly string[]>;

/** The variables store `store` of `engine` sets on its agents: `AUDIT_DB_HOST`, … */
export function storeAgentEnvKeys(store: string, engine: StoreEngine): string[] {
  return STORE_AGENT_ENV[engine].map((suffix) => `${storeEnvPrefix(store)}_${suffix}`);
}
