/**
 * The tags of every AWS resource the components declare: `Project`, `Environment` (cost allocation per
 * environment) and `ManagedBy`, then `extra` on top.
 */
export function awsTags(
  /** The environment (`dev`, `staging`, `prod`). */
  environment: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { Project: "agentops", Environment: environment, ManagedBy: "pulumi", ...extra };
}
