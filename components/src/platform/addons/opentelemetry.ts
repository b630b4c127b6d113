import { PLATFORM_ENDPOINTS } from "../../lib/contract";
import {
  controllerReplicas,
  resources,
  RESTRICTED_CONTAINER,
  type AddonContext,
  type Values,
} from "../context";
import { monitoring, COLLECTOR, LOG_COLLECTOR, EVERY_NODE } from "../../model/footprints/opentelemetry";

const { otelCollector } = PLATFORM_ENDPOINTS;

/** The contrib distribution: it has the filelog receiver, the k8sattributes processor and the Loki OTLP path. */
const IMAGE = "otel/opentelemetry-collector-contrib";

/**
 * The gateway collector agents send OTLP to (`otel-collector.monitoring`): traces to Jaeger, metrics to
 * Prometheus's OTLP receiver, logs to Loki's OTLP endpoint.
 */
export function otelCollectorValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  return {
    mode: "deployment",
    fullnameOverride: otelCollector.service,
    image: { repository: IMAGE },
    replicaCount: replicas,
    podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: RESTRICTED_CONTAINER,
    resources: resources(COLLECTOR, "1", "1Gi"),
    presets: { kubernetesAttributes: { enabled: true } },
    config: {
      receivers: {
        otlp: {
          protocols: {
            grpc: { endpoint: `0.0.0.0:${otelCollector.grpcPort}` },
            http: { endpoint: `0.0.0.0:${otelCollector.httpPort}` },
          },
        },
      },
      processors: {
        batch: {},
        memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 },
      },
      exporters: {
        "otlp/jaeger": { endpoint: `jaeger.${monitoring}.svc.cluster.local:4317`, tls: { insecure: true } },
        "otlphttp/prometheus": {
          metrics_endpoint: `http://kube-prometheus-stack-prometheus.${monitoring}.svc.cluster.local:9090/api/v1/otlp/v1/metrics`,
        },
        "otlphttp/loki": { endpoint: `http://loki-gateway.${monitoring}.svc.cluster.local/otlp` },
      },
      service: {
        pipelines: {
          traces: {
            receivers: ["otlp"],
            processors: ["memory_limiter", "k8sattributes", "batch"],
            exporters: ["otlp/jaeger"],
          },
          metrics: {
            receivers: ["otlp"],
            processors: ["memory_limiter", "k8sattributes", "batch"],
            exporters: ["otlphttp/prometheus"],
          },
          logs: {
            receivers: ["otlp"],
            processors: ["memory_limiter", "k8sattributes", "batch"],
            exporters: ["otlphttp/loki"],
          },
        },
      },
    },
  };
}

/**
 * The log collector: the same chart as a DaemonSet tailing every pod's logs (filelog receiver) into Loki.
 * Promtail is deprecated (end of life March 2026) and Grafana Alloy would be a second agent with its own
 * config language; the collector is already the platform's telemetry pipeline and is maintained upstream.
 * Pod log files are root's (0640), so it runs as root, without capabilities, read-only, in the one
 * privileged namespace; checkpoints on the node keep a restart from re-sending or skipping logs.
 */
export function otelLogsValues(_ctx: AddonContext): Values {
  return {
    mode: "daemonset",
    fullnameOverride: "otel-logs",
    image: { repository: IMAGE },
    presets: {
      logsCollection: { enabled: true, includeCollectorLogs: false, storeCheckpoints: true },
      kubernetesAttributes: { enabled: true },
    },
    tolerations: EVERY_NODE.tolerations,
    securityContext: {
      runAsUser: 0,
      runAsGroup: 0,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    resources: resources(LOG_COLLECTOR, "500m", "512Mi"),
    config: {
      exporters: {
        "otlphttp/loki": { endpoint: `http://loki-gateway.${monitoring}.svc.cluster.local/otlp` },
      },
      service: {
        pipelines: { logs: { exporters: ["otlphttp/loki"] } },
      },
    },
  };
}
