/**
 * The AgentOps program: read the stack configuration once → cluster → platform → tenants → agents.
 * Components never read configuration; everything they need arrives as arguments from here.
 */
import { loadStackConfig } from "@agentops/components";

const config = loadStackConfig();

export const environment = config.environment;
