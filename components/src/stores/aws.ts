/**
 * The data stores on AWS, as pure builders of resource arguments and IAM documents (no `getPolicyDocument`
 * invokes), so tests read the exact inputs: RDS for PostgreSQL, ElastiCache for Valkey, the S3 evidence
 * bucket, the agents' least-privilege access to it, the KMS key and the alarms.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AwsScope, PolicyDocument, PolicyStatement } from "../cluster/iam";
import { POSTGRES_MAJOR } from "../catalog/images";
import type { PostgresStoreConfig, S3StoreConfig, ValkeyStoreConfig } from "../config/stores";
import { STORE_TAGS } from "../lib/contract";
import { STORE_PORTS } from "./access";
import { storeAwsNames, storeNames, type StoreScope } from "./names";

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

/** The AWS services that publish to the stores' alarm topic: CloudWatch alarms, RDS events, AWS Backup, ElastiCache. */
export const ALARM_PUBLISHERS = [
  "cloudwatch.amazonaws.com",
  "events.rds.amazonaws.com",
  "backup.amazonaws.com",
  "elasticache.amazonaws.com",
] as const;

/**
 * The stores' KMS key policy: the account administers it through IAM (the default key policy's root statement,
 * which IAM policies such as the agents' build on), and the services that publish to the encrypted alarm topic
 * may use it for that, from this account only.
 */
export function storesKeyPolicy(scope: AwsScope): PolicyDocument {
  return doc(
    {
      Sid: "AccountAdministersThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:${scope.partition}:iam::${scope.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    ...ALARM_PUBLISHERS.map((service): PolicyStatement => ({
      Sid: `PublishEncryptedAlarms${service.split(".")[0]!.replace(/^\w/, (c) => c.toUpperCase())}`,
      Effect: "Allow",
      Principal: { Service: service },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": scope.accountId } },
    })),
  );
}

/** Who may publish to the alarm topic: the services of {@link ALARM_PUBLISHERS}, for this account's resources. */
export function alarmTopicPolicy(topicArn: string, accountId: string): PolicyDocument {
  return doc({
    Sid: "ServicesPublishAlarms",
    Effect: "Allow",
    Principal: { Service: [...ALARM_PUBLISHERS] },
    Action: "sns:Publish",
    Resource: topicArn,
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  });
}

/** The tags of a store's AWS resources: the environment's, and which store (the cost model reads it). */
export const storeTags = (tags: Record<string, string>, store: string): Record<string, string> => ({
  ...tags,
  [STORE_TAGS.store]: store,
});

/**
 * The database's parameter group: TLS required (`rds.force_ssl`, RDS's own switch) and every connection and
 * disconnection logged (to the instance's CloudWatch log group), for the audit trail of who used it.
 */
export function rdsParameterGroupArgs(
  scope: StoreScope,
  store: string,
  tags: Record<string, string>,
): aws.rds.ParameterGroupArgs {
  return {
    namePrefix: `${storeAwsNames(scope.stem, store).awsId}-`,
    family: `postgres${POSTGRES_MAJOR}`,
    description: `AgentOps ${scope.environment} store ${store}: TLS required, connections logged`,
    parameters: [
      { name: "rds.force_ssl", value: "1" },
      { name: "log_connections", value: "1" },
      { name: "log_disconnections", value: "1" },
    ],
    tags: storeTags(tags, store),
  };
}

/** What the RDS instance is wired to: its subnet group, security group, parameter group and KMS key. */
export interface RdsWiring {
  subnetGroupName: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  parameterGroupName: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
}

/**
 * The RDS for PostgreSQL instance. The master password is created and rotated by RDS in Secrets Manager
 * (`manageMasterUserPassword`, encrypted with the stores' key): it never passes through Pulumi. Encrypted storage
 * (gp3, KMS), private (no public access), PITR through automated backups kept `backupRetentionDays`, Multi-AZ
 * from config, deletion protection and a final snapshot where `protect` (prod), PostgreSQL logs to CloudWatch,
 * no extended-support charges (an end-of-life major version is an upgrade to make, not a bill).
 */
export function rdsInstanceArgs(
  scope: StoreScope,
  store: string,
  config: PostgresStoreConfig,
  wiring: RdsWiring,
  protect: boolean,
  tags: Record<string, string>,
): aws.rds.InstanceArgs {
  const n = storeNames(scope.environment, store);
  const id = storeAwsNames(scope.stem, store).awsId;
  return {
    identifier: id,
    engine: "postgres",
    // The major version only: RDS applies minor upgrades itself (autoMinorVersionUpgrade) without a diff here.
    engineVersion: POSTGRES_MAJOR,
    engineLifecycleSupport: "open-source-rds-extended-support-disabled",
    instanceClass: config.instanceClass,
    allocatedStorage: config.storageGiB,
    storageType: "gp3",
    storageEncrypted: true,
    kmsKeyId: wiring.kmsKeyArn,
    dbName: n.database,
    username: n.masterUser,
    manageMasterUserPassword: true,
    masterUserSecretKmsKeyId: wiring.kmsKeyArn,
    port: STORE_PORTS.postgres,
    dbSubnetGroupName: wiring.subnetGroupName,
    vpcSecurityGroupIds: [wiring.securityGroupId],
    parameterGroupName: wiring.parameterGroupName,
    publiclyAccessible: false,
    multiAz: config.multiAz,
    backupRetentionPeriod: config.backupRetentionDays,
    backupWindow: config.backupWindow,
    copyTagsToSnapshot: true,
    // Kept when the instance is deleted: what is left of the point-in-time window stays restorable.
    deleteAutomatedBackups: false,
    deletionProtection: protect,
    skipFinalSnapshot: !protect,
    ...(protect ? { finalSnapshotIdentifier: `${id}-final` } : {}),
    autoMinorVersionUpgrade: true,
    enabledCloudwatchLogsExports: ["postgresql"],
    caCertIdentifier: "rds-ca-rsa2048-g1",
    tags: storeTags(tags, store),
  };
}

