/**
 * Grafana dashboards as code: small builders producing dashboard JSON (schema of Grafana 12/13), shipped as
 * ConfigMaps that Grafana's dashboard sidecar loads from the monitoring namespace.
 */
import { PLATFORM_NAMESPACES } from "../lib/contract";
import { ALERT_THRESHOLDS } from "./rules";

/** The label Grafana's sidecar looks for; kube-prometheus-stack's values set the same. */
export const GRAFANA_DASHBOARD_LABEL = { key: "grafana_dashboard", value: "1" } as const;
/** Prometheus data source uid, pinned in kube-prometheus-stack's values (`grafana.sidecar.datasources.uid`). */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";

const DS = { type: "prometheus", uid: PROMETHEUS_DATASOURCE_UID } as const;

export interface Target {
  refId: string;
  datasource: typeof DS;
  expr: string;
  legendFormat: string;
}

export interface Panel {
  id: number;
  type: "timeseries" | "stat" | "bargauge" | "table";
  title: string;
  description?: string;
  datasource: typeof DS;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
  fieldConfig: {
    defaults: {
      unit: string;
      min?: number;
      max?: number;
      thresholds?: { mode: "absolute"; steps: { color: string; value: number | null }[] };
    };
    overrides: never[];
  };
  options: Record<string, unknown>;
}

export interface Variable {
  name: string;
  label: string;
  type: "query";
  datasource: typeof DS;
  query: { query: string; refId: string };
  definition: string;
  includeAll: true;
  multi: true;
  allValue: ".*";
  current: { text: string[]; value: string[] };
  refresh: 2;
  sort: 1;
}

export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  editable: false;
  timezone: "browser";
  schemaVersion: number;
  version: 1;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: Variable[] };
  panels: Panel[];
}

/** What a panel shows: its queries (expr + legend) and how values read. */
interface PanelSpec {
  type?: Panel["type"];
  title: string;
  description?: string;
  unit: string;
  queries: [expr: string, legend: string][];
  /** Red from this value up (or, with `below`, under it). */
  threshold?: { value: number; below?: boolean };
  min?: number;
  max?: number;
  /** Width in grid columns (of 24). @default 12 */
  w?: number;
}

/** Grid layout: panels flow left to right, 8 rows high, wrapping at 24 columns. */
function layout(specs: PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  return specs.map((s, i) => {
    const w = s.w ?? 12;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const gridPos = { x, y, w, h: 8 };
    x += w;
    const steps = s.threshold
      ? s.threshold.below
        ? [
            { color: "red", value: null },
            { color: "green", value: s.threshold.value },
          ]
        : [
            { color: "green", value: null },
            { color: "red", value: s.threshold.value },
          ]
      : undefined;
    const type = s.type ?? "timeseries";
    return {
      id: i + 1,
      type,
      title: s.title,
      ...(s.description ? { description: s.description } : {}),
      datasource: DS,
      gridPos,
      targets: s.queries.map(([expr, legendFormat], j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: DS,
        expr,
        legendFormat,
      })),
      fieldConfig: {
        defaults: {
          unit: s.unit,
          ...(s.min !== undefined ? { min: s.min } : {}),
          ...(s.max !== undefined ? { max: s.max } : {}),
          ...(steps ? { thresholds: { mode: "absolute" as const, steps } } : {}),
        },
        overrides: [],
      },
      options:
        type === "timeseries"
          ? { legend: { displayMode: "table", placement: "bottom", calcs: ["lastNotNull", "max"] } }
          : { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false } },
    };
  });
}

function variable(name: string, label: string, metric: string, dependsOn?: string): Variable {
  const selector = dependsOn ? `${metric}{${dependsOn}=~"$${dependsOn}"}` : metric;
  const query = `label_values(${selector}, ${name})`;
  return {
    name,
    label,
    type: "query",
    datasource: DS,
    query: { query, refId: `${name}-values` },
    definition: query,
    includeAll: true,
    multi: true,
    allValue: ".*",
    current: { text: ["All"], value: ["$__all"] },
    refresh: 2,
    sort: 1,
  };
}

function dashboard(uid: string, title: string, variables: Variable[], specs: PanelSpec[]): Dashboard {
  return {
    uid,
    title,
    tags: ["agentops"],
    // Provisioned from code: edits in the UI would be lost at the next sidecar reload.
    editable: false,
    timezone: "browser",
    schemaVersion: 41,
    version: 1,
    refresh: "1m",
    time: { from: "now-6h", to: "now" },
    templating: { list: variables },
    panels: layout(specs),
  };
}

const sel = '{tenant=~"$tenant", agent=~"$agent"}';
const agentVars = (metric: string) => [
  variable("tenant", "Tenant", metric),
  variable("agent", "Agent", metric, "tenant"),
];
const t = ALERT_THRESHOLDS;
const withAgent = "* on (namespace, pod) group_left (agent, tenant, tier) agentops:pod_agent_info";

