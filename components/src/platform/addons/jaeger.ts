import { PLATFORM_ENDPOINTS } from "../../lib/contract";
import { resources, type AddonContext, type Values } from "../context";
import { JAEGER } from "../../model/footprints/jaeger";

/** The PersistentVolumeClaim Badger keeps traces on (made by the platform, mounted by the chart). */
export const JAEGER_BADGER_CLAIM = "jaeger-badger";

/**
 * Jaeger v2 (chart 4.x) receiving OTLP from the collector. Storage: in memory in dev only (traces go with the
 * pod), Badger on a volume elsewhere. Badger rather than Elasticsearch/OpenSearch: traces here are for
 * debugging agents over days, not long-term analytics, and a search cluster (three nodes, its own operator,
 * backups) would cost more than the rest of the observability stack. Badger is single-writer on a
 * ReadWriteOnce volume, so Jaeger runs one replica, also in prod.
 */
export function jaegerValues(ctx: AddonContext): Values {
  const { jaeger } = ctx.config;
  const badger = jaeger.storage === "badger";
  const backend = badger
    ? {
        badger: {
          directories: { keys: "/badger/keys", values: "/badger/values" },
          ephemeral: false,
          ttl: { spans: `${jaeger.retentionHours}h` },
        },
      }
    : { memory: { max_traces: 100000 } };
  return {
    jaeger: {
      replicas: 1,
      podSecurityContext: {
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      },
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      },
      extraVolumes: badger
        ? [{ name: "badger", persistentVolumeClaim: { claimName: JAEGER_BADGER_CLAIM } }]
        : [],
      extraVolumeMounts: badger ? [{ name: "badger", mountPath: "/badger" }] : [],
      resources: resources(JAEGER, "1", badger ? "2Gi" : "1Gi"),
    },
    userconfig: {
      service: {
        extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
        pipelines: {
          traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
        },
      },
      extensions: {
        healthcheckv2: { use_v2: true, http: { endpoint: "0.0.0.0:13133" } },
        jaeger_query: { storage: { traces: "primary_store" } },
        jaeger_storage: { backends: { primary_store: backend } },
      },
      receivers: {
        otlp: {
          protocols: {
            grpc: { endpoint: `0.0.0.0:${PLATFORM_ENDPOINTS.otelCollector.grpcPort}` },
            http: { endpoint: `0.0.0.0:${PLATFORM_ENDPOINTS.otelCollector.httpPort}` },
          },
        },
      },
      processors: { batch: {} },
      exporters: { jaeger_storage_exporter: { trace_storage: "primary_store" } },
    },
  };
}
