/**
 * What `npm run synth` writes and prints (the files of `out/<stack>/`, the README's table) and the cost report
 * and capacity plan it computes, for the command (./cli.ts) and for the tools and tests that make the same
 * files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { formatCapacityPlan, type CapacityPlan } from "@agentops/components/model";
import { ConfigError } from "@agentops/components/model";
import { parseStackConfig, rawStackConfig } from "@agentops/components";
import {
  budgetSettings,
  CostModelError,
  costReport,
  formatCostReport,
  packConfigPath,
  readPackConfig,
  type CostReport,
} from "@agentops/components/model";
import { UsageError, type SynthResult } from "@agentops/components/testing";
import { policies } from "../../policy/policies";
import { packConfigProblems } from "../policy/config";
import { capacityMarkdown } from "./charts";

/** Files of `out/<stack>/`: a public interface, documented in the README. */
export function writeOutputs(result: SynthResult, dir: string): void {
  const resources = result.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent ?? null,
    custom: r.custom,
    protect: r.protect,
    // Explicit dependencies (URNs), for tools that trace or order; `npm run diff` reads the rest.
    dependsOn: r.dependsOn,
    provider: r.provider ?? null,
    ignoreChanges: r.ignoreChanges,
    replaceOnChanges: r.replaceOnChanges,
    inputs: r.inputs,
  }));
  fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify(resources, null, 2) + "\n");
  fs.writeFileSync(
    path.join(dir, "manifests.yaml"),
    // YAML 1.1 quoting: kubectl and other Go readers (sigs.k8s.io/yaml) take a bare Off, On, Yes or No as a
    // boolean, so a VerticalPodAutoscaler's `updateMode: "Off"` must stay quoted.
    result.manifests.map((m) => stringify(m, { lineWidth: 0, version: "1.1" })).join("---\n"),
  );
  fs.writeFileSync(path.join(dir, "outputs.json"), JSON.stringify(result.outputs, null, 2) + "\n");
}

/** The cost report and capacity plan of a synthesized stack. */
export interface CostAndPlan {
  report: CostReport;
  /** `undefined` for a cluster made elsewhere (no node groups in the stack). */
  plan: CapacityPlan | undefined;
}

/**
 * The policy pack configuration of `environment` (policy/config/<environment>.json), checked as the engine
 * checks it: synth reads the tier ceilings, the environment budget and the fallback node groups from it.
 * @throws {UsageError} naming the file, the policy, the key, the value and what is allowed
 */
export function loadPackConfig(root: string, environment: string): Record<string, unknown> {
  const file = packConfigPath(root, environment);
  let packConfig: Record<string, unknown>;
  try {
    packConfig = readPackConfig(file);
  } catch (err) {
    if (err instanceof CostModelError) throw new UsageError(err.message);
    throw err;
  }
  const problems = packConfigProblems(packConfig, policies, path.relative(root, file) || file);
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return packConfig;
}

/**
 * The cost report (with the tier ceilings, environment budget and fallback node groups of its environment's
 * policy/config/<env>.json) and the capacity plan of a synthesized stack: the same inputs and code as the
 * policy pack's budget check.
 * @param packConfig the environment's pack configuration @default read and checked by {@link loadPackConfig}
 * @throws {ConfigError} when a pod fits no node group or a group's maxSize cannot hold the max scale.
 * @throws {UsageError} when the pack configuration is invalid.
 * @throws {CostModelError} when a region or instance type has no price.
 */
export function costAndPlan(
  root: string,
  result: SynthResult,
  packConfig?: Record<string, unknown>,
): CostAndPlan {
  // The configuration the program ran with, not a second read of the stack file.
  const config = parseStackConfig(rawStackConfig(result.config));
  const settings = budgetSettings(packConfig ?? loadPackConfig(root, config.environment));
  const resources = result.resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.inputs,
  }));
  const { report, estimate } = costReport({ ...config, stack: result.stack }, resources, settings);
  if (estimate.errors.length > 0) {
    // `agent/<tenant>/<name>` names the agent as the stack file does: `agents[2] (ai-agent)`.
    const issues = estimate.errors.map((issue) => {
      const [kind, tenant, name] = issue.path.split("/");
      const index = config.agents.findIndex((a) => a.name === name && a.tenant === tenant);
      return kind === "agent" && index >= 0 ? { ...issue, path: `agents[${index}] (${name})` } : issue;
    });
    throw new ConfigError(issues);
  }
  return { report, plan: estimate.plan };
}

/** `capacity.json`: the plan with figures rounded to 3 decimals (cores, GiB). */
export function capacityJson(plan: CapacityPlan): unknown {
  const round = (v: unknown): unknown =>
    typeof v === "number"
      ? Math.round(v * 1000) / 1000
      : Array.isArray(v)
        ? v.map(round)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)]))
          : v;
  return round({ nodeGroups: plan.groups, placements: plan.placements, warnings: plan.warnings });
}

/**
 * Writes `<dir>/cost.json` and, for a stack with node groups, `<dir>/capacity.json` and `<dir>/capacity.md`;
 * returns the tables.
 */
export function writeCost(dir: string, { report, plan }: CostAndPlan): string {
  fs.writeFileSync(path.join(dir, "cost.json"), JSON.stringify(report, null, 2) + "\n");
  if (plan) {
    fs.writeFileSync(path.join(dir, "capacity.json"), JSON.stringify(capacityJson(plan), null, 2) + "\n");
    fs.writeFileSync(path.join(dir, "capacity.md"), capacityMarkdown(plan, report.stack));
  }
  return [...(plan ? [formatCapacityPlan(plan), ""] : []), formatCostReport(report)].join("\n");
}

/** Resources by component (top-level component and its descendants) and by type. */
export function summary(result: SynthResult, seconds: number): string {
  const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
  const topComponent = (urn: string | undefined): string => {
    let current = urn ? byUrn.get(urn) : undefined;
    let top = "(stack)";
    while (current && current.type !== "pulumi:pulumi:Stack") {
      if (!current.custom) top = `${current.type} ${current.name}`;
      current = current.parent ? byUrn.get(current.parent) : undefined;
    }
    return top;
  };
  const count = (keys: string[]) =>
    [...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())].sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    );
  const custom = result.resources.filter((r) => r.custom);
  const lines = [
    `stack ${result.stack}: ${result.resources.length} resources (${custom.length} custom, ${result.resources.length - custom.length} components), ${result.manifests.length} Kubernetes objects, ${seconds.toFixed(1)}s`,
    "",
    "by component:",
    ...count(custom.map((r) => topComponent(r.parent))).map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`),
    "",
    "by type:",
    ...count(custom.map((r) => r.type)).map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`),
  ];
  return lines.join("\n");
}
