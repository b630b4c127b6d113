/**
 * The one list of platform add-ons: chart, repository, pinned version (../shared/charts/INDEX.md), namespace,
 * the add-ons each must follow, and its values builder. Adding an add-on is one file and one entry here.
 */
import { PLATFORM_NAMESPACES } from "../lib/contract";
import { certManagerValues } from "./addons/cert-manager";
import { clusterAutoscalerValues } from "./addons/cluster-autoscaler";
import { externalSecretsValues } from "./addons/external-secrets";
import { gatewayValues } from "./addons/gateway";
import { jaegerValues } from "./addons/jaeger";
import { kubePrometheusStackValues } from "./addons/kube-prometheus-stack";
import { lokiValues } from "./addons/loki";
import { metricsServerValues } from "./addons/metrics-server";
import { nvidiaDevicePluginValues } from "./addons/nvidia-device-plugin";
import { otelCollectorValues, otelLogsValues } from "./addons/opentelemetry";
import { vaultValues } from "./addons/vault";
import type { AddonContext, Values } from "./context";

export interface Addon {
  /** Helm release name (and the add-on's key). */
  name: string;
  chart: string;
  /** Helm repository URL, or undefined for an OCI chart (then `chart` is the `oci://` reference). */
  repository: string | undefined;
  /** Pinned chart version. */
  version: string;
  namespace: string;
  /** Add-ons whose CRDs or services this one needs at install time. */
  dependsOn: readonly string[];
  /**
   * Folder under ../shared/charts holding the pinned chart's default values, for the key check; undefined
   * where no defaults are kept there.
   */
  defaults: string | undefined;
  /** Installs CRDs that agents' or the platform's custom resources use. */
  installsCrds: boolean;
  /** Whether this add-on runs in the given context. @default always */
  enabled?: (ctx: AddonContext) => boolean;
  values: (ctx: AddonContext) => Values;
}

const ns = PLATFORM_NAMESPACES;

export const ADDONS: readonly Addon[] = [
  {
    name: "cert-manager",
    chart: "cert-manager",
    repository: "https://charts.jetstack.io",
    version: "v1.21.1",
    namespace: ns.certManager,
    dependsOn: [],
    defaults: "cert-manager",
    installsCrds: true,
    values: certManagerValues,
  },
  {
    name: "external-secrets",
    chart: "external-secrets",
    repository: "https://charts.external-secrets.io",
    version: "2.9.0",
    namespace: ns.externalSecrets,
    dependsOn: [],
    defaults: "external-secrets",
    installsCrds: true,
    values: externalSecretsValues,
  },
  {
    name: "kube-prometheus-stack",
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    namespace: ns.monitoring,
    dependsOn: [],
    defaults: "kube-prometheus-stack",
    installsCrds: true,
    values: kubePrometheusStackValues,
  },
  {
    name: "loki",
    chart: "loki",
    repository: "https://grafana-community.github.io/helm-charts",
    version: "18.11.0",
    namespace: ns.monitoring,
    // Its chart ships ServiceMonitors when self-monitoring is on; the CRDs come from kube-prometheus-stack.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "loki-community",
    installsCrds: false,
    values: lokiValues,
  },
  {
    name: "jaeger",
    chart: "jaeger",
    repository: "https://jaegertracing.github.io/helm-charts",
    version: "4.11.1",
    namespace: ns.monitoring,
    dependsOn: [],
    defaults: "jaeger",
    installsCrds: false,
    values: jaegerValues,
  },
  {
    name: "otel-collector",
    chart: "opentelemetry-collector",
    repository: "https://open-telemetry.github.io/opentelemetry-helm-charts",
    version: "0.170.0",
    namespace: ns.monitoring,
    dependsOn: [],
    defaults: "opentelemetry-collector",
    installsCrds: false,
    values: otelCollectorValues,
  },
  {
    name: "otel-logs",
    chart: "opentelemetry-collector",
    repository: "https://open-telemetry.github.io/opentelemetry-helm-charts",
    version: "0.170.0",
    namespace: ns.monitoring,
    dependsOn: [],
    defaults: "opentelemetry-collector",
    installsCrds: false,
    values: otelLogsValues,
  },
  {
    name: "vault",
    chart: "vault",
    repository: "https://helm.releases.hashicorp.com",
    version: "0.34.1",
    namespace: ns.vault,
    // Its TLS certificate is a cert-manager Certificate, which must exist before the pods mount it.
    dependsOn: ["cert-manager"],
    defaults: "vault",
    installsCrds: false,
    values: vaultValues,
  },
  {
    name: "metrics-server",
    chart: "metrics-server",
    repository: "https://kubernetes-sigs.github.io/metrics-server/",
    version: "3.13.1",
    namespace: ns.kubeSystem,
    dependsOn: [],
    defaults: "metrics-server",
    installsCrds: false,
    values: metricsServerValues,
  },
  {
    name: "nvidia-device-plugin",
    chart: "nvidia-device-plugin",
    repository: "https://nvidia.github.io/k8s-device-plugin",
    version: "0.20.0",
    namespace: ns.kubeSystem,
    dependsOn: [],
    defaults: "nvidia-device-plugin",
    installsCrds: false,
    enabled: (ctx) => ctx.cluster.capabilities.gpuNodeGroup,
    values: nvidiaDevicePluginValues,
  },
  {
    name: "cluster-autoscaler",
    chart: "cluster-autoscaler",
    repository: "https://kubernetes.github.io/autoscaler",
    version: "9.59.0",
    namespace: ns.kubeSystem,
    dependsOn: [],
    defaults: "cluster-autoscaler",
    installsCrds: false,
    enabled: (ctx) => ctx.cluster.cloud !== undefined,
    values: clusterAutoscalerValues,
  },
  {
    // ingress-nginx was retired in March 2026; Envoy Gateway implements the Gateway API and is maintained.
    name: "envoy-gateway",
    chart: "oci://docker.io/envoyproxy/gateway-helm",
    repository: undefined,
    version: "v1.8.2",
    namespace: ns.gateway,
    dependsOn: [],
    defaults: undefined,
    installsCrds: true,
    values: gatewayValues,
  },
];

/** The add-ons that run in this context, in registry order. */
export function enabledAddons(ctx: AddonContext): Addon[] {
  return ADDONS.filter((a) => a.enabled?.(ctx) ?? true);
}
