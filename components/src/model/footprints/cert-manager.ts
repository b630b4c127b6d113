/**
 * What the cert-manager release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/cert-manager.ts builds the values from the same constants).
 */
import { container, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const LINUX = { nodeSelector: { "kubernetes.io/os": "linux" } };
export const CERT_MANAGER_CONTAINERS = {
  controller: container("cert-manager-controller", "20m", "64Mi"),
  webhook: container("cert-manager-webhook", "10m", "32Mi"),
  cainjector: container("cert-manager-cainjector", "20m", "64Mi"),
  startupapicheck: container("cert-manager-startupapicheck", "10m", "32Mi"),
};

/** The pods cert-manager's chart renders from these values. */
export function certManagerFootprint(values: ChartValues): WorkloadFootprint[] {
  const d = (
    name: string,
    replicas: number,
    c: (typeof CERT_MANAGER_CONTAINERS)[keyof typeof CERT_MANAGER_CONTAINERS],
  ): WorkloadFootprint => ({
    name,
    kind: "Deployment",
    replicas,
    containers: [c],
    placement: LINUX,
  });
  return [
    d("cert-manager", values.replicaCount, CERT_MANAGER_CONTAINERS.controller),
    d("cert-manager-webhook", values.webhook.replicaCount, CERT_MANAGER_CONTAINERS.webhook),
    d("cert-manager-cainjector", values.cainjector.replicaCount, CERT_MANAGER_CONTAINERS.cainjector),
    {
      ...d("cert-manager-startupapicheck", 1, CERT_MANAGER_CONTAINERS.startupapicheck),
      kind: "Job",
      hook: true,
    },
  ];
}
