/**
 * What the external-secrets release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/external-secrets.ts builds the values from the same constants).
 */
import { container, ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const EXTERNAL_SECRETS_CONTAINERS = {
  controller: container("external-secrets", "20m", "64Mi"),
  webhook: container("webhook", "10m", "32Mi"),
  certController: container("cert-controller", "10m", "64Mi"),
};

/** The operator, its webhook and its cert controller. */
export function externalSecretsFootprint(values: ChartValues): WorkloadFootprint[] {
  const d = (
    name: string,
    replicas: number,
    c: (typeof EXTERNAL_SECRETS_CONTAINERS)[keyof typeof EXTERNAL_SECRETS_CONTAINERS],
  ): WorkloadFootprint => ({
    name,
    kind: "Deployment",
    replicas,
    containers: [c],
    placement: ON_SYSTEM_NODES,
  });
  return [
    d("external-secrets", values.replicaCount, EXTERNAL_SECRETS_CONTAINERS.controller),
    d("external-secrets-webhook", values.webhook.replicaCount, EXTERNAL_SECRETS_CONTAINERS.webhook),
    d(
      "external-secrets-cert-controller",
      values.certController.replicaCount,
      EXTERNAL_SECRETS_CONTAINERS.certController,
    ),
  ];
}
