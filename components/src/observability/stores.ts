/**
 * The data stores' and volume backups' Prometheus rules: the stores' monthly cost as constant series (the Cost
 * dashboard's "Data stores" panel), volumes above 80 % (agents' claims everywhere, the in-cluster stores'
 * too), and for the stores that run in the cluster: down, replication lag, newest backup too old. On EKS the
 * managed stores' own health, lag, storage and backup alarms are CloudWatch alarms (stores/aws.ts), whose
 * metrics Prometheus does not see.
 */
import { JOBS } from "./metrics";
import type { PrometheusRuleObject, RuleGroup } from "./rules";
import { PLATFORM_NAMESPACES } from "../lib/contract";

/** Thresholds of the stores' alerts, in one place. */
export const STORE_ALERT_THRESHOLDS = {
  /** Share of a volume's capacity in use above which it is nearly full. */
  volumeFullRatio: 0.8,
  volumeFullFor: "15m",
  storeDownFor: "5m",
  replicationLagSeconds: 30,
  replicationLagFor: "5m",
  /** Slack after a backup's scheduled time before it counts as missing. */
  backupSlackSeconds: 3600,
} as const;

/** What the stores' rules are made of. */
export interface StoreRulesInput {
  /** Namespaces whose claims the volume alert watches (the tenants', and the stores' on an existing cluster). */
  volumeNamespaces: readonly string[];
  /** Each store's monthly cost (EKS; the cost model's figure), by store, with its engine. */
  costs: readonly { store: string; engine: string; monthlyUsd: number }[];
  /** In-cluster PostgreSQL stores: name, instances, and the longest gap of their backup schedule in seconds. */
  postgres: readonly { store: string; instances: number; backupGapSeconds: number }[];
  /** In-cluster Valkey stores: name and Deployment. */
  valkey: readonly { store: string; deployment: string }[];
  /** The in-cluster volume snapshot schedule: its CronJob and the longest gap of its schedule in seconds. */
  snapshotSchedule?: { cronJob: string; gapSeconds: number };
}

const ksm = `job="${JOBS.kubeStateMetrics}"`;
const ns = PLATFORM_NAMESPACES.stores;

/** The stores' rule groups; empty groups are left out (a rule group needs rules). */
export function storeRuleGroups(input: StoreRulesInput): RuleGroup[] {
  const t = STORE_ALERT_THRESHOLDS;
  const groups: RuleGroup[] = [];
  if (input.costs.length > 0) {
    groups.push({
      name: "agentops-store-costs",
      rules: input.costs.map((c) => ({
        record: "agentops:store_monthly_usd",
        expr: `vector(${Math.round(c.monthlyUsd * 100) / 100})`,
        labels: { store: c.store, engine: c.engine },
      })),
    });
  }
  const namespaces = [...input.volumeNamespaces].sort().join("|");
  const alerts: RuleGroup["rules"] = [];
  if (namespaces !== "") {
    alerts.push({
      alert: "VolumeAlmostFull",
      expr: `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{job="${JOBS.kubelet}", namespace=~"${namespaces}"} / kubelet_volume_stats_capacity_bytes{job="${JOBS.kubelet}", namespace=~"${namespaces}"}) > ${t.volumeFullRatio}`,
      for: t.volumeFullFor,
      labels: { severity: "warning" },
      annotations: {
        summary: `{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }}: more than ${t.volumeFullRatio * 100}% full`,
        description:
          "The claim is {{ $value | humanizePercentage }} full. Grow it (README, Growing an agent's storage) before the agent or store fails to write.",
      },
    });
  }
  for (const pg of input.postgres) {
    const sel = `namespace="${ns}", cluster="${pg.store}"`;
    alerts.push({
      alert: "StoreDown",
      expr: `absent(cnpg_collector_up{${sel}} == 1)`,
      for: t.storeDownFor,
      labels: { severity: "critical", store: pg.store },
      annotations: {
        summary: `Store ${pg.store} (PostgreSQL): no instance is up`,
        description: `No instance of the CloudNativePG cluster ${ns}/${pg.store} reports itself up: agents using it cannot write their audit trail.`,
      },
    });
    if (pg.instances > 1) {
      alerts.push({
        alert: "StoreReplicationLag",
        expr: `max by (pod) (cnpg_pg_replication_lag{namespace="${ns}", pod=~"${pg.store}-[0-9]+"}) > ${t.replicationLagSeconds}`,
        for: t.replicationLagFor,
        labels: { severity: "warning", store: pg.store },
        annotations: {
          summary: `Store ${pg.store} (PostgreSQL): a standby lags more than ${t.replicationLagSeconds} s`,
          description:
            "{{ $labels.pod }} replays the primary's changes {{ $value | humanizeDuration }} late.",
        },
      });
    }
    alerts.push({
      alert: "StoreBackupTooOld",
      expr: `time() - max(cnpg_collector_last_available_backup_timestamp{${sel}}) > ${pg.backupGapSeconds + t.backupSlackSeconds}`,
      labels: { severity: "warning", store: pg.store },
      annotations: {
        summary: `Store ${pg.store} (PostgreSQL): newest backup older than its schedule allows`,
        description: `The newest backup of ${ns}/${pg.store} is {{ $value | humanizeDuration }} old; its ScheduledBackup runs daily.`,
      },
    });
  }
  for (const vk of input.valkey) {
    alerts.push({
      alert: "StoreDown",
      expr: `kube_deployment_status_replicas_available{${ksm}, namespace="${ns}", deployment="${vk.deployment}"} == 0`,
      for: t.storeDownFor,
      labels: { severity: "critical", store: vk.store },
      annotations: {
        summary: `Store ${vk.store} (Valkey): not available`,
        description: `The Valkey Deployment ${ns}/${vk.deployment} has no available pod.`,
      },
    });
  }
  if (input.snapshotSchedule) {
    const s = input.snapshotSchedule;
    alerts.push({
      alert: "VolumeBackupTooOld",
      expr: `time() - kube_cronjob_status_last_successful_time{${ksm}, namespace="${ns}", cronjob="${s.cronJob}"} > ${s.gapSeconds + t.backupSlackSeconds}`,
      labels: { severity: "warning" },
      annotations: {
        summary: "Agent volume snapshots: newest run older than the schedule allows",
        description: `The CronJob ${ns}/${s.cronJob} last succeeded {{ $value | humanizeDuration }} ago.`,
      },
    });
  }
  if (alerts.length > 0) groups.push({ name: "agentops-store-alerts", rules: alerts });
  return groups;
}

/** The stores' PrometheusRule in the monitoring namespace, or `undefined` when it would hold no rule. */
export function storesPrometheusRule(input: StoreRulesInput): PrometheusRuleObject | undefined {
  const groups = storeRuleGroups(input);
  if (groups.length === 0) return undefined;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: "agentops-stores",
      namespace: PLATFORM_NAMESPACES.monitoring,
      labels: { "app.kubernetes.io/part-of": "agentops" },
    },
    spec: { groups },
  };
}
