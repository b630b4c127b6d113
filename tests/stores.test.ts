/**
 * The data stores (`agentops:stores`), volume backups (`agentops:backups`) and restores
 * (`agents[].storage.restoreFrom`): the configuration's messages, the exact AWS resources and IAM on EKS, the
 * exact in-cluster objects on an existing cluster (validated against the pinned charts' CRDs, rendered, footprinted
 * and judged by Pod Security admission), the restore objects, the snapshot schedule's script, and the cost.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { rawStackConfig, type RawStackConfig } from "@agentops/components";
import {
  estimateStack,
  regionPrices,
  stackCostInput,
  DEFAULT_NODE_GROUPS,
  type StackResourceLike,
} from "@agentops/components/model";
import { readStackConfig, type SynthResult } from "@agentops/components/testing";
import { awsCronExpression, longestGapMinutes, newestFiringAtOrBefore } from "../components/src/lib/cron";
import { agentRestore, scheduledSnapshotName } from "../components/src/agents/restore";
import { agentSchema } from "../components/src/config/agents";
import { releaseFootprint } from "../components/src/model/footprints";
import { snapshotScript } from "../components/src/stores/backups";
import { agentEvidencePolicy, storesKeyPolicy } from "../components/src/stores/aws";
import { judgeAdmission, namespaceLevels } from "../policy/admission";
import type { KubeObject } from "../policy/kube";
import { renderStack } from "../tools/render";
import { existingStoresConfig, synthExistingStores } from "./fixtures/existing-stores";
import { validConfig } from "./fixtures/config";
import {
  configProblems,
  crdValidators,
  manifestProblems,
  renderedStack,
  ROOT,
  synthEdited,
  synthStack,
} from "./harness";

/* eslint-disable @typescript-eslint/no-explicit-any -- inputs and manifests are read freely */

const problems = configProblems;
/** A stack file's raw configuration, `edit` applied to its `agentops:` keys. */
function stackRaw(stack: string, edit: (c: any) => void): RawStackConfig {
  const raw = rawStackConfig(readStackConfig(ROOT, stack).config);
  edit(raw.agentops);
  return raw;
}
const inputs = (r: SynthResult, type: string, name: string): any => {
  const found = r.resources.find((x) => x.type === type && x.name === name);
  if (!found) throw new Error(`no ${type} ${name}`);
  return found.inputs;
};
const manifest = (r: SynthResult, kind: string, name: string, namespace?: string): any => {
  const found = r.manifests.find(
    (m) =>
      m.kind === kind &&
      m.metadata.name === name &&
      (namespace === undefined || m.metadata.namespace === namespace),
  );
  if (!found) throw new Error(`no ${kind} ${namespace ?? "-"}/${name}`);
  return found;
};

describe("data stores: configuration", () => {
  it("refuses an agent asking for a store that does not exist, naming the stores there are", () => {
    assert.deepEqual(problems(stackRaw("dev", (c) => c.agents[1].stores.push("ledger"))), [
      `agents[1] (it-ops-agent).stores[2]: "ledger" — must name a store declared under agentops:stores (audit, cache, evidence)`,
    ]);
  });

  it("refuses a database's backup retention out of RDS's range", () => {
    assert.deepEqual(problems(stackRaw("dev", (c) => (c.stores.audit.backupRetentionDays = 40))), [
      "stores.audit.backupRetentionDays: 40 — must be a whole number of days from 1 to 35 (RDS keeps automated backups 1 to 35 days)",
    ]);
  });

  it("refuses a volume backup retention of 0 days", () => {
    assert.deepEqual(problems(stackRaw("dev", (c) => (c.backups.retentionDays = 0))), [
      "backups.retentionDays: 0 — must be a whole number of days from 1 to 3650",
    ]);
  });

  it("refuses an Object Lock retention beyond 100 years", () => {
    assert.deepEqual(
      problems(stackRaw("prod", (c) => (c.stores.evidence.objectLock.retentionDays = 40000))),
      [
        "stores.evidence.objectLock.retentionDays: 40000 — must be a whole number of days from 1 to 36500 (S3 Object Lock: up to 100 years)",
      ],
    );
  });

  it("refuses Object Lock off in prod", () => {
    assert.deepEqual(problems(stackRaw("prod", (c) => (c.stores.evidence.objectLock.enabled = false))), [
      "stores.evidence.objectLock.enabled: false — must be true in prod: the evidence store keeps every object version under S3 Object Lock (COMPLIANCE) for its retention",
    ]);
  });

  it("refuses Object Lock in GOVERNANCE mode in prod", () => {
    assert.deepEqual(problems(stackRaw("prod", (c) => (c.stores.evidence.objectLock.mode = "GOVERNANCE"))), [
      `stores.evidence.objectLock.mode: "GOVERNANCE" — must be COMPLIANCE in prod: in GOVERNANCE mode a privileged principal can delete evidence`,
    ]);
  });

  it("refuses a single-zone database in prod", () => {
    assert.deepEqual(problems(stackRaw("prod", (c) => (c.stores.audit.multiAz = false))), [
      "stores.audit.multiAz: false — must be true in prod: the audit trail survives the loss of a zone only with a standby",
    ]);
  });

  it("refuses an RDS instance class the price table does not know", () => {
    assert.deepEqual(problems(stackRaw("dev", (c) => (c.stores.audit.instanceClass = "db.r8g.large"))), [
      `stores.audit.instanceClass: "db.r8g.large" — must be an RDS instance class priced in components/src/catalog/prices.ts for us-east-1 (db.t4g.micro, db.t4g.small, db.t4g.medium); add its price there to use it`,
    ]);
  });

  it("refuses an unknown engine and a store name that cannot name AWS resources", () => {
    assert.deepEqual(
      problems(
        stackRaw("dev", (c) => {
          c.stores.ledger = { engine: "mysql" };
          c.stores["Audit_Trail"] = { engine: "postgres" };
        }),
      ),
      [
        `stores.ledger.engine: "mysql" — must be one of postgres, valkey, s3`,
        `stores.Audit_Trail: "Audit_Trail" — must be a store name: at most 20 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (it names the RDS instance, the ElastiCache group and the bucket)`,
      ],
    );
  });

  it("refuses a backup window RDS would refuse", () => {
    assert.deepEqual(problems(stackRaw("dev", (c) => (c.stores.audit.backupWindow = "03:00-03:15"))), [
      `stores.audit.backupWindow: "03:00-03:15" — must be at least 30 minutes long (RDS refuses a shorter backup window)`,
    ]);
  });

  it("refuses a Glacier transition less than 30 days after Standard-IA", () => {
    assert.deepEqual(problems(stackRaw("dev", (c) => (c.stores.evidence.infrequentAccessAfterDays = 160))), [
      "stores.evidence.glacierAfterDays: 180 — must be at least infrequentAccessAfterDays + 30 (190): S3 keeps an object in Standard-IA 30 days before another transition",
    ]);
  });

  it("refuses backup schedules AWS Backup cannot run or the freshness alarm cannot watch", () => {
    assert.deepEqual(problems(stackRaw("dev", (c) => (c.backups.schedule = "0,30 3 * * *"))), [
      `backups.schedule: "0,30 3 * * *" — must be a schedule AWS Backup runs: AWS Backup runs a rule at most hourly: give the minute field one value, e.g. 0`,
    ]);
    assert.deepEqual(problems(stackRaw("dev", (c) => (c.backups.schedule = "0 3 1 * 1"))), [
      `backups.schedule: "0 3 1 * 1" — must be a schedule AWS Backup runs: AWS cron cannot restrict both day of month and day of week: leave one of them *`,
    ]);
    assert.deepEqual(problems(stackRaw("dev", (c) => (c.backups.schedule = "0 3 1 * *"))), [
      `backups.schedule: "0 3 1 * *" — must run at least every 167 hours (its longest gap is 744 h; the freshness alarm cannot watch longer)`,
    ]);
  });

  it("on an existing cluster: S3 needs its endpoint, bucket and network; PostgreSQL needs volume backups", () => {
    const raw = { region: undefined, agentops: JSON.parse(JSON.stringify(existingRaw())) } as RawStackConfig;
    const a = raw.agentops as any;
    delete a.stores.evidence.endpoint;
    delete a.stores.evidence.network;
    delete a.backups;
    assert.deepEqual(problems(raw), [
      'stores.audit: "postgres" — needs agentops:backups on an existing cluster: CloudNativePG takes its backups as volume snapshots of the class agentops:backups declares',
      "stores.evidence.endpoint: (missing) — is required on an existing cluster: the S3-compatible endpoint, e.g. https://minio.example.com:9000",
      "stores.evidence.network: (missing) — is required on an existing cluster: { cidr } or { namespace, podLabels }, where the agents' egress policy lets them go",
    ]);
  });

  it("restores: exactly one source; a point in time only on an existing cluster; a claim of the agent", () => {
    assert.deepEqual(
      problems(
        stackRaw(
          "dev",
          (c) =>
            (c.agents[1].storage.restoreFrom = {
              snapshot: "snap-0123456789abcdef0",
              pointInTime: "2026-12-01T03:00:00Z",
            }),
        ),
      ),
      [
        `agents[1] (it-ops-agent).storage.restoreFrom: {"snapshot":"snap-0123456789abcdef0","pointInTime":"2026-... — must name exactly one of snapshot (a VolumeSnapshot or snap-… id) and pointInTime`,
        // Checked beside the schema: on EKS a point in time is refused in any case.
        `agents[1] (it-ops-agent).storage.restoreFrom.pointInTime: "2026-12-01T03:00:00Z" — is for existing clusters (scheduled VolumeSnapshots are named by their time); on EKS name the AWS Backup recovery point: snapshot: snap-… (aws backup list-recovery-points-by-resource)`,
      ],
    );
    assert.deepEqual(
      problems(
        stackRaw("dev", (c) => (c.agents[1].storage.restoreFrom = { pointInTime: "2026-12-01T03:00:00Z" })),
      ),
      [
        `agents[1] (it-ops-agent).storage.restoreFrom.pointInTime: "2026-12-01T03:00:00Z" — is for existing clusters (scheduled VolumeSnapshots are named by their time); on EKS name the AWS Backup recovery point: snapshot: snap-… (aws backup list-recovery-points-by-resource)`,
      ],
    );
    assert.deepEqual(
      problems(
        stackRaw(
          "dev",
          (c) =>
            (c.agents[1].storage.restoreFrom = {
              snapshot: "snap-0123456789abcdef0",
              claim: "data-it-ops-agent-2",
            }),
        ),
      ),
      [
        `agents[1] (it-ops-agent).storage.restoreFrom.claim: "data-it-ops-agent-2" — must be one of the agent's claims (data-it-ops-agent-0, data-it-ops-agent-1)`,
      ],
    );
  });
});

