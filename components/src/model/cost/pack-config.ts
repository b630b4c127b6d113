/**
 * The policy pack's configuration files (policy/config/<env>.json) own the tier ceilings; the cost report
 * reads them from there, so the report and the pack never disagree on a limit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CostModelError } from "../../catalog/prices";
import { unreadableFile } from "../../config/errors";
import { DEFAULT_NODE_GROUPS, type NodeGroupsPricing } from "./estimate";
import type { BudgetSettings, TierCeilings } from "./report";

/** Name of the pack's budget policy, whose config holds `tierCeilingsUsd`. */
export const BUDGET_POLICY = "agent-budgets";

/** `<root>/policy/config/<environment>.json`. */
export function packConfigPath(root: string, environment: string): string {
  return path.join(root, "policy", "config", `${environment}.json`);
}

/**
 * Reads a pack config file: `{ "<policy>": { "enforcementLevel": …, …config } }`.
 * @throws {CostModelError} naming the file when it is missing, a folder, unreadable or not a JSON object.
 */
export function readPackConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CostModelError(
      `${file}: ${unreadableFile(err)} — needs a policy pack config file (see policy/README.md)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CostModelError(`${file}: not valid JSON — ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CostModelError(
      `${file}: ${JSON.stringify(parsed)} — must be a JSON object keyed by policy name`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** The tier ceilings of a pack config; `{}` when the budget policy sets none. */
export function tierCeilings(packConfig: Record<string, unknown>): TierCeilings {
  const budgets = packConfig[BUDGET_POLICY];
  if (typeof budgets !== "object" || budgets === null) return {};
  const ceilings = (budgets as { tierCeilingsUsd?: unknown }).tierCeilingsUsd;
  if (ceilings === undefined) return {};
  if (
    typeof ceilings !== "object" ||
    ceilings === null ||
    Object.values(ceilings).some((v) => typeof v !== "number")
  ) {
    throw new CostModelError(
      `${BUDGET_POLICY}.tierCeilingsUsd: ${JSON.stringify(ceilings)} — must map tiers to USD amounts, e.g. {"1": 100, "2": 250}`,
    );
  }
  return ceilings as TierCeilings;
}

/**
 * What synth's cost report takes from a pack config: the tier ceilings, the environment budget and the
 * fallback node groups, with the defaults the pack's `agent-budgets` schema gives them.
 * @throws {CostModelError} naming the key when one has the wrong type.
 */
export function budgetSettings(packConfig: Record<string, unknown>): BudgetSettings {
  const budgets = packConfig[BUDGET_POLICY];
  const entry = typeof budgets === "object" && budgets !== null ? (budgets as Record<string, unknown>) : {};
  const env = entry.environmentBudgetUsd;
  if (env !== undefined && typeof env !== "number") {
    throw new CostModelError(
      `${BUDGET_POLICY}.environmentBudgetUsd: ${JSON.stringify(env)} — must be a USD amount, e.g. 1200`,
    );
  }
  const groups = entry.nodeGroups;
  if (groups !== undefined && (typeof groups !== "object" || groups === null)) {
    throw new CostModelError(
      `${BUDGET_POLICY}.nodeGroups: ${JSON.stringify(groups)} — must map system, spot and gpu to { instanceTypes, spot }`,
    );
  }
  return {
    tierCeilingsUsd: tierCeilings(packConfig),
    environmentBudgetUsd: env,
    nodeGroups: (groups as NodeGroupsPricing | undefined) ?? DEFAULT_NODE_GROUPS,
  };
}
