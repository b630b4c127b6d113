/**
 * What the vault release runs: its pods and each container's requests, as a function of the release's values
 * (platform/addons/vault.ts builds the values from the same constants).
 */
import { container, ON_SYSTEM_NODES, type WorkloadFootprint, type ChartValues } from "../capacity/workloads";

export const VAULT = container("vault", "100m", "256Mi");

/** The server StatefulSet: one pod standalone, `ha.replicas` in HA, never two on a node (chart's anti-affinity). */
export function vaultFootprint(values: ChartValues): WorkloadFootprint[] {
  const server = values.server;
  return [
    {
      name: "vault",
      kind: "StatefulSet",
      replicas: server.ha.enabled ? server.ha.replicas : 1,
      containers: [VAULT],
      placement: ON_SYSTEM_NODES,
      onePerNode: true,
    },
  ];
}
