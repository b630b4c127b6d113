import { PLATFORM_NAMESPACES } from "../../lib/contract";
import { OPENCOST_PRICING_CONFIGMAP } from "../../observability/opencost-pricing";
import { resources, RESTRICTED_CONTAINER, type AddonContext, type Values } from "../context";
import { OPENCOST } from "../../model/footprints/opencost";

/**
 * OpenCost: allocation costs (`container_*_allocation`, `node_*_hourly_cost`) that the cost dashboard and the
 * BudgetExceeded alert read. It queries kube-prometheus-stack's Prometheus and is scraped by it. Prices come
 * from the ConfigMap the Platform derives from the cost model's price table (opencost-pricing.ts), not from
 * the AWS pricing API: `USE_CUSTOM_PROVIDER` makes OpenCost use it although the nodes are AWS ones, so run-time
 * costs and the policy pack's estimates agree. The UI is off: Grafana is the UI.
 */
export function openCostValues(ctx: AddonContext): Values {
  return {
    podSecurityContext: { runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: "RuntimeDefault" } },
    opencost: {
      exporter: {
        defaultClusterId: `agentops-${ctx.environment}`,
        resources: resources(OPENCOST, "500m", "1Gi"),
        // OpenCost writes its cache under its config path; its root filesystem stays writable.
        securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: false },
        extraEnv: {
          USE_CUSTOM_PROVIDER: "true",
          PRODUCT_ANALYTICS_ENABLED: "false",
          ERROR_REPORTING_ENABLED: "false",
          VALUES_REPORTING_ENABLED: "false",
        },
      },
      customPricing: {
        enabled: true,
        createConfigmap: false,
        configmapName: OPENCOST_PRICING_CONFIGMAP,
        provider: "custom",
      },
      metrics: {
        // kube-state-metrics is installed: OpenCost's copies of its v1 metrics would duplicate series.
        kubeStateMetrics: { emitKsmV1Metrics: false, emitKsmV1MetricsOnly: false },
        serviceMonitor: { enabled: true },
      },
      prometheus: {
        internal: {
          enabled: true,
          serviceName: "kube-prometheus-stack-prometheus",
          namespaceName: PLATFORM_NAMESPACES.monitoring,
          port: 9090,
        },
      },
      ui: { enabled: false },
    },
  };
}