export function agentOverviewDashboard(): Dashboard {
  return dashboard(
    "agentops-agent-overview",
    "AgentOps / Agent overview",
    agentVars("agentops:agent_requests:rate5m"),
    [
      {
        title: "Request rate",
        unit: "reqps",
        queries: [[`sum by (tenant, agent) (agentops:agent_requests:rate5m${sel})`, "{{tenant}}/{{agent}}"]],
      },
      {
        title: "Error rate (5xx)",
        unit: "percentunit",
        min: 0,
        threshold: { value: t.highErrorRate.ratio },
        queries: [[`agentops:agent_error_ratio:rate5m${sel}`, "{{tenant}}/{{agent}}"]],
      },
      {
        title: "Latency p50",
        unit: "s",
        queries: [[`agentops:agent_request_duration_seconds:p50_5m${sel}`, "{{tenant}}/{{agent}}"]],
      },
      {
        title: "Latency p95",
        unit: "s",
        threshold: { value: t.highLatency.p95Seconds },
        queries: [[`agentops:agent_request_duration_seconds:p95_5m${sel}`, "{{tenant}}/{{agent}}"]],
      },
    ],
  );
}

export function resourcesDashboard(): Dashboard {
  const cadvisor = 'job="kubelet", container!=""';
  return dashboard("agentops-resources", "AgentOps / Resources", agentVars("agentops:pod_agent_info"), [
    {
      title: "CPU used",
      unit: "short",
      queries: [
        [
          `sum by (tenant, agent) (rate(container_cpu_usage_seconds_total{${cadvisor}}[5m]) ${withAgent}${sel})`,
          "{{tenant}}/{{agent}} used",
        ],
        [
          `sum by (tenant, agent) (kube_pod_container_resource_requests{job="kube-state-metrics", resource="cpu"} ${withAgent}${sel})`,
          "{{tenant}}/{{agent}} requested",
        ],
      ],
    },
    {
      title: "Memory used",
      unit: "bytes",
      queries: [
        [
          `sum by (tenant, agent) (container_memory_working_set_bytes{${cadvisor}} ${withAgent}${sel})`,
          "{{tenant}}/{{agent}} working set",
        ],
        [
          `sum by (tenant, agent) (kube_pod_container_resource_requests{job="kube-state-metrics", resource="memory"} ${withAgent}${sel})`,
          "{{tenant}}/{{agent}} requested",
        ],
      ],
    },
    {
      title: "Memory, share of limit (highest container)",
      unit: "percentunit",
      min: 0,
      max: 1,
      threshold: { value: t.memoryPressure.ratioOfLimit },
      queries: [
        [
          `max by (tenant, agent) (max by (namespace, pod, container) (container_memory_working_set_bytes{${cadvisor}}) / on (namespace, pod, container) max by (namespace, pod, container) (kube_pod_container_resource_limits{job="kube-state-metrics", resource="memory"}) ${withAgent}${sel})`,
          "{{tenant}}/{{agent}}",
        ],
      ],
    },
    {
      title: "GPU utilisation",
      description: "DCGM exporter, per GPU; the pod holding the GPU when there is one.",
      unit: "percent",
      min: 0,
      max: 100,
      threshold: { value: t.gpuIdle.utilisationPercent, below: true },
      queries: [
        [
          "max by (Hostname, gpu, modelName, namespace, pod) (DCGM_FI_DEV_GPU_UTIL)",
          "{{Hostname}} GPU {{gpu}} {{pod}}",
        ],
      ],
    },
    {
      title: "GPU memory used",
      unit: "percentunit",
      min: 0,
      max: 1,
      w: 24,
      queries: [
        [
          "max by (Hostname, gpu) (DCGM_FI_DEV_FB_USED) / (max by (Hostname, gpu) (DCGM_FI_DEV_FB_USED) + max by (Hostname, gpu) (DCGM_FI_DEV_FB_FREE))",
          "{{Hostname}} GPU {{gpu}}",
        ],
      ],
    },
  ]);
}

/** Options of the dashboards that depend on what the platform runs. */
export interface DashboardOptions {
  /**
   * The LLM gateway runs: the Cost dashboard shows the LLM spend it measured
   * (`agentops:agent_llm_spend_monthly_usd`) beside each agent's limit, and its projection (the recording rule
   * `agentops:agent_projected_monthly_usd`, see rules.ts) counts the measured spend. @default false
   */
  measuredLlmSpend?: boolean;
}