/** The fixture's `agentops:` keys as raw values. */
function existingRaw(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(existingStoresConfig()).map(([k, v]) => [
      k.slice("agentops:".length),
      k === "agentops:environment" ? v : JSON.parse(v),
    ]),
  );
}

describe("data stores on EKS", function () {
  this.timeout(180_000);
  let dev: SynthResult;
  let prod: SynthResult;
  before(async () => {
    [dev, prod] = await Promise.all([synthStack("dev"), synthStack("prod")]);
  });

  it("RDS PostgreSQL: encrypted, private, TLS-only, connections logged, PITR kept 35 days, Multi-AZ, protected, master password managed by RDS (prod)", () => {
    const db = prod.resources.find((r) => r.type === "aws:rds/instance:Instance")!;
    assert.equal(db.protect, true);
    assert.deepEqual(db.inputs, {
      allocatedStorage: 100,
      autoMinorVersionUpgrade: true,
      backupRetentionPeriod: 35,
      backupWindow: "03:00-03:30",
      caCertIdentifier: "rds-ca-rsa2048-g1",
      copyTagsToSnapshot: true,
      dbName: "audit",
      dbSubnetGroupName: "stores-audit-subnets",
      deleteAutomatedBackups: false,
      deletionProtection: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      engine: "postgres",
      engineLifecycleSupport: "open-source-rds-extended-support-disabled",
      engineVersion: "17",
      finalSnapshotIdentifier: "agentops-prod-audit-final",
      identifier: "agentops-prod-audit",
      instanceClass: "db.t4g.medium",
      kmsKeyId: "arn:aws:kms:us-east-1:000000000000:key/mock-stores-key",
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: "arn:aws:kms:us-east-1:000000000000:key/mock-stores-key",
      multiAz: true,
      parameterGroupName: "agentops-prod-audit-mock",
      port: 5432,
      publiclyAccessible: false,
      skipFinalSnapshot: false,
      storageEncrypted: true,
      storageType: "gp3",
      tags: { Environment: "prod", ManagedBy: "pulumi", Project: "agentops", "agentops.io/store": "audit" },
      username: "agentops_admin",
      vpcSecurityGroupIds: ["stores-audit-sg-mock-id"],
    });
    // No password anywhere in the inputs: RDS creates and rotates it in Secrets Manager.
    assert.equal(JSON.stringify(db.inputs).includes('password"'), false);
  });

  it("RDS: the parameter group requires TLS and logs every connection; dev is single-zone, unprotected", () => {
    assert.deepEqual(
      inputs(prod, "aws:rds/parameterGroup:ParameterGroup", "stores-audit-params").parameters,
      [
        { name: "rds.force_ssl", value: "1" },
        { name: "log_connections", value: "1" },
        { name: "log_disconnections", value: "1" },
      ],
    );
    const db = dev.resources.find((r) => r.type === "aws:rds/instance:Instance")!;
    const i = db.inputs as any;
    assert.deepEqual(
      [
        i.multiAz,
        i.deletionProtection,
        i.skipFinalSnapshot,
        i.finalSnapshotIdentifier,
        i.backupRetentionPeriod,
        db.protect,
      ],
      [false, false, true, undefined, 7, false],
    );
  });

  it("RDS: reachable on 5432 from the cluster's nodes only; its log group keeps 90 days", () => {
    const sg = inputs(prod, "aws:ec2/securityGroup:SecurityGroup", "stores-audit-sg");
    assert.deepEqual(sg.ingress, [
      {
        description: "Agents and the role bootstrap, from the cluster's nodes",
        fromPort: 5432,
        protocol: "tcp",
        securityGroups: ["sg-mock-agentops-eks"],
        toPort: 5432,
      },
    ]);
    assert.equal(sg.egress, undefined);
    assert.deepEqual(inputs(prod, "aws:cloudwatch/logGroup:LogGroup", "stores-audit-logs"), {
      name: "/aws/rds/instance/agentops-prod-audit/postgresql",
      retentionInDays: 90,
      tags: { Environment: "prod", ManagedBy: "pulumi", Project: "agentops", "agentops.io/store": "audit" },
    });
  });

  it("ElastiCache: a Valkey group of its own (not the counters'), TLS, encrypted with the stores' key, AUTH token, Multi-AZ in prod", () => {
    const group = inputs(prod, "aws:elasticache/replicationGroup:ReplicationGroup", "stores-cache-cache");
    assert.deepEqual(group, {
      applyImmediately: true,
      atRestEncryptionEnabled: true,
      authToken: "[secret]",
      automaticFailoverEnabled: true,
      description: "AgentOps prod store cache",
      engine: "valkey",
      engineVersion: "8.0",
      kmsKeyId: "arn:aws:kms:us-east-1:000000000000:key/mock-stores-key",
      multiAzEnabled: true,
      nodeType: "cache.t4g.small",
      notificationTopicArn: "arn:aws:sns:us-east-1:000000000000:agentops-prod-stores-alarms",
      numCacheClusters: 2,
      port: 6379,
      replicationGroupId: "agentops-prod-cache",
      securityGroupIds: ["stores-cache-sg-mock-id"],
      snapshotRetentionLimit: 7,
      snapshotWindow: "04:00-05:00",
      subnetGroupName: "stores-cache-subnets",
      tags: { Environment: "prod", ManagedBy: "pulumi", Project: "agentops", "agentops.io/store": "cache" },
      transitEncryptionEnabled: true,
    });
  });

  it("S3 evidence: versioned, KMS, public access blocked, TLS only, Object Lock COMPLIANCE 7 years, colder storage, protected (prod)", () => {
    const bucket = prod.resources.find(
      (r) => r.type === "aws:s3/bucket:Bucket" && r.name === "stores-evidence-bucket",
    )!;
    assert.equal(bucket.protect, true);
    assert.deepEqual(bucket.inputs, {
      bucket: "agentops-prod-evidence-000000000000",
      forceDestroy: false,
      objectLockEnabled: true,
      tags: {
        Environment: "prod",
        ManagedBy: "pulumi",
        Project: "agentops",
        "agentops.io/expected-reads-per-month": "10000000",
        "agentops.io/expected-storage-gib": "200",
        "agentops.io/expected-writes-per-month": "2000000",
        "agentops.io/store": "evidence",
      },
    });
    const id = "stores-evidence-bucket-mock-id";
    assert.deepEqual(
      inputs(
        prod,
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "stores-evidence-object-lock",
      ),
      {
        bucket: id,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { days: 2555, mode: "COMPLIANCE" } },
      },
    );
    assert.deepEqual(inputs(prod, "aws:s3/bucketVersioning:BucketVersioning", "stores-evidence-versioning"), {
      bucket: id,
      versioningConfiguration: { status: "Enabled" },
    });
    assert.deepEqual(
      inputs(
        prod,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "stores-evidence-encryption",
      ).rules,
      [
        {
          applyServerSideEncryptionByDefault: {
            kmsMasterKeyId: "arn:aws:kms:us-east-1:000000000000:key/mock-stores-key",
            sseAlgorithm: "aws:kms",
          },
          bucketKeyEnabled: true,
        },
      ],
    );
    assert.deepEqual(
      inputs(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "stores-evidence-public-access"),
      {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        bucket: id,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    );
    assert.deepEqual(
      JSON.parse(inputs(prod, "aws:s3/bucketPolicy:BucketPolicy", "stores-evidence-tls-only").policy)
        .Statement,
      [
        {
          Action: "s3:*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
          Effect: "Deny",
          Principal: "*",
          Resource: [
            "arn:aws:s3:::agentops-prod-evidence-000000000000",
            "arn:aws:s3:::agentops-prod-evidence-000000000000/*",
          ],
          Sid: "DenyInsecureTransport",
        },
      ],
    );
    assert.deepEqual(
      inputs(
        prod,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "stores-evidence-lifecycle",
      ).rules,
      [
        {
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          filter: {},
          id: "colder-storage",
          noncurrentVersionExpiration: { noncurrentDays: 2556 },
          noncurrentVersionTransitions: [{ noncurrentDays: 30, storageClass: "STANDARD_IA" }],
          status: "Enabled",
          transitions: [
            { days: 30, storageClass: "STANDARD_IA" },
            { days: 180, storageClass: "GLACIER_IR" },
          ],
        },
      ],
    );
  });

  it("S3 evidence in dev: no Object Lock, destroyable with the stack", () => {
    const bucket = inputs(dev, "aws:s3/bucket:Bucket", "stores-evidence-bucket");
    assert.deepEqual([bucket.objectLockEnabled, bucket.forceDestroy], [false, true]);
    assert.equal(
      dev.resources.some(
        (r) => r.type === "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
      ),
      false,
    );
  });

  it("least privilege: each agent with an S3 store has a Pod Identity role for its own prefix only, no delete", () => {
    const trust = JSON.parse(
      inputs(prod, "aws:iam/role:Role", "stores-security-agent-role").assumeRolePolicy,
    );
    assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
      "aws:RequestTag/eks-cluster-name": "agentops-prod",
      "aws:RequestTag/kubernetes-namespace": "governance",
      "aws:RequestTag/kubernetes-service-account": "security-agent",
      "aws:SourceAccount": "000000000000",
    });
    assert.deepEqual(
      JSON.parse(inputs(prod, "aws:iam/rolePolicy:RolePolicy", "stores-security-agent-policy").policy),
      {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ListOwnPrefix0",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: "arn:aws:s3:::agentops-prod-evidence-000000000000",
            Condition: { StringLike: { "s3:prefix": ["security-agent/", "security-agent/*"] } },
          },
          {
            Sid: "ReadWriteOwnPrefix0",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            Resource: "arn:aws:s3:::agentops-prod-evidence-000000000000/security-agent/*",
          },
          {
            Sid: "StoreKeyThroughS3",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "arn:aws:kms:us-east-1:000000000000:key/mock-stores-key",
            Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
          },
        ],
      },
    );
    assert.deepEqual(
      inputs(
        prod,
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "stores-security-agent-pod-identity",
      ),
      {
        clusterName: "agentops-prod",
        namespace: "governance",
        roleArn: "arn:aws:iam::000000000000:role/stores-security-agent-role",
        serviceAccount: "security-agent",
        tags: { Environment: "prod", ManagedBy: "pulumi", Project: "agentops" },
      },
    );
    // Agents without an S3 store get no role.
    assert.equal(
      prod.resources.some((r) => r.name === "stores-architect-agent-role"),
      false,
    );
  });

  it("External Secrets may read the RDS-managed master secret and decrypt it with the stores' key, nothing more", () => {
    assert.deepEqual(
      JSON.parse(inputs(prod, "aws:iam/rolePolicy:RolePolicy", "stores-external-secrets-policy").policy)
        .Statement,
      [
        {
          Sid: "ReadRdsMasterSecrets",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          Resource: ["arn:aws:secretsmanager:us-east-1:000000000000:secret:rds!db-mock-agentops-prod-audit"],
        },
        {
          Sid: "DecryptWithStoresKey",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: "arn:aws:kms:us-east-1:000000000000:key/mock-stores-key",
          Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
        },
      ],
    );
    assert.equal(
      inputs(prod, "aws:iam/rolePolicy:RolePolicy", "stores-external-secrets-policy").role,
      "agentops-external-secrets-role",
    );
  });

  it("the stores' key: rotated, administered through IAM, usable by the alarm publishers of this account only", () => {
    const key = prod.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "stores-key")!;
    assert.equal(key.protect, true);
    assert.deepEqual(
      JSON.parse((key.inputs as any).policy),
      storesKeyPolicy({ partition: "aws", region: "us-east-1", accountId: "000000000000" }),
    );
    const statements = storesKeyPolicy({
      partition: "aws",
      region: "us-east-1",
      accountId: "000000000000",
    }).Statement;
    assert.deepEqual(
      statements.map((s) => [s.Sid, s.Principal]),
      [
        ["AccountAdministersThroughIam", { AWS: "arn:aws:iam::000000000000:root" }],
        ["PublishEncryptedAlarmsCloudwatch", { Service: "cloudwatch.amazonaws.com" }],
        ["PublishEncryptedAlarmsEvents", { Service: "events.rds.amazonaws.com" }],
        ["PublishEncryptedAlarmsBackup", { Service: "backup.amazonaws.com" }],
        ["PublishEncryptedAlarmsElasticache", { Service: "elasticache.amazonaws.com" }],
      ],
    );
  });

  it("alarms: store down, storage above 80 %, replication lag (Multi-AZ cache), stale and failed backups, to the encrypted topic", () => {
    const alarms = prod.resources
      .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
      .map((r) => r.inputs as any);
    assert.deepEqual(
      alarms
        .map((a) => [
          a.name,
          a.namespace,
          a.metricName,
          a.comparisonOperator,
          a.threshold,
          a.period,
          a.evaluationPeriods,
          a.treatMissingData,
        ])
        .sort(),
      [
        [
          "agentops-prod-audit-down",
          "AWS/RDS",
          "DatabaseConnections",
          "LessThanThreshold",
          1,
          60,
          5,
          "breaching",
        ],
        [
          "agentops-prod-audit-storage",
          "AWS/RDS",
          "FreeStorageSpace",
          "LessThanThreshold",
          21474836480,
          300,
          1,
          "missing",
        ],
        [
          "agentops-prod-cache-down",
          "AWS/ElastiCache",
          "CurrConnections",
          "LessThanThreshold",
          1,
          60,
          5,
          "breaching",
        ],
        [
          "agentops-prod-cache-memory",
          "AWS/ElastiCache",
          "DatabaseMemoryUsagePercentage",
          "GreaterThanThreshold",
          80,
          300,
          1,
          "missing",
        ],
        [
          "agentops-prod-cache-replication-lag",
          "AWS/ElastiCache",
          "ReplicationLag",
          "GreaterThanThreshold",
          30,
          60,
          5,
          "missing",
        ],
        [
          "agentops-prod-volumes-failed",
          "AWS/Backup",
          "NumberOfBackupJobsFailed",
          "GreaterThanThreshold",
          0,
          3600,
          1,
          "notBreaching",
        ],
        // Daily at 03:00: 24 h between backups plus the hour AWS Backup may take to start.
        [
          "agentops-prod-volumes-stale",
          "AWS/Backup",
          "NumberOfBackupJobsCompleted",
          "LessThanThreshold",
          1,
          90000,
          1,
          "breaching",
        ],
      ],
    );
    for (const a of alarms) {
      assert.deepEqual(a.alarmActions, ["arn:aws:sns:us-east-1:000000000000:agentops-prod-stores-alarms"]);
      assert.deepEqual(a.okActions, a.alarmActions);
    }
    assert.deepEqual(inputs(prod, "aws:rds/eventSubscription:EventSubscription", "stores-audit-events"), {
      eventCategories: ["availability", "backup", "failover", "failure", "low storage"],
      name: "agentops-prod-audit-events",
      snsTopic: "arn:aws:sns:us-east-1:000000000000:agentops-prod-stores-alarms",
      sourceIds: ["agentops-prod-audit"],
      sourceType: "db-instance",
      tags: { Environment: "prod", ManagedBy: "pulumi", Project: "agentops", "agentops.io/store": "audit" },
    });
    assert.deepEqual(
      inputs(prod, "aws:sns/topic:Topic", "stores-alarms").kmsMasterKeyId,
      "arn:aws:kms:us-east-1:000000000000:key/mock-stores-key",
    );
  });

  it("each agent of an RDS store gets its own role and schema: generated credentials in Vault, a bootstrap Job", () => {
    const creds = manifest(dev, "ExternalSecret", "audit-security-agent", "agentops-stores");
    assert.deepEqual(creds.spec, {
      refreshPolicy: "CreatedOnce",
      target: {
        name: "audit-security-agent",
        creationPolicy: "Owner",
        template: {
          type: "kubernetes.io/basic-auth",
          data: { username: "security_agent", password: "{{ .password }}" },
        },
      },
      dataFrom: [
        {
          sourceRef: {
            generatorRef: {
              apiVersion: "generators.external-secrets.io/v1alpha1",
              kind: "Password",
              name: "store-password",
            },
          },
        },
      ],
    });
    assert.deepEqual(manifest(dev, "PushSecret", "audit-security-agent", "agentops-stores").spec.data, [
      {
        match: {
          secretKey: "username",
          remoteRef: { remoteKey: "stores/dev/audit/security-agent", property: "username" },
        },
      },
      {
        match: {
          secretKey: "password",
          remoteRef: { remoteKey: "stores/dev/audit/security-agent", property: "password" },
        },
      },
    ]);
    assert.deepEqual(manifest(dev, "ExternalSecret", "audit-master", "agentops-stores").spec.data, [
      {
        secretKey: "username",
        remoteRef: {
          key: "arn:aws:secretsmanager:us-east-1:000000000000:secret:rds!db-mock-agentops-dev-audit",
          property: "username",
        },
      },
      {
        secretKey: "password",
        remoteRef: {
          key: "arn:aws:secretsmanager:us-east-1:000000000000:secret:rds!db-mock-agentops-dev-audit",
          property: "password",
        },
      },
    ]);
    const job = dev.manifests.find((m) => m.kind === "Job" && m.metadata.name!.startsWith("audit-roles-"))!;
    const c = (job.spec as any).template.spec.containers[0];
    assert.equal(c.image, "ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie");
    assert.deepEqual(
      c.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]),
      [
        ["PGHOST", "agentops-dev-audit.rds.mock.invalid"],
        ["PGPORT", "5432"],
        ["PGDATABASE", "audit"],
        ["PGSSLMODE", "require"],
        ["HOME", "/tmp"],
      ],
    );
    assert.deepEqual(
      c.env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name]),
      [
        ["PGUSER", "audit-master"],
        ["PGPASSWORD", "audit-master"],
        ["PW_AI_AGENT", "audit-ai-agent"],
        ["PW_ARCHITECT_AGENT", "audit-architect-agent"],
        ["PW_IT_OPS_AGENT", "audit-it-ops-agent"],
        ["PW_SECURITY_AGENT", "audit-security-agent"],
      ],
    );
    assert.match(
      c.command[2],
      /psql -v ON_ERROR_STOP=1 -v db=audit -v role=security_agent -v pw="\$PW_SECURITY_AGENT" <<'SQL'/,
    );
    assert.match(c.command[2], /CREATE SCHEMA IF NOT EXISTS :"role" AUTHORIZATION :"role";/);
  });

  it("agents get their stores' settings in their ConfigMap and credentials in their Secret, never a password in Pulumi", () => {
    const cm = manifest(dev, "ConfigMap", "ai-agent-config", "governance");
    const stores = Object.fromEntries(
      Object.entries(cm.data).filter(([k]) => /^(AUDIT|CACHE|EVIDENCE)_/.test(k)),
    );
    assert.deepEqual(stores, {
      AUDIT_DB_HOST: "agentops-dev-audit.rds.mock.invalid",
      AUDIT_DB_NAME: "audit",
      AUDIT_DB_PORT: "5432",
      AUDIT_DB_SSLMODE: "require",
      AUDIT_DB_USER: "ai_agent",
      CACHE_REDIS_HOST: "master.agentops-dev-cache.cache.mock.invalid",
      CACHE_REDIS_KEY_PREFIX: "ai-agent:",
      CACHE_REDIS_PORT: "6379",
      CACHE_REDIS_TLS: "true",
      EVIDENCE_S3_BUCKET: "agentops-dev-evidence-000000000000",
      EVIDENCE_S3_PREFIX: "ai-agent/",
      EVIDENCE_S3_REGION: "us-east-1",
    });
    assert.deepEqual(manifest(dev, "ExternalSecret", "ai-agent", "governance").spec.data.slice(2), [
      {
        secretKey: "AUDIT_DB_PASSWORD",
        remoteRef: { key: "stores/dev/audit/ai-agent", property: "password" },
      },
      { secretKey: "CACHE_REDIS_PASSWORD", remoteRef: { key: "stores/dev/cache", property: "password" } },
    ]);
    // S3 on EKS: Pod Identity, so the pods roll once the association exists.
    const sts = manifest(dev, "StatefulSet", "ai-agent", "governance");
    assert.equal(sts.spec.template.metadata.annotations["agentops.io/aws-credentials"], "pod-identity");
    assert.equal(
      manifest(dev, "StatefulSet", "architect-agent", "governance").spec.template.metadata.annotations[
        "agentops.io/aws-credentials"
      ],
      undefined,
    );
  });

  it("network policies allow each agent exactly its stores: the VPC on 5432 and 6379, S3 on 443 and the Pod Identity agent", () => {
    const policy = (name: string) => manifest(dev, "NetworkPolicy", name, "governance").spec;
    assert.deepEqual(policy("allow-store-audit-egress"), {
      podSelector: {
        matchExpressions: [
          {
            key: "agentops.io/agent",
            operator: "In",
            values: ["ai-agent", "architect-agent", "it-ops-agent", "security-agent"],
          },
        ],
      },
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "10.10.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] }],
    });
    assert.deepEqual(policy("allow-store-cache-egress").podSelector.matchExpressions[0].values, [
      "ai-agent",
      "it-ops-agent",
    ]);
    assert.deepEqual(policy("allow-store-cache-egress").egress, [
      { to: [{ ipBlock: { cidr: "10.10.0.0/16" } }], ports: [{ protocol: "TCP", port: 6379 }] },
    ]);
    assert.deepEqual(policy("allow-store-evidence-egress").egress, [
      {
        to: [
          {
            ipBlock: {
              cidr: "0.0.0.0/0",
              except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"],
            },
          },
        ],
        ports: [{ protocol: "TCP", port: 443 }],
      },
      { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
    ]);
  });

  it("volume backups: AWS Backup plan on the schedule, retention from config, each tenant's EBS volumes by the CSI driver's tags", () => {
    assert.deepEqual(inputs(prod, "aws:backup/plan:Plan", "backups-plan").rules, [
      {
        completionWindow: 180,
        lifecycle: { deleteAfter: 30 },
        recoveryPointTags: {
          Environment: "prod",
          ManagedBy: "pulumi",
          Project: "agentops",
          "agentops.io/backup": "agent-volumes",
        },
        ruleName: "agent-volumes",
        schedule: "cron(0 3 * * ? *)",
        scheduleExpressionTimezone: "Etc/UTC",
        startWindow: 60,
        targetVaultName: "agentops-prod-volumes",
      },
    ]);
    assert.deepEqual(inputs(prod, "aws:backup/selection:Selection", "backups-selection-governance"), {
      conditions: [
        {
          stringEquals: [
            { key: "aws:ResourceTag/ebs.csi.aws.com/cluster", value: "true" },
            { key: "aws:ResourceTag/kubernetes.io/created-for/pvc/namespace", value: "governance" },
          ],
        },
      ],
      iamRoleArn: "arn:aws:iam::000000000000:role/backups-role",
      name: "agent-volumes-governance",
      planId: "backups-plan-mock-id",
      resources: ["arn:aws:ec2:us-east-1:000000000000:volume/*"],
    });
    const vault = prod.resources.find((r) => r.type === "aws:backup/vault:Vault")!;
    assert.deepEqual(
      [vault.inputs, vault.protect],
      [
        {
          forceDestroy: false,
          kmsKeyArn: "arn:aws:kms:us-east-1:000000000000:key/mock-stores-key",
          name: "agentops-prod-volumes",
          tags: { Environment: "prod", ManagedBy: "pulumi", Project: "agentops" },
        },
        true,
      ],
    );
    assert.deepEqual(
      prod.resources
        .filter(
          (r) =>
            r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.startsWith("backups-"),
        )
        .map((r) => (r.inputs as any).policyArn),
      [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
      ],
    );
  });

  it("volume snapshots: the snapshot controller chart, a VolumeSnapshotClass for EBS, the EBS CSI snapshotter forced on", () => {
    assert.deepEqual(manifest(dev, "VolumeSnapshotClass", "agentops-snapshots"), {
      apiVersion: "snapshot.storage.k8s.io/v1",
      kind: "VolumeSnapshotClass",
      metadata: {
        name: "agentops-snapshots",
        labels: { "app.kubernetes.io/part-of": "agentops", "app.kubernetes.io/managed-by": "pulumi" },
      },
      driver: "ebs.csi.aws.com",
      deletionPolicy: "Delete",
    });
    assert.deepEqual(
      JSON.parse(inputs(dev, "aws:eks/addon:Addon", "agentops-addon-aws-ebs-csi-driver").configurationValues),
      {
        sidecars: { snapshotter: { forceEnable: true } },
      },
    );
    const release = inputs(dev, "kubernetes:helm.sh/v3:Release", "platform-snapshot-controller");
    assert.deepEqual(
      [release.chart, release.version, release.namespace],
      ["snapshot-controller", "5.2.0", "kube-system"],
    );
  });

  it("the stores' cost is a Prometheus series the Cost dashboard shows", () => {
    const rule = manifest(prod, "PrometheusRule", "agentops-stores", "monitoring");
    assert.deepEqual(rule.spec.groups[0], {
      name: "agentops-store-costs",
      rules: [
        {
          record: "agentops:store_monthly_usd",
          expr: "vector(124.55)",
          labels: { store: "audit", engine: "postgres" },
        },
        {
          record: "agentops:store_monthly_usd",
          expr: "vector(37.38)",
          labels: { store: "cache", engine: "valkey" },
        },
        {
          record: "agentops:store_monthly_usd",
          expr: "vector(18.6)",
          labels: { store: "evidence", engine: "s3" },
        },
      ],
    });
    const cost = JSON.parse(
      manifest(prod, "ConfigMap", "dashboard-agentops-cost", "monitoring").data["agentops-cost.json"],
    );
    assert.deepEqual(
      cost.panels.at(-1).targets[0].expr,
      "sum by (store, engine) (agentops:store_monthly_usd)",
    );
  });
});

