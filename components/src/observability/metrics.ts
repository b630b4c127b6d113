/**
 * Every metric the platform's alerts, recording rules and dashboards read, with the component that produces
 * it: one list, so a panel or rule naming a metric nothing in the stack exports fails a test instead of
 * showing "No data" in production.
 */

/** What exports a metric: a chart the platform installs, the agents themselves, or the rules below. */
export type MetricProducer =
  | "kube-state-metrics"
  | "cadvisor"
  | "kubelet"
  | "opencost"
  | "dcgm-exporter"
  | "agent-otel-sdk"
  | "cloudnative-pg"
  | "recording-rule";

export interface MetricSpec {
  name: string;
  producer: MetricProducer;
  /** Labels the rules and panels rely on. */
  labels: readonly string[];
  help: string;
}

/**
 * The telemetry contract agents must meet (documented here, once): every agent records the OpenTelemetry HTTP
 * server semantic convention `http.server.request.duration` (histogram, seconds, attribute
 * `http.response.status_code`) and exports it with its SDK over OTLP to the collector
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, set by the Agent component), which forwards it to Prometheus's OTLP
 * receiver. Prometheus 3 names it `http_server_request_duration_seconds_{bucket,count,sum}` and sets
 * `job="<service.namespace>/<service.name>"`, i.e. `<tenant>/<agent>` (OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES from the Agent component), which the recording rules split into `tenant` and
 * `agent`. Bucket boundaries are the SDK's advisory ones for this instrument (5 ms … 10 s), so the 2 s latency
 * threshold falls between the 1 s and 2.5 s buckets and p95 is interpolated there.
 */
export const AGENT_TELEMETRY = {
  requestDuration: "http_server_request_duration_seconds",
  statusCodeLabel: "http_response_status_code",
  /** Only OTLP-pushed series carry a `<tenant>/<agent>` job; scraped ones are left out. */
  jobMatcher: 'job=~".+/.+"',
} as const;

/** kube-state-metrics, kubelet/cAdvisor and OpenCost series are filtered by the scrape job where names clash. */
export const JOBS = { kubeStateMetrics: "kube-state-metrics", kubelet: "kubelet" } as const;

const ksm = (name: string, labels: string[], help: string): MetricSpec => ({
  name,
  producer: "kube-state-metrics",
  labels,
  help,
});
const rule = (name: string, labels: string[], help: string): MetricSpec => ({
  name,
  producer: "recording-rule",
  labels,
  help,
});
const AGENT = ["agent", "tenant"];
const AGENT_TIER = ["agent", "tenant", "tier"];