export function costDashboard(opts: DashboardOptions = {}): Dashboard {
  const vars = [...agentVars("agentops:agent_budget_monthly_usd")];
  const llm = opts.measuredLlmSpend ? "the LLM spend the gateway measured" : "the declared LLM spend";
  const llmRows: [string, string][] = opts.measuredLlmSpend
    ? [
        [`agentops:agent_llm_spend_monthly_usd${sel}`, "{{tenant}}/{{agent}} LLM (measured, projected)"],
        [`agentops:agent_llm_monthly_usd${sel}`, "{{tenant}}/{{agent}} LLM limit"],
      ]
    : [[`agentops:agent_llm_monthly_usd${sel}`, "{{tenant}}/{{agent}} LLM (declared)"]];
  return dashboard("agentops-cost", "AgentOps / Cost", vars, [
    {
      type: "bargauge",
      title: "Projected monthly cost against budget",
      description: `Compute measured by OpenCost over the last day × 730 h, plus ${llm}; 100% is the budget.`,
      unit: "percentunit",
      min: 0,
      max: 1.5,
      threshold: { value: 1 },
      queries: [
        [
          `agentops:agent_projected_monthly_usd${sel} / on (agent, tenant, tier) agentops:agent_budget_monthly_usd${sel}`,
          "{{tenant}}/{{agent}}",
        ],
      ],
    },
    {
      type: "table",
      title: "Projected and budget, USD a month",
      unit: "currencyUSD",
      queries: [
        [`agentops:agent_projected_monthly_usd${sel}`, "{{tenant}}/{{agent}} projected"],
        [`agentops:agent_budget_monthly_usd${sel}`, "{{tenant}}/{{agent}} budget"],
        ...llmRows,
      ],
    },
    {
      title: "Compute cost per agent, USD an hour",
      unit: "currencyUSD",
      queries: [[`agentops:agent_compute_cost_hourly_usd${sel}`, "{{tenant}}/{{agent}}"]],
    },
    {
      title: "Compute cost per tenant and tier, USD an hour",
      unit: "currencyUSD",
      queries: [
        [`sum by (tenant) (agentops:agent_compute_cost_hourly_usd${sel})`, "tenant {{tenant}}"],
        [`sum by (tier) (agentops:agent_compute_cost_hourly_usd${sel})`, "tier {{tier}}"],
      ],
    },
    {
      type: "bargauge",
      title: "Projected against budget per tenant, USD a month",
      unit: "currencyUSD",
      w: 24,
      queries: [
        [`sum by (tenant) (agentops:agent_projected_monthly_usd${sel})`, "{{tenant}} projected"],
        [`sum by (tenant) (agentops:agent_budget_monthly_usd${sel})`, "{{tenant}} budget"],
      ],
    },
    {
      type: "bargauge",
      title: "Data stores, USD a month",
      description:
        "The cost model's estimate of each data store on AWS (instance or node hours, storage, backups, requests at the configured size); agent volumes' backups are in cost.json. Empty on a cluster made elsewhere.",
      unit: "currencyUSD",
      w: 24,
      queries: [["sum by (store, engine) (agentops:store_monthly_usd)", "{{store}} ({{engine}})"]],
    },
  ]);
}

export function sloDashboard(): Dashboard {
  const slo = t.lowAvailability.ratio;
  return dashboard("agentops-slo", "AgentOps / SLO", agentVars("agentops:agent_availability:ratio_rate1h"), [
    {
      type: "stat",
      title: "Availability, last hour",
      unit: "percentunit",
      threshold: { value: slo, below: true },
      queries: [[`agentops:agent_availability:ratio_rate1h${sel}`, "{{tenant}}/{{agent}}"]],
    },
    {
      type: "stat",
      title: "Availability, last 30 days",
      description: "Mean of the hourly availability: hours without traffic do not count.",
      unit: "percentunit",
      threshold: { value: slo, below: true },
      queries: [
        [`avg_over_time(agentops:agent_availability:ratio_rate1h${sel}[30d])`, "{{tenant}}/{{agent}}"],
      ],
    },
    {
      title: "Availability over time",
      unit: "percentunit",
      max: 1,
      threshold: { value: slo, below: true },
      queries: [[`agentops:agent_availability:ratio_rate1h${sel}`, "{{tenant}}/{{agent}}"]],
    },
    {
      title: "Latency percentiles",
      unit: "s",
      threshold: { value: t.highLatency.p95Seconds },
      queries: [
        [`agentops:agent_request_duration_seconds:p50_5m${sel}`, "{{tenant}}/{{agent}} p50"],
        [`agentops:agent_request_duration_seconds:p95_5m${sel}`, "{{tenant}}/{{agent}} p95"],
        [`agentops:agent_request_duration_seconds:p99_5m${sel}`, "{{tenant}}/{{agent}} p99"],
      ],
    },
  ]);
}

export const DASHBOARDS: readonly ((opts?: DashboardOptions) => Dashboard)[] = [
  agentOverviewDashboard,
  resourcesDashboard,
  costDashboard,
  sloDashboard,
];

export interface DashboardConfigMap {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
}

/** One ConfigMap per dashboard, labelled for the sidecar, in the monitoring namespace. */
export function dashboardConfigMaps(opts: DashboardOptions = {}): DashboardConfigMap[] {
  return DASHBOARDS.map((build) => {
    const d = build(opts);
    return {
      metadata: {
        name: `dashboard-${d.uid}`,
        namespace: PLATFORM_NAMESPACES.monitoring,
        labels: {
          [GRAFANA_DASHBOARD_LABEL.key]: GRAFANA_DASHBOARD_LABEL.value,
          "app.kubernetes.io/part-of": "agentops",
        },
      },
      data: { [`${d.uid}.json`]: JSON.stringify(d) },
    };
  });
}
