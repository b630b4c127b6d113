import type { Environment } from "../config";

/**
 * The tags of every AWS resource the components declare: `Project`, `Environment` (cost allocation per
 * environment) and `ManagedBy`, then `extra` on top.
 */
export function awsTags(
  environment: Environment,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { Project: "agentops", Environment: environment, ManagedBy: "pulumi", ...extra };
}