/** RDS event categories the alarm topic hears of (RDS-EVENT-* of these categories for the instance). */
export const RDS_EVENT_CATEGORIES = ["availability", "backup", "failover", "failure", "low storage"] as const;

/** The ElastiCache (Valkey) replication group of a store: TLS, encrypted at rest, AUTH token, Multi-AZ from config. */
export function elastiCacheArgs(
  scope: StoreScope,
  store: string,
  config: ValkeyStoreConfig,
  wiring: {
    subnetGroupName: pulumi.Input<string>;
    securityGroupId: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    authToken: pulumi.Input<string>;
    notificationTopicArn: pulumi.Input<string>;
  },
  tags: Record<string, string>,
): aws.elasticache.ReplicationGroupArgs {
  return {
    replicationGroupId: storeAwsNames(scope.stem, store).awsId,
    description: `AgentOps ${scope.environment} store ${store}`,
    engine: "valkey",
    engineVersion: "8.0",
    nodeType: config.nodeType,
    port: STORE_PORTS.valkey,
    numCacheClusters: config.multiAz ? 2 : 1,
    automaticFailoverEnabled: config.multiAz,
    multiAzEnabled: config.multiAz,
    atRestEncryptionEnabled: true,
    kmsKeyId: wiring.kmsKeyArn,
    transitEncryptionEnabled: true,
    authToken: wiring.authToken,
    subnetGroupName: wiring.subnetGroupName,
    securityGroupIds: [wiring.securityGroupId],
    snapshotRetentionLimit: config.backupRetentionDays,
    ...(config.backupRetentionDays > 0 ? { snapshotWindow: "04:00-05:00" } : {}),
    notificationTopicArn: wiring.notificationTopicArn,
    applyImmediately: true,
    tags: storeTags(tags, store),
  };
}

/** The tags of the evidence bucket: the expected size and requests, which the cost model prices. */
export function evidenceBucketTags(
  tags: Record<string, string>,
  store: string,
  config: S3StoreConfig,
): Record<string, string> {
  return {
    ...storeTags(tags, store),
    [STORE_TAGS.expectedStorageGiB]: String(config.expectedStorageGiB),
    [STORE_TAGS.expectedWritesPerMonth]: String(config.expectedRequestsPerMonth.writes),
    [STORE_TAGS.expectedReadsPerMonth]: String(config.expectedRequestsPerMonth.reads),
  };
}

/**
 * The evidence bucket's lifecycle: object versions move to Standard-IA, then Glacier Instant Retrieval;
 * noncurrent versions expire once Object Lock would let them (its retention, plus a day) or after 90 days;
 * incomplete uploads go after a day.
 */
export function evidenceLifecycleRules(
  config: S3StoreConfig,
): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  const keepNoncurrent = config.objectLock.enabled ? config.objectLock.retentionDays + 1 : 90;
  return [
    {
      id: "colder-storage",
      status: "Enabled",
      filter: {},
      transitions: [
        { days: config.infrequentAccessAfterDays, storageClass: "STANDARD_IA" },
        { days: config.glacierAfterDays, storageClass: "GLACIER_IR" },
      ],
      noncurrentVersionTransitions: [
        { noncurrentDays: config.infrequentAccessAfterDays, storageClass: "STANDARD_IA" },
      ],
      noncurrentVersionExpiration: { noncurrentDays: keepNoncurrent },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
  ];
}

/**
 * One agent's access to the evidence buckets it uses: list, read and write only under its own prefix
 * (`<agent>/`), never delete (evidence is append-only; Object Lock enforces it on top in prod), and use the
 * stores' key only through S3 in this region.
 */
export function agentEvidencePolicy(
  scope: AwsScope,
  buckets: readonly { arn: string; prefix: string }[],
  keyArn: string,
): PolicyDocument {
  const sorted = [...buckets].sort((a, b) => a.arn.localeCompare(b.arn));
  return doc(
    ...sorted.flatMap((b, i): PolicyStatement[] => [
      {
        Sid: `ListOwnPrefix${i}`,
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: b.arn,
        Condition: { StringLike: { "s3:prefix": [b.prefix, `${b.prefix}*`] } },
      },
      {
        Sid: `ReadWriteOwnPrefix${i}`,
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
        Resource: `${b.arn}/${b.prefix}*`,
      },
    ]),
    {
      Sid: "StoreKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${scope.region}.amazonaws.com` } },
    },
  );
}

