// `@agentops/components/agents`: the Agent component, its arguments and the errors it raises.
export { Agent, agentObjects, resolveAgentArgs, type AgentArgs } from "./agent";
export { type AgentObjects, type AgentPlacement, type ResolvedAgentArgs } from "./objects";
export { agentObjectNames, LLM_API_KEY } from "./names";
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
