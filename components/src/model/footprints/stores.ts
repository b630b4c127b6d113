/**
 * The in-cluster data stores' pods (existing clusters): a Valkey release per `engine: valkey` store, whose
 * footprint is a function of its values (stores/objects.ts builds them: `fullnameOverride` names the
 * Deployment and its containers, `resources`/`initResources` their requests), and the CloudNativePG Cluster
 * objects, whose pods the operator makes (read from the Cluster's `instances` and `resources` by cost/stack.ts).
 */
import { container, ON_SYSTEM_NODES, type ChartValues, type WorkloadFootprint } from "../capacity/workloads";

/** Requests of the Valkey init container (the chart's script that writes the ACL file). */
export const STORE_VALKEY_INIT = { cpu: "10m", memory: "16Mi" } as const;

/** The pods of a store's Valkey release: one Deployment `<fullnameOverride>` with its init script. */
export function storeValkeyFootprint(values: ChartValues): WorkloadFootprint[] {
  const name = String(values.fullnameOverride ?? "valkey");
  const requests = (r: unknown) =>
    (r as { requests?: { cpu?: string; memory?: string } } | undefined)?.requests;
  const main = requests(values.resources);
  const init = requests(values.initResources);
  return [
    {
      name,
      kind: "Deployment",
      replicas: 1,
      containers: [container(name, main?.cpu ?? "0", main?.memory ?? "0")],
      initContainers: [container(`${name}-init`, init?.cpu ?? "0", init?.memory ?? "0")],
      placement: ON_SYSTEM_NODES,
    },
  ];
}

/** The CloudNativePG instance manager's init container, which copies the manager binary into each pod. */
export const CNPG_BOOTSTRAP_CONTAINER = "bootstrap-controller";
/** The PostgreSQL container of each instance pod. */
export const CNPG_POSTGRES_CONTAINER = "postgres";
