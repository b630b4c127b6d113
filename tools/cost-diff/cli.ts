/**
 * `npm run cost:diff -- <base> <head> [--threshold <file.json>]`: prints the Markdown cost diff of two synth
 * outputs — two folders of one stack (`out/dev`, or synth's `--out <dir>`, as `npm run diff` takes them) or two
 * `out/` roots (every stack under them). Exit 0 within the threshold, 1 when exceeded, 2 on bad arguments or files.
 */
import * as fs from "node:fs";
import { exitWhenFlushed, wantsHelp } from "../lib/cli";
import { costDiff, pairCostReports, readCostReports, type CostThreshold } from "./diff";

const USAGE = "usage: npm run cost:diff -- <base> <head> [--threshold <file.json>]";

export const HELP = `${USAGE}

Prints the monthly cost diff of two synth outputs as Markdown (the pull request comment): per environment, agent
and infrastructure line, the expected figure and the figure at max (every agent at replicas.max) before and
after, and a Mermaid chart of each changed environment's cost by line, base beside head.

  <base> <head>   two synth output folders of one stack (out/dev, or the --out <dir> of npm run synth, as
                  npm run diff takes them), or two out/ roots (every <stack>/cost.json under them)
  --threshold <file.json>
                  { "maxIncreaseUsd": n, "maxIncreasePercent": n }: exit 1 when an environment's expected
                  total rises by more
  --help          this text

Exit 0 within the threshold; 1 over it; 2 bad arguments or files (one line).`;

class UsageError extends Error {}

function readThreshold(file: string): CostThreshold {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(
      `--threshold: ${JSON.stringify(file)} — must be a readable JSON file (${(err as Error).message})`,
    );
  }
  const allowed = ["maxIncreaseUsd", "maxIncreasePercent"];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UsageError(
      `--threshold: ${JSON.stringify(raw)} — must be an object with ${allowed.join(" and/or ")}`,
    );
  }
  for (const [key, value] of Object.entries(raw)) {
    if (!allowed.includes(key))
      throw new UsageError(`${file}: ${key} — is not a known key (allowed: ${allowed.join(", ")})`);
    if (typeof value !== "number" || !(value >= 0)) {
      throw new UsageError(`${file}: ${key}: ${JSON.stringify(value)} — must be a number >= 0`);
    }
  }
  return raw as CostThreshold;
}

export function main(argv: readonly string[]): number {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return 0;
  }
  try {
    const positional: string[] = [];
    let threshold: CostThreshold = {};
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg === "--threshold") {
        const file = argv[++i];
        if (!file) throw new UsageError(`--threshold: (missing) — needs a JSON file\n${USAGE}`);
        threshold = readThreshold(file);
      } else if (arg.startsWith("-")) {
        throw new UsageError(`${arg}: unknown option — allowed: --threshold <file.json>\n${USAGE}`);
      } else positional.push(arg);
    }
    if (positional.length !== 2) {
      throw new UsageError(
        `arguments: ${JSON.stringify(positional)} — exactly two synth outputs, base then head\n${USAGE}`,
      );
    }
    let sides: ReturnType<typeof pairCostReports>;
    try {
      sides = pairCostReports(readCostReports(positional[0]!), readCostReports(positional[1]!));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const result = costDiff(sides[0], sides[1], threshold);
    process.stdout.write(result.markdown);
    return result.exceeded.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) exitWhenFlushed(main(process.argv.slice(2)));
