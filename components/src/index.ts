// Public exports of @agentops/components.
export * from "./agents";
export * from "./capacity";
export * from "./cluster";
export * from "./config";
export * from "./cost";
export * from "./gateway";
export * from "./lib/contract";
export * from "./lib/names";
export * from "./lib/quantity";
export * from "./observability";
export * from "./platform";
export * from "./tenancy";
export * from "./lib/cron";
export * from "./lib/time-zone";
export * from "./diff";
// Component arguments as users write them, and the schemas that validate them and the stack files.
export * from "./config/component-args";
export { agentSchema, agentsSchema } from "./config/agents";
export { tenantSchema, tenantsSchema } from "./config/tenants";
export { clusterSchema } from "./config/cluster";
export { platformSchema } from "./config/platform";