describe("data stores: the cost model reads them from the resources", () => {
  const prices = regionPrices("us-east-1");
  const res = (type: string, props: Record<string, unknown>): StackResourceLike => ({
    type,
    name: type,
    urn: type,
    props,
  });

  it("prices RDS (instances × zones, storage × zones, backups beyond the free amount), ElastiCache nodes and S3 storage and requests", () => {
    const estimate = estimateStack(
      stackCostInput(
        [
          res("aws:rds/instance:Instance", {
            instanceClass: "db.t4g.small",
            allocatedStorage: 50,
            multiAz: true,
            backupRetentionPeriod: 10,
            tags: { "agentops.io/store": "audit" },
          }),
          res("aws:elasticache/replicationGroup:ReplicationGroup", {
            nodeType: "cache.t4g.micro",
            numCacheClusters: 2,
            tags: { "agentops.io/store": "cache" },
          }),
          res("aws:s3/bucket:Bucket", {
            tags: {
              "agentops.io/store": "evidence",
              "agentops.io/expected-storage-gib": "100",
              "agentops.io/expected-writes-per-month": "200000",
              "agentops.io/expected-reads-per-month": "1000000",
            },
          }),
          // Not a store: the LLM gateway's counter store keeps its own line.
          res("aws:elasticache/replicationGroup:ReplicationGroup", {
            nodeType: "cache.t4g.micro",
            numCacheClusters: 1,
          }),
        ],
        DEFAULT_NODE_GROUPS,
      ),
      prices,
    );
    assert.deepEqual(
      estimate.infrastructure.map((l) => [l.name, l.detail, Math.round(l.monthlyUsd * 100) / 100]),
      [
        ["ElastiCache nodes", "1 × cache.t4g.micro", 9.34],
        // 0.032 × 2 × 730 + 50 × 0.115 × 2 + 50 × 0.02 × 10 × 0.095
        ["store audit", "RDS PostgreSQL db.t4g.small Multi-AZ, 50 GiB gp3, 10 d of backups", 59.17],
        ["store cache", "ElastiCache 2 × cache.t4g.micro", 18.69],
        // 100 × 0.023 + 200 × 0.005 + 1000 × 0.0004
        ["store evidence", "S3 100 GiB Standard, 200000 writes + 1000000 reads a month", 3.7],
      ],
    );
  });

  it("prices AWS Backup of agents' volumes: the selected tenants' claims, full copy plus 2 % a day kept", async () => {
    const dev = await synthStack("dev");
    const cost = JSON.parse(JSON.stringify(dev.resources));
    const estimate = estimateStack(
      stackCostInput(
        cost.map((r: any) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs })),
        DEFAULT_NODE_GROUPS,
      ),
      prices,
    );
    const line = estimate.infrastructure.find((l) => l.name === "volume backups")!;
    // 130 GiB at min replicas (10 + 10 + 5 + 50 + 50 + 5), 200 at max; × (1 + 0.02 × 7) × $0.05.
    assert.deepEqual(
      [line.detail, Math.round(line.monthlyUsd * 100) / 100, Math.round(line.maxMonthlyUsd * 100) / 100],
      ["130 GiB of agent volumes in AWS Backup, 7 d kept, 200 at max", 7.41, 11.4],
    );
  });
});

