import { controllerReplicas, resources, type AddonContext, type Values } from "../context";

/** cert-manager with its CRDs (kept on uninstall, so certificates survive a chart removal). */
export function certManagerValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  const pdb = { enabled: replicas > 1, maxUnavailable: 1 };
  return {
    crds: { enabled: true, keep: true },
    replicaCount: replicas,
    podDisruptionBudget: pdb,
    resources: resources("20m", "64Mi", "200m", "256Mi"),
    prometheus: { enabled: true, servicemonitor: { enabled: true } },
    webhook: {
      replicaCount: replicas,
      podDisruptionBudget: pdb,
      resources: resources("10m", "32Mi", "100m", "128Mi"),
    },
    cainjector: {
      replicaCount: replicas,
      podDisruptionBudget: pdb,
      resources: resources("20m", "64Mi", "200m", "256Mi"),
    },
    startupapicheck: { resources: resources("10m", "32Mi", "100m", "64Mi") },
  };
}
