// Tenant: one team's namespace, quota, limits, network policies and RBAC.
export * from "./tenant";
// What a program needs to write the arguments: the entry's schema and types, the error.
export { tenantSchema } from "../config/tenants";
export {
  ComponentArgsError,
  platformEndpointsSchema,
  type AgentInput,
  type PlatformEndpointsInput,
  type TenantInput,
} from "../config/component-args";
export type { AgentConfig, Environment, TenantConfig } from "../config";
