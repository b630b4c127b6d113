// Agent: one `agentops:agents` entry as Kubernetes objects.
export * from "./agent";
export * from "./objects";
export { agentObjectNames, derivedNameIssues, DERIVED_NAME_RULES } from "./names";
export { agentDemand, describePods, DEPLOYMENT_MAX_SURGE, type AgentDemand } from "./checks";
export { agentMonthlyEstimate } from "./estimate";
// What a program needs to write the arguments: the entry's schema and types, the options' schemas, the error.
export { agentSchema } from "../config/agents";
export {
  agentOptionsSchema,
  ComponentArgsError,
  placementSchema,
  platformEndpointsSchema,
  secretStoreSchema,
  type AgentInput,
  type AgentOptionsInput,
  type AgentPlacementInput,
  type PlatformEndpointsInput,
  type SecretStoreInput,
  type TenantInput,
} from "../config/component-args";
export type { AgentConfig, Environment, TenantConfig } from "../config";
