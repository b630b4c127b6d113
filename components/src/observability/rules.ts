/**
 * PrometheusRules: recording rules that turn the agents' OTLP request metrics and OpenCost's allocation
 * metrics into per-agent series, the agents' budgets exported from the stack configuration, and the alerts.
 * Every metric named here is listed in metrics.ts with what produces it.
 */
import type { AgentConfig } from "../config";
import { HOURS_PER_MONTH } from "../model/cost/estimate";
import { PLATFORM_NAMESPACES } from "../lib/contract";
import { AGENT_TELEMETRY, JOBS } from "./metrics";

/** A PrometheusRule (monitoring.coreos.com/v1), as plain data. */
export interface PrometheusRuleObject {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "PrometheusRule";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { groups: RuleGroup[] };
}

export interface RuleGroup {
  name: string;
  /** Evaluation interval; Prometheus's global one when absent. */
  interval?: string;
  rules: Rule[];
}

export type Rule = RecordingRule | AlertingRule;

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: "critical" | "warning" };
  annotations: { summary: string; description: string };
}

/** The alert thresholds, in one place; the expressions below are built from them. */
export const ALERT_THRESHOLDS = {
  highErrorRate: { ratio: 0.05, for: "5m" },
  highLatency: { p95Seconds: 2, for: "5m" },
  memoryPressure: { ratioOfLimit: 0.9, for: "10m" },
  crashLooping: { restarts: 3, window: "10m" },
  lowAvailability: { ratio: 0.99, window: "1h" },
  hpaMaxedOut: { for: "15m" },
  gpuIdle: { utilisationPercent: 10, for: "1h" },
  budgetExceeded: { for: "1h" },
} as const;

/**
 * The cost group is evaluated every minute, so a day holds 1,440 samples: `sum_over_time(x[1d]) / 1440` is the
 * mean over the whole day with hours an agent did not run counted as zero (avg_over_time would skip them and
 * over-project a scheduled agent).
 */
export const COST_RULE_INTERVAL_SECONDS = 60;
const SAMPLES_PER_DAY = 86_400 / COST_RULE_INTERVAL_SECONDS;
const GIB = 1024 ** 3;

const ksm = `job="${JOBS.kubeStateMetrics}"`;
const otlp = AGENT_TELEMETRY.jobMatcher;
const duration = AGENT_TELEMETRY.requestDuration;
const serverError = `${AGENT_TELEMETRY.statusCodeLabel}=~"5.."`;

/** Splits the OTLP job `<tenant>/<agent>` into `tenant` and `agent` and sums by them (plus `extra`). */
const byAgent = (inner: string, extra = "") =>
  `sum by (agent, tenant${extra}) (label_replace(label_replace(${inner}, "tenant", "$1", "job", "(.+)/.+"), "agent", "$1", "job", ".+/(.+)"))`;

const requests = (window: string) => byAgent(`rate(${duration}_count{${otlp}}[${window}])`);
const errors = (window: string) => byAgent(`rate(${duration}_count{${otlp}, ${serverError}}[${window}])`);
/** 5xx share; an agent without errors has no error series, so `or … * 0` makes it 0 instead of absent. */
const errorRatio = (e: string, r: string) => `(${e} or ${r} * 0) / ${r}`;
const quantile = (q: number) =>
  `histogram_quantile(${q}, ${byAgent(`rate(${duration}_bucket{${otlp}}[5m])`, ", le")})`;

/** Agent, tenant and tier of each agent pod, from the pod labels kube-state-metrics is allowed to export. */
const POD_AGENT_INFO = `max by (namespace, pod, agent, tenant, tier) (label_replace(label_replace(label_replace(kube_pod_labels{${ksm}, label_agentops_io_agent!=""}, "agent", "$1", "label_agentops_io_agent", "(.+)"), "tenant", "$1", "label_agentops_io_tenant", "(.+)"), "tier", "$1", "label_agentops_io_tier", "(.+)"))`;
const withAgent = "* on (namespace, pod) group_left (agent, tenant, tier) agentops:pod_agent_info";

/** OpenCost allocation × the node's unit price, per pod, one series per resource. */
const podCost = (resource: "cpu" | "memory" | "gpu", allocation: string, price: string): RecordingRule => ({
  record: "agentops:pod_cost_hourly_usd",
  expr: `sum by (namespace, pod) (${allocation} * on (node) group_left () max by (node) (${price}))`,
  labels: { resource },
});

