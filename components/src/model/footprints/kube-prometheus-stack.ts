/**
 * What the kube-prometheus-stack release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/kube-prometheus-stack.ts builds the values from the same constants).
 */
import { container, ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const KUBE_PROMETHEUS_STACK_CONTAINERS = {
  prometheus: container("prometheus", "200m", "1Gi"),
  alertmanager: container("alertmanager", "20m", "64Mi"),
  /** The operator's config-reloader, beside Prometheus and Alertmanager and as their init container. */
  reloader: container("config-reloader", "10m", "32Mi"),
  operator: container("kube-prometheus-stack", "50m", "128Mi"),
  grafana: container("grafana", "50m", "128Mi"),
  /** Both Grafana sidecars (dashboards, datasources) take `grafana.sidecar.resources`. */
  sidecar: container("grafana-sc-dashboard", "10m", "64Mi"),
  kubeStateMetrics: container("kube-state-metrics", "20m", "64Mi"),
  nodeExporter: container("node-exporter", "20m", "32Mi"),
  /** The admission webhook's certificate Jobs (hooks) take `admissionWebhooks.patch.resources`. */
  admissionJob: container("create", "10m", "32Mi"),
};

/**
 * The chart's workloads, plus the Prometheus and Alertmanager StatefulSets the operator creates from the
 * custom resources the chart renders (`operated`: not a rendered pod template).
 */
export function kubePrometheusStackFootprint(values: ChartValues): WorkloadFootprint[] {
  const d = (
    name: string,
    replicas: number,
    containers: WorkloadFootprint["containers"],
  ): WorkloadFootprint => ({
    name,
    kind: "Deployment",
    replicas,
    containers,
    placement: ON_SYSTEM_NODES,
  });
  const init = [{ ...KUBE_PROMETHEUS_STACK_CONTAINERS.reloader, name: "init-config-reloader" }];
  return [
    {
      ...d("prometheus-kube-prometheus-stack-prometheus", values.prometheus.prometheusSpec.replicas, [
        KUBE_PROMETHEUS_STACK_CONTAINERS.prometheus,
        KUBE_PROMETHEUS_STACK_CONTAINERS.reloader,
      ]),
      kind: "StatefulSet",
      initContainers: init,
      operated: true,
    },
    {
      ...d("alertmanager-kube-prometheus-stack-alertmanager", values.alertmanager.alertmanagerSpec.replicas, [
        KUBE_PROMETHEUS_STACK_CONTAINERS.alertmanager,
        KUBE_PROMETHEUS_STACK_CONTAINERS.reloader,
      ]),
      kind: "StatefulSet",
      initContainers: init,
      operated: true,
    },
    d("kube-prometheus-stack-operator", 1, [KUBE_PROMETHEUS_STACK_CONTAINERS.operator]),
    d("kube-prometheus-stack-grafana", values.grafana.replicas, [
      KUBE_PROMETHEUS_STACK_CONTAINERS.sidecar,
      { ...KUBE_PROMETHEUS_STACK_CONTAINERS.sidecar, name: "grafana-sc-datasources" },
      KUBE_PROMETHEUS_STACK_CONTAINERS.grafana,
    ]),
    d("kube-prometheus-stack-kube-state-metrics", 1, [KUBE_PROMETHEUS_STACK_CONTAINERS.kubeStateMetrics]),
    {
      name: "kube-prometheus-stack-prometheus-node-exporter",
      kind: "DaemonSet",
      replicas: 1,
      containers: [KUBE_PROMETHEUS_STACK_CONTAINERS.nodeExporter],
      // The chart's defaults: Linux nodes, not Fargate or virtual kubelets, every NoSchedule taint tolerated.
      placement: {
        nodeSelector: { "kubernetes.io/os": "linux" },
        required: [
          [
            { key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["fargate"] },
            { key: "type", operator: "NotIn", values: ["virtual-kubelet"] },
          ],
        ],
        tolerations: [{ operator: "Exists", effect: "NoSchedule" }],
      },
    },
    {
      ...d("kube-prometheus-stack-admission-create", 1, [KUBE_PROMETHEUS_STACK_CONTAINERS.admissionJob]),
      kind: "Job",
      hook: true,
    },
    {
      ...d("kube-prometheus-stack-admission-patch", 1, [
        { ...KUBE_PROMETHEUS_STACK_CONTAINERS.admissionJob, name: "patch" },
      ]),
      kind: "Job",
      hook: true,
    },
  ];
}
