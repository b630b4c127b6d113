/**
 * What `npm run rightsize` (./cli.ts) does once its arguments are good: reads the recommendations, sizes the
 * agents, prices the stack with and without the change, prints the table and writes the patch.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "@agentops/components";
import { synthesize, UsageError, type SynthResult } from "@agentops/components/testing";
import { writingTo } from "../lib/cli";
import { costAndPlan } from "../synth/outputs";
import { SIGNIFICANT_CHANGE, type RightsizeArgs } from "./args";
import type { Recommendations } from "./recommendations";
import { agentsOverride, editStackFile, stackFilePatch, type AgentSizing } from "./rightsize";

const usd = (v: number) => v.toFixed(2);
const signed = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)}`;

/** The cost report's figures of the base and the edited stack. */
interface Figures {
  agents: Map<string, { expected: number; max: number }>;
  total: { expected: number; max: number };
}

function figures(root: string, result: SynthResult): Figures {
  const { report } = costAndPlan(root, result);
  return {
    agents: new Map(report.agents.map((a) => [a.name, { expected: a.monthlyUsd, max: a.maxMonthlyUsd }])),
    total: { expected: report.totalMonthlyUsd, max: report.maxMonthlyUsd },
  };
}

/** The report's table: one row per agent, then the environment. */
export function formatRightsize(sizings: readonly AgentSizing[], before: Figures, after: Figures): string {
  const rows: string[][] = [["agent", "requests now", "recommended", "expected $/month", "at max $/month"]];
  const money = (b: number, a: number) =>
    Math.abs(a - b) < 0.005 ? usd(b) : `${usd(b)} → ${usd(a)} (${signed(a - b)})`;
  for (const s of sizings) {
    const b = before.agents.get(s.agent) ?? { expected: 0, max: 0 };
    const a = after.agents.get(s.agent) ?? b;
    const recommended = s.recommended
      ? `${s.recommended.cpu} / ${s.recommended.memory}${s.change ? "" : " (kept: < 10 %)"}${s.raisedLimits.length > 0 ? ` (limits.${s.raisedLimits.join(", limits.")} raised)` : ""}`
      : "no recommendation yet";
    rows.push([
      s.agent,
      `${s.current.cpu} / ${s.current.memory}`,
      recommended,
      money(b.expected, a.expected),
      money(b.max, a.max),
    ]);
  }
  rows.push([
    "environment",
    "",
    "",
    money(before.total.expected, after.total.expected),
    money(before.total.max, after.total.max),
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * Runs the command for good arguments, once the recommendations are read (./recommendations.ts): prices the
 * stack with and without them, prints the table and writes the patch; the exit code.
 * @throws UsageError (one line, exit 2) when the suggested requests break a rule of the stack
 */
export async function rightsize(root: string, args: RightsizeArgs, found: Recommendations): Promise<number> {
  const { outDir, source, vpas, sizings } = found;

  const stackFile = `Pulumi.${args.stack}.yaml`;
  const before = fs.readFileSync(path.join(root, stackFile), "utf8");
  const after = editStackFile(before, stackFile, sizings);
  const base = await synthesize({ root, stack: args.stack });
  const baseFigures = figures(root, base);
  let editedFigures = baseFigures;
  if (after !== before) {
    try {
      editedFigures = figures(
        root,
        await synthesize({ root, stack: args.stack, config: agentsOverride(after) }),
      );
    } catch (err) {
      // The suggestion breaks a rule of the stack (a quota, a node group's size): say which, write nothing.
      if (!(err instanceof ConfigError)) throw err;
      throw new UsageError(
        `the suggested requests need more than the stack allows; adjust these too, then run again:\n${err.lines.join("\n")}`,
      );
    }
  }

  console.log(`rightsize ${args.stack}: ${vpas.length} VerticalPodAutoscalers from ${source}\n`);
  console.log(formatRightsize(sizings, baseFigures, editedFigures));
  const patchFile = path.join(outDir, "rightsize.patch");
  if (after === before) {
    console.log(`\nno change of ${SIGNIFICANT_CHANGE * 100} % or more: no patch written`);
    writingTo(outDir, () => fs.rmSync(patchFile, { force: true }));
    return 0;
  }
  writingTo(outDir, () => {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(patchFile, stackFilePatch(stackFile, before, after));
  });
  const shown = path.relative(root, patchFile) || patchFile;
  console.log(`\nwrote ${shown}: review it, then git apply ${shown} (nothing was applied)`);
  return 0;
}
