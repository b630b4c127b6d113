/**
 * The AgentOps program: read the stack configuration once → cluster → platform → tenants → agents.
 * Components never read configuration; everything they need arrives as arguments from here.
 */
import {
  Agent,
  LLM_GATEWAY_AGENT_ENV,
  PLATFORM_ENDPOINTS,
  Tenant,
  agentCostInput,
  agentMonthlyCost,
  createCluster,
  loadStackConfig,
  nodeGroupsPricing,
  Platform,
  regionPrices,
} from "@agentops/components";

const config = loadStackConfig();

const cluster = createCluster("agentops", {
  config: config.cluster,
  environment: config.environment,
  region: config.region,
});
const provider = cluster.provider;

// The price table behind each agent's estimate (the policy pack recomputes it from the objects themselves)
// and behind OpenCost's pricing, so run-time costs and estimates agree.
const prices = config.region === undefined ? undefined : regionPrices(config.region);
const groups = nodeGroupsPricing(config);

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
        observability: { agents: config.agents, pricing: prices && { prices, nodeGroups: groups } },
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
        cost: prices && {
          estimatedMonthlyUsd: agentMonthlyCost(agentCostInput(agent, prices, groups), prices).maxMonthlyUsd,
        },
      },
      { provider, dependsOn: [tenant, ...platformCrds] },
    );
  }
}

export const environment = config.environment;
export const clusterName = cluster.outputs?.clusterName;
export const endpoint = cluster.outputs?.endpoint;
export const kubeconfig = cluster.outputs?.kubeconfig;
export const oidcIssuer = cluster.outputs?.oidcIssuer;
export const nodeGroupNames = cluster.outputs?.nodeGroupNames;
export const vpcId = cluster.outputs?.vpcId;
export const grafanaAdminPassword = platform?.grafanaAdminPassword;
