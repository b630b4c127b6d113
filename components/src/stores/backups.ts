/**
 * Backups of agents' volumes (`agentops:backups`), as pure builders.
 *
 * On EKS, AWS Backup: a plan runs the schedule, keeps recovery points `retentionDays` in a KMS-encrypted vault,
 * and selects, per tenant, the EBS volumes the EBS CSI driver made for that namespace's claims (it tags each
 * volume `kubernetes.io/created-for/pvc/namespace` and `ebs.csi.aws.com/cluster`), so every agent claim, present
 * and future, is covered without anything in the cluster. Chosen over in-cluster VolumeSnapshot schedules
 * because the backups then live outside the cluster: a deleted namespace or cluster, or a broken controller,
 * neither stops them nor deletes them (a VolumeSnapshot with deletionPolicy Delete dies with its namespace);
 * the vault's key and access policy guard them; a failed or missing backup shows in CloudWatch and on the
 * vault's notifications; and no in-cluster job, image or RBAC needs keeping. A recovery point of an EBS volume
 * is an EBS snapshot (`snap-…`), which a claim restores from through a pre-provisioned VolumeSnapshotContent
 * (agents/restore.ts).
 *
 * On an existing cluster: the CSI snapshot controller and a CronJob (in the stores' namespace) that snapshots
 * every agent claim (and the stores' Valkey volumes) as `<claim>-<scheduled minute>` and prunes scheduled
 * snapshots, and CloudNativePG's Backups, older than the retention.
 */
import type * as aws from "@pulumi/aws";
import type * as inputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { KUBECTL_IMAGE } from "../catalog/images";
import type { BackupsConfig } from "../config/stores";
import { awsCronExpression, longestGapMinutes } from "../lib/cron";
import { PVC_NAMESPACE_TAG_CONDITION } from "../model/cost/stack";
import { RESTRICTED_CONTAINER_CONTEXT, RESTRICTED_POD, SNAPSHOT_CLASS, storeLabels } from "./objects";
import { STORES_NAMESPACE } from "./names";

/** The tag the EBS CSI driver puts on every volume it creates (aws-ebs-csi-driver pkg/cloud: `ebs.csi.aws.com/cluster`). */
export const EBS_CSI_CLUSTER_TAG_CONDITION = "aws:ResourceTag/ebs.csi.aws.com/cluster";

/** The AWS Backup vault of a stack's agent volumes, after the stack's stem (stores/names.ts `StoreScope`). */
export const backupVaultName = (stem: string) => `${stem}-volumes`;

/** The managed policies of AWS Backup's service role (back up and restore EBS volumes). */
export const BACKUP_ROLE_POLICIES = [
  "service-role/AWSBackupServiceRolePolicyForBackup",
  "service-role/AWSBackupServiceRolePolicyForRestores",
] as const;

/** The plan: one rule on the schedule (UTC), recovery points kept `retentionDays` and tagged with where they came from. */
export function backupPlanArgs(
  stem: string,
  backups: BackupsConfig,
  vaultName: pulumi.Input<string>,
  tags: Record<string, string>,
): aws.backup.PlanArgs {
  const schedule = awsCronExpression(backups.schedule);
  if (!schedule.ok) throw new Error(`backups.schedule: ${schedule.error}`);
  return {
    name: `${stem}-agent-volumes`,
    rules: [
      {
        ruleName: "agent-volumes",
        targetVaultName: vaultName,
        schedule: schedule.expression,
        scheduleExpressionTimezone: "Etc/UTC",
        // Start within an hour of the slot, finish within three (EBS snapshots are incremental).
        startWindow: 60,
        completionWindow: 180,
        lifecycle: { deleteAfter: backups.retentionDays },
        recoveryPointTags: { ...tags, "agentops.io/backup": "agent-volumes" },
      },
    ],
    tags,
  };
}

/**
 * One tenant's selection: the EBS volumes of this account and region that the EBS CSI driver made for claims in
 * the tenant's namespace (both conditions must hold). Selection names allow 50 characters.
 */
export function backupSelectionArgs(
  tenant: string,
  volumesArn: pulumi.Input<string>,
  planId: pulumi.Input<string>,
  roleArn: pulumi.Input<string>,
): aws.backup.SelectionArgs {
  return {
    name: `agent-volumes-${tenant}`.slice(0, 50),
    planId,
    iamRoleArn: roleArn,
    resources: [volumesArn],
    conditions: [
      {
        stringEquals: [
          { key: EBS_CSI_CLUSTER_TAG_CONDITION, value: "true" },
          { key: PVC_NAMESPACE_TAG_CONDITION, value: tenant },
        ],
      },
    ],
  };
}

