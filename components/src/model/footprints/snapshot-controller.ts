/**
 * What the snapshot-controller release (kubernetes-csi/external-snapshotter's controller, piraeus chart) runs,
 * as a function of its values (platform/addons/snapshot-controller.ts builds them from the same constant).
 * The conversion webhook stays off (the chart's default since 5.2.0).
 */
import { container, ON_SYSTEM_NODES, type ChartValues, type WorkloadFootprint } from "../capacity/workloads";

/** Release name; the chart names its Deployment after it. */
export const SNAPSHOT_CONTROLLER_RELEASE = "snapshot-controller";

/** The controller's one container (chart `controller.resources`). */
export const SNAPSHOT_CONTROLLER = container("snapshot-controller", "10m", "32Mi");

export function snapshotControllerFootprint(values: ChartValues): WorkloadFootprint[] {
  return [
    {
      name: SNAPSHOT_CONTROLLER_RELEASE,
      kind: "Deployment",
      replicas: Number(values.controller?.replicaCount ?? 1),
      containers: [SNAPSHOT_CONTROLLER],
      placement: ON_SYSTEM_NODES,
    },
  ];
}
