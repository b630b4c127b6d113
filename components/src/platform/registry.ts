/**
 * The one list of platform add-ons: chart, repository, pinned version (../shared/charts/INDEX.md), namespace,
 * the add-ons each must follow, and its values builder. Adding an add-on is one file and one entry here.
 */
import { PLATFORM_NAMESPACES } from "../lib/contract";
import {
  aiGatewayCrdsFootprint,
  aiGatewayCrdsValues,
  aiGatewayFootprint,
  aiGatewayValues,
} from "./addons/ai-gateway";
import { certManagerFootprint, certManagerValues } from "./addons/cert-manager";
import { clusterAutoscalerFootprint, clusterAutoscalerValues } from "./addons/cluster-autoscaler";
import { dcgmExporterFootprint, dcgmExporterValues } from "./addons/dcgm-exporter";
import { externalSecretsFootprint, externalSecretsValues } from "./addons/external-secrets";
import { gatewayFootprint, gatewayValues } from "./addons/gateway";
import { jaegerFootprint, jaegerValues } from "./addons/jaeger";
import { kubePrometheusStackFootprint, kubePrometheusStackValues } from "./addons/kube-prometheus-stack";
import { lokiFootprint, lokiValues } from "./addons/loki";
import { metricsServerFootprint, metricsServerValues } from "./addons/metrics-server";
import { nvidiaDevicePluginFootprint, nvidiaDevicePluginValues } from "./addons/nvidia-device-plugin";
import { openCostFootprint, openCostValues } from "./addons/opencost";
import {
  otelCollectorFootprint,
  otelCollectorValues,
  otelLogsFootprint,
  otelLogsValues,
} from "./addons/opentelemetry";
import { valkeyFootprint, valkeyValues, VALKEY_RELEASE } from "./addons/valkey";
import { vaultFootprint, vaultValues } from "./addons/vault";
import type { WorkloadFootprint } from "../capacity/workloads";
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
  /** Other namespaces the chart puts workloads in (created before it). @default none */
  otherNamespaces?: readonly string[];
  /**
   * Add-ons this one must follow: only where an install would fail otherwise (a CRD it renders objects of, a
   * certificate its pods mount). Everything else installs in parallel.
   */
  dependsOn: readonly string[];
  /**
   * Folder under ../shared/charts holding the pinned chart's default values, for the key check; undefined
   * where no defaults are kept there.
   */
  defaults: string | undefined;
  /** Installs CRDs that agents' or the platform's custom resources use. */
  installsCrds: boolean;
  /**
   * Values paths (`singleBinary.persistence.size`) the chart puts into a StatefulSet's `volumeClaimTemplates`,
   * which the API server refuses to change (the atomic upgrade would fail and roll back). The release ignores
   * later changes to them: claims grow by hand (README, "Growing an agent's storage"). @default none
   */
  claimTemplateValues?: readonly string[];
  /** Whether this add-on runs in the given context. @default always */
  enabled?: (ctx: AddonContext) => boolean;
  values: (ctx: AddonContext) => Values;
  /**
   * The pods the release runs with the values `values` built: workload name and kind, replicas, containers
   * with their requests, placement. The values builder writes every container's requests from the same
   * constants, and tests/footprint.test.ts renders the chart and compares, so a chart bump that adds a
   * container fails there. A function of the values (not of the context), so the policy pack, which sees the
   * Helm Release's values but not the stack configuration, computes the same capacity plan as synth.
   */
  footprint: (values: Values) => WorkloadFootprint[];
}

const ns = PLATFORM_NAMESPACES;

