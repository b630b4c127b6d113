// Tenant: one team's namespace, quota, limits, network policies and RBAC.
export * from "./tenant";
export { agentDemand, agentTenantIssues, type AgentDemand } from "../config/tenants";
