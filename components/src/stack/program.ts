/**
 * The AgentOps program, as a function of the validated stack configuration: cluster → platform → tenants →
 * agents. `index.ts` calls it with `loadStackConfig()`; a program of another team, or the Automation API's inline
 * program, can call it the same way. Components never read configuration; everything they need arrives here.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Agent } from "../agents/agent";
import { regionPrices } from "../catalog/prices";
import { createCluster } from "../cluster";
import { PLATFORM_ENDPOINTS } from "../lib/contract";
import { nodeGroupsPricing } from "../model/cost/report";
import { LLM_GATEWAY_AGENT_ENV } from "../gateway/objects";
import { Platform } from "../platform/platform";
import { Tenant } from "../tenancy/tenant";
import type { StackConfig } from "./config";

/** The stack outputs; those of the EKS cluster are absent on a cluster made elsewhere. */
export interface StackOutputs {
  environment: string;
  clusterName: pulumi.Output<string> | undefined;
  endpoint: pulumi.Output<string> | undefined;
  kubeconfig: pulumi.Output<string> | undefined;
  oidcIssuer: pulumi.Output<string | undefined> | undefined;
  nodeGroupNames: pulumi.Output<string[]> | undefined;
  vpcId: pulumi.Output<string> | undefined;
  grafanaAdminPassword: pulumi.Output<string> | undefined;
}

/** Declares the whole stack. Call it inside a Pulumi program (or the mock runtime). */
export function agentOpsStack(config: StackConfig): StackOutputs {
  const cluster = createCluster("agentops", {
    config: config.cluster,
    environment: config.environment,
    region: config.region,
  });
  const provider = cluster.provider;

  // The price table behind each agent's estimate (the policy pack recomputes it from the objects themselves)
  // and behind OpenCost's pricing, so run-time costs and estimates agree.
  const prices = config.region === undefined ? undefined : regionPrices(config.region);
  const nodeGroups = nodeGroupsPricing(config.cluster);

  const platform = config.platform.enabled
    ? new Platform(
        "platform",
        {
          environment: config.environment,
          config: config.platform,
          cluster,
          // Jaeger's trace volume is data: protected where the cluster is.
          protect: config.cluster.mode === "eks" && config.cluster.protect,
          // Budget recording rules per agent; OpenCost priced from the same table as the estimates.
          observability: { agents: config.agents, pricing: prices && { prices, nodeGroups } },
          // Their LLM budgets become the gateway's credentials and monthly limits.
          agents: config.agents,
        },
        { provider },
      )
    : undefined;
  // Agents' ServiceMonitors and ExternalSecrets need the CRDs those releases install.
  const platformCrds = platform?.crds ?? [];
  // With the LLM gateway, agents reach LLMs through it: an egress path to its proxies and its URL in their env.
  const gateway = platform !== undefined && config.platform.llmGateway.enabled;
  const gatewayProxies = PLATFORM_ENDPOINTS.llmGateway;

  for (const tenantConfig of config.tenants) {
    const agents = config.agents.filter((a) => a.tenant === tenantConfig.name);
    const tenant = new Tenant(
      tenantConfig.name,
      {
        tenant: tenantConfig,
        environment: config.environment,
        agents,
        llmGateway: gateway
          ? {
              namespace: gatewayProxies.namespace,
              podLabels: gatewayProxies.proxyPodLabels,
              containerPort: gatewayProxies.containerPort,
            }
          : undefined,
      },
      { provider },
    );
    for (const agent of agents) {
      new Agent(
        agent.name,
        {
          agent,
          tenant: tenantConfig,
          environment: config.environment,
          placement: cluster.capabilities,
          llmGateway: gateway ? { env: LLM_GATEWAY_AGENT_ENV } : undefined,
          ...(prices ? { pricing: { prices, nodeGroups } } : {}),
        },
        { provider, dependsOn: [tenant, ...platformCrds] },
      );
    }
  }

  return {
    environment: config.environment,
    clusterName: cluster.outputs?.clusterName,
    endpoint: cluster.outputs?.endpoint,
    kubeconfig: cluster.outputs?.kubeconfig,
    oidcIssuer: cluster.outputs?.oidcIssuer,
    nodeGroupNames: cluster.outputs?.nodeGroupNames,
    vpcId: cluster.outputs?.vpcId,
    grafanaAdminPassword: platform?.grafanaAdminPassword,
  };
}
