/**
 * An agent's cost estimate, computed from its own objects by the stack's cost model (model/cost/stack.ts), as
 * synth's report and the policy pack compute it: one estimator, read from objects, never from configuration.
 */
import type { RegionPrices } from "../catalog/prices";
import type { NodeGroupsPricing } from "../model/cost/estimate";
import { estimateStack, stackCostInput, type StackResourceLike } from "../model/cost/stack";
import { buildAgentObjects, type AgentObjects, type ResolvedAgentArgs } from "./objects";

/** The Kubernetes kind of each of an agent's objects, as the API server and the cost model know them. */
const KINDS: Record<keyof AgentObjects, string> = {
  serviceAccount: "ServiceAccount",
  configMap: "ConfigMap",
  externalSecret: "ExternalSecret",
  deployment: "Deployment",
  statefulSet: "StatefulSet",
  cronJob: "CronJob",
  jobClaim: "PersistentVolumeClaim",
  restoredClaim: "PersistentVolumeClaim",
  service: "Service",
  hpa: "HorizontalPodAutoscaler",
  scaledObject: "ScaledObject",
  triggerAuthentication: "TriggerAuthentication",
  pdb: "PodDisruptionBudget",
  serviceMonitor: "ServiceMonitor",
  serviceVpa: "VerticalPodAutoscaler",
  jobVpa: "VerticalPodAutoscaler",
  httpRoute: "HTTPRoute",
  rateLimitPolicy: "BackendTrafficPolicy",
  securityPolicy: "SecurityPolicy",
  oidcExternalSecret: "ExternalSecret",
};

/**
 * The agent's monthly cost at max replicas in USD, placed on node groups priced like `pricing.nodeGroups` (the
 * cluster's), by the same functions that price the whole stack. The objects are built with the entry's known
 * values: image, `env` and namespace do not enter the cost.
 */
export function agentMonthlyEstimate(
  args: ResolvedAgentArgs,
  pricing: { prices: RegionPrices; nodeGroups: NodeGroupsPricing },
): number {
  const objects = buildAgentObjects({
    ...args,
    image: args.agent.image,
    env: args.agent.env,
    namespace: args.tenant.name,
    estimatedMonthlyUsd: undefined,
  });
  const resources: StackResourceLike[] = Object.entries(objects).map(([key, obj]) => {
    const kind = KINDS[key as keyof AgentObjects];
    return { type: `kubernetes:${kind}`, name: key, urn: key, props: { ...(obj as object), kind } };
  });
  const [agent] = estimateStack(stackCostInput(resources, pricing.nodeGroups), pricing.prices).agents;
  return agent?.cost.maxMonthlyUsd ?? 0;
}
