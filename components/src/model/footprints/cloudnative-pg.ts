/**
 * What the cloudnative-pg release (the CloudNativePG operator) runs, as a function of its values
 * (platform/addons/cloudnative-pg.ts builds them from the same constant). The PostgreSQL pods of each Cluster
 * are the operator's, not the chart's: the cost model reads them from the Cluster objects (cost/stack.ts).
 */
import { container, ON_SYSTEM_NODES, type ChartValues, type WorkloadFootprint } from "../capacity/workloads";

/** Release name of the operator; the chart names its Deployment after it. */
export const CNPG_RELEASE = "cloudnative-pg";

/** The operator's one container (chart `resources`). */
export const CNPG_OPERATOR = container("manager", "50m", "128Mi");

export function cloudnativePgFootprint(values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: CNPG_RELEASE,
      kind: "Deployment",
      replicas: Number(values.replicaCount ?? 1),
      containers: [CNPG_OPERATOR],
      placement: ON_SYSTEM_NODES,
    },
  ];
}
