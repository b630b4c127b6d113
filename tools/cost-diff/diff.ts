/**
 * Cost diff between two synth outputs (`out/` of the base and of the head of a pull request), as the
 * Markdown comment a reviewer reads, and the threshold check that fails the pull request when exceeded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CostReport } from "@agentops/components/model";

/**
 * Fails the check when an environment's expected monthly total rises by more than either limit (the at-max
 * figures are shown, not checked: they are a ceiling, not a forecast).
 */
export interface CostThreshold {
  /** Largest allowed increase in USD per month. @default no limit */
  maxIncreaseUsd?: number;
  /** Largest allowed increase in percent of the base total. @default no limit */
  maxIncreasePercent?: number;
}

export interface CostDiffResult {
  markdown: string;
  /** Environments whose increase is over the threshold, with why. */
  exceeded: string[];
}

/** `cost.json` of every stack under an `out/` directory, keyed by stack. */
export function readCostReports(outDir: string): Map<string, CostReport> {
  const reports = new Map<string, CostReport>();
  if (!fs.existsSync(outDir) || !fs.statSync(outDir).isDirectory()) {
    throw new Error(
      `${outDir}: (missing) — must be a synth output directory (out/) holding <stack>/cost.json`,
    );
  }
  for (const stack of fs.readdirSync(outDir).sort()) {
    const file = path.join(outDir, stack, "cost.json");
    if (!fs.existsSync(file)) continue;
    try {
      reports.set(stack, JSON.parse(fs.readFileSync(file, "utf8")) as CostReport);
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message} — must be a cost.json written by npm run synth`, {
        cause: err,
      });
    }
  }
  if (reports.size === 0) {
    // The usual slip: a stack folder (out/dev) where the out/ root is meant, which would diff nothing.
    const hint = fs.existsSync(path.join(outDir, "cost.json"))
      ? `; it is a stack folder: pass its parent (${path.dirname(outDir)})`
      : "";
    throw new Error(
      `${outDir}: no <stack>/cost.json — must be a synth output directory (out/) holding <stack>/cost.json${hint}`,
    );
  }
  return reports;
}

const usd = (n: number | undefined) => (n === undefined ? "—" : n.toFixed(2));

function change(before: number | undefined, after: number | undefined): string {
  if (before === undefined) return "added";
  if (after === undefined) return "removed";
  const delta = after - before;
  if (Math.abs(delta) < 0.005) return "0.00";
  const sign = delta > 0 ? "+" : "−";
  const pct = before === 0 ? "" : ` (${sign}${Math.abs((delta / before) * 100).toFixed(1)}%)`;
  return `${sign}${Math.abs(delta).toFixed(2)}${pct}`;
}

/** A line of the report: its expected monthly cost and its cost with every agent at its maximum replicas. */
interface CostLine {
  name: string;
  monthlyUsd: number;
  maxMonthlyUsd: number;
}

const same = (x: number | undefined, y: number | undefined) =>
  x !== undefined && y !== undefined && Math.abs(x - y) < 0.005;

/** Before, after and change, expected then at max. */
const figures = (x: CostLine | undefined, y: CostLine | undefined): string[] => [
  usd(x?.monthlyUsd),
  usd(y?.monthlyUsd),
  change(x?.monthlyUsd, y?.monthlyUsd),
  usd(x?.maxMonthlyUsd),
  usd(y?.maxMonthlyUsd),
  change(x?.maxMonthlyUsd, y?.maxMonthlyUsd),
];

/**
 * Rows of the lines present on either side, matched by name; those unchanged both expected and at max are left
 * out (a `replicas.max` edit changes only the latter).
 */
function changedRows<T extends CostLine>(
  before: readonly T[],
  after: readonly T[],
  cells: (line: T) => string[],
): string[][] {
  const b = new Map(before.map((l) => [l.name, l]));
  const a = new Map(after.map((l) => [l.name, l]));
  const names = [...new Set([...b.keys(), ...a.keys()])];
  return names.flatMap((name) => {
    const x = b.get(name);
    const y = a.get(name);
    if (same(x?.monthlyUsd, y?.monthlyUsd) && same(x?.maxMonthlyUsd, y?.maxMonthlyUsd)) return [];
    return [[name, ...cells((y ?? x)!), ...figures(x, y)]];
  });
}

const FIGURES = ["before", "after", "change", "at max before", "at max after", "at max change"];
const RIGHT = (n: number) => Array<string>(n).fill("--:");

const table = (header: string[], align: string[], rows: string[][]) =>
  [`| ${header.join(" | ")} |`, `|${align.join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
    "\n",
  );

export function costDiff(
  base: ReadonlyMap<string, CostReport>,
  head: ReadonlyMap<string, CostReport>,
  threshold: CostThreshold = {},
): CostDiffResult {
  const stacks = [...new Set([...base.keys(), ...head.keys()])].sort();
  const exceeded: string[] = [];
  const totals = stacks.map((stack) => {
    const before = base.get(stack)?.totalMonthlyUsd;
    const after = head.get(stack)?.totalMonthlyUsd;
    const delta = (after ?? 0) - (before ?? 0);
    const pct = before ? (delta / before) * 100 : undefined;
    if (threshold.maxIncreaseUsd !== undefined && delta > threshold.maxIncreaseUsd) {
      exceeded.push(
        `${stack}: +${delta.toFixed(2)} USD/month is over the limit of ${threshold.maxIncreaseUsd.toFixed(2)}`,
      );
    } else if (
      threshold.maxIncreasePercent !== undefined &&
      pct !== undefined &&
      pct > threshold.maxIncreasePercent
    ) {
      exceeded.push(`${stack}: +${pct.toFixed(1)}% is over the limit of ${threshold.maxIncreasePercent}%`);
    }
    const line = (r: CostReport | undefined) =>
      r && { name: stack, monthlyUsd: r.totalMonthlyUsd, maxMonthlyUsd: r.maxMonthlyUsd };
    return [stack, ...figures(line(base.get(stack)), line(head.get(stack)))];
  });

  const sections: string[] = [
    "## Cost diff (USD per month: expected, and at max with every agent at its maximum replicas)",
    "",
    table(["environment", ...FIGURES], [":--", ...RIGHT(6)], totals),
  ];
  for (const stack of stacks) {
    const b = base.get(stack);
    const h = head.get(stack);
    const agents = changedRows(b?.agents ?? [], h?.agents ?? [], (a) => [String(a.tier), usd(a.budgetUsd)]);
    const infra = changedRows(b?.infrastructure ?? [], h?.infrastructure ?? [], () => []);
    if (agents.length === 0 && infra.length === 0) continue;
    sections.push("", `### ${stack}`);
    if (agents.length > 0) {
      sections.push("", table(["agent", "tier", "budget", ...FIGURES], [":--", ...RIGHT(8)], agents));
    }
    if (infra.length > 0) {
      sections.push("", table(["infrastructure", ...FIGURES], [":--", ...RIGHT(6)], infra));
    }
  }
  const limits = [
    threshold.maxIncreaseUsd !== undefined ? `+${threshold.maxIncreaseUsd.toFixed(2)} USD` : undefined,
    threshold.maxIncreasePercent !== undefined ? `+${threshold.maxIncreasePercent}%` : undefined,
  ].filter((x) => x !== undefined);
  sections.push(
    "",
    exceeded.length > 0
      ? `**Threshold exceeded** (${limits.join(" or ")} per environment):\n${exceeded.map((e) => `- ${e}`).join("\n")}`
      : `Within the threshold${limits.length > 0 ? ` (${limits.join(" or ")} per environment)` : " (none set)"}.`,
  );
  return { markdown: sections.join("\n") + "\n", exceeded };
}