describe("data stores on an existing cluster", function () {
  this.timeout(600_000);
  let fx: SynthResult;
  before(async () => {
    fx = await synthExistingStores();
  });

  it("PostgreSQL: a CloudNativePG cluster, TLS required, connections logged, volume-snapshot backups, restricted", () => {
    assert.deepEqual(manifest(fx, "Cluster", "audit", "agentops-stores").spec, {
      instances: 2,
      imageName: "ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie",
      storage: { size: "20Gi" },
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "250m", memory: "512Mi" } },
      bootstrap: { initdb: { database: "audit", owner: "audit" } },
      postgresql: {
        parameters: { log_connections: "on", log_disconnections: "on" },
        pg_hba: ["hostnossl all all all reject"],
      },
      backup: { volumeSnapshot: { className: "agentops-snapshots", snapshotOwnerReference: "backup" } },
      inheritedMetadata: {
        labels: {
          "app.kubernetes.io/part-of": "agentops",
          "app.kubernetes.io/managed-by": "pulumi",
          "agentops.io/store": "audit",
        },
      },
    });
    assert.deepEqual(manifest(fx, "ScheduledBackup", "audit", "agentops-stores").spec, {
      cluster: { name: "audit" },
      schedule: "0 0 3 * * *",
      method: "volumeSnapshot",
      immediate: true,
      backupOwnerReference: "self",
    });
    assert.deepEqual(
      manifest(fx, "Namespace", "agentops-stores").metadata.labels["pod-security.kubernetes.io/enforce"],
      "restricted",
    );
  });

  it("a database role per agent (LOGIN, its generated password) and a schema it owns", () => {
    assert.deepEqual(manifest(fx, "DatabaseRole", "audit-security-agent", "agentops-stores").spec, {
      cluster: { name: "audit" },
      name: "security_agent",
      login: true,
      passwordSecret: { name: "audit-security-agent" },
      comment: "AgentOps agent security-agent",
    });
    assert.deepEqual(manifest(fx, "Database", "audit", "agentops-stores").spec, {
      cluster: { name: "audit" },
      name: "audit",
      owner: "audit",
      databaseReclaimPolicy: "retain",
      schemas: [
        { name: "it_ops_agent", owner: "it_ops_agent" },
        { name: "security_agent", owner: "security_agent" },
      ],
    });
  });

  it("Valkey: the pinned chart, persistence, ACL auth from the generated Secret, requests = limits", () => {
    const release = inputs(fx, "kubernetes:helm.sh/v3:Release", "stores-cache-valkey");
    assert.deepEqual(
      [release.name, release.chart, release.version, release.namespace],
      ["cache", "valkey", "0.11.0", "agentops-stores"],
    );
    assert.deepEqual(release.values, {
      fullnameOverride: "cache-valkey",
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
      initResources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "10m", memory: "16Mi" } },
      deploymentStrategy: "Recreate",
      dataStorage: { enabled: true, requestedSize: "1Gi" },
      auth: {
        enabled: true,
        usersExistingSecret: "cache-auth",
        aclUsers: { default: { permissions: "~* &* +@all", passwordKey: "password" } },
      },
      podLabels: { "agentops.io/store": "cache" },
    });
  });

  it("agents reach the in-cluster stores' pods and the named S3 endpoint, and only them", () => {
    const cm = manifest(fx, "ConfigMap", "security-agent-config", "governance").data;
    assert.deepEqual(
      [
        cm.AUDIT_DB_HOST,
        cm.CACHE_REDIS_HOST,
        cm.CACHE_REDIS_TLS,
        cm.EVIDENCE_S3_ENDPOINT,
        cm.EVIDENCE_S3_BUCKET,
        cm.EVIDENCE_S3_FORCE_PATH_STYLE,
      ],
      [
        "audit-rw.agentops-stores.svc.cluster.local",
        "cache-valkey.agentops-stores.svc.cluster.local",
        "false",
        "https://minio.minio.svc.cluster.local:9000",
        "agentops-evidence",
        "true",
      ],
    );
    assert.deepEqual(manifest(fx, "ExternalSecret", "security-agent", "governance").spec.data.slice(1), [
      {
        secretKey: "AUDIT_DB_PASSWORD",
        remoteRef: { key: "stores/dev/audit/security-agent", property: "password" },
      },
      { secretKey: "CACHE_REDIS_PASSWORD", remoteRef: { key: "stores/dev/cache", property: "password" } },
      {
        secretKey: "EVIDENCE_S3_ACCESS_KEY_ID",
        remoteRef: { key: "stores/dev/evidence/security-agent", property: "accessKeyId" },
      },
      {
        secretKey: "EVIDENCE_S3_SECRET_ACCESS_KEY",
        remoteRef: { key: "stores/dev/evidence/security-agent", property: "secretAccessKey" },
      },
    ]);
    const egress = (name: string) => manifest(fx, "NetworkPolicy", name, "governance").spec.egress;
    const stores = {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "agentops-stores" } },
    };
    assert.deepEqual(egress("allow-store-audit-egress"), [
      {
        to: [{ ...stores, podSelector: { matchLabels: { "cnpg.io/cluster": "audit" } } }],
        ports: [{ protocol: "TCP", port: 5432 }],
      },
    ]);
    assert.deepEqual(egress("allow-store-cache-egress"), [
      {
        to: [
          {
            ...stores,
            podSelector: {
              matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "cache" },
            },
          },
        ],
        ports: [{ protocol: "TCP", port: 6379 }],
      },
    ]);
    assert.deepEqual(egress("allow-store-evidence-egress"), [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "minio" } },
            podSelector: { matchLabels: { app: "minio" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 9000 }],
      },
    ]);
  });

  it("alerts: store down, replication lag, newest backup too old, volumes above 80 %", () => {
    const groups = manifest(fx, "PrometheusRule", "agentops-stores", "monitoring").spec.groups;
    assert.deepEqual(
      groups.map((g: any) => g.name),
      ["agentops-store-alerts"],
    );
    assert.deepEqual(
      groups[0].rules.map((r: any) => [r.alert, r.labels.store, r.expr]),
      [
        [
          "VolumeAlmostFull",
          undefined,
          'max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{job="kubelet", namespace=~"agentops-stores|governance"} / kubelet_volume_stats_capacity_bytes{job="kubelet", namespace=~"agentops-stores|governance"}) > 0.8',
        ],
        [
          "StoreDown",
          "audit",
          'absent(cnpg_collector_up{namespace="agentops-stores", cluster="audit"} == 1)',
        ],
        [
          "StoreReplicationLag",
          "audit",
          'max by (pod) (cnpg_pg_replication_lag{namespace="agentops-stores", pod=~"audit-[0-9]+"}) > 30',
        ],
        [
          "StoreBackupTooOld",
          "audit",
          'time() - max(cnpg_collector_last_available_backup_timestamp{namespace="agentops-stores", cluster="audit"}) > 90000',
        ],
        [
          "StoreDown",
          "cache",
          'kube_deployment_status_replicas_available{job="kube-state-metrics", namespace="agentops-stores", deployment="cache-valkey"} == 0',
        ],
        [
          "VolumeBackupTooOld",
          undefined,
          'time() - kube_cronjob_status_last_successful_time{job="kube-state-metrics", namespace="agentops-stores", cronjob="volume-snapshots"} > 90000',
        ],
      ],
    );
  });

  it("volume backups: a CronJob on the schedule, retention from config, least-privilege Roles in the namespaces it snapshots", () => {
    const cronJob = manifest(fx, "CronJob", "volume-snapshots", "agentops-stores");
    assert.deepEqual(
      [cronJob.spec.schedule, cronJob.spec.timeZone, cronJob.spec.concurrencyPolicy],
      ["0 3 * * *", "Etc/UTC", "Forbid"],
    );
    const c = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
    assert.deepEqual(
      [c.image, c.env.find((e: any) => e.name === "RETENTION_DAYS").value],
      ["docker.io/alpine/k8s:1.35.4", "7"],
    );
    assert.deepEqual(manifest(fx, "VolumeSnapshotClass", "agentops-snapshots").driver, "hostpath.csi.k8s.io");
    assert.deepEqual(manifest(fx, "Role", "volume-snapshots", "governance").rules, [
      { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list"] },
      {
        apiGroups: ["snapshot.storage.k8s.io"],
        resources: ["volumesnapshots"],
        verbs: ["get", "list", "create", "patch", "delete"],
      },
    ]);
    assert.deepEqual(manifest(fx, "Role", "volume-snapshots", "agentops-stores").rules.at(-1), {
      apiGroups: ["postgresql.cnpg.io"],
      resources: ["backups"],
      verbs: ["get", "list", "delete"],
    });
    assert.deepEqual(manifest(fx, "RoleBinding", "volume-snapshots", "governance").subjects, [
      { kind: "ServiceAccount", name: "volume-snapshots", namespace: "agentops-stores" },
    ]);
  });

  it("no AWS resource, and the operator from its pinned chart", () => {
    assert.deepEqual(
      fx.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.type),
      [],
    );
    const op = inputs(fx, "kubernetes:helm.sh/v3:Release", "platform-cloudnative-pg");
    assert.deepEqual(
      [op.chart, op.version, op.namespace, op.repositoryOpts],
      ["cloudnative-pg", "0.29.0", "cnpg-system", { repo: "https://cloudnative-pg.github.io/charts" }],
    );
  });

  describe("rendered with the pinned charts", () => {
    it("validates every object the program declares against the rendered CRDs (CloudNativePG, snapshots, External Secrets, Prometheus Operator)", async function () {
      const rendered = await renderFixture(this);
      const validators = crdValidators(rendered.releases.flatMap((r) => r.objects));
      const ours = fx.manifests.filter((m) =>
        [
          "postgresql.cnpg.io",
          "snapshot.storage.k8s.io",
          "external-secrets.io",
          "generators.external-secrets.io",
          "monitoring.coreos.com",
        ].includes(m.apiVersion.split("/")[0]!),
      );
      assert.ok(ours.length >= 15, `${ours.length} custom objects`);
      const found: string[] = [];
      for (const m of [
        ...ours,
        ...fx.manifests.filter((m) => !m.apiVersion.includes(".") || m.apiVersion.includes(".k8s.io")),
      ]) {
        found.push(...(await manifestProblems(m, validators)));
      }
      assert.deepEqual(found, []);
    });

    it("the stores' releases render exactly their footprints (the capacity plan's pods)", async function () {
      const rendered = await renderFixture(this);
      for (const name of ["cache", "cloudnative-pg", "snapshot-controller"]) {
        const release = rendered.releases.find((r) => r.name === name)!;
        const values = fx.resources.find(
          (r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).name === name,
        )!.inputs as any;
        const footprint = releaseFootprint({ name, chart: values.chart, namespace: values.namespace })!;
        const pods = release.objects.filter((o) =>
          ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind),
        );
        assert.deepEqual(
          pods.map((o: any) => ({
            name: o.metadata.name,
            replicas: o.spec.replicas ?? 1,
            containers: o.spec.template.spec.containers.map((c: any) => [
              c.name,
              c.resources?.requests?.cpu,
              c.resources?.requests?.memory,
            ]),
          })),
          footprint(values.values).map((w) => ({
            name: w.name,
            replicas: w.replicas,
            containers: w.containers.map((c) => [c.name, c.cpu, c.memory]),
          })),
          name,
        );
      }
    });

    it("Pod Security admission admits every pod the stores run (their namespaces enforce restricted)", async function () {
      const rendered = await renderFixture(this);
      const objects = [
        ...fx.manifests,
        ...rendered.releases
          .filter((r) => ["cache", "cloudnative-pg"].includes(r.name))
          .flatMap((r) => r.objects),
      ];
      const levels = namespaceLevels(objects.filter((o) => o.kind === "Namespace") as KubeObject[]);
      const pods = objects.filter(
        (o) =>
          ["agentops-stores", "cnpg-system"].includes(o.metadata.namespace ?? "") &&
          ["Deployment", "Job", "CronJob"].includes(o.kind),
      ) as KubeObject[];
      assert.ok(pods.length >= 3);
      assert.deepEqual(judgeAdmission(pods, levels).rejected, []);
    });
  });
});

