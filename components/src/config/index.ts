/**
 * The schemas of the stack file's parts (`agentops:cluster`, `platform`, `tenants`, `agents`) and their
 * messages. Stack-wide validation, which needs the components' derived names, lives above them (stack/).
 */
export * from "./errors";
export * from "./environments";
export type { AgentConfig, AgentMode, ScheduledAgentConfig, ServiceAgentConfig } from "./agents";
export {
  AGENT_MODES,
  agentSchema,
  agentsSchema,
  autoscalingSchema,
  hasJob,
  hasService,
  jobSchema,
} from "./agents";
export { ciRunner, clusterSchema, EKS_ACCESS_POLICIES, GITHUB_HOSTED_RUNNER } from "./cluster";
export type {
  ClusterConfig,
  EksClusterConfig,
  ExistingClusterConfig,
  ExistingVpcNetworkConfig,
  NetworkConfig,
  NewVpcNetworkConfig,
} from "./cluster";
export type { LlmGatewayConfig, LlmProviderConfig, PlatformConfig } from "./platform";
export { bedrockProviders, LLM_GATEWAY_MAX_MONTHLY_USD, platformSchema } from "./platform";
export type { TenantConfig } from "./tenants";
export { tenantSchema, tenantsSchema } from "./tenants";
export type {
  BackupsConfig,
  PostgresStoreConfig,
  S3StoreConfig,
  StoreConfig,
  StoreEngine,
  StoresConfig,
  ValkeyStoreConfig,
} from "./stores";
export { backupsSchema, STORE_ENGINES, storeEnvPrefix, storeSchema, storesSchema } from "./stores";
