/**
 * `out/<stack>/capacity.md`: the capacity plan drawn per node group — what the plan places on each group
 * (requested) against what its nodes offer (allocatable), at min and at max replicas — as Mermaid charts
 * GitHub renders, and the same figures as a table.
 */
import type { CapacityPlan, GroupNeed } from "@agentops/components/model";
import { figure, xyChart } from "../lib/mermaid";

const nodes = (n: GroupNeed) => `${n.nodes} node${n.nodes === 1 ? "" : "s"}`;

/** The plan's two charts, CPU then memory, each a fenced Mermaid block (what the README shows for dev). */
export function capacityCharts(plan: CapacityPlan): { cpu: string; memory: string } {
  const scenarios = plan.groups.flatMap((g) =>
    (["min", "max"] as const).map((scale) => ({ group: g, scale, need: g[scale] })),
  );
  const categories = scenarios.map((s) => `${s.group.name} @${s.scale} (${nodes(s.need)})`);
  const chart = (what: string, unit: string, pick: (t: GroupNeed["requested"]) => number) =>
    xyChart({
      title: `${what}: allocatable (back) and requested (front), per node group`,
      categories,
      yLabel: unit,
      // Allocatable first, requested drawn over it: the filled part of each bar is what the plan uses.
      bars: [scenarios.map((s) => pick(s.need.allocatable)), scenarios.map((s) => pick(s.need.requested))],
    });
  return {
    cpu: chart("CPU", "cores", (t) => t.cpu),
    memory: chart("Memory", "GiB", (t) => t.memoryGiB),
  };
}

/** The Markdown of `capacity.md`. */
export function capacityMarkdown(plan: CapacityPlan, stack: string | null): string {
  const { cpu, memory } = capacityCharts(plan);
  const scenarios = plan.groups.flatMap((g) =>
    (["min", "max"] as const).map((scale) => ({ group: g, scale, need: g[scale] })),
  );
  const rows = scenarios.map((s) => {
    const r = s.need.requested;
    const a = s.need.allocatable;
    return `| ${s.group.name} | ${s.scale} | ${s.group.instanceTypes.join(", ")} | ${s.need.nodes} | ${figure(r.cpu)} / ${figure(a.cpu)} | ${figure(r.memoryGiB)} / ${figure(a.memoryGiB)} | ${r.pods} / ${a.pods} |`;
  });
  return [
    `# Capacity plan${stack ? `: ${stack}` : ""}`,
    "",
    "Each node group at min and at max replicas: the nodes the plan needs (one run of each job included), what",
    "their pods request (DaemonSets counted on every node) against what those nodes offer. Written by",
    "`npm run synth` from the same plan as `capacity.json`.",
    "",
    "## CPU",
    "",
    cpu,
    "",
    "## Memory",
    "",
    memory,
    "",
    "## Figures",
    "",
    "| group | scale | instance types | nodes | CPU requested / allocatable | memory GiB requested / allocatable | pods requested / allocatable |",
    "| --- | --- | --- | --: | --: | --: | --: |",
    ...rows,
    ...(plan.warnings.length > 0 ? ["", ...plan.warnings.map((w) => `- warning: ${w}`)] : []),
    "",
  ].join("\n");
}