/**
 * Recording rules of the request and cost series every panel and alert reads. `measuredLlmSpend` (the LLM
 * gateway runs): the projection adds the LLM spend the gateway measured
 * (`agentops:agent_llm_spend_monthly_usd`, gateway/observability.ts) instead of the declared one.
 * @default measuredLlmSpend false
 */
export function recordingGroups(opts: { measuredLlmSpend?: boolean } = {}): RuleGroup[] {
  const llm = opts.measuredLlmSpend
    ? "agentops:agent_llm_spend_monthly_usd"
    : "agentops:agent_llm_monthly_usd";
  return [
    {
      name: "agentops-requests",
      rules: [
        { record: "agentops:agent_requests:rate5m", expr: requests("5m") },
        { record: "agentops:agent_errors:rate5m", expr: errors("5m") },
        {
          record: "agentops:agent_error_ratio:rate5m",
          expr: errorRatio("agentops:agent_errors:rate5m", "agentops:agent_requests:rate5m"),
        },
        { record: "agentops:agent_request_duration_seconds:p50_5m", expr: quantile(0.5) },
        { record: "agentops:agent_request_duration_seconds:p95_5m", expr: quantile(0.95) },
        { record: "agentops:agent_request_duration_seconds:p99_5m", expr: quantile(0.99) },
        {
          record: "agentops:agent_availability:ratio_rate1h",
          expr: `1 - ${errorRatio(errors("1h"), requests("1h"))}`,
        },
      ],
    },
    {
      name: "agentops-cost",
      interval: `${COST_RULE_INTERVAL_SECONDS}s`,
      rules: [
        { record: "agentops:pod_agent_info", expr: POD_AGENT_INFO },
        podCost("cpu", "container_cpu_allocation", "node_cpu_hourly_cost"),
        podCost("memory", `container_memory_allocation_bytes / ${GIB}`, "node_ram_hourly_cost"),
        podCost("gpu", "container_gpu_allocation", "node_gpu_hourly_cost"),
        {
          record: "agentops:agent_compute_cost_hourly_usd",
          expr: `sum by (agent, tenant, tier) (agentops:pod_cost_hourly_usd ${withAgent})`,
        },
        {
          // Like for like with the budget (compute + LLM): the measured compute of the last day projected to a
          // month, plus the LLM spend the gateway measured, or without the gateway the one the agent declares.
          record: "agentops:agent_projected_monthly_usd",
          expr: `sum_over_time(agentops:agent_compute_cost_hourly_usd[1d]) / ${SAMPLES_PER_DAY} * ${HOURS_PER_MONTH} + on (agent, tenant, tier) ${llm}`,
        },
      ],
    },
  ];
}

/** The budgets and declared LLM spend of the configured agents, one constant series per agent. */
export function budgetGroup(agents: readonly AgentConfig[]): RuleGroup {
  const rules: RecordingRule[] = agents.flatMap((a) => {
    const labels = { agent: a.name, tenant: a.tenant, tier: String(a.tier) };
    return [
      { record: "agentops:agent_budget_monthly_usd", expr: `vector(${a.budget.monthlyUsd})`, labels },
      { record: "agentops:agent_llm_monthly_usd", expr: `vector(${a.llm.monthlyUsd})`, labels },
    ];
  });
  return { name: "agentops-budgets", rules };
}

const t = ALERT_THRESHOLDS;
const who = "{{ $labels.tenant }}/{{ $labels.agent }}";

