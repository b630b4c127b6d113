// `@agentops/components/tenancy`: the Tenant component, its arguments and the errors it raises.
export {
  resolveTenantArgs,
  Tenant,
  tenantObjects,
  type ResolvedTenantArgs,
  type TenantArgs,
  type TenantLlmGateway,
  type TenantObjects,
} from "./tenant";
export { tenantSchema } from "../config/tenants";
export {
  ComponentArgsError,
  platformEndpointsSchema,
  type AgentInput,
  type PlatformEndpointsInput,
  type TenantInput,
} from "../config/component-args";
export type { AgentConfig, Environment, TenantConfig } from "../config";
