/**
 * Measured LLM spend: the gateway's GenAI token metrics scraped by a PodMonitor, priced by the gateway's price
 * table into USD per agent, and the alerts on it and on the gateway itself.
 *
 * Metric: Envoy AI Gateway's ext_proc sidecar (in each proxy pod) exports the OpenTelemetry GenAI metric
 * `gen_ai.client.token.usage` (histogram of tokens per request) in Prometheus format as
 * `gen_ai_client_token_usage_{sum,count,bucket}` with `gen_ai_token_type` (input, output, …) and
 * `gen_ai_request_model`; `controller.metricsRequestHeaderAttributes` adds `agent` from the client-id header
 * (aigateway.envoyproxy.io docs, observability/metrics). Port 1064 is the sidecar's metrics port.
 */
import type { LlmGatewayConfig } from "../config";
import { HOURS_PER_MONTH } from "../model/cost/estimate";
import { PLATFORM_ENDPOINTS, PLATFORM_NAMESPACES } from "../lib/contract";
import { JOBS } from "./metrics";
import type { PrometheusRuleObject, RuleGroup } from "./rules";
import { LLM_PRICES } from "../catalog/llm-prices";

const GW = PLATFORM_ENDPOINTS.llmGateway;
/**
 * The AI Gateway's request duration histogram (OTel `gen_ai.server.request.duration`, seconds), from the same
 * sidecar, with the same `agent` label: its `_count` rate is an agent's LLM requests per second, its `_sum`
 * rate the mean of its LLM requests in flight (what KEDA scales agents on, agents/traffic.ts).
 */
export const GATEWAY_REQUEST_DURATION = "gen_ai_server_request_duration_seconds";
/** The ext_proc sidecar's Prometheus port. */
export const EXTPROC_METRICS_PORT = 1064;
/** The scrape job of the gateway's metrics: `<namespace>/<PodMonitor name>`, as prometheus-operator sets it. */
export const GATEWAY_JOB = `${GW.namespace}/${GW.name}`;
/** Deployment of Envoy Gateway's rate-limit service, whose health check fails while the store is unreachable. */
export const RATELIMIT_DEPLOYMENT = "envoy-ratelimit";
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

/** Thresholds of the gateway's alerts, in one place. */
export const GATEWAY_ALERT_THRESHOLDS = {
  /** Share of the monthly LLM limit the projected spend may reach before the warning. */
  llmBudgetWarning: { ratio: 0.8, for: "1h" },
  gatewayDown: { for: "5m" },
  counterStoreDown: { for: "5m" },
} as const;

/** The PodMonitor that scrapes the LLM Gateway's proxy pods (their ext_proc sidecars). */
export function gatewayPodMonitor(): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
} {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: GW.name, namespace: GW.namespace, labels: { "app.kubernetes.io/part-of": "agentops" } },
    spec: {
      selector: { matchLabels: { ...GW.proxyPodLabels } },
      namespaceSelector: { matchNames: [GW.namespace] },
      podMetricsEndpoints: [{ portNumber: EXTPROC_METRICS_PORT, path: "/metrics", interval: "30s" }],
    },
  };
}

/**
 * USD per million tokens of each priced model and token type, as constant series the cost rule joins on:
 * `agentops:llm_price_usd_per_million_tokens{gen_ai_request_model, gen_ai_token_type}`.
 */
export function priceGroup(gateway: LlmGatewayConfig): RuleGroup {
  const models = [...new Set(gateway.providers.flatMap((p) => p.models))].sort();
  return {
    name: "agentops-llm-prices",
    rules: models.flatMap((model) => {
      const p = LLM_PRICES[model]!;
      return (
        [
          ["input", p.inputUsdPerMillionTokens],
          ["output", p.outputUsdPerMillionTokens],
        ] as const
      ).map(([type, usdPerMillion]) => ({
        record: "agentops:llm_price_usd_per_million_tokens",
        expr: `vector(${usdPerMillion})`,
        labels: { gen_ai_request_model: model, gen_ai_token_type: type },
      }));
    }),
  };
}