/**
 * External Secrets' extra rights for the stores: read the RDS-managed master secrets (named `rds!db-…` by RDS,
 * outside the `agentops/<env>/` prefix of its base policy) and decrypt them with the stores' key.
 */
export function masterSecretsPolicy(secretArns: readonly string[], keyArn: string): PolicyDocument {
  return doc(
    {
      Sid: "ReadRdsMasterSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: [...secretArns].sort(),
    },
    {
      Sid: "DecryptWithStoresKey",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keyArn,
      Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
    },
  );
}

/** A CloudWatch alarm as the stores declare it: a name suffix and the alarm's arguments. */
export interface AlarmSpec {
  /** `<store>-down`, `<store>-storage`, …: the Pulumi name suffix and the alarm name's tail. */
  suffix: string;
  args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "tags">;
}

/** The alarm thresholds, in one place. */
export const STORE_ALARM_THRESHOLDS = {
  /** Share of the allocated storage (RDS) or memory (ElastiCache) above which the store is nearly full. */
  storageRatio: 0.8,
  /** Seconds a replica may lag. */
  replicationLagSeconds: 30,
  /** Minutes without a metric before a store counts as down. */
  downMinutes: 5,
} as const;

/**
 * The RDS instance's alarms: down (it reports `DatabaseConnections` every minute while it runs, so five minutes
 * without it are breaching) and storage above 80 % (`FreeStorageSpace` below 20 % of the allocated size).
 * Replication lag: a Multi-AZ instance replicates synchronously to a standby that publishes no lag metric;
 * failovers arrive as RDS events. Backups: continuous, their failures as RDS events (category `backup`).
 */
export function rdsAlarms(stem: string, store: string, config: PostgresStoreConfig): AlarmSpec[] {
  const id = storeAwsNames(stem, store).awsId;
  const t = STORE_ALARM_THRESHOLDS;
  const dimensions = { DBInstanceIdentifier: id };
  return [
    {
      suffix: "down",
      args: {
        name: `${id}-down`,
        alarmDescription: `Store ${store} (RDS ${id}) reports no metrics: stopped, failed or unreachable`,
        namespace: "AWS/RDS",
        metricName: "DatabaseConnections",
        dimensions,
        statistic: "SampleCount",
        period: 60,
        evaluationPeriods: t.downMinutes,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
      },
    },
    {
      suffix: "storage",
      args: {
        name: `${id}-storage`,
        alarmDescription: `Store ${store} (RDS ${id}) has used more than ${t.storageRatio * 100}% of its ${config.storageGiB} GiB`,
        namespace: "AWS/RDS",
        metricName: "FreeStorageSpace",
        dimensions,
        statistic: "Minimum",
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "LessThanThreshold",
        threshold: Math.round(config.storageGiB * (1 - t.storageRatio) * 2 ** 30),
        treatMissingData: "missing",
      },
    },
  ];
}

/**
 * The ElastiCache store's alarms on its first node (`<id>-001`, the primary until a failover): down (no
 * `CurrConnections` for five minutes), memory above 80 % (`DatabaseMemoryUsagePercentage`), and with Multi-AZ
 * the replica's (`-002`) `ReplicationLag`. Failovers and failed snapshots arrive as ElastiCache events on the
 * topic (the group's `notificationTopicArn`).
 */
export function elastiCacheAlarms(stem: string, store: string, config: ValkeyStoreConfig): AlarmSpec[] {
  const id = storeAwsNames(stem, store).awsId;
  const t = STORE_ALARM_THRESHOLDS;
  const node = (n: number) => ({ CacheClusterId: `${id}-00${n}` });
  const alarms: AlarmSpec[] = [
    {
      suffix: "down",
      args: {
        name: `${id}-down`,
        alarmDescription: `Store ${store} (ElastiCache ${id}) reports no metrics: failed or unreachable`,
        namespace: "AWS/ElastiCache",
        metricName: "CurrConnections",
        dimensions: node(1),
        statistic: "SampleCount",
        period: 60,
        evaluationPeriods: t.downMinutes,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
      },
    },
    {
      suffix: "memory",
      args: {
        name: `${id}-memory`,
        alarmDescription: `Store ${store} (ElastiCache ${id}) uses more than ${t.storageRatio * 100}% of its memory`,
        namespace: "AWS/ElastiCache",
        metricName: "DatabaseMemoryUsagePercentage",
        dimensions: node(1),
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.storageRatio * 100,
        treatMissingData: "missing",
      },
    },
  ];
  if (config.multiAz) {
    alarms.push({
      suffix: "replication-lag",
      args: {
        name: `${id}-replication-lag`,
        alarmDescription: `Store ${store} (ElastiCache ${id}): the replica lags more than ${t.replicationLagSeconds} s`,
        namespace: "AWS/ElastiCache",
        metricName: "ReplicationLag",
        dimensions: node(2),
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 5,
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.replicationLagSeconds,
        treatMissingData: "missing",
      },
    });
  }
  return alarms;
}
