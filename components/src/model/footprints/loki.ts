/**
 * What the loki release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/loki.ts builds the values from the same constants).
 */
import { container, ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const LOKI_CONTAINERS = {
  single: container("loki", "100m", "256Mi"),
  write: container("write", "100m", "256Mi"),
  read: container("read", "100m", "256Mi"),
  backend: container("backend", "100m", "256Mi"),
  /** The sidecar loading rule ConfigMaps, beside the single binary or the backend. */
  rules: container("loki-sc-rules", "10m", "64Mi"),
  nginx: container("nginx", "10m", "32Mi"),
  /** The gateway's access-log exporter. */
  exporter: container("exporter", "10m", "32Mi"),
};

/**
 * Monolithic (one `loki` StatefulSet) or SimpleScalable (write, read, backend), plus the nginx gateway. Every
 * Loki pod has the chart's required anti-affinity on the hostname.
 */
export function lokiFootprint(values: ChartValues): WorkloadFootprint[] {
  const w = (
    name: string,
    kind: "Deployment" | "StatefulSet",
    replicas: number,
    containers: WorkloadFootprint["containers"],
  ): WorkloadFootprint => ({
    name,
    kind,
    replicas,
    containers,
    placement: ON_SYSTEM_NODES,
    onePerNode: true,
  });
  return [
    w("loki", "StatefulSet", values.singleBinary.replicas, [LOKI_CONTAINERS.single, LOKI_CONTAINERS.rules]),
    w("loki-write", "StatefulSet", values.write.replicas, [LOKI_CONTAINERS.write]),
    w("loki-read", "Deployment", values.read.replicas, [LOKI_CONTAINERS.read]),
    w("loki-backend", "StatefulSet", values.backend.replicas, [
      LOKI_CONTAINERS.backend,
      LOKI_CONTAINERS.rules,
    ]),
    w("loki-gateway", "Deployment", values.gateway.replicas, [
      LOKI_CONTAINERS.nginx,
      LOKI_CONTAINERS.exporter,
    ]),
  ].filter((x) => x.replicas > 0);
}
