import { WORKLOAD_IDENTITIES } from "../../lib/contract";
import { resources, type AddonContext, type Values } from "../context";
import { LOKI_CONTAINERS as C } from "../../model/footprints/loki";

/**
 * Loki from the community-maintained OSS chart (grafana-community/helm-charts; grafana/loki's own chart serves
 * Enterprise Logs only since 2026-03). Monolithic on a volume in dev; SimpleScalable on the cluster's S3 bucket
 * otherwise, with the service account the cluster's Pod Identity association grants that bucket.
 */
export function lokiValues(ctx: AddonContext): Values {
  const { loki } = ctx.config;
  const retention = `${loki.retentionDays * 24}h`;
  const scalable = loki.mode === "simpleScalable";
  const bucket = ctx.cluster.cloud?.lokiBucket;
  if (scalable && !ctx.cluster.cloud)
    throw new Error("loki simpleScalable needs the EKS cluster's S3 bucket");
  const persistence = { size: loki.storageSize };
  return {
    deploymentMode: scalable ? "SimpleScalable" : "Monolithic",
    serviceAccount: { create: true, name: WORKLOAD_IDENTITIES.loki.serviceAccount },
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: scalable ? 3 : 1 },
      schemaConfig: {
        configs: [
          {
            from: "2026-01-01",
            store: "tsdb",
            object_store: scalable ? "s3" : "filesystem",
            schema: "v13",
            index: { prefix: "loki_index_", period: "24h" },
          },
        ],
      },
      storage: scalable
        ? {
            type: "s3",
            bucketNames: { chunks: bucket, ruler: bucket },
            s3: { region: ctx.cluster.cloud?.region },
          }
        : { type: "filesystem" },
      limits_config: { retention_period: retention },
      compactor: { retention_enabled: true, delete_request_store: scalable ? "s3" : "filesystem" },
    },
    singleBinary: scalable
      ? { replicas: 0 }
      : {
          replicas: 1,
          persistence: { ...persistence, enabled: true },
          resources: resources(C.single, "1", "1Gi"),
        },
    write: { replicas: scalable ? 3 : 0, persistence, resources: resources(C.write, "1", "1Gi") },
    read: { replicas: scalable ? 2 : 0, resources: resources(C.read, "1", "1Gi") },
    backend: { replicas: scalable ? 3 : 0, persistence, resources: resources(C.backend, "1", "1Gi") },
    gateway: {
      replicas: 1,
      resources: resources(C.nginx, "200m", "128Mi"),
      metrics: { resources: resources(C.exporter, "100m", "64Mi") },
    },
    sidecar: { resources: resources(C.rules, "100m", "128Mi") },
    // Memcached caches and the canary/test pods are for larger or self-testing installs; off keeps Loki small.
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    minio: { enabled: false },
    monitoring: { serviceMonitor: { enabled: true } },
  };
}
