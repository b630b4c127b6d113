/**
 * The AgentOps program: read the stack configuration once, validate it, then declare cluster → platform →
 * tenants → agents (components/src/stack/program.ts). Components never read configuration.
 */
import { agentOpsStack, loadStackConfig } from "@agentops/components";

const stack = agentOpsStack(loadStackConfig());

export const environment = stack.environment;
export const clusterName = stack.clusterName;
export const endpoint = stack.endpoint;
export const kubeconfig = stack.kubeconfig;
export const oidcIssuer = stack.oidcIssuer;
export const nodeGroupNames = stack.nodeGroupNames;
export const vpcId = stack.vpcId;
