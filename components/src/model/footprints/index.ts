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
import { kubePrometheusStackFootprint } from "./kube-prometheus-stack";
import { lokiFootprint } from "./loki";
import { metricsServerFootprint } from "./metrics-server";
import { nvidiaDevicePluginFootprint } from "./nvidia-device-plugin";
import { openCostFootprint } from "./opencost";
import { otelCollectorFootprint, otelLogsFootprint } from "./opentelemetry";
import { VALKEY_RELEASE, valkeyFootprint } from "./valkey";
import { vaultFootprint } from "./vault";

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
};

export { LLM_GATEWAY_CONTAINERS, llmGatewayReplicas } from "./llm-gateway";
