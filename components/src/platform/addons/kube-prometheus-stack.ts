import { PLATFORM_NAMESPACES } from "../../lib/contract";
import { controllerReplicas, resources, type AddonContext, type Values } from "../context";

/** The Secret holding Grafana's generated admin password; the chart reads it, the values never hold it. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

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
        resources: resources("200m", "1Gi", "2", "4Gi"),
      },
    },
    alertmanager: {
      alertmanagerSpec: {
        replicas,
        storage: volume("5Gi"),
        resources: resources("20m", "64Mi", "200m", "256Mi"),
      },
    },
    prometheusOperator: { resources: resources("50m", "128Mi", "500m", "512Mi") },
    grafana: {
      replicas,
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
      resources: resources("50m", "128Mi", "500m", "512Mi"),
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
    "kube-state-metrics": { resources: resources("20m", "64Mi", "200m", "256Mi") },
    "prometheus-node-exporter": { resources: resources("20m", "32Mi", "200m", "128Mi") },
  };
}