/**
 * Tokens per second and USD per second per agent (the gateway's measured spend), the projected month (last
 * day's mean × 730 h), the 80 % warning and the gateway/store alerts. Models without a price series are not
 * counted here (the gateway's hard limit charges them at the highest price instead).
 */
export function spendGroups(): RuleGroup[] {
  const t = GATEWAY_ALERT_THRESHOLDS;
  const tokens = `sum by (agent, gen_ai_request_model, gen_ai_token_type) (rate(gen_ai_client_token_usage_sum{job="${GATEWAY_JOB}", agent!=""}[5m]))`;
  // Adds tenant and tier from the budget series (× 0), and keeps agents without traffic at 0.
  const withTier = "on (agent) group_left (tenant, tier) (0 * agentops:agent_budget_monthly_usd)";
  const ksm = `job="${JOBS.kubeStateMetrics}"`;
  return [
    {
      name: "agentops-llm-spend",
      interval: "60s",
      rules: [
        { record: "agentops:agent_llm_tokens:rate5m", expr: tokens },
        {
          record: "agentops:agent_llm_cost_usd:rate5m",
          expr: "sum by (agent) (agentops:agent_llm_tokens:rate5m * on (gen_ai_request_model, gen_ai_token_type) group_left () agentops:llm_price_usd_per_million_tokens) / 1000000",
        },
        {
          record: "agentops:agent_llm_spend_monthly_usd",
          expr: `(avg_over_time(agentops:agent_llm_cost_usd:rate5m[1d]) * ${SECONDS_PER_MONTH} + ${withTier}) or (0 * agentops:agent_budget_monthly_usd)`,
        },
      ],
    },
    {
      name: "agentops-llm-alerts",
      rules: [
        {
          alert: "AgentLlmBudgetNearLimit",
          expr: `agentops:agent_llm_spend_monthly_usd > on (agent, tenant, tier) (${t.llmBudgetWarning.ratio} * (agentops:agent_llm_monthly_usd > 0))`,
          for: t.llmBudgetWarning.for,
          labels: { severity: "warning" },
          annotations: {
            summary: `{{ $labels.tenant }}/{{ $labels.agent }}: LLM spend heading past ${t.llmBudgetWarning.ratio * 100}% of its monthly limit`,
            description: `At the last day's rate {{ $labels.agent }} spends {{ $value | printf "%.2f" }} USD on LLMs a month; the gateway answers 429 once its monthly limit (llm.monthlyUsd) is used up.`,
          },
        },
        {
          alert: "LlmGatewayDown",
          expr: `sum(up{job="${GATEWAY_JOB}"}) == 0 or absent(up{job="${GATEWAY_JOB}"})`,
          for: t.gatewayDown.for,
          labels: { severity: "critical" },
          annotations: {
            summary: "LLM gateway down: agents cannot reach any LLM",
            description: `No proxy pod of the ${GW.name} Gateway in ${GW.namespace} answers its metrics scrape.`,
          },
        },
        {
          alert: "LlmCounterStoreDown",
          expr: `kube_deployment_status_replicas_available{${ksm}, namespace="${PLATFORM_NAMESPACES.gateway}", deployment="${RATELIMIT_DEPLOYMENT}"} == 0`,
          for: t.counterStoreDown.for,
          labels: { severity: "critical" },
          annotations: {
            summary: "LLM gateway's rate-limit service or counter store unreachable",
            description:
              "The rate-limit service is not ready (its health check fails while the counter store is unreachable). With failClosed requests get 500; without, they pass unmetered. A store that lost its data has reset every agent's monthly counter.",
          },
        },
      ],
    },
  ];
}

/** The gateway's PrometheusRule, in the monitoring namespace. */
export function gatewayPrometheusRule(gateway: LlmGatewayConfig): PrometheusRuleObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: "agentops-llm-gateway",
      namespace: PLATFORM_NAMESPACES.monitoring,
      labels: { "app.kubernetes.io/part-of": "agentops" },
    },
    spec: { groups: [priceGroup(gateway), ...spendGroups()] },
  };
}
