import { LABELS, PLATFORM_NAMESPACES } from "../../lib/contract";
import { ALERT_WEBHOOK, alertmanagerConfig } from "../../observability/alerting";
import { GRAFANA_DASHBOARD_LABEL, PROMETHEUS_DATASOURCE_UID } from "../../observability/dashboards";
import {
  controllerReplicas,
  resources,
  RESTRICTED_CONTAINER,
  type AddonContext,
  type Values,
} from "../context";
import { KUBE_PROMETHEUS_STACK_CONTAINERS as C } from "../../model/footprints/kube-prometheus-stack";

/**
 * The Secret holding Grafana's admin credentials (`admin-user`, `admin-password`). The values set no password:
 * the Grafana chart generates one at install and keeps it across upgrades (its `grafana.password` template looks
 * the Secret up), so it is never in the values, the stack file or Pulumi state. Read it with
 * `kubectl -n monitoring get secret kube-prometheus-stack-grafana -o jsonpath='{.data.admin-password}'`.
 */
export const GRAFANA_ADMIN_SECRET = "kube-prometheus-stack-grafana";

const volume = (size: string) => ({
  volumeClaimTemplate: {
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
  },
});

/**
 * Prometheus, Alertmanager and Grafana. Prometheus selects ServiceMonitors, PodMonitors, Probes and
 * PrometheusRules in every namespace, whatever their labels, so agents' monitors are picked up; it also
 * accepts OTLP, which the OpenTelemetry collector pushes agents' metrics to.
 */
export function kubePrometheusStackValues(ctx: AddonContext): Values {
  const { prometheus } = ctx.config;
  const replicas = controllerReplicas(ctx);
  const monitoring = PLATFORM_NAMESPACES.monitoring;
  return {
    crds: { enabled: true },
    prometheus: {
      prometheusSpec: {
        replicas: prometheus.replicas,
        retention: prometheus.retention,
        storageSpec: volume(prometheus.storageSize),
        enableOTLPReceiver: true,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        resources: resources(C.prometheus, "2", "4Gi"),
      },
    },
    alertmanager: {
      // The chart's own config (an AlertmanagerConfig would add a namespace matcher to every route; the
      // global `alertmanagerConfiguration` is a second CRD to keep valid). The webhook URL is a file from the
      // mounted Secret (`url_file`), so it never appears in values or state.
      config: alertmanagerConfig(),
      alertmanagerSpec: {
        secrets: [ALERT_WEBHOOK.secret],
        replicas,
        storage: volume("5Gi"),
        resources: resources(C.alertmanager, "200m", "256Mi"),
      },
    },
    prometheusOperator: {
      resources: resources(C.operator, "500m", "512Mi"),
      prometheusConfigReloader: { resources: resources(C.reloader, "100m", "64Mi") },
      admissionWebhooks: { patch: { resources: resources(C.admissionJob, "100m", "64Mi") } },
    },
    grafana: {
      replicas,
      resources: resources(C.grafana, "500m", "512Mi"),
      // Grafana writes only to its volumes (/var/lib/grafana, the sidecars' folders) and logs to the console.
      containerSecurityContext: RESTRICTED_CONTAINER,
      // The chart's `helm test` pod: a Release never runs it, so it is not rendered at all.
      testFramework: { enabled: false },
      // Dashboards come from ConfigMaps in `monitoring` only: tenants cannot ship dashboards into Grafana.
      sidecar: {
        resources: resources(C.sidecar, "100m", "128Mi"),
        dashboards: {
          enabled: true,
          label: GRAFANA_DASHBOARD_LABEL.key,
          labelValue: GRAFANA_DASHBOARD_LABEL.value,
          searchNamespace: monitoring,
        },
        datasources: { uid: PROMETHEUS_DATASOURCE_UID },
        // k8s-sidecar writes only into the shared emptyDir folders.
        securityContext: RESTRICTED_CONTAINER,
      },
      additionalDataSources: [
        {
          name: "Loki",
          type: "loki",
          uid: "loki",
          access: "proxy",
          url: `http://loki-gateway.${monitoring}.svc.cluster.local`,
        },
        {
          name: "Jaeger",
          type: "jaeger",
          uid: "jaeger",
          access: "proxy",
          url: `http://jaeger.${monitoring}.svc.cluster.local:16686`,
        },
      ],
    },
    "kube-state-metrics": {
      // kube_pod_labels carries these, so rules can map pods (and their OpenCost costs) to agents.
      metricLabelsAllowlist: [`pods=[${[LABELS.agent, LABELS.tenant, LABELS.tier].join(",")}]`],
      resources: resources(C.kubeStateMetrics, "200m", "256Mi"),
    },
    "prometheus-node-exporter": {
      // Host network, PID and paths: kept out of `monitoring` in the one privileged namespace.
      namespaceOverride: PLATFORM_NAMESPACES.nodeAgents,
      resources: resources(C.nodeExporter, "200m", "128Mi"),
    },
  };
}
