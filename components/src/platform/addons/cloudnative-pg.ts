import { controllerReplicas, resources, type AddonContext, type Values } from "../context";
import { CNPG_OPERATOR } from "../../model/footprints/cloudnative-pg";
export { CNPG_RELEASE } from "../../model/footprints/cloudnative-pg";

/**
 * The CloudNativePG operator 1.30.0 (cloudnative-pg chart 0.29.0, defaults in ../shared/charts/cloudnative-pg)
 * and its CRDs, on an existing cluster with a PostgreSQL store: it runs the `Cluster`, `Database`,
 * `DatabaseRole` and `ScheduledBackup` objects the data stores declare (stores/objects.ts). Cluster-wide, with
 * the chart's restricted security contexts; its webhooks validate those objects.
 */
export function cloudnativePgValues(ctx: AddonContext): Values {
  return {
    replicaCount: controllerReplicas(ctx),
    resources: resources(CNPG_OPERATOR, "500m", "512Mi"),
    config: { clusterWide: true },
    crds: { create: true },
  };
}
