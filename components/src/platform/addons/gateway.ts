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
  controller: container("envoy-gateway", "100m", "256Mi"),
  certgen: container("envoy-gateway-certgen", "10m", "32Mi"),
};

/**
 * The controller and its certgen hook. The Envoy proxy pods the controller creates for a Gateway (only with
 * `certManager.acmeEmail`) are not part of the chart and not counted.
 */
export function gatewayFootprint(values: Values): WorkloadFootprint[] {
  return [
    {
      name: "envoy-gateway",
      kind: "Deployment",
      replicas: values.deployment.replicas,
      containers: [C.controller],
      placement: ON_SYSTEM_NODES,
    },
    {
      name: "envoy-gateway-gateway-helm-certgen",
      kind: "Job",
      replicas: 1,
      containers: [C.certgen],
      placement: ON_SYSTEM_NODES,
      hook: true,
    },
  ];
}

/**
 * Envoy Gateway (Gateway API). No defaults of this chart are kept in ../shared/charts, so its values are not
 * key-checked; they are kept to the few documented top-level keys.
 */
export function gatewayValues(ctx: AddonContext): Values {
  return {
    deployment: {
      replicas: controllerReplicas(ctx),
      envoyGateway: { resources: resources(C.controller, "500m", "1Gi") },
    },
    certgen: { job: { resources: resources(C.certgen, "100m", "64Mi") } },
    podDisruptionBudget: { minAvailable: ctx.config.highAvailability ? 1 : 0 },
  };
}
