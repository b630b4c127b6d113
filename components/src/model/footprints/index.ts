/**
 * The platform's footprints: for each add-on (by its Helm release name), the pods its chart runs with the values
 * the release was given. The capacity plan and the cost model read a stack's Helm releases through this map, so
 * they need neither the add-ons' values builders nor the components; the registry (platform/registry.ts) gives
 * each add-on its footprint from here. A new add-on is one line here and one entry there.
 */
import type { ChartValues, WorkloadFootprint } from "../capacity/workloads";
import { aiGatewayCrdsFootprint, aiGatewayFootprint } from "./ai-gateway";
import { certManagerFootprint } from "./cert-manager";
import { clusterAutoscalerFootprint } from "./cluster-autoscaler";
import { dcgmExporterFootprint } from "./dcgm-exporter";
import { externalSecretsFootprint } from "./external-secrets";
import { gatewayFootprint } from "./gateway";
import { jaegerFootprint } from "./jaeger";
import { kedaFootprint } from "./keda";
import { kubePrometheusStackFootprint } from "./kube-prometheus-stack";
import { lokiFootprint } from "./loki";
import { metricsServerFootprint } from "./metrics-server";
import { nvidiaDevicePluginFootprint } from "./nvidia-device-plugin";
import { openCostFootprint } from "./opencost";
import { otelCollectorFootprint, otelLogsFootprint } from "./opentelemetry";
import { VALKEY_RELEASE, valkeyFootprint } from "./valkey";
import { CNPG_RELEASE, cloudnativePgFootprint } from "./cloudnative-pg";
import { SNAPSHOT_CONTROLLER_RELEASE, snapshotControllerFootprint } from "./snapshot-controller";
import { storeValkeyFootprint } from "./stores";
import { PLATFORM_NAMESPACES } from "../../lib/contract";
import { vaultFootprint } from "./vault";
import { verticalPodAutoscalerFootprint } from "./vertical-pod-autoscaler";

/** The pods a release runs with `values`: workload name and kind, replicas, containers' requests, placement. */
export type Footprint = (values: ChartValues) => WorkloadFootprint[];

/** Release name → footprint, for every add-on of the platform. */
export const PLATFORM_FOOTPRINTS: Readonly<Record<string, Footprint>> = {
  "kube-prometheus-stack": kubePrometheusStackFootprint,
  "cert-manager": certManagerFootprint,
  "external-secrets": externalSecretsFootprint,
  loki: lokiFootprint,
  jaeger: jaegerFootprint,
  "otel-collector": otelCollectorFootprint,
  "otel-logs": otelLogsFootprint,
  vault: vaultFootprint,
  "metrics-server": metricsServerFootprint,
  "nvidia-device-plugin": nvidiaDevicePluginFootprint,
  "dcgm-exporter": dcgmExporterFootprint,
  opencost: openCostFootprint,
  "cluster-autoscaler": clusterAutoscalerFootprint,
  "envoy-gateway": gatewayFootprint,
  "ai-gateway-crds": aiGatewayCrdsFootprint,
  "ai-gateway": aiGatewayFootprint,
  [VALKEY_RELEASE]: valkeyFootprint,
  [SNAPSHOT_CONTROLLER_RELEASE]: snapshotControllerFootprint,
  [CNPG_RELEASE]: cloudnativePgFootprint,
  keda: kedaFootprint,
  "vertical-pod-autoscaler": verticalPodAutoscalerFootprint,
};

/**
 * Charts the data stores install once per store in their namespace (`agentops-stores`), under the store's
 * name: chart → footprint. Only an existing cluster runs them (on EKS the stores are managed services).
 */
export const STORE_CHART_FOOTPRINTS: Readonly<Record<string, Footprint>> = {
  valkey: storeValkeyFootprint,
};

/**
 * The footprint of a Helm release: a platform add-on's by its release name, else a data store's by its chart
 * when it is installed in the stores' namespace; `undefined` for a release the model does not know.
 */
export function releaseFootprint(release: {
  name: string;
  chart: string;
  namespace: string;
}): Footprint | undefined {
  return (
    PLATFORM_FOOTPRINTS[release.name] ??
    (release.namespace === PLATFORM_NAMESPACES.stores ? STORE_CHART_FOOTPRINTS[release.chart] : undefined)
  );
}

export { LLM_GATEWAY_CONTAINERS, llmGatewayReplicas } from "./llm-gateway";