/** Every EBS volume of the account in the region, as an ARN pattern (the selection's conditions narrow it). */
export const ebsVolumesArn = (scope: { partition: string; region: string; accountId: string }) =>
  `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:volume/*`;

/** The vault's events that reach the alarm topic: each finished backup and restore job, failed or not. */
export const BACKUP_VAULT_EVENTS = ["BACKUP_JOB_COMPLETED", "RESTORE_JOB_COMPLETED"] as const;

/**
 * How long without a completed backup counts as stale: the schedule's longest gap plus an hour (the plan's start
 * window), in whole hours, as a CloudWatch period (at most 7 days, which configuration validation ensures).
 */
export function backupFreshnessSeconds(schedule: string): number {
  const gap = longestGapMinutes(schedule) ?? 24 * 60;
  return Math.ceil(gap / 60 + 1) * 3600;
}

/**
 * The backups' alarms: no completed backup job in the vault for longer than the schedule allows (missing data is
 * breaching: no jobs, no datapoint), and any failed job.
 */
export function backupAlarms(
  stem: string,
  backups: BackupsConfig,
): { suffix: string; args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "tags"> }[] {
  const vault = backupVaultName(stem);
  const dimensions = { BackupVaultName: vault };
  return [
    {
      suffix: "stale",
      args: {
        name: `${vault}-stale`,
        alarmDescription: `No backup of agent volumes completed in ${vault} for longer than the schedule (${backups.schedule} UTC) allows`,
        namespace: "AWS/Backup",
        metricName: "NumberOfBackupJobsCompleted",
        dimensions,
        statistic: "Sum",
        period: backupFreshnessSeconds(backups.schedule),
        evaluationPeriods: 1,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
      },
    },
    {
      suffix: "failed",
      args: {
        name: `${vault}-failed`,
        alarmDescription: `A backup job of agent volumes in ${vault} failed`,
        namespace: "AWS/Backup",
        metricName: "NumberOfBackupJobsFailed",
        dimensions,
        statistic: "Sum",
        period: 3600,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
      },
    },
  ];
}

/** The VolumeSnapshotClass of the stack's snapshots: the CSI driver's, snapshots deleted with their objects. */
export function volumeSnapshotClass(driver: string): {
  apiVersion: "snapshot.storage.k8s.io/v1";
  kind: "VolumeSnapshotClass";
  metadata: { name: string; labels: Record<string, string> };
  driver: string;
  deletionPolicy: "Delete";
} {
  return {
    apiVersion: "snapshot.storage.k8s.io/v1",
    kind: "VolumeSnapshotClass",
    metadata: { name: SNAPSHOT_CLASS, labels: storeLabels() },
    driver,
    deletionPolicy: "Delete",
  };
}

/** Names of the in-cluster snapshot schedule's objects. */
export const SNAPSHOT_SCHEDULE = {
  cronJob: "volume-snapshots",
  serviceAccount: "volume-snapshots",
  configMap: "volume-snapshots",
  role: "volume-snapshots",
  /** Label of the snapshots the schedule takes (and prunes). */
  label: "agentops.io/scheduled-snapshot",
} as const;

/** What the schedule snapshots: a namespace and the label selector of its claims. */
export interface SnapshotTarget {
  namespace: string;
  selector: string;
}

/** The claims of the agents in a tenant's namespace: a StatefulSet's templates and a job's claim carry these. */
export const AGENT_CLAIMS_SELECTOR = "app.kubernetes.io/component in (service,job)";

/** Single-quoted for sh. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The schedule's script (busybox sh, kubectl, awk): snapshot every claim of every target as
 * `<claim>-<slot>`, where the slot is the scheduled minute the CronJob controller put at the end of the Job's
 * name (so a restore's `pointInTime` can name the snapshot), then delete the schedule's snapshots, and with
 * PostgreSQL stores CloudNativePG's scheduled Backups (whose snapshots they own), created before the cut-off.
 */