export function alertGroup(): RuleGroup {
  return {
    name: "agentops-alerts",
    rules: [
      {
        alert: "AgentHighErrorRate",
        expr: `agentops:agent_error_ratio:rate5m > ${t.highErrorRate.ratio}`,
        for: t.highErrorRate.for,
        labels: { severity: "critical" },
        annotations: {
          summary: `${who}: more than ${t.highErrorRate.ratio * 100}% of requests fail`,
          description: `{{ $value | humanizePercentage }} of ${who}'s requests returned 5xx for ${t.highErrorRate.for}.`,
        },
      },
      {
        alert: "AgentHighLatency",
        expr: `agentops:agent_request_duration_seconds:p95_5m > ${t.highLatency.p95Seconds}`,
        for: t.highLatency.for,
        labels: { severity: "warning" },
        annotations: {
          summary: `${who}: p95 latency above ${t.highLatency.p95Seconds} s`,
          description: `95th percentile request duration of ${who} is {{ $value | humanizeDuration }}.`,
        },
      },
      {
        alert: "AgentMemoryPressure",
        expr: `max by (namespace, pod, container) (container_memory_working_set_bytes{job="${JOBS.kubelet}", container!=""}) / on (namespace, pod, container) max by (namespace, pod, container) (kube_pod_container_resource_limits{${ksm}, resource="memory"}) ${withAgent} > ${t.memoryPressure.ratioOfLimit}`,
        for: t.memoryPressure.for,
        labels: { severity: "warning" },
        annotations: {
          summary: `${who}: container near its memory limit`,
          description: `{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit; it will be OOM-killed at 100%.`,
        },
      },
      {
        alert: "AgentCrashLooping",
        expr: `increase(kube_pod_container_status_restarts_total{${ksm}}[${t.crashLooping.window}]) ${withAgent} > ${t.crashLooping.restarts}`,
        labels: { severity: "warning" },
        annotations: {
          summary: `${who}: container restarting repeatedly`,
          description: `{{ $labels.pod }}/{{ $labels.container }} restarted {{ $value | humanize }} times in ${t.crashLooping.window}.`,
        },
      },
      {
        alert: "AgentLowAvailability",
        expr: `agentops:agent_availability:ratio_rate1h < ${t.lowAvailability.ratio}`,
        labels: { severity: "critical" },
        annotations: {
          summary: `${who}: availability below ${t.lowAvailability.ratio * 100}% over ${t.lowAvailability.window}`,
          description: `${who} answered {{ $value | humanizePercentage }} of requests without a 5xx over ${t.lowAvailability.window}.`,
        },
      },
      {
        alert: "AgentHPAMaxedOut",
        // An HPA whose min equals its max is always at max: that is a fixed size, not saturation.
        expr: `kube_horizontalpodautoscaler_status_current_replicas{${ksm}} >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{${ksm}} and on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{${ksm}} > on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_min_replicas{${ksm}}`,
        for: t.hpaMaxedOut.for,
        labels: { severity: "warning" },
        annotations: {
          summary:
            "{{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }}: autoscaler pinned at max replicas",
          description: `The HPA has run at its maximum replicas for ${t.hpaMaxedOut.for}: load exceeds what it may scale to. Raise replicas.max (and the budget) or find the cause.`,
        },
      },
      {
        alert: "GPUIdle",
        expr: `DCGM_FI_DEV_GPU_UTIL < ${t.gpuIdle.utilisationPercent}`,
        for: t.gpuIdle.for,
        labels: { severity: "warning" },
        annotations: {
          summary: `GPU {{ $labels.gpu }} on {{ $labels.Hostname }} below ${t.gpuIdle.utilisationPercent}% for ${t.gpuIdle.for}`,
          description:
            "Used by {{ $labels.namespace }}/{{ $labels.pod }} (empty when no pod holds it). A GPU node costs most of its price for the GPU: scale the workload to zero or move it off GPU nodes.",
        },
      },
      {
        alert: "AgentBudgetExceeded",
        expr: "agentops:agent_projected_monthly_usd > on (agent, tenant, tier) agentops:agent_budget_monthly_usd",
        for: t.budgetExceeded.for,
        labels: { severity: "warning" },
        annotations: {
          summary: `${who}: projected monthly cost above budget`,
          description: `${who} (tier {{ $labels.tier }}) is projected at {{ $value | printf "%.2f" }} USD a month (last day's compute from OpenCost × ${HOURS_PER_MONTH} h plus declared LLM spend), above its budget.`,
        },
      },
    ],
  };
}

const ruleObject = (name: string, groups: RuleGroup[]): PrometheusRuleObject => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: {
    name,
    namespace: PLATFORM_NAMESPACES.monitoring,
    labels: { "app.kubernetes.io/part-of": "agentops" },
  },
  spec: { groups },
});

/**
 * The PrometheusRule objects: the fixed rules and alerts, and the budgets (which change with the agents).
 * `measuredLlmSpend`: see {@link recordingGroups}.
 * Without agents the budgets object is left out: a rule group needs rules.
 */
export function prometheusRules(
  agents: readonly AgentConfig[],
  opts: { measuredLlmSpend?: boolean } = {},
): PrometheusRuleObject[] {
  const rules = [ruleObject("agentops-rules", [...recordingGroups(opts), alertGroup()])];
  if (agents.length > 0) rules.push(ruleObject("agentops-budgets", [budgetGroup(agents)]));
  return rules;
}