export const ADDONS: readonly Addon[] = [
  {
    name: "kube-prometheus-stack",
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    namespace: ns.monitoring,
    // node-exporter needs host network, PID and paths: it runs in the one privileged namespace.
    otherNamespaces: [ns.nodeAgents],
    dependsOn: [],
    defaults: "kube-prometheus-stack",
    installsCrds: true,
    values: kubePrometheusStackValues,
    footprint: kubePrometheusStackFootprint,
  },
  {
    name: "cert-manager",
    chart: "cert-manager",
    repository: "https://charts.jetstack.io",
    version: "v1.21.1",
    namespace: ns.certManager,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "cert-manager",
    installsCrds: true,
    values: certManagerValues,
    footprint: certManagerFootprint,
  },
  {
    name: "external-secrets",
    chart: "external-secrets",
    repository: "https://charts.external-secrets.io",
    version: "2.9.0",
    namespace: ns.externalSecrets,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "external-secrets",
    installsCrds: true,
    values: externalSecretsValues,
    footprint: externalSecretsFootprint,
  },
  {
    name: "loki",
    chart: "loki",
    repository: "https://grafana-community.github.io/helm-charts",
    version: "18.11.0",
    namespace: ns.monitoring,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "loki-community",
    installsCrds: false,
    // templates/_workload.tpl: `<component>.persistence.size` → volumeClaimTemplates (loki 18.11.0).
    claimTemplateValues: ["singleBinary", "write", "backend"].map((c) => `${c}.persistence.size`),
    values: lokiValues,
    footprint: lokiFootprint,
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
    footprint: jaegerFootprint,
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
    footprint: otelCollectorFootprint,
  },
  {
    name: "otel-logs",
    chart: "opentelemetry-collector",
    repository: "https://open-telemetry.github.io/opentelemetry-helm-charts",
    version: "0.170.0",
    // It reads the nodes' log files (hostPath): the one privileged namespace.
    namespace: ns.nodeAgents,
    dependsOn: [],
    defaults: "opentelemetry-collector",
    installsCrds: false,
    values: otelLogsValues,
    footprint: otelLogsFootprint,
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
    // templates/_helpers.tpl `vault.volumeclaims`: `server.dataStorage.size` → volumeClaimTemplates (vault 0.34.1).
    claimTemplateValues: ["server.dataStorage.size"],
    values: vaultValues,
    footprint: vaultFootprint,
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
    footprint: metricsServerFootprint,
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
    footprint: nvidiaDevicePluginFootprint,
  },
  {
    // GPU metrics for the resources dashboard and the GPUIdle alert. 4.8.2 was checked with the search tool
    // (NVIDIA/dcgm-exporter tag 4.5.3-4.8.2, deployment/Chart.yaml version 4.8.2); ../shared/charts holds no
    // defaults for it, so its values are not key-checked.
    name: "dcgm-exporter",
    chart: "dcgm-exporter",
    repository: "https://nvidia.github.io/dcgm-exporter/helm-charts",
    version: "4.8.2",
    // Root with SYS_ADMIN (profiling counters): the one privileged namespace.
    namespace: ns.nodeAgents,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: undefined,
    installsCrds: false,
    enabled: (ctx) => ctx.cluster.capabilities.gpuNodeGroup,
    values: dcgmExporterValues,
    footprint: dcgmExporterFootprint,
  },
  {
    name: "opencost",
    chart: "opencost",
    repository: "https://opencost.github.io/opencost-helm-chart",
    version: "2.5.17",
    namespace: ns.monitoring,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "opencost",
    installsCrds: false,
    values: openCostValues,
    footprint: openCostFootprint,
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
    footprint: clusterAutoscalerFootprint,
  },
  {
    // ingress-nginx was retired in March 2026. Envoy Gateway is maintained (CNCF Envoy), implements the
    // Gateway API that cert-manager's ACME solver and agents' HTTPRoutes use, and runs in any cluster, which
    // the AWS Load Balancer Controller (EKS only, one ALB per Ingress group) does not. v1.8.2 was checked with
    // the search tool (envoyproxy/gateway release v1.8.2, chart gateway-helm on Docker Hub); ../shared/charts
    // holds no defaults for it, so its values are not key-checked.
    name: "envoy-gateway",
    chart: "oci://docker.io/envoyproxy/gateway-helm",
    repository: undefined,
    version: "v1.8.2",
    namespace: ns.gateway,
    dependsOn: [],
    defaults: undefined,
    installsCrds: true,
    values: gatewayValues,
    footprint: gatewayFootprint,
  },
  {
    // The LLM gateway (README, LLM gateway): Envoy AI Gateway v1.1.0, charts from envoyproxy/ai-gateway
    // manifests/charts at tag v1.1.0 (../shared/helm-cache/INDEX.md). It needs Envoy Gateway >= v1.8.1.
    name: "ai-gateway-crds",
    chart: "oci://docker.io/envoyproxy/ai-gateway-crds-helm",
    repository: undefined,
    version: "v1.1.0",
    namespace: ns.aiGateway,
    dependsOn: [],
    defaults: "ai-gateway-crds-helm",
    installsCrds: true,
    enabled: (ctx) => ctx.config.llmGateway.enabled,
    values: aiGatewayCrdsValues,
    footprint: aiGatewayCrdsFootprint,
  },
  {
    name: "ai-gateway",
    chart: "oci://docker.io/envoyproxy/ai-gateway-helm",
    repository: undefined,
    version: "v1.1.0",
    namespace: ns.aiGateway,
    // It watches its CRDs and Envoy Gateway's, and Envoy Gateway calls it as its extension server.
    dependsOn: ["ai-gateway-crds", "envoy-gateway"],
    defaults: "ai-gateway-helm",
    installsCrds: false,
    enabled: (ctx) => ctx.config.llmGateway.enabled,
    values: aiGatewayValues,
    footprint: aiGatewayFootprint,
  },
  {
    // The LLM gateway's counter store on an existing cluster (on EKS: ElastiCache, declared by the platform).
    // valkey-io/valkey-helm 0.11.0 (../shared/helm-cache/INDEX.md).
    name: VALKEY_RELEASE,
    chart: "valkey",
    repository: "https://valkey.io/valkey-helm/",
    version: "0.11.0",
    namespace: ns.gateway,
    dependsOn: [],
    defaults: "valkey",
    installsCrds: false,
    enabled: (ctx) => ctx.config.llmGateway.enabled && ctx.cluster.cloud === undefined,
    values: valkeyValues,
    footprint: valkeyFootprint,
  },
];

/** The add-ons that run in this context, in registry order. */
export function enabledAddons(ctx: AddonContext): Addon[] {
  return ADDONS.filter((a) => a.enabled?.(ctx) ?? true);
}

/**
 * `addons` ordered so each comes after those it depends on (stable otherwise). A dependency that is not
 * running here is skipped: nothing waits for an add-on this cluster does not get.
 * @throws naming the add-ons of a dependency cycle.
 */
export function installOrder(addons: readonly Addon[]): Addon[] {
  const byName = new Map(addons.map((a) => [a.name, a]));
  const ordered: Addon[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (addon: Addon, path: string[]) => {
    if (state.get(addon.name) === "done") return;
    if (state.get(addon.name) === "visiting") {
      throw new Error(
        `platform add-ons depend on each other in a cycle: ${[...path, addon.name].join(" → ")}`,
      );
    }
    state.set(addon.name, "visiting");
    for (const dep of addon.dependsOn) {
      const next = byName.get(dep);
      if (next) visit(next, [...path, addon.name]);
    }
    state.set(addon.name, "done");
    ordered.push(addon);
  };
  for (const addon of addons) visit(addon, []);
  return ordered;
}
