import {
  RESTRICTED_CONTAINER,
  controllerReplicas,
  resources,
  type AddonContext,
  type Values,
} from "../context";
import { SNAPSHOT_CONTROLLER } from "../../model/footprints/snapshot-controller";
export { SNAPSHOT_CONTROLLER_RELEASE } from "../../model/footprints/snapshot-controller";

/**
 * The CSI snapshot controller (kubernetes-csi/external-snapshotter v8.6.0, piraeus chart 5.2.0, defaults in
 * ../shared/charts/snapshot-controller) and the VolumeSnapshot CRDs, where agents' volumes are backed up or
 * restored. The same chart on EKS and elsewhere: EKS's managed `snapshot-controller` add-on installs the same
 * controller, but no build of it for Kubernetes 1.35 could be confirmed here (the newest documented one,
 * v8.3.0-eksbuild.1, is for 1.32/1.33), and one digest-checked, rendered and footprint-tested chart beats an
 * unverified pin. Install one or the other, never both. The conversion webhook stays off (its default).
 */
export function snapshotControllerValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  return {
    installCRDs: true,
    controller: {
      replicaCount: replicas,
      resources: resources(SNAPSHOT_CONTROLLER, "100m", "128Mi"),
      // The chart sets no pod security context and no seccomp profile; restricted needs both.
      podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 1000 },
      // Rendered only when set (`pdb` is the PodDisruptionBudget's spec beside its selector).
      pdb: replicas > 1 ? { maxUnavailable: 1 } : {},
    },
  };
}
