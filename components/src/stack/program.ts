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
import { releaseChart } from "../platform/chart-files";
import { Platform } from "../platform/platform";
import { DataStores, VolumeBackups } from "../stores/stores";
import { awsTags } from "../lib/tags";
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
}

/** Declares the whole stack. Call it inside a Pulumi program (or the mock runtime). */
export function agentOpsStack(config: StackConfig): StackOutputs {
  // Volume snapshots (the snapshot controller, the EBS CSI snapshotter) serve backups and restores.
  // Without the platform there is no snapshot controller nor its CRDs: restores and in-cluster backups are
  // refused then (stack/checks.ts), and AWS Backup on EKS needs neither.
  const restores = config.agents.some((a) => a.storage?.restoreFrom !== undefined);
  const volumeSnapshots = config.platform.enabled && (config.backups.enabled || restores);
  const eks = config.cluster.mode === "eks";
  const protect = config.cluster.mode === "eks" && config.cluster.protect;
  const cluster = createCluster("agentops", {
    config: config.cluster,
    environment: config.environment,
    region: config.region,
    ...(volumeSnapshots ? { volumeSnapshots: true } : {}),
    // A stack that is not its environment's own names its cloud resources after itself (lib/names.ts).
    stack: config.stack,
  });
  const provider = cluster.provider;
  const storeEngines = Object.values(config.stores).map((s) => s.engine);

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
          // The data stores' operators: the snapshot controller, and off EKS CloudNativePG.
          storage: { volumeSnapshots, postgresOperator: !eks && storeEngines.includes("postgres") },
        },
        { provider },
      )
    : undefined;
  // The data stores, before the tenants (whose egress policies name them) and the agents (their settings).
  const releases = platform?.releases ?? {};
  const release = (name: string) => (releases[name] ? [releases[name]] : []);
  const stores =
    storeEngines.length > 0 || config.backups.enabled || restores
      ? new DataStores(
          "stores",
          {
            environment: config.environment,
            // Its RDS instances, caches, buckets and alarms named after the stack, like the cluster's resources.
            stack: config.stack,
            stores: config.stores,
            backups: config.backups,
            agents: config.agents,
            volumeSnapshots,
            ...(cluster.cloud
              ? {
                  cloud: {
                    region: cluster.cloud.region,
                    clusterName: cluster.cloud.clusterName,
                    network: cluster.cloud.network,
                    externalSecretsRoleName: cluster.cloud.externalSecretsRoleName,
                  },
                }
              : {}),
            protect,
            tags: awsTags(config.environment),
            releaseChart: (pinned) => releaseChart(pinned, config.platform.charts?.directory),
            after: {
              secrets: [...release("external-secrets"), ...release("vault")],
              postgresOperator: release("cloudnative-pg"),
              monitoring: release("kube-prometheus-stack"),
              snapshots: release("snapshot-controller"),
            },
          },
          { provider },
        )
      : undefined;
  // Agents' ServiceMonitors and ExternalSecrets need the CRDs those releases install (`platform.enabled: false`
  // leaves the ServiceMonitors out and refuses agents' secrets, README "agentops:platform").
  const platformCrds = platform?.crds ?? [];
  // With the LLM gateway, agents reach LLMs through it: an egress path to its proxies and its URL in their env.
  const gateway = platform !== undefined && config.platform.llmGateway.enabled;
  const gatewayProxies = PLATFORM_ENDPOINTS.llmGateway;

  const tenants: Tenant[] = [];
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
        ...(stores ? { stores: stores.egress } : {}),
      },
      { provider },
    );
    tenants.push(tenant);
    for (const agent of agents) {
      new Agent(
        agent.name,
        {
          agent,
          tenant: tenantConfig,
          environment: config.environment,
          placement: cluster.capabilities,
          // Without the platform there is no Prometheus Operator (its CRD) and no Prometheus to scrape: no
          // ServiceMonitor; no VPA recommender (nor its CRD): no VerticalPodAutoscaler. Agents with `secrets` or
          // `scaling` are refused then (stack/checks.ts): their ExternalSecret's and ScaledObject's kinds would
          // not exist either.
          serviceMonitor: platform !== undefined,
          verticalPodAutoscaler: platform !== undefined,
          llmGateway: gateway ? { env: LLM_GATEWAY_AGENT_ENV } : undefined,
          ...(prices ? { pricing: { prices, nodeGroups } } : {}),
          ...(stores && agent.stores.length > 0 ? { stores: stores.agentAccess(agent) } : {}),
          ...(stores?.snapshots ? { snapshots: stores.snapshots } : {}),
        },
        {
          provider,
          // An agent with an S3 store waits for its Pod Identity association: pods get credentials at creation.
          dependsOn: [tenant, ...platformCrds, ...(stores?.agentDependencies[agent.name] ?? [])],
        },
      );
    }
  }
  if (config.backups.enabled && stores) {
    new VolumeBackups(
      "backups",
      {
        environment: config.environment,
        stack: config.stack,
        backups: config.backups,
        tenants: config.tenants.map((t) => t.name),
        ...(cluster.cloud && stores.kmsKeyArn && stores.alarmTopicArn
          ? {
              cloud: {
                region: cluster.cloud.region,
                kmsKeyArn: stores.kmsKeyArn,
                alarmTopicArn: stores.alarmTopicArn,
              },
            }
          : {}),
        inClusterStores: {
          postgres: !eks && storeEngines.includes("postgres"),
          valkey: !eks && storeEngines.includes("valkey"),
        },
        protect,
        tags: awsTags(config.environment),
        // In the cluster: the stores' namespace and the tenants' namespaces hold its service account and Roles.
        after: [stores, ...tenants, ...release("snapshot-controller")],
      },
      { provider },
    );
  }

  return {
    environment: config.environment,
    clusterName: cluster.outputs?.clusterName,
    endpoint: cluster.outputs?.endpoint,
    kubeconfig: cluster.outputs?.kubeconfig,
    oidcIssuer: cluster.outputs?.oidcIssuer,
    nodeGroupNames: cluster.outputs?.nodeGroupNames,
    vpcId: cluster.outputs?.vpcId,
  };
}
