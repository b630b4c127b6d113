import { WORKLOAD_IDENTITIES } from "../../lib/contract";
import { controllerReplicas, resources, type AddonContext, type Values } from "../context";
import { EXTERNAL_SECRETS_CONTAINERS as C } from "../../model/footprints/external-secrets";

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
