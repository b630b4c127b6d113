/**
 * What the keda release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/keda.ts builds the values from the same constants). Names as keda 2.20.2 renders them: the
 * operator, the metrics API server (the `external.metrics.k8s.io` APIService the HPAs KEDA makes read) and the
 * admission webhooks.
 */
import { container, type ChartValues, type WorkloadFootprint } from "../capacity/workloads";
import { LINUX } from "./cert-manager";

export const KEDA_CONTAINERS = {
  operator: container("keda-operator", "50m", "128Mi"),
  metricsServer: container("keda-operator-metrics-apiserver", "50m", "64Mi"),
  webhooks: container("keda-admission-webhooks", "10m", "32Mi"),
};

/** The chart's three Deployments (the CRDs are templates, no hook). */
export function kedaFootprint(values: ChartValues): WorkloadFootprint[] {
  const C = KEDA_CONTAINERS;
  const d = (name: string, replicas: number, c: (typeof C)[keyof typeof C]): WorkloadFootprint => ({
    name,
    kind: "Deployment",
    replicas,
    containers: [c],
    // The chart selects Linux nodes (`nodeSelector` kubernetes.io/os: linux in every Deployment).
    placement: LINUX,
  });
  return [
    d("keda-operator", values.operator.replicaCount, C.operator),
    d("keda-operator-metrics-apiserver", values.metricsServer.replicaCount, C.metricsServer),
    d("keda-admission-webhooks", values.webhooks.replicaCount, C.webhooks),
  ];
}