export const METRICS: readonly MetricSpec[] = [
  {
    name: `${AGENT_TELEMETRY.requestDuration}_bucket`,
    producer: "agent-otel-sdk",
    labels: ["job", "le", AGENT_TELEMETRY.statusCodeLabel],
    help: "Request duration histogram buckets (OTel http.server.request.duration via OTLP)",
  },
  {
    name: `${AGENT_TELEMETRY.requestDuration}_count`,
    producer: "agent-otel-sdk",
    labels: ["job", AGENT_TELEMETRY.statusCodeLabel],
    help: "Requests served (count of the duration histogram)",
  },
  // Pod labels are exported only for the keys allow-listed in kube-prometheus-stack's values.
  ksm(
    "kube_pod_labels",
    ["namespace", "pod", "label_agentops_io_agent", "label_agentops_io_tenant", "label_agentops_io_tier"],
    "Allow-listed pod labels",
  ),
  ksm("kube_pod_container_status_restarts_total", ["namespace", "pod", "container"], "Container restarts"),
  ksm(
    "kube_pod_container_resource_limits",
    ["namespace", "pod", "container", "resource"],
    "Container limits",
  ),
  ksm(
    "kube_pod_container_resource_requests",
    ["namespace", "pod", "container", "resource"],
    "Container requests",
  ),
  ksm(
    "kube_horizontalpodautoscaler_status_current_replicas",
    ["namespace", "horizontalpodautoscaler"],
    "HPA current replicas",
  ),
  ksm(
    "kube_horizontalpodautoscaler_spec_max_replicas",
    ["namespace", "horizontalpodautoscaler"],
    "HPA max replicas",
  ),
  ksm(
    "kube_horizontalpodautoscaler_spec_min_replicas",
    ["namespace", "horizontalpodautoscaler"],
    "HPA min replicas",
  ),
  {
    name: "container_cpu_usage_seconds_total",
    producer: "cadvisor",
    labels: ["namespace", "pod", "container"],
    help: "CPU time used (kubelet /metrics/cadvisor)",
  },
  {
    name: "container_memory_working_set_bytes",
    producer: "cadvisor",
    labels: ["namespace", "pod", "container"],
    help: "Working set, what the OOM killer compares with the limit (kubelet /metrics/cadvisor)",
  },
  {
    name: "container_cpu_allocation",
    producer: "opencost",
    labels: ["namespace", "pod", "container", "node"],
    help: "CPU cores allocated: max(request, usage)",
  },
  {
    name: "container_memory_allocation_bytes",
    producer: "opencost",
    labels: ["namespace", "pod", "container", "node"],
    help: "Memory allocated: max(request, usage)",
  },
  {
    name: "container_gpu_allocation",
    producer: "opencost",
    labels: ["namespace", "pod", "container", "node"],
    help: "GPUs allocated",
  },
  {
    name: "node_cpu_hourly_cost",
    producer: "opencost",
    labels: ["node"],
    help: "USD per vCPU-hour of the node",
  },
  {
    name: "node_ram_hourly_cost",
    producer: "opencost",
    labels: ["node"],
    help: "USD per GiB-hour of the node",
  },
  {
    name: "node_gpu_hourly_cost",
    producer: "opencost",
    labels: ["node"],
    help: "USD per GPU-hour of the node",
  },
  {
    name: "DCGM_FI_DEV_GPU_UTIL",
    producer: "dcgm-exporter",
    labels: ["gpu", "UUID", "modelName", "Hostname", "namespace", "pod"],
    help: "GPU utilisation, percent",
  },
  {
    name: "DCGM_FI_DEV_FB_USED",
    producer: "dcgm-exporter",
    labels: ["gpu", "UUID", "Hostname"],
    help: "Framebuffer memory used, MiB",
  },
  {
    name: "DCGM_FI_DEV_FB_FREE",
    producer: "dcgm-exporter",
    labels: ["gpu", "UUID", "Hostname"],
    help: "Framebuffer memory free, MiB",
  },
  ksm(
    "kube_deployment_status_replicas_available",
    ["namespace", "deployment"],
    "Available pods of a Deployment (the in-cluster Valkey stores)",
  ),
  ksm(
    "kube_cronjob_status_last_successful_time",
    ["namespace", "cronjob"],
    "When a CronJob last succeeded (the in-cluster volume snapshot schedule)",
  ),
  {
    name: "kubelet_volume_stats_used_bytes",
    producer: "kubelet",
    labels: ["namespace", "persistentvolumeclaim"],
    help: "Bytes used on a mounted claim (kubelet /metrics)",
  },
  {
    name: "kubelet_volume_stats_capacity_bytes",
    producer: "kubelet",
    labels: ["namespace", "persistentvolumeclaim"],
    help: "Capacity of a mounted claim (kubelet /metrics)",
  },
  {
    name: "cnpg_collector_up",
    producer: "cloudnative-pg",
    labels: ["namespace", "cluster", "pod"],
    help: "1 when the instance's PostgreSQL answers (CloudNativePG instance manager, through the store's PodMonitor)",
  },
  {
    name: "cnpg_pg_replication_lag",
    producer: "cloudnative-pg",
    labels: ["namespace", "pod"],
    help: "Seconds a standby replays behind the primary (CloudNativePG default queries, pg_replication)",
  },
  {
    name: "cnpg_collector_last_available_backup_timestamp",
    producer: "cloudnative-pg",
    labels: ["namespace", "cluster"],
    help: "Unix time of the newest available backup (CloudNativePG instance manager)",
  },
  rule(
    "agentops:pod_agent_info",
    ["namespace", "pod", ...AGENT_TIER],
    "1 per agent pod: maps pods to agents",
  ),
  rule("agentops:agent_requests:rate5m", AGENT, "Requests per second"),
  rule("agentops:agent_errors:rate5m", AGENT, "5xx responses per second"),
  rule("agentops:agent_error_ratio:rate5m", AGENT, "Share of 5xx responses"),
  rule("agentops:agent_request_duration_seconds:p50_5m", AGENT, "Median latency"),
  rule("agentops:agent_request_duration_seconds:p95_5m", AGENT, "95th percentile latency"),
  rule("agentops:agent_request_duration_seconds:p99_5m", AGENT, "99th percentile latency"),
  rule("agentops:agent_availability:ratio_rate1h", AGENT, "Share of non-5xx responses over the last hour"),
  rule("agentops:pod_cost_hourly_usd", ["namespace", "pod", "resource"], "OpenCost allocation × node price"),
  rule(
    "agentops:agent_compute_cost_hourly_usd",
    AGENT_TIER,
    "Compute cost of the agent's pods, USD per hour",
  ),
  rule(
    "agentops:agent_projected_monthly_usd",
    AGENT_TIER,
    "Compute (last day's mean × 730 h) plus LLM: measured by the gateway where it runs, else declared",
  ),
  rule("agentops:agent_budget_monthly_usd", AGENT_TIER, "The agent's budget from the stack configuration"),
  rule(
    "agentops:agent_llm_monthly_usd",
    AGENT_TIER,
    "The agent's declared LLM spend from the stack configuration",
  ),
  rule(
    "agentops:store_monthly_usd",
    ["store", "engine"],
    "A data store's monthly cost from the cost model (observability/stores.ts; stores on AWS only)",
  ),
  rule(
    "agentops:agent_llm_spend_monthly_usd",
    AGENT_TIER,
    "LLM spend the gateway measured, projected to a month (gateway/observability.ts; only with the gateway)",
  ),
];
