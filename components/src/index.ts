/**
 * The public surface of `@agentops/components` (listed in components/README.md, "Public surface"). Everything
 * else under src/ is internal: reachable through the other entries (`/agents`, `/tenancy`, `/model`,
 * `/testing`) where it is public there, and otherwise free to change.
 */

// Components.
export {
  Agent,
  agentObjects,
  LLM_API_KEY,
  type AgentArgs,
  type AgentObjects,
  type AgentPlacement,
} from "./agents";
export { Tenant, tenantObjects, type TenantArgs, type TenantLlmGateway, type TenantObjects } from "./tenancy";
export {
  createCluster,
  EksCluster,
  ExistingCluster,
  type ClusterCapabilities,
  type ClusterCloud,
  type ClusterHandle,
  type ClusterOutputs,
  type CreateClusterArgs,
} from "./cluster";
export { ADDONS, Platform, type Addon, type PlatformArgs, type PlatformCluster } from "./platform";
export {
  DataStores,
  VolumeBackups,
  type DataStoresArgs,
  type StoresCloud,
  type VolumeBackupsArgs,
} from "./stores";

// The whole stack: its configuration and the program.
export {
  agentOpsStack,
  configWarnings,
  loadStackConfig,
  parseStackConfig,
  rawStackConfig,
  type RawStackConfig,
  type StackConfig,
  type StackOutputs,
} from "./stack";

// Arguments and configuration: schemas, types, errors.
export {
  AGENT_MODES,
  agentSchema,
  agentsSchema,
  backupsSchema,
  clusterSchema,
  ConfigError,
  ENVIRONMENTS,
  formatIssue,
  platformSchema,
  storesSchema,
  tenantSchema,
  tenantsSchema,
  UserError,
  type AgentConfig,
  type AgentMode,
  type BackupsConfig,
  type ClusterConfig,
  type ConfigIssue,
  type EksClusterConfig,
  type Environment,
  type ExistingClusterConfig,
  type LlmGatewayConfig,
  type PlatformConfig,
  type ScheduledAgentConfig,
  type ServiceAgentConfig,
  type StoresConfig,
  type TenantConfig,
} from "./config";
export {
  ComponentArgsError,
  type AgentInput,
  type AgentPlacementInput,
  type PlatformEndpointsInput,
  type SecretStoreInput,
  type TenantInput,
  type Widen,
} from "./config/component-args";

// Catalog: what the platform pins.
export {
  CHART_LOCK,
  CHART_LOCK_PATH,
  pinnedChart,
  type ChartLockEntry,
  type PinnedChart,
} from "./catalog/charts";
export { EKS_ADDON_VERSIONS, SUPPORTED_KUBERNETES_VERSIONS } from "./catalog/kubernetes";

/**
 * Which runner a stack's CI jobs use (`cluster.access.runner`), for the repository's workflows.
 * @internal
 */
export { ciRunner } from "./config/cluster";
