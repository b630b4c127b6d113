import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { ADDONS, type StackConfig } from "@agentops/components";
import {
  ALERT_THRESHOLDS,
  alertGroup,
  budgetGroup,
  prometheusRules,
  recordingGroups,
  type AlertingRule,
  type RecordingRule,
} from "../components/src/observability/rules";
import { ALERT_WEBHOOK_URL_FILE } from "../components/src/observability/alerting";
import {
  costDashboard,
  DASHBOARDS,
  GRAFANA_DASHBOARD_LABEL,
  type Dashboard,
} from "../components/src/observability/dashboards";
import { METRICS, type MetricProducer } from "../components/src/observability/metrics";
import { nodeGroupsPricing } from "../components/src/model/cost/report";
import { nodeGroupUnitPrices, podHourly } from "../components/src/model/cost/estimate";
import { Observability } from "../components/src/observability/observability";
import { openCostCustomPricing } from "../components/src/observability/opencost-pricing";
import { regionPrices } from "../components/src/catalog/prices";
import { spendGroups } from "../components/src/observability/llm-gateway";
import { storeRuleGroups, type StoreRulesInput } from "../components/src/observability/stores";
import { record, stackConfig, synthStack, validateManifest } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

/** The part of @prometheus-io/lezer-promql's (Lezer) API the checks use. */
interface TreeNode {
  name: string;
  from: number;
  type: { isError: boolean };
  node: { getChild(name: string): { from: number; to: number } | null };
}
type Parser = { parse(input: string): { iterate(spec: { enter(n: TreeNode): void }): void } };
let parser: Parser;

const devConfig = (): StackConfig => stackConfig("dev");

/** Every kind of store rule: costs, volumes, in-cluster PostgreSQL with standbys, Valkey, the snapshot schedule. */
const STORE_RULES_SAMPLE: StoreRulesInput = {
  volumeNamespaces: ["governance"],
  costs: [{ store: "audit", engine: "postgres", monthlyUsd: 14.25 }],
  postgres: [{ store: "audit", instances: 2, backupGapSeconds: 86_400 }],
  valkey: [{ store: "cache", deployment: "cache-valkey" }],
  snapshotSchedule: { cronJob: "volume-snapshots", gapSeconds: 86_400 },
};

/** Every PromQL expression the stack ships: rules (with the dev stack's budgets) and dashboard panels. */
function expressions(): { where: string; expr: string }[] {
  const rules = [
    ...recordingGroups(),
    budgetGroup(devConfig().agents),
    alertGroup(),
    ...storeRuleGroups(STORE_RULES_SAMPLE),
  ].flatMap((g) =>
    g.rules.map((r) => ({ where: `${g.name}/${"record" in r ? r.record : r.alert}`, expr: r.expr })),
  );
  // Both variants: with and without the LLM gateway's measured spend.
  const panels = DASHBOARDS.flatMap((build) =>
    [false, true].flatMap((measuredLlmSpend) => {
      const d = build({ measuredLlmSpend });
      return d.panels.flatMap((p) =>
        p.targets.map((t) => ({ where: `${d.uid}/${p.title}/${t.refId}`, expr: t.expr })),
      );
    }),
  );
  return [...rules, ...panels];
}

/** Syntax error positions of `expr` (the parser is error-tolerant: it marks them with error nodes). */
function syntaxErrors(expr: string): number[] {
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(n.from);
    },
  });
  return errors;
}

/** Metric names of `expr`: the Identifier of every VectorSelector in the syntax tree. */
function metricNames(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.name === "VectorSelector") {
        const id = n.node.getChild("Identifier");
        if (id) names.push(expr.slice(id.from, id.to));
      }
    },
  });
  return names;
}

