// `@agentops/components/agents`: the Agent component, its arguments and the errors it raises.
export { Agent, agentObjects, resolveAgentArgs, type AgentArgs } from "./agent";
export { LLM_API_KEY, type AgentObjects, type AgentPlacement, type ResolvedAgentArgs } from "./objects";
export { agentObjectNames } from "./names";
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
