/**
 * What the opentelemetry release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/opentelemetry.ts builds the values from the same constants).
 */
import { PLATFORM_NAMESPACES, PLATFORM_ENDPOINTS } from "../../lib/contract";
import { container, ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const monitoring = PLATFORM_NAMESPACES.monitoring;
export const { otelCollector } = PLATFORM_ENDPOINTS;
export const COLLECTOR = container("opentelemetry-collector", "100m", "256Mi");
export const LOG_COLLECTOR = container("opentelemetry-collector", "50m", "128Mi");
/** Every node, GPU and spot included: their pods log too. */
export const EVERY_NODE = { tolerations: [{ operator: "Exists" as const, effect: "NoSchedule" as const }] };

/** The gateway collector's Deployment. */
export function otelCollectorFootprint(values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: otelCollector.service,
      kind: "Deployment",
      replicas: values.replicaCount,
      containers: [COLLECTOR],
      placement: ON_SYSTEM_NODES,
    },
  ];
}

/** The log collector: one pod per node. */
export function otelLogsFootprint(_values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: "otel-logs-agent",
      kind: "DaemonSet",
      replicas: 1,
      containers: [LOG_COLLECTOR],
      placement: EVERY_NODE,
    },
  ];
}
