import { WORKLOAD_IDENTITIES } from "../../lib/contract";
import type { WorkloadFootprint } from "../../capacity/workloads";
import {
  container,
  controllerReplicas,
  ON_SYSTEM_NODES,
  resources,
  type AddonContext,
  type Values,
} from "../context";

const C = {
  controller: container("external-secrets", "20m", "64Mi"),
  webhook: container("webhook", "10m", "32Mi"),
  certController: container("cert-controller", "10m", "64Mi"),
};

/** The operator, its webhook and its cert controller. */
export function externalSecretsFootprint(values: Values): WorkloadFootprint[] {
  const d = (name: string, replicas: number, c: (typeof C)[keyof typeof C]): WorkloadFootprint => ({
    name,
    kind: "Deployment",
    replicas,
    containers: [c],
    placement: ON_SYSTEM_NODES,
  });
  return [
    d("external-secrets", values.replicaCount, C.controller),
    d("external-secrets-webhook", values.webhook.replicaCount, C.webhook),
    d("external-secrets-cert-controller", values.certController.replicaCount, C.certController),
  ];
}

/**
 * External Secrets Operator. Its service account name is the one the cluster's Pod Identity association binds
 * (AWS Secrets Manager access); the chart's own security contexts are already `restricted`.
 */
export function externalSecretsValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  // The chart's PDB sets minAvailable 1 by default; maxUnavailable as well would make it invalid.
  const pdb = { enabled: replicas > 1 };
  return {
    installCRDs: true,
    replicaCount: replicas,
    leaderElect: replicas > 1,
    serviceAccount: { create: true, name: WORKLOAD_IDENTITIES.externalSecrets.serviceAccount },
    resources: resources(C.controller, "200m", "256Mi"),
    podDisruptionBudget: pdb,
    serviceMonitor: { enabled: true },
    webhook: {
      replicaCount: replicas,
      podDisruptionBudget: pdb,
      resources: resources(C.webhook, "100m", "128Mi"),
    },
    certController: {
      replicaCount: replicas,
      podDisruptionBudget: pdb,
      resources: resources(C.certController, "100m", "256Mi"),
    },
  };
}