let fixtureRender: ReturnType<typeof renderStack> | undefined;
/** The fixture's releases rendered with Helm; skips like the render tests where Helm or the charts are missing. */
async function renderFixture(ctx: Mocha.Context) {
  fixtureRender ??= synthExistingStores().then((synth) => renderStack({ root: ROOT, stack: "dev", synth }));
  try {
    return await fixtureRender;
  } catch (err) {
    // Same reason and line as the render tests' (harness.renderedStack).
    await renderedStack(ctx, "dev");
    throw err;
  }
}

describe("restore as configuration", () => {
  /** The fixture configuration's it-ops-agent (tests/fixtures/config.ts) with a 5 GiB volume, `edit` applied. */
  const agent = (edit: (a: any) => void = () => undefined) => {
    const a: any = { ...(validConfig().agentops.agents as any[])[0], storage: { size: "5Gi" } };
    edit(a);
    return agentSchema.parse(a);
  };
  const snapshots = { className: "agentops-snapshots", driver: "ebs.csi.aws.com" };

  it("an AWS Backup recovery point (EBS snapshot id): a pre-provisioned content, kept when removed, and a VolumeSnapshot bound to it", () => {
    const r = agentRestore(
      agent((a) => (a.storage.restoreFrom = { snapshot: "snap-0123456789abcdef0" })),
      "governance",
      snapshots,
    )!;
    const name = "restore-data-it-ops-agent-0-snap-0123456789abcdef0";
    assert.deepEqual(r.restore, {
      claim: "data-it-ops-agent-0",
      snapshot: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name },
    });
    assert.deepEqual(
      r.objects.map((o) => [o.kind, o.metadata.name, o.metadata.namespace, o.spec]),
      [
        [
          "VolumeSnapshotContent",
          name,
          undefined,
          {
            deletionPolicy: "Retain",
            driver: "ebs.csi.aws.com",
            source: { snapshotHandle: "snap-0123456789abcdef0" },
            volumeSnapshotClassName: "agentops-snapshots",
            volumeSnapshotRef: { name, namespace: "governance" },
          },
        ],
        [
          "VolumeSnapshot",
          name,
          "governance",
          { source: { volumeSnapshotContentName: name }, volumeSnapshotClassName: "agentops-snapshots" },
        ],
      ],
    );
  });

  it("a VolumeSnapshot by name: nothing to declare, the claim names it", () => {
    const r = agentRestore(
      agent((a) => (a.storage.restoreFrom = { snapshot: "before-upgrade", claim: "data-it-ops-agent-1" })),
      "governance",
      undefined,
    )!;
    assert.deepEqual(r, {
      restore: {
        claim: "data-it-ops-agent-1",
        snapshot: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "before-upgrade" },
      },
      objects: [],
    });
  });

  it("a point in time: the newest scheduled snapshot at or before it, named after its slot as the schedule names it", () => {
    const r = agentRestore(
      agent((a) => (a.storage.restoreFrom = { pointInTime: "2026-12-02T02:59:00Z" })),
      "governance",
      { ...snapshots, schedule: "0 3 * * *" },
    )!;
    const slot = new Date("2026-12-01T03:00:00Z");
    assert.equal(r.restore.snapshot.name, scheduledSnapshotName("data-it-ops-agent-0", slot));
    assert.equal(
      r.restore.snapshot.name,
      `data-it-ops-agent-0-${Date.parse("2026-12-01T03:00:00Z") / 60000}`,
    );
  });

  it("the service's claim is a claim of its own from the snapshot, which the unchanged StatefulSet adopts", async () => {
    const base = await synthStack("dev");
    const head = await synthEdited("dev", (c: any) => {
      c.agents.find((a: any) => a.name === "it-ops-agent").storage.restoreFrom = {
        snapshot: "snap-0123456789abcdef0",
      };
    });
    const claim = head.resources.find((r) => r.name === "it-ops-agent-restored-claim")!;
    assert.deepEqual(claim.inputs, {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: "data-it-ops-agent-0",
        namespace: "governance",
        labels: {
          "app.kubernetes.io/name": "it-ops-agent",
          "app.kubernetes.io/instance": "it-ops-agent",
          "app.kubernetes.io/component": "service",
        },
      },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "5Gi" } },
        dataSourceRef: {
          apiGroup: "snapshot.storage.k8s.io",
          kind: "VolumeSnapshot",
          name: "restore-data-it-ops-agent-0-snap-0123456789abcdef0",
        },
      },
    });
    assert.deepEqual(
      [claim.replaceOnChanges, claim.dependsOn.some((d) => d.endsWith("it-ops-agent-restore-snapshot"))],
      [["spec.dataSourceRef"], true],
    );
    const sts = (r: SynthResult) => r.resources.find((x) => x.name === "it-ops-agent-statefulset")!.inputs;
    assert.deepEqual(sts(head), sts(base));
  });
});

