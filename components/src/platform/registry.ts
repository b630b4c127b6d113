/**
 * The one list of platform add-ons: each release of releases.ts (chart, pinned version, namespace, the add-ons
 * it must follow) with its values builder and its footprint. Adding an add-on is one file, one release and one
 * line in VALUES below.
 */
import { aiGatewayCrdsValues, aiGatewayValues } from "./addons/ai-gateway";
import { certManagerValues } from "./addons/cert-manager";
import { clusterAutoscalerValues } from "./addons/cluster-autoscaler";
import { dcgmExporterValues } from "./addons/dcgm-exporter";
import { externalSecretsValues } from "./addons/external-secrets";
import { gatewayValues } from "./addons/gateway";
import { jaegerValues } from "./addons/jaeger";
import { kedaValues } from "./addons/keda";
import { kubePrometheusStackValues } from "./addons/kube-prometheus-stack";
import { lokiValues } from "./addons/loki";
import { metricsServerValues } from "./addons/metrics-server";
import { nvidiaDevicePluginValues } from "./addons/nvidia-device-plugin";
import { openCostValues } from "./addons/opencost";
import { otelCollectorValues, otelLogsValues } from "./addons/opentelemetry";
import { valkeyValues, VALKEY_RELEASE } from "./addons/valkey";
import { snapshotControllerValues, SNAPSHOT_CONTROLLER_RELEASE } from "./addons/snapshot-controller";
import { cloudnativePgValues, CNPG_RELEASE } from "./addons/cloudnative-pg";
import { vaultValues } from "./addons/vault";
import { verticalPodAutoscalerValues } from "./addons/vertical-pod-autoscaler";
import type { WorkloadFootprint } from "../model/capacity/workloads";
import { PLATFORM_FOOTPRINTS } from "../model/footprints";
import type { AddonContext, Values } from "./context";
import { RELEASES, type AddonRelease } from "./releases";

/** One add-on: its release (releases.ts) with the builder of its values and the pods those values run. */
export interface Addon extends AddonRelease {
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

/** Each release's values builder, by release name. */
const VALUES: Readonly<Record<string, (ctx: AddonContext) => Values>> = {
  "kube-prometheus-stack": kubePrometheusStackValues,
  "cert-manager": certManagerValues,
  "external-secrets": externalSecretsValues,
  loki: lokiValues,
  jaeger: jaegerValues,
  "otel-collector": otelCollectorValues,
  "otel-logs": otelLogsValues,
  vault: vaultValues,
  "metrics-server": metricsServerValues,
  "nvidia-device-plugin": nvidiaDevicePluginValues,
  "dcgm-exporter": dcgmExporterValues,
  opencost: openCostValues,
  "cluster-autoscaler": clusterAutoscalerValues,
  "envoy-gateway": gatewayValues,
  "ai-gateway-crds": aiGatewayCrdsValues,
  "ai-gateway": aiGatewayValues,
  [VALKEY_RELEASE]: valkeyValues,
  [SNAPSHOT_CONTROLLER_RELEASE]: snapshotControllerValues,
  [CNPG_RELEASE]: cloudnativePgValues,
  keda: kedaValues,
  "vertical-pod-autoscaler": verticalPodAutoscalerValues,
};

/** The one list of platform add-ons: each release with its values builder and its footprint (model/footprints). */
export const ADDONS: readonly Addon[] = RELEASES.map((release) => {
  const values = VALUES[release.name];
  if (!values) throw new Error(`platform add-on ${release.name}: no values builder in platform/registry.ts`);
  const footprint = PLATFORM_FOOTPRINTS[release.name];
  if (!footprint) throw new Error(`platform add-on ${release.name}: no footprint in model/footprints`);
  return { ...release, values, footprint };
});
for (const name of Object.keys(VALUES)) {
  if (!RELEASES.some((r) => r.name === name))
    throw new Error(`platform add-on ${name}: values but no release in platform/releases.ts`);
}

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
