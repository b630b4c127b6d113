import { VPA_RECOMMENDER } from "../../model/footprints/vertical-pod-autoscaler";
import {
  controllerReplicas,
  resources,
  RESTRICTED_CONTAINER,
  type AddonContext,
  type Values,
} from "../context";

/**
 * The Vertical Pod Autoscaler (kubernetes/autoscaler chart 0.11.0, VPA 1.7.1; defaults in
 * ../shared/charts/vertical-pod-autoscaler) in recommendation mode: the recommender alone, which watches every
 * agent's VerticalPodAutoscaler (`updateMode: "Off"`) and writes its recommendation into the object's status,
 * read by `npm run rightsize`. No updater (it would evict pods to apply recommendations) and no admission
 * controller (it would rewrite requests at pod creation): requests stay what the stack file says. It reads
 * usage from metrics-server and keeps its history in VerticalPodAutoscalerCheckpoints. Two replicas with
 * leader election where the platform is highly available; the chart's disruption budget only then (with one
 * replica, `minAvailable: 1` would block every node drain).
 */
export function verticalPodAutoscalerValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  return {
    podSecurityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: RESTRICTED_CONTAINER,
    admissionController: { enabled: false, certGen: { enabled: false } },
    updater: { enabled: false },
    recommender: {
      replicas,
      resources: resources(VPA_RECOMMENDER, "500m", "1Gi"),
      podDisruptionBudget: { enabled: replicas > 1 },
    },
  };
}
