/**
 * `npm run diff -- <base out dir> <head out dir> [--format text|markdown]`: what `pulumi up` would do to go
 * from one synth output to the other. Exit 0 when every change applies in place; 1 when anything is replaced,
 * refused by the API server or loses data; 2 on bad arguments or files (one line, no stack trace).
 */
import { runCli } from "../lib/cli";
import {
  ChangeReportInputError,
  changeReport,
  formatChangeReport,
  readSynthResources,
  type ChangeReportFormat,
} from "./report";

const USAGE = "usage: npm run diff -- <base out dir> <head out dir> [--format text|markdown]";
const FORMATS: readonly ChangeReportFormat[] = ["text", "markdown"];

/** Parses the command line. @throws ChangeReportInputError with the usage line. */
export function parseDiffArgs(argv: readonly string[]): {
  base: string;
  head: string;
  format: ChangeReportFormat;
} {
  const positional: string[] = [];
  let format: ChangeReportFormat = "text";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--format") {
      const value = argv[++i];
      if (!FORMATS.includes(value as ChangeReportFormat)) {
        throw new ChangeReportInputError(
          `--format: ${value === undefined ? "(missing)" : JSON.stringify(value)} — must be one of ${FORMATS.join(", ")}\n${USAGE}`,
        );
      }
      format = value as ChangeReportFormat;
    } else if (arg.startsWith("-")) {
      throw new ChangeReportInputError(`${arg}: unknown option — allowed: --format text|markdown\n${USAGE}`);
    } else positional.push(arg);
  }
  if (positional.length !== 2) {
    throw new ChangeReportInputError(
      `arguments: ${positional.length === 0 ? "(none)" : JSON.stringify(positional)} — exactly two synth output directories, base then head\n${USAGE}`,
    );
  }
  return { base: positional[0]!, head: positional[1]!, format };
}

function main(): number {
  const { base, head, format } = parseDiffArgs(process.argv.slice(2));
  const [b, h] = [readSynthResources(base, "base"), readSynthResources(head, "head")];
  // Two different stacks would read as "delete everything, create everything": refuse instead.
  const stackOf = (rs: typeof b) => /^urn:pulumi:([^:]+)::/.exec(rs[0]?.urn ?? "")?.[1];
  const [bs, hs] = [stackOf(b), stackOf(h)];
  if (bs !== undefined && hs !== undefined && bs !== hs) {
    throw new ChangeReportInputError(
      `head: ${head} — is stack ${JSON.stringify(hs)}, base ${base} is stack ${JSON.stringify(bs)}: compare two outputs of the same stack`,
    );
  }
  const report = changeReport(b, h);
  console.log(formatChangeReport(report, format));
  return report.exitCode;
}

if (require.main === module) runCli(main, [ChangeReportInputError]);
