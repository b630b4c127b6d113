/**
 * `npm run cost:diff -- <base out dir> <head out dir> [--threshold <file.json>]`: prints the Markdown cost diff.
 * Exit 0 within the threshold, 1 when exceeded, 2 on bad arguments or files.
 */
import * as fs from "node:fs";
import { costDiff, readCostReports, type CostThreshold } from "./diff";

const USAGE = "usage: npm run cost:diff -- <base out dir> <head out dir> [--threshold <file.json>]";

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
        `arguments: ${JSON.stringify(positional)} — exactly two directories, base then head\n${USAGE}`,
      );
    }
    const [base, head] = positional.map((dir) => {
      try {
        return readCostReports(dir);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }) as [ReturnType<typeof readCostReports>, ReturnType<typeof readCostReports>];
    const result = costDiff(base, head, threshold);
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

if (require.main === module) process.exit(main(process.argv.slice(2)));