describe("the in-cluster snapshot schedule's script", () => {
  /** Runs the script with a stub kubectl that lists given claims and snapshots and records every call. */
  function run(jobName: string, now: string, listed: { pvcs: string; snapshots: string; backups?: string }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snapshots-"));
    const log = path.join(dir, "calls");
    fs.writeFileSync(
      path.join(dir, "kubectl"),
      [
        "#!/bin/sh",
        `printf '%s\\n' "$*" >> ${log}`,
        'case "$*" in',
        `  *"get pvc"*) echo '${listed.pvcs}' ;;`,
        `  *"get volumesnapshots"*) printf '${listed.snapshots}' ;;`,
        `  *"get backups"*) printf '${listed.backups ?? ""}' ;;`,
        `  *apply*) cat >> ${log} ;;`,
        "esac",
      ].join("\n"),
      { mode: 0o755 },
    );
    fs.writeFileSync(
      path.join(dir, "date"),
      `#!/bin/sh\nif [ "$1" = "+%s" ]; then echo ${Date.parse(now) / 1000}; else /bin/date "$@"; fi\n`,
      { mode: 0o755 },
    );
    const script = path.join(dir, "snapshot.sh");
    fs.writeFileSync(
      script,
      snapshotScript(
        [{ namespace: "governance", selector: "app.kubernetes.io/component in (service,job)" }],
        true,
      ),
    );
    const r = spawnSync("sh", [script], {
      env: {
        PATH: `${dir}:${process.env.PATH ?? ""}`,
        JOB_NAME: jobName,
        RETENTION_DAYS: "7",
        SNAPSHOT_CLASS: "agentops-snapshots",
      },
      encoding: "utf8",
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status, stderr: r.stderr, calls };
  }

  it("snapshots each claim as <claim>-<scheduled minute> and deletes scheduled snapshots and Backups older than the retention", function () {
    if (spawnSync("sh", ["-c", "date -u -d @0 +%Y"], { encoding: "utf8" }).stdout.trim() !== "1970")
      this.skip();
    const { status, stderr, calls } = run("volume-snapshots-29410380", "2026-12-02T03:00:30Z", {
      pvcs: "data-it-ops-agent-0 security-agent-job-data",
      snapshots:
        "data-it-ops-agent-0-29400000 2026-11-20T03:00:00Z\\ndata-it-ops-agent-0-29410000 2026-11-30T03:00:00Z\\n",
      backups: "audit-20261120030000 2026-11-20T03:00:05Z\\naudit-20261201030000 2026-12-01T03:00:05Z\\n",
    });
    assert.equal(stderr, "");
    assert.equal(status, 0);
    const lines = calls.trim().split("\n");
    assert.deepEqual(
      lines.filter((l) => l.startsWith("-n") || l.startsWith("  name:")),
      [
        "-n governance get pvc -l app.kubernetes.io/component in (service,job) -o jsonpath={.items[*].metadata.name}",
        "-n governance apply -f -",
        "  name: data-it-ops-agent-0-29410380",
        "-n governance apply -f -",
        "  name: security-agent-job-data-29410380",
        `-n governance get volumesnapshots -l agentops.io/scheduled-snapshot=true -o jsonpath={range .items[*]}{.metadata.name}{" "}{.metadata.creationTimestamp}{"\\n"}{end}`,
        "-n governance delete volumesnapshots data-it-ops-agent-0-29400000 --wait=false",
        `-n agentops-stores get backups.postgresql.cnpg.io -l cnpg.io/scheduled-backup -o jsonpath={range .items[*]}{.metadata.name}{" "}{.metadata.creationTimestamp}{"\\n"}{end}`,
        "-n agentops-stores delete backups.postgresql.cnpg.io audit-20261120030000 --wait=false",
      ],
    );
  });
});

describe("schedules in AWS's and CloudWatch's terms", () => {
  it("writes AWS Backup cron expressions: day of week from 1 (Sunday), one day field `?`", () => {
    assert.deepEqual(awsCronExpression("0 3 * * *"), { ok: true, expression: "cron(0 3 * * ? *)" });
    assert.deepEqual(awsCronExpression("30 2 * * 0,6"), { ok: true, expression: "cron(30 2 ? * 1,7 *)" });
    assert.deepEqual(awsCronExpression("0 */6 1-15 * *"), {
      ok: true,
      expression: "cron(0 0,6,12,18 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 * ? *)",
    });
  });

  it("measures the longest gap between runs and finds the newest run at or before a time", () => {
    assert.equal(longestGapMinutes("0 3 * * *"), 1440);
    assert.equal(longestGapMinutes("0 3 * * 1"), 10080);
    assert.equal(longestGapMinutes("0 3 1 * *"), 31 * 1440);
    assert.deepEqual(
      newestFiringAtOrBefore("0 3 * * *", new Date("2026-12-01T03:00:00Z")),
      new Date("2026-12-01T03:00:00Z"),
    );
    assert.deepEqual(
      newestFiringAtOrBefore("0 3 * * *", new Date("2026-12-01T02:59:59Z")),
      new Date("2026-11-30T03:00:00Z"),
    );
  });

  it("evidence policy statements sort by bucket, one pair per bucket", () => {
    const doc = agentEvidencePolicy(
      { partition: "aws", region: "eu-west-1", accountId: "1" },
      [
        { arn: "arn:aws:s3:::b", prefix: "x/" },
        { arn: "arn:aws:s3:::a", prefix: "x/" },
      ],
      "k",
    );
    assert.deepEqual(
      doc.Statement.map((s) => s.Resource),
      ["arn:aws:s3:::a", "arn:aws:s3:::a/x/*", "arn:aws:s3:::b", "arn:aws:s3:::b/x/*", "k"],
    );
  });
});
