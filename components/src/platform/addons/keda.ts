import { KEDA_CONTAINERS as C } from "../../model/footprints/keda";
import { controllerReplicas, resources, type AddonContext, type Values } from "../context";

/**
 * Pod annotation of the KEDA operator while it reads SQS queue lengths with EKS Pod Identity: EKS hands a pod
 * its Pod Identity credentials when the pod is created, so the first SQS agent (or the last one leaving)
 * changes the operator's pod template and rolls it after its association exists.
 */
export const KEDA_AWS_CREDENTIALS_ANNOTATION = "agentops.io/aws-credentials";

/**
 * KEDA 2.20.2 (kedacore/charts, defaults in ../shared/charts/keda): the operator that turns agents'
 * ScaledObjects into HPAs fed from Prometheus and queues, its metrics API server and admission webhooks. The
 * operator runs active/standby with leader election where the platform is highly available; the metrics API
 * server stays at one (KEDA serves external metrics from one instance). The operator's metrics are scraped
 * (scaler errors, trigger values). Secrets stay readable cluster-wide by the operator (the chart's default,
 * `permissions.operator.restrict.secret: false`): the TriggerAuthentications of queue agents point at their
 * own Secrets in the tenants' namespaces.
 */
export function kedaValues(ctx: AddonContext): Values {
  const replicas = controllerReplicas(ctx);
  const budget = replicas > 1 ? { maxUnavailable: 1 } : {};
  return {
    operator: { replicaCount: replicas },
    metricsServer: { replicaCount: 1 },
    webhooks: { replicaCount: replicas },
    resources: {
      operator: resources(C.operator, "500m", "512Mi"),
      metricServer: resources(C.metricsServer, "500m", "256Mi"),
      webhooks: resources(C.webhooks, "200m", "128Mi"),
    },
    podDisruptionBudget: { operator: budget, webhooks: budget },
    podAnnotations: {
      keda: ctx.kedaPodIdentity ? { [KEDA_AWS_CREDENTIALS_ANNOTATION]: "pod-identity" } : {},
    },
    prometheus: { operator: { enabled: true, serviceMonitor: { enabled: true } } },
  };
}
