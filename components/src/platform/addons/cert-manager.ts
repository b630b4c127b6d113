import type { WorkloadFootprint } from "../../capacity/workloads";
import { container, controllerReplicas, resources, type AddonContext, type Values } from "../context";

const LINUX = { nodeSelector: { "kubernetes.io/os": "linux" } };
const C = {
  controller: container("cert-manager-controller", "20m", "64Mi"),
  webhook: container("cert-manager-webhook", "10m", "32Mi"),
  cainjector: container("cert-manager-cainjector", "20m", "64Mi"),
  startupapicheck: container("cert-manager-startupapicheck", "10m", "32Mi"),
};

/** The pods cert-manager's chart renders from these values. */
export function certManagerFootprint(values: Values): WorkloadFootprint[] {
  const d = (name: string, replicas: number, c: (typeof C)[keyof typeof C]): WorkloadFootprint => ({
    name,
    kind: "Deployment",
    replicas,
    containers: [c],
    placement: LINUX,
  });
  return [
    d("cert-manager", values.replicaCount, C.controller),
    d("cert-manager-webhook", values.webhook.replicaCount, C.webhook),
    d("cert-manager-cainjector", values.cainjector.replicaCount, C.cainjector),
    { ...d("cert-manager-startupapicheck", 1, C.startupapicheck), kind: "Job", hook: true },
  ];
}

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
