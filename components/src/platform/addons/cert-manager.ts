import { controllerReplicas, resources, type AddonContext, type Values } from "../context";
import { CERT_MANAGER_CONTAINERS as C } from "../../model/footprints/cert-manager";

/** cert-manager with its CRDs (kept on uninstall, so certificates survive a chart removal). */
export function certManagerValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  const pdb = { enabled: replicas > 1, maxUnavailable: 1 };
  return {
    crds: { enabled: true, keep: true },
    replicaCount: replicas,
    podDisruptionBudget: pdb,
    resources: resources(C.controller, "200m", "256Mi"),
    prometheus: { enabled: true, servicemonitor: { enabled: true } },
    webhook: {
      replicaCount: replicas,
      podDisruptionBudget: pdb,
      resources: resources(C.webhook, "100m", "128Mi"),
    },
    cainjector: {
      replicaCount: replicas,
      podDisruptionBudget: pdb,
      resources: resources(C.cainjector, "200m", "256Mi"),
    },
    startupapicheck: { resources: resources(C.startupapicheck, "100m", "64Mi") },
  };
}