/** The Helm values of the release `name` among `resources`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Helm values are free-form per chart
function releaseValues(resources: { type: string; inputs: unknown }[], name: string): any {
  const found = resources.find((r) => r.type === RELEASE && (r.inputs as { name: string }).name === name);
  if (!found) throw new Error(`no release ${name}`);
  return (found.inputs as { values: unknown }).values;
}

const rule = (name: string): RecordingRule | AlertingRule => {
  const all = [...recordingGroups(), alertGroup()].flatMap((g) => g.rules);
  const found = all.find((r) => ("record" in r ? r.record : r.alert) === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};
const alert = (name: string) => rule(name) as AlertingRule;

describe("observability", function () {
  this.timeout(120_000);

  before(async () => {
    ({ parser } = (await import("@prometheus-io/lezer-promql")) as unknown as { parser: Parser });
  });

  describe("PromQL", () => {
    it("the syntax check itself finds an error", () => {
      assert.deepEqual(syntaxErrors("sum(rate(x[5m])"), [15]);
      assert.deepEqual(metricNames('a{job="x"} / on (n) group_left () b'), ["a", "b"]);
    });

    it("parses every rule and panel expression without a syntax error", () => {
      const all = expressions();
      assert.ok(all.length >= 40, `only ${all.length} expressions`);
      const bad = all.filter((e) => syntaxErrors(e.expr).length > 0).map((e) => `${e.where}: ${e.expr}`);
      assert.deepEqual(bad, []);
    });

    it("names only metrics of the metric list", () => {
      const known = new Set(METRICS.map((m) => m.name));
      const unknown = expressions().flatMap((e) =>
        metricNames(e.expr)
          .filter((n) => !known.has(n))
          .map((n) => `${e.where}: ${n}`),
      );
      assert.deepEqual(unknown, []);
    });

    it("names only listed metrics in the dashboards' variable queries", () => {
      const known = new Set(METRICS.map((m) => m.name));
      const used = DASHBOARDS.flatMap((b) =>
        b().templating.list.map((v) => /^label_values\(([^{,]+)/.exec(v.query.query)?.[1]),
      );
      assert.ok(used.length >= 8);
      assert.deepEqual(
        used.filter((n) => n === undefined || !known.has(n)),
        [],
      );
    });

    it("lists no metric that nothing uses", () => {
      const used = new Set(expressions().flatMap((e) => metricNames(e.expr)));
      assert.deepEqual(
        METRICS.map((m) => m.name).filter((n) => !used.has(n)),
        [],
      );
    });

    it("has every listed metric produced by something the stack installs or records", () => {
      // Recording rules are evaluated by kube-prometheus-stack's Prometheus; they must also be recorded below.
      const installed: Record<MetricProducer, string> = {
        "recording-rule": "kube-prometheus-stack",
        "kube-state-metrics": "kube-prometheus-stack",
        cadvisor: "kube-prometheus-stack",
        kubelet: "kube-prometheus-stack",
        "cloudnative-pg": "cloudnative-pg",
        opencost: "opencost",
        "dcgm-exporter": "dcgm-exporter",
        "agent-otel-sdk": "otel-collector",
      };
      const recorded = new Set(
        [
          ...recordingGroups(),
          budgetGroup(devConfig().agents),
          ...spendGroups(),
          ...storeRuleGroups(STORE_RULES_SAMPLE),
        ].flatMap((g) => g.rules.map((r) => ("record" in r ? r.record : ""))),
      );
      const missing = METRICS.filter(
        (m) =>
          !ADDONS.some((a) => a.name === installed[m.producer]) ||
          (m.producer === "recording-rule" && !recorded.has(m.name)),
      ).map((m) => m.name);
      assert.deepEqual(missing, []);
    });
  });

  describe("alerts", () => {
    it("pins the thresholds", () => {
      assert.deepEqual(ALERT_THRESHOLDS, {
        highErrorRate: { ratio: 0.05, for: "5m" },
        highLatency: { p95Seconds: 2, for: "5m" },
        memoryPressure: { ratioOfLimit: 0.9, for: "10m" },
        crashLooping: { restarts: 3, window: "10m" },
        lowAvailability: { ratio: 0.99, window: "1h" },
        hpaMaxedOut: { for: "15m" },
        gpuIdle: { utilisationPercent: 10, for: "1h" },
        budgetExceeded: { for: "1h" },
      });
    });

    it("declares exactly the eight alerts", () => {
      assert.deepEqual(
        alertGroup().rules.map((r) => (r as AlertingRule).alert),
        [
          "AgentHighErrorRate",
          "AgentHighLatency",
          "AgentMemoryPressure",
          "AgentCrashLooping",
          "AgentLowAvailability",
          "AgentHPAMaxedOut",
          "GPUIdle",
          "AgentBudgetExceeded",
        ],
      );
    });

    it("high error rate: more than 5% 5xx for 5 minutes", () => {
      const a = alert("AgentHighErrorRate");
      assert.deepEqual(
        [a.expr, a.for, a.labels.severity],
        ["agentops:agent_error_ratio:rate5m > 0.05", "5m", "critical"],
      );
      assert.equal(
        rule("agentops:agent_errors:rate5m").expr,
        'sum by (agent, tenant) (label_replace(label_replace(rate(http_server_request_duration_seconds_count{job=~".+/.+", http_response_status_code=~"5.."}[5m]), "tenant", "$1", "job", "(.+)/.+"), "agent", "$1", "job", ".+/(.+)"))',
      );
    });

    it("high latency: p95 above 2 s for 5 minutes", () => {
      const a = alert("AgentHighLatency");
      assert.deepEqual([a.expr, a.for], ["agentops:agent_request_duration_seconds:p95_5m > 2", "5m"]);
      assert.equal(
        rule("agentops:agent_request_duration_seconds:p95_5m").expr,
        'histogram_quantile(0.95, sum by (agent, tenant, le) (label_replace(label_replace(rate(http_server_request_duration_seconds_bucket{job=~".+/.+"}[5m]), "tenant", "$1", "job", "(.+)/.+"), "agent", "$1", "job", ".+/(.+)")))',
      );
    });

    it("memory pressure: working set above 90% of the limit for 10 minutes", () => {
      const a = alert("AgentMemoryPressure");
      assert.deepEqual(
        [a.expr, a.for],
        [
          'max by (namespace, pod, container) (container_memory_working_set_bytes{job="kubelet", container!=""}) / on (namespace, pod, container) max by (namespace, pod, container) (kube_pod_container_resource_limits{job="kube-state-metrics", resource="memory"}) * on (namespace, pod) group_left (agent, tenant, tier) agentops:pod_agent_info > 0.9',
          "10m",
        ],
      );
    });

    it("crash loops: more than 3 restarts in 10 minutes", () => {
      const a = alert("AgentCrashLooping");
      assert.deepEqual(
        [a.expr, a.for],
        [
          'increase(kube_pod_container_status_restarts_total{job="kube-state-metrics"}[10m]) * on (namespace, pod) group_left (agent, tenant, tier) agentops:pod_agent_info > 3',
          undefined,
        ],
      );
    });

    it("low availability: under 99% of requests without 5xx over 1 hour", () => {
      const a = alert("AgentLowAvailability");
      assert.deepEqual(
        [a.expr, a.for, a.labels.severity],
        ["agentops:agent_availability:ratio_rate1h < 0.99", undefined, "critical"],
      );
      assert.match(
        rule("agentops:agent_availability:ratio_rate1h").expr,
        /^1 - \(sum by .*\[1h\].* or sum by .*\[1h\].* \* 0\) \/ sum by .*\[1h\]/,
      );
    });

    it("HPA pinned at max replicas for 15 minutes, unless min equals max", () => {
      const a = alert("AgentHPAMaxedOut");
      assert.deepEqual(
        [a.expr, a.for],
        [
          'kube_horizontalpodautoscaler_status_current_replicas{job="kube-state-metrics"} >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{job="kube-state-metrics"} and on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{job="kube-state-metrics"} > on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_min_replicas{job="kube-state-metrics"}',
          "15m",
        ],
      );
    });

    it("GPU idle: utilisation under 10% for 1 hour", () => {
      const a = alert("GPUIdle");
      assert.deepEqual([a.expr, a.for], ["DCGM_FI_DEV_GPU_UTIL < 10", "1h"]);
    });

    it("budget exceeded: projected monthly cost above the budget, like for like, for 1 hour", () => {
      const a = alert("AgentBudgetExceeded");
      assert.deepEqual(
        [a.expr, a.for],
        [
          "agentops:agent_projected_monthly_usd > on (agent, tenant, tier) agentops:agent_budget_monthly_usd",
          "1h",
        ],
      );
      assert.equal(
        rule("agentops:agent_projected_monthly_usd").expr,
        "sum_over_time(agentops:agent_compute_cost_hourly_usd[1d]) / 1440 * 730 + on (agent, tenant, tier) agentops:agent_llm_monthly_usd",
      );
      assert.equal(
        rule("agentops:agent_compute_cost_hourly_usd").expr,
        "sum by (agent, tenant, tier) (agentops:pod_cost_hourly_usd * on (namespace, pod) group_left (agent, tenant, tier) agentops:pod_agent_info)",
      );
    });

    it("prices pods from OpenCost's allocation times the node's unit price, per resource", () => {
      const cost = recordingGroups().find((g) => g.name === "agentops-cost")!;
      assert.equal(cost.interval, "60s");
      assert.deepEqual(
        (cost.rules as RecordingRule[])
          .filter((r) => r.record === "agentops:pod_cost_hourly_usd")
          .map((r) => [r.labels, r.expr]),
        [
          [
            { resource: "cpu" },
            "sum by (namespace, pod) (container_cpu_allocation * on (node) group_left () max by (node) (node_cpu_hourly_cost))",
          ],
          [
            { resource: "memory" },
            "sum by (namespace, pod) (container_memory_allocation_bytes / 1073741824 * on (node) group_left () max by (node) (node_ram_hourly_cost))",
          ],
          [
            { resource: "gpu" },
            "sum by (namespace, pod) (container_gpu_allocation * on (node) group_left () max by (node) (node_gpu_hourly_cost))",
          ],
        ],
      );
    });
  });

  describe("budgets", () => {
    it("exports the budget and declared LLM spend of the dev stack's five governance agents", () => {
      const group = budgetGroup(devConfig().agents);
      const rows = (group.rules as RecordingRule[]).map((r) => [r.record, r.labels, r.expr]);
      const labels = (agent: string, tier: string) => ({ agent, tenant: "governance", tier });
      assert.deepEqual(rows, [
        ["agentops:agent_budget_monthly_usd", labels("security-agent", "3"), "vector(150)"],
        ["agentops:agent_llm_monthly_usd", labels("security-agent", "3"), "vector(40)"],
        ["agentops:agent_budget_monthly_usd", labels("it-ops-agent", "3"), "vector(300)"],
        ["agentops:agent_llm_monthly_usd", labels("it-ops-agent", "3"), "vector(80)"],
        ["agentops:agent_budget_monthly_usd", labels("ai-agent", "3"), "vector(800)"],
        ["agentops:agent_llm_monthly_usd", labels("ai-agent", "3"), "vector(100)"],
        ["agentops:agent_budget_monthly_usd", labels("architect-agent", "4"), "vector(350)"],
        ["agentops:agent_llm_monthly_usd", labels("architect-agent", "4"), "vector(150)"],
        ["agentops:agent_budget_monthly_usd", labels("triage-agent", "2"), "vector(60)"],
        ["agentops:agent_llm_monthly_usd", labels("triage-agent", "2"), "vector(20)"],
      ]);
    });

    it("leaves the budgets object out when there are no agents", () => {
      assert.deepEqual(
        prometheusRules([]).map((r) => r.metadata.name),
        ["agentops-rules"],
      );
    });
  });

  describe("dashboards", () => {
    const dashboards = (): Dashboard[] => DASHBOARDS.map((b) => b());

    it("ships the four dashboards with unique uids", () => {
      assert.deepEqual(
        dashboards().map((d) => [d.uid, d.title]),
        [
          ["agentops-agent-overview", "AgentOps / Agent overview"],
          ["agentops-resources", "AgentOps / Resources"],
          ["agentops-cost", "AgentOps / Cost"],
          ["agentops-slo", "AgentOps / SLO"],
        ],
      );
    });

    it("Cost: shows the LLM spend the gateway measured beside the limit when the gateway runs, else the declared spend", () => {
      const table = (measuredLlmSpend: boolean) =>
        costDashboard({ measuredLlmSpend }).panels.find(
          (p) => p.title === "Projected and budget, USD a month",
        )!;
      const exprs = (measured: boolean) =>
        table(measured).targets.map((t) => [t.expr.replace(/\{.*\}$/, ""), t.legendFormat]);
      assert.deepEqual(exprs(true), [
        ["agentops:agent_projected_monthly_usd", "{{tenant}}/{{agent}} projected"],
        ["agentops:agent_budget_monthly_usd", "{{tenant}}/{{agent}} budget"],
        ["agentops:agent_llm_spend_monthly_usd", "{{tenant}}/{{agent}} LLM (measured, projected)"],
        ["agentops:agent_llm_monthly_usd", "{{tenant}}/{{agent}} LLM limit"],
      ]);
      assert.deepEqual(exprs(false).slice(2), [
        ["agentops:agent_llm_monthly_usd", "{{tenant}}/{{agent}} LLM (declared)"],
      ]);
    });

    it("gives every panel an id unique within its dashboard and a place inside the 24-column grid", () => {
      for (const d of dashboards()) {
        const ids = d.panels.map((p) => p.id);
        assert.equal(new Set(ids).size, ids.length, d.uid);
        for (const p of d.panels) assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${d.uid}/${p.title}`);
        const cells = d.panels.map((p) => `${p.gridPos.x},${p.gridPos.y}`);
        assert.equal(new Set(cells).size, cells.length, `${d.uid}: overlapping panels`);
      }
    });

    it("references only the Prometheus data source kube-prometheus-stack provisions", async () => {
      const { resources } = await synthStack("dev");
      const kps = resources.find(
        (r) => r.type === RELEASE && (r.inputs as { name: string }).name === "kube-prometheus-stack",
      )!;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Helm values are free-form
      const uid = (kps.inputs as any).values.grafana.sidecar.datasources.uid as string;
      assert.equal(uid, "prometheus");
      const refs = dashboards().flatMap((d) => [
        ...d.panels.flatMap((p) => [p.datasource, ...p.targets.map((t) => t.datasource)]),
        ...d.templating.list.map((v) => v.datasource),
      ]);
      assert.ok(refs.length > 40);
      assert.deepEqual(new Set(refs.map((r) => `${r.type}/${r.uid}`)), new Set([`prometheus/${uid}`]));
    });

    it("agent overview: request rate, p50/p95 latency and error rate by agent and tenant", () => {
      const d = dashboards()[0]!;
      const sel = '{tenant=~"$tenant", agent=~"$agent"}';
      assert.deepEqual(
        d.panels.map((p) => [p.title, p.fieldConfig.defaults.unit, p.targets.map((t) => t.expr)]),
        [
          ["Request rate", "reqps", [`sum by (tenant, agent) (agentops:agent_requests:rate5m${sel})`]],
          ["Error rate (5xx)", "percentunit", [`agentops:agent_error_ratio:rate5m${sel}`]],
          ["Latency p50", "s", [`agentops:agent_request_duration_seconds:p50_5m${sel}`]],
          ["Latency p95", "s", [`agentops:agent_request_duration_seconds:p95_5m${sel}`]],
        ],
      );
      assert.deepEqual(
        d.templating.list.map((v) => v.query.query),
        [
          "label_values(agentops:agent_requests:rate5m, tenant)",
          'label_values(agentops:agent_requests:rate5m{tenant=~"$tenant"}, agent)',
        ],
      );
    });

    it("resources: CPU and memory per agent, GPU utilisation from the DCGM exporter", () => {
      const d = dashboards()[1]!;
      const metrics = d.panels.map((p) => [
        p.title,
        [...new Set(p.targets.flatMap((t) => metricNames(t.expr)))].sort(),
      ]);
      assert.deepEqual(metrics, [
        [
          "CPU used",
          [
            "agentops:pod_agent_info",
            "container_cpu_usage_seconds_total",
            "kube_pod_container_resource_requests",
          ],
        ],
        [
          "Memory used",
          [
            "agentops:pod_agent_info",
            "container_memory_working_set_bytes",
            "kube_pod_container_resource_requests",
          ],
        ],
        [
          "Memory, share of limit (highest container)",
          [
            "agentops:pod_agent_info",
            "container_memory_working_set_bytes",
            "kube_pod_container_resource_limits",
          ],
        ],
        ["GPU utilisation", ["DCGM_FI_DEV_GPU_UTIL"]],
        ["GPU memory used", ["DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_FB_USED"]],
      ]);
    });

    it("cost: projected cost per agent against its budget, and per tenant and tier", () => {
      const d = dashboards()[2]!;
      const sel = '{tenant=~"$tenant", agent=~"$agent"}';
      assert.deepEqual(
        d.panels[0]!.targets[0]!.expr,
        `agentops:agent_projected_monthly_usd${sel} / on (agent, tenant, tier) agentops:agent_budget_monthly_usd${sel}`,
      );
      assert.deepEqual(d.panels[0]!.fieldConfig.defaults.thresholds?.steps, [
        { color: "green", value: null },
        { color: "red", value: 1 },
      ]);
      assert.deepEqual(
        d.panels[3]!.targets.map((t) => t.expr),
        [
          `sum by (tenant) (agentops:agent_compute_cost_hourly_usd${sel})`,
          `sum by (tier) (agentops:agent_compute_cost_hourly_usd${sel})`,
        ],
      );
    });

    it("SLO: availability against 99% and the latency percentiles", () => {
      const d = dashboards()[3]!;
      assert.deepEqual(
        d.panels.map((p) => [
          p.title,
          p.fieldConfig.defaults.thresholds?.steps[1]?.value,
          p.targets.map((t) => metricNames(t.expr)[0]),
        ]),
        [
          ["Availability, last hour", 0.99, ["agentops:agent_availability:ratio_rate1h"]],
          ["Availability, last 30 days", 0.99, ["agentops:agent_availability:ratio_rate1h"]],
          ["Availability over time", 0.99, ["agentops:agent_availability:ratio_rate1h"]],
          [
            "Latency percentiles",
            2,
            [
              "agentops:agent_request_duration_seconds:p50_5m",
              "agentops:agent_request_duration_seconds:p95_5m",
              "agentops:agent_request_duration_seconds:p99_5m",
            ],
          ],
        ],
      );
    });
  });

  describe("in the dev stack", () => {
    it("ships each dashboard as a ConfigMap in monitoring labelled for the Grafana sidecar", async () => {
      const { manifests } = await synthStack("dev");
      const maps = manifests.filter(
        (m) => m.kind === "ConfigMap" && m.metadata.labels?.[GRAFANA_DASHBOARD_LABEL.key] === "1",
      );
      assert.deepEqual(
        maps.map((m) => [
          m.metadata.namespace,
          m.metadata.name,
          Object.keys((m as unknown as { data: object }).data),
        ]),
        DASHBOARDS.map((b) => b().uid).map((uid) => ["monitoring", `dashboard-${uid}`, [`${uid}.json`]]),
      );
      for (const m of maps) await validateManifest(m);
      const json = JSON.parse(
        (maps[0] as unknown as { data: Record<string, string> }).data["agentops-agent-overview.json"]!,
      );
      assert.equal(json.uid, "agentops-agent-overview");
    });

    it("ships the rules and the budgets as PrometheusRules that validate against the CRD", async () => {
      const { manifests } = await synthStack("dev");
      const rules = manifests.filter(
        (m) => m.kind === "PrometheusRule" && m.metadata.namespace === "monitoring",
      );
      assert.deepEqual(rules.map((r) => r.metadata.name).sort(), [
        "agentops-budgets",
        "agentops-llm-gateway",
        "agentops-rules",
        // The data stores' cost series and alerts (observability/stores.ts).
        "agentops-stores",
      ]);
      for (const r of rules) await validateManifest(r);
    });

    it("turns on the dashboard sidecar for monitoring and exports the agent pod labels", async () => {
      const { resources } = await synthStack("dev");
      const values = releaseValues(resources, "kube-prometheus-stack");
      assert.deepEqual(values.grafana.sidecar.dashboards, {
        enabled: true,
        label: "grafana_dashboard",
        labelValue: "1",
        searchNamespace: "monitoring",
      });
      assert.deepEqual(values["kube-state-metrics"].metricLabelsAllowlist, [
        "pods=[agentops.io/agent,agentops.io/tenant,agentops.io/tier]",
      ]);
    });

    it("routes alerts to the webhook whose URL Alertmanager reads from the Secret External Secrets fills from Vault", async () => {
      const { resources, manifests } = await synthStack("dev");
      const am = releaseValues(resources, "kube-prometheus-stack").alertmanager;
      assert.deepEqual(am.alertmanagerSpec.secrets, ["alertmanager-webhook"]);
      assert.equal(am.config.route.receiver, "agentops-webhook");
      assert.deepEqual(am.config.receivers, [
        { name: "null" },
        {
          name: "agentops-webhook",
          webhook_configs: [
            { url_file: "/etc/alertmanager/secrets/alertmanager-webhook/url", send_resolved: true },
          ],
        },
      ]);
      assert.equal(ALERT_WEBHOOK_URL_FILE, "/etc/alertmanager/secrets/alertmanager-webhook/url");
      const es = manifests.find(
        (m) => m.kind === "ExternalSecret" && m.metadata.name === "alertmanager-webhook",
      )!;
      assert.equal(es.metadata.namespace, "monitoring");
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- spec checked field by field
      const spec = (es as any).spec;
      assert.deepEqual(
        [spec.secretStoreRef, spec.target.name, spec.data],
        [
          { kind: "ClusterSecretStore", name: "vault" },
          "alertmanager-webhook",
          [{ secretKey: "url", remoteRef: { key: "platform/dev/alertmanager", property: "webhook-url" } }],
        ],
      );
      await validateManifest(es);
    });

    it("installs OpenCost against kube-prometheus-stack's Prometheus, after its pricing ConfigMap", async () => {
      const { resources } = await synthStack("dev");
      const release = resources.find(
        (r) => r.type === RELEASE && (r.inputs as { name: string }).name === "opencost",
      )!;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Helm values are free-form
      const oc = (release.inputs as any).values.opencost;
      assert.deepEqual(oc.prometheus.internal, {
        enabled: true,
        serviceName: "kube-prometheus-stack-prometheus",
        namespaceName: "monitoring",
        port: 9090,
      });
      assert.deepEqual(oc.customPricing, {
        enabled: true,
        createConfigmap: false,
        configmapName: "opencost-pricing",
        provider: "custom",
      });
      assert.equal(oc.exporter.extraEnv.USE_CUSTOM_PROVIDER, "true");
      assert.ok(
        release.dependsOn.some((urn) =>
          /\$kubernetes:core\/v1:ConfigMap::[a-z-]*opencost-pricing$/.test(urn),
        ),
      );
    });

    it("installs the DCGM exporter only on GPU nodes, tolerating their taint", async () => {
      const { resources } = await synthStack("dev");
      const release = resources.find(
        (r) => r.type === RELEASE && (r.inputs as { name: string }).name === "dcgm-exporter",
      )!;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Helm values are free-form
      const v = (release.inputs as any).values;
      assert.deepEqual(
        [v.nodeSelector, v.tolerations, v.serviceMonitor],
        [
          { "agentops.io/node-group": "gpu" },
          [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
          { enabled: true, honorLabels: true },
        ],
      );
    });
  });

  describe("OpenCost pricing", () => {
    const config = devConfig();
    const prices = regionPrices("us-east-1");
    const groups = nodeGroupsPricing(config.cluster);
    const pricing = openCostCustomPricing({ prices, nodeGroups: groups });

    it("takes on-demand, spot and GPU unit prices from the cost model's node groups", () => {
      const system = nodeGroupUnitPrices(prices, groups.system);
      const spot = nodeGroupUnitPrices(prices, groups.spot);
      const gpu = nodeGroupUnitPrices(prices, groups.gpu);
      const p = (n: number) => n.toPrecision(6);
      assert.deepEqual(pricing, {
        provider: "custom",
        description: "AgentOps cost model (components/src/catalog/prices.ts)",
        CPU: p(system.vcpuHour),
        spotCPU: p(spot.vcpuHour),
        RAM: p(system.gibHour),
        spotRAM: p(spot.gibHour),
        GPU: p(gpu.gpuHour),
        storage: p(0.08 / 730),
        spotLabel: "agentops.io/node-group",
        spotLabelValue: "spot",
      });
    });

    it("charges a pod on a system node what the cost model estimates, to the cent over a month", () => {
      const pod = { cpu: 0.5, memoryGiB: 1, gpus: 0 };
      const opencost = (pod.cpu * Number(pricing.CPU) + pod.memoryGiB * Number(pricing.RAM)) * 730;
      const model = podHourly(nodeGroupUnitPrices(prices, groups.system), pod) * 730;
      assert.ok(Math.abs(opencost - model) < 0.01, `${opencost} vs ${model}`);
    });

    it("falls back to OpenCost's own defaults without a priced region", () => {
      assert.deepEqual(
        [openCostCustomPricing(undefined).CPU, openCostCustomPricing(undefined).GPU],
        ["0.0316110", "0.950000"],
      );
    });
  });

  describe("component", () => {
    it("registers the dashboards, rules and webhook secret after what they need", async () => {
      const rec = await record(() => {
        const crd = new k8s.core.v1.Namespace("crd", {});
        const eso = new k8s.core.v1.Namespace("eso", {});
        new Observability("obs", {
          environment: "dev",
          agents: devConfig().agents,
          monitoringReady: [crd],
          secretsReady: [eso],
        });
      });
      const deps = (type: string, name: string) =>
        rec
          .get(type, name)
          .dependsOn.map((u) => u.split("::").pop())
          .sort();
      assert.deepEqual(deps(PROMETHEUS_RULE, "obs-prometheusrule-agentops-budgets"), ["crd"]);
      assert.deepEqual(deps(CONFIG_MAP, "obs-dashboard-agentops-cost"), ["crd"]);
      assert.deepEqual(deps("kubernetes:external-secrets.io/v1:ExternalSecret", "obs-alert-webhook"), [
        "crd",
        "eso",
      ]);
      assert.deepEqual(
        rec
          .ofType(CONFIG_MAP)
          .map((r) => r.name)
          .sort(),
        DASHBOARDS.map((b) => `obs-dashboard-${b().uid}`).sort(),
      );
      assert.deepEqual(
        rec
          .ofType(PROMETHEUS_RULE)
          .map((r) => r.name)
          .sort(),
        ["obs-prometheusrule-agentops-budgets", "obs-prometheusrule-agentops-rules"],
      );
      assert.deepEqual(
        rec.ofType("kubernetes:external-secrets.io/v1:ExternalSecret").map((r) => r.name),
        ["obs-alert-webhook"],
      );
    });
  });
});
