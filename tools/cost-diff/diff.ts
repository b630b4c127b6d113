/**
 * Cost diff between two synth outputs (`out/` of the base and of the head of a pull request), as the
 * Markdown comment a reviewer reads, and the threshold check that fails the pull request when exceeded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CostReport } from "@agentops/components/model";
import { xyChart } from "../lib/mermaid";

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

/** The cost reports of one side: an `out/` root (`<stack>/cost.json` each) or one stack's synth output folder. */
export interface CostReports {
  kind: "root" | "stack";
  dir: string;
  /** By stack. */
  reports: Map<string, CostReport>;
}

function readReport(file: string): CostReport {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as CostReport;
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message} — must be a cost.json written by npm run synth`, {
      cause: err,
    });
  }
}

/**
 * The cost reports of a synth output: a stack's folder (`out/dev`, or the `--out <dir>` of
 * `npm run synth -- dev --out <dir>`: it holds `cost.json`), keyed by the stack the report names (its folder's
 * name for a report that names none); or an `out/` root, every `<stack>/cost.json` under it, keyed by folder.
 */
export function readCostReports(dir: string): CostReports {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(
      `${dir}: (missing) — must be a synth output folder (out/<stack>, or the --out <dir> of npm run synth) or an out/ root holding <stack>/cost.json`,
    );
  }
  const own = path.join(dir, "cost.json");
  if (fs.existsSync(own)) {
    const report = readReport(own);
    const stack = typeof report.stack === "string" ? report.stack : path.basename(path.resolve(dir));
    return { kind: "stack", dir, reports: new Map([[stack, report]]) };
  }
  const reports = new Map<string, CostReport>();
  for (const stack of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, stack, "cost.json");
    if (fs.existsSync(file)) reports.set(stack, readReport(file));
  }
  if (reports.size === 0) {
    throw new Error(
      `${dir}: no cost.json — must be a synth output folder (out/<stack>, or the --out <dir> of npm run synth) or an out/ root holding <stack>/cost.json`,
    );
  }
  return { kind: "root", dir, reports };
}

/**
 * The two sides, stack by stack: two `out/` roots as they are; two stack folders as the one stack they are
 * outputs of (two different stacks would read as one removed and one added: refused).
 * @throws {Error} naming the sides when they are of different kinds or different stacks
 */
export function pairCostReports(
  base: CostReports,
  head: CostReports,
): [Map<string, CostReport>, Map<string, CostReport>] {
  if (base.kind !== head.kind) {
    const what = (r: CostReports) => (r.kind === "root" ? "an out/ root" : "a stack's synth output folder");
    throw new Error(
      `${head.dir}: is ${what(head)}, base ${base.dir} is ${what(base)} — give two of the same kind (two out/ roots, or two folders of one stack)`,
    );
  }
  if (base.kind === "root") return [base.reports, head.reports];
  const [bs, b] = [...base.reports][0]!;
  const [hs, h] = [...head.reports][0]!;
  // A report of an older synth names no stack: its folder's name is no evidence, so only named stacks must agree.
  if (typeof b.stack === "string" && typeof h.stack === "string" && bs !== hs) {
    throw new Error(
      `${head.dir}: is stack ${JSON.stringify(hs)}, base ${base.dir} is stack ${JSON.stringify(bs)} — compare two outputs of the same stack`,
    );
  }
  return [new Map([[hs, b]]), new Map([[hs, h]])];
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

/**
 * The stack's monthly cost by line (every infrastructure line and agent, expected figures), base beside head: a
 * Mermaid bar chart (horizontal, for the labels), each line's base bar and head bar at adjacent rows.
 */
function costChart(stack: string, base: CostReport | undefined, head: CostReport | undefined): string {
  const lines = (r: CostReport | undefined) =>
    new Map<string, number>([
      ...(r?.infrastructure ?? []).map((l) => [l.name, l.monthlyUsd] as const),
      ...(r?.agents ?? []).map((a) => [`agent ${a.name}`, a.monthlyUsd] as const),
    ]);
  const [b, h] = [lines(base), lines(head)];
  const names = [...new Set([...b.keys(), ...h.keys()])];
  const categories = names.flatMap((n) => [`${n} (base)`, `${n} (head)`]);
  // Two series, each 0 where the other is drawn: base and head in their own colours, side by side.
  return xyChart({
    title: `${stack}: monthly cost by line, USD (base, head)`,
    horizontal: true,
    categories,
    yLabel: "USD per month",
    bars: [names.flatMap((n) => [b.get(n) ?? 0, 0]), names.flatMap((n) => [0, h.get(n) ?? 0])],
  });
}

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
    sections.push("", costChart(stack, b, h));
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
