/**
 * The platform's releases: each add-on's chart (pinned in catalog/charts.ts), namespace, the add-ons it must
 * follow and where it runs — facts only, no values builders. What needs to know which release runs where (the
 * stack's checks of tenant namespaces, the policy pack's exemptions) reads this table without loading the
 * builders, some of which build Pulumi outputs; registry.ts joins each release with its values and footprint.
 */
import { pinnedChart, type PinnedChart } from "../catalog/charts";
import { PLATFORM_NAMESPACES } from "../lib/contract";
import { CNPG_RELEASE } from "../model/footprints/cloudnative-pg";
import { SNAPSHOT_CONTROLLER_RELEASE } from "../model/footprints/snapshot-controller";
import { VALKEY_RELEASE } from "../model/footprints/valkey";
import type { AddonContext } from "./context";

/**
 * One add-on's release: what it is and where it runs, without its values. `chart`, `version` and `repository` (undefined for an OCI chart, whose `chart` is the `oci://`
 * reference) come from the chart lock (catalog/charts.ts), the one place versions are written.
 */
export interface AddonRelease extends PinnedChart {
  /** Helm release name (and the add-on's key). */
  name: string;
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
}

const ns = PLATFORM_NAMESPACES;

/** Every platform add-on's release, in install-preference order; `enabled` says where it runs. */
export const RELEASES: readonly AddonRelease[] = [
  {
    name: "kube-prometheus-stack",
    ...pinnedChart("kube-prometheus-stack"),
    namespace: ns.monitoring,
    // node-exporter needs host network, PID and paths: it runs in the one privileged namespace.
    otherNamespaces: [ns.nodeAgents],
    dependsOn: [],
    defaults: "kube-prometheus-stack",
    installsCrds: true,
  },
  {
    name: "cert-manager",
    ...pinnedChart("cert-manager"),
    namespace: ns.certManager,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "cert-manager",
    installsCrds: true,
  },
  {
    name: "external-secrets",
    ...pinnedChart("external-secrets"),
    namespace: ns.externalSecrets,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "external-secrets",
    installsCrds: true,
  },
  {
    name: "loki",
    ...pinnedChart("loki"),
    namespace: ns.monitoring,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "loki-community",
    installsCrds: false,
    // templates/_workload.tpl: `<component>.persistence.size` → volumeClaimTemplates (loki 18.11.0).
    claimTemplateValues: ["singleBinary", "write", "backend"].map((c) => `${c}.persistence.size`),
  },
  {
    name: "jaeger",
    ...pinnedChart("jaeger"),
    namespace: ns.monitoring,
    dependsOn: [],
    defaults: "jaeger",
    installsCrds: false,
  },
  {
    name: "otel-collector",
    ...pinnedChart("opentelemetry-collector"),
    namespace: ns.monitoring,
    dependsOn: [],
    defaults: "opentelemetry-collector",
    installsCrds: false,
  },
  {
    name: "otel-logs",
    ...pinnedChart("opentelemetry-collector"),
    // It reads the nodes' log files (hostPath): the one privileged namespace.
    namespace: ns.nodeAgents,
    dependsOn: [],
    defaults: "opentelemetry-collector",
    installsCrds: false,
  },
  {
    name: "vault",
    ...pinnedChart("vault"),
    namespace: ns.vault,
    // Its TLS certificate is a cert-manager Certificate, which must exist before the pods mount it.
    dependsOn: ["cert-manager"],
    defaults: "vault",
    installsCrds: false,
    // templates/_helpers.tpl `vault.volumeclaims`: `server.dataStorage.size` → volumeClaimTemplates (vault 0.34.1).
    claimTemplateValues: ["server.dataStorage.size"],
  },
  {
    name: "metrics-server",
    ...pinnedChart("metrics-server"),
    namespace: ns.kubeSystem,
    dependsOn: [],
    defaults: "metrics-server",
    installsCrds: false,
  },
  {
    name: "nvidia-device-plugin",
    ...pinnedChart("nvidia-device-plugin"),
    namespace: ns.kubeSystem,
    dependsOn: [],
    defaults: "nvidia-device-plugin",
    installsCrds: false,
    enabled: (ctx) => ctx.cluster.capabilities.gpuNodeGroup,
  },
  {
    // GPU metrics for the resources dashboard and the GPUIdle alert. 4.8.2 was checked with the search tool
    // (NVIDIA/dcgm-exporter tag 4.5.3-4.8.2, deployment/Chart.yaml version 4.8.2); its values are key-checked
    // against the chart's defaults (../shared/charts/dcgm-exporter).
    name: "dcgm-exporter",
    ...pinnedChart("dcgm-exporter"),
    // Root with SYS_ADMIN (profiling counters): the one privileged namespace.
    namespace: ns.nodeAgents,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "dcgm-exporter",
    installsCrds: false,
    enabled: (ctx) => ctx.cluster.capabilities.gpuNodeGroup,
  },
  {
    name: "opencost",
    ...pinnedChart("opencost"),
    namespace: ns.monitoring,
    // It renders a ServiceMonitor, whose CRD kube-prometheus-stack installs.
    dependsOn: ["kube-prometheus-stack"],
    defaults: "opencost",
    installsCrds: false,
  },
  {
    name: "cluster-autoscaler",
    ...pinnedChart("cluster-autoscaler"),
    namespace: ns.kubeSystem,
    dependsOn: [],
    defaults: "cluster-autoscaler",
    installsCrds: false,
    enabled: (ctx) => ctx.cluster.cloud !== undefined,
  },
  {
    // ingress-nginx was retired in March 2026. Envoy Gateway is maintained (CNCF Envoy), implements the
    // Gateway API that cert-manager's ACME solver and agents' HTTPRoutes use, and runs in any cluster, which
    // the AWS Load Balancer Controller (EKS only, one ALB per Ingress group) does not. v1.8.2 was checked with
    // the search tool (envoyproxy/gateway release v1.8.2, chart gateway-helm on Docker Hub); its values are
    // key-checked against the chart's defaults (../shared/charts/gateway-helm).
    name: "envoy-gateway",
    ...pinnedChart("oci://docker.io/envoyproxy/gateway-helm"),
    namespace: ns.gateway,
    dependsOn: [],
    defaults: "gateway-helm",
    installsCrds: true,
  },
  {
    // The LLM gateway (README, LLM gateway): Envoy AI Gateway v1.1.0, charts from envoyproxy/ai-gateway
    // manifests/charts at tag v1.1.0 (../shared/helm-cache/INDEX.md). It needs Envoy Gateway >= v1.8.1.
    name: "ai-gateway-crds",
    ...pinnedChart("oci://docker.io/envoyproxy/ai-gateway-crds-helm"),
    namespace: ns.aiGateway,
    dependsOn: [],
    defaults: "ai-gateway-crds-helm",
    installsCrds: true,
    enabled: (ctx) => ctx.config.llmGateway.enabled,
  },
  {
    name: "ai-gateway",
    ...pinnedChart("oci://docker.io/envoyproxy/ai-gateway-helm"),
    namespace: ns.aiGateway,
    // It watches its CRDs and Envoy Gateway's, and Envoy Gateway calls it as its extension server.
    dependsOn: ["ai-gateway-crds", "envoy-gateway"],
    defaults: "ai-gateway-helm",
    installsCrds: false,
    enabled: (ctx) => ctx.config.llmGateway.enabled,
  },
  {
    // The LLM gateway's counter store on an existing cluster (on EKS: ElastiCache, declared by the platform).
    // valkey-io/valkey-helm 0.11.0 (../shared/helm-cache/INDEX.md).
    name: VALKEY_RELEASE,
    ...pinnedChart("valkey"),
    namespace: ns.gateway,
    dependsOn: [],
    defaults: "valkey",
    installsCrds: false,
    enabled: (ctx) => ctx.config.llmGateway.enabled && ctx.cluster.cloud === undefined,
  },
  {
    // Volume backups and restores (README, Data stores and backups): the VolumeSnapshot CRDs and controller.
    name: SNAPSHOT_CONTROLLER_RELEASE,
    ...pinnedChart("snapshot-controller"),
    namespace: ns.kubeSystem,
    dependsOn: [],
    defaults: "snapshot-controller",
    installsCrds: true,
    enabled: (ctx) => ctx.storage?.volumeSnapshots === true,
  },
  {
    // The in-cluster PostgreSQL stores' operator (existing clusters; on EKS the stores are RDS).
    name: CNPG_RELEASE,
    ...pinnedChart("cloudnative-pg"),
    namespace: ns.cnpg,
    dependsOn: [],
    defaults: "cloudnative-pg",
    installsCrds: true,
    enabled: (ctx) => ctx.storage?.postgresOperator === true,
  },
  {
    // Agents that scale on requests or queues (README, Scaling): KEDA's ScaledObjects and TriggerAuthentications.
    // kedacore/charts 2.20.2 (../shared/helm-cache/INDEX.md). It renders a ServiceMonitor for the operator.
    name: "keda",
    ...pinnedChart("keda"),
    namespace: ns.keda,
    dependsOn: ["kube-prometheus-stack"],
    defaults: "keda",
    installsCrds: true,
  },
  {
    // Every agent's VerticalPodAutoscaler in recommendation mode (README, Right-sizing); its CRDs are in the
    // chart's crds/. kubernetes/autoscaler chart 0.11.0 (../shared/helm-cache/INDEX.md).
    name: "vertical-pod-autoscaler",
    ...pinnedChart("vertical-pod-autoscaler"),
    namespace: ns.kubeSystem,
    dependsOn: [],
    defaults: "vertical-pod-autoscaler",
    installsCrds: true,
  },
];
