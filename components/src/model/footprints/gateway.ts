/**
 * What the gateway release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/gateway.ts builds the values from the same constants).
 */
import {
  container,
  ON_SYSTEM_NODES,
  resources,
  type ContainerRequests,
  type WorkloadFootprint,
  type ChartValues,
} from "../capacity/workloads";
import { llmGatewayOperatedFootprint } from "./llm-gateway";

export const ENVOY_GATEWAY_CONTAINERS = {
  controller: container("envoy-gateway", "100m", "256Mi"),
  certgen: container("envoy-gateway-certgen", "10m", "32Mi"),
};

/**
 * The strategic-merge patch of an EnvoyProxy's Deployment that sets its shutdown manager's resources (requests
 * from `shutdownManager`, limits 100m / 64Mi): Envoy Gateway has no field for them, so the patch makes the pod
 * request what the footprint counts. Used by the public Gateway's and the LLM gateway's EnvoyProxy.
 */
export function shutdownManagerPatch(shutdownManager: ContainerRequests) {
  return {
    type: "StrategicMerge" as const,
    value: {
      spec: {
        template: {
          spec: {
            containers: [
              { name: shutdownManager.name, resources: resources(shutdownManager, "100m", "64Mi") },
            ],
          },
        },
      },
    },
  };
}

/**
 * The proxy pods of the shared `public` Gateway (exposed agents, ACME challenges), set through its EnvoyProxy
 * (platform/resources.ts `gatewayObjects`). Envoy Gateway creates them, so no chart renders them: the cost
 * model reads them from that EnvoyProxy object (model/cost/stack.ts).
 */
export const PUBLIC_GATEWAY_CONTAINERS = {
  envoy: container("envoy", "100m", "256Mi"),
  shutdownManager: container("shutdown-manager", "10m", "32Mi"),
};

/**
 * The controller and its certgen hook; with the LLM gateway, the rate-limit service and the LLM Gateway's proxy
 * pods the controller creates (gateway/footprint.ts). The proxy pods of the public Gateway are read from its
 * EnvoyProxy object instead (model/cost/stack.ts), since no value of this release says it exists.
 */
export function gatewayFootprint(values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: "envoy-gateway",
      kind: "Deployment",
      replicas: values.deployment.replicas,
      containers: [ENVOY_GATEWAY_CONTAINERS.controller],
      placement: ON_SYSTEM_NODES,
    },
    {
      name: "envoy-gateway-gateway-helm-certgen",
      kind: "Job",
      replicas: 1,
      containers: [ENVOY_GATEWAY_CONTAINERS.certgen],
      placement: ON_SYSTEM_NODES,
      hook: true,
    },
    ...llmGatewayOperatedFootprint(values),
  ];
}