export function snapshotScript(targets: readonly SnapshotTarget[], cnpgBackups: boolean): string {
  const L = SNAPSHOT_SCHEDULE.label;
  return [
    "#!/bin/sh",
    "set -eu",
    "# The Job is <cronjob>-<scheduled minute since the epoch>; a Job started by hand uses the current minute.",
    'slot="${JOB_NAME##*-}"',
    'case "$slot" in "" | *[!0-9]*) slot=$(( $(date +%s) / 60 )) ;; esac',
    'cutoff=$(date -u -d "@$(( $(date +%s) - RETENTION_DAYS * 86400 ))" +%Y-%m-%dT%H:%M:%SZ)',
    "snapshot() {",
    '  for pvc in $(kubectl -n "$1" get pvc -l "$2" -o jsonpath=\'{.items[*].metadata.name}\'); do',
    '    kubectl -n "$1" apply -f - <<EOF',
    "apiVersion: snapshot.storage.k8s.io/v1",
    "kind: VolumeSnapshot",
    "metadata:",
    "  name: $pvc-$slot",
    "  labels:",
    `    ${L}: "true"`,
    "spec:",
    "  volumeSnapshotClassName: $SNAPSHOT_CLASS",
    "  source:",
    "    persistentVolumeClaimName: $pvc",
    "EOF",
    "  done",
    "}",
    "prune() {",
    '  kubectl -n "$1" get "$2" -l "$3" -o jsonpath=\'{range .items[*]}{.metadata.name}{" "}{.metadata.creationTimestamp}{"\\n"}{end}\' |',
    "    awk -v cutoff=\"$cutoff\" '$2 < cutoff { print $1 }' |",
    '    while read -r name; do kubectl -n "$1" delete "$2" "$name" --wait=false; done',
    "}",
    ...targets.flatMap((t) => [
      `snapshot ${sq(t.namespace)} ${sq(t.selector)}`,
      `prune ${sq(t.namespace)} volumesnapshots ${sq(`${L}=true`)}`,
    ]),
    ...(cnpgBackups
      ? [`prune ${sq(STORES_NAMESPACE)} backups.postgresql.cnpg.io cnpg.io/scheduled-backup`]
      : []),
    "",
  ].join("\n");
}

/** The schedule's Role in one namespace: read claims, manage VolumeSnapshots (and CloudNativePG Backups there). */
export function snapshotRole(namespace: string, cnpgBackups: boolean): inputs.rbac.v1.Role {
  return {
    metadata: { name: SNAPSHOT_SCHEDULE.role, namespace, labels: storeLabels() },
    rules: [
      { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list"] },
      {
        apiGroups: ["snapshot.storage.k8s.io"],
        resources: ["volumesnapshots"],
        verbs: ["get", "list", "create", "patch", "delete"],
      },
      ...(cnpgBackups
        ? [{ apiGroups: ["postgresql.cnpg.io"], resources: ["backups"], verbs: ["get", "list", "delete"] }]
        : []),
    ],
  };
}

/** Binds the schedule's service account (in the stores' namespace) to its Role in one namespace. */
export function snapshotRoleBinding(namespace: string): inputs.rbac.v1.RoleBinding {
  return {
    metadata: { name: SNAPSHOT_SCHEDULE.role, namespace, labels: storeLabels() },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: SNAPSHOT_SCHEDULE.role },
    subjects: [
      { kind: "ServiceAccount", name: SNAPSHOT_SCHEDULE.serviceAccount, namespace: STORES_NAMESPACE },
    ],
  };
}

/** The script's ConfigMap. */
export function snapshotConfigMap(script: string): inputs.core.v1.ConfigMap {
  return {
    metadata: { name: SNAPSHOT_SCHEDULE.configMap, namespace: STORES_NAMESPACE, labels: storeLabels() },
    data: { "snapshot.sh": script },
  };
}

/** The CronJob: the schedule (UTC), one run at a time, restricted pod with a writable /tmp for kubectl's cache. */
export function snapshotCronJob(backups: BackupsConfig): inputs.batch.v1.CronJob {
  return {
    metadata: { name: SNAPSHOT_SCHEDULE.cronJob, namespace: STORES_NAMESPACE, labels: storeLabels() },
    spec: {
      schedule: backups.schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          ttlSecondsAfterFinished: 86_400,
          template: {
            metadata: { labels: storeLabels() },
            spec: {
              restartPolicy: "Never",
              serviceAccountName: SNAPSHOT_SCHEDULE.serviceAccount,
              automountServiceAccountToken: true,
              enableServiceLinks: false,
              securityContext: RESTRICTED_POD(65534),
              containers: [
                {
                  name: "snapshot",
                  image: KUBECTL_IMAGE,
                  imagePullPolicy: "IfNotPresent",
                  command: ["/bin/sh", "/scripts/snapshot.sh"],
                  env: [
                    {
                      name: "JOB_NAME",
                      valueFrom: {
                        fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" },
                      },
                    },
                    { name: "RETENTION_DAYS", value: String(backups.retentionDays) },
                    { name: "SNAPSHOT_CLASS", value: SNAPSHOT_CLASS },
                    { name: "HOME", value: "/tmp" },
                  ],
                  resources: {
                    requests: { cpu: "50m", memory: "64Mi" },
                    limits: { cpu: "500m", memory: "256Mi" },
                  },
                  securityContext: RESTRICTED_CONTAINER_CONTEXT,
                  volumeMounts: [
                    { name: "scripts", mountPath: "/scripts", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volumes: [
                { name: "scripts", configMap: { name: SNAPSHOT_SCHEDULE.configMap } },
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
              ],
            },
          },
        },
      },
    },
  };
}
