/**
 * `npm run diff -- <base> <head> [--format text|markdown]`: what `pulumi up` would do to go from one synth output
 * (a stack's folder: `out/<stack>`, or synth's `--out <dir>`) to the other. Exit 0 when every change applies in place; 1 when anything is replaced,
 * refused by the API server or loses data; 2 on bad arguments or files (one line, no stack trace).
 */
import { runCli, wantsHelp } from "../lib/cli";
import {
  ChangeReportInputError,
  changeReport,
  formatChangeReport,
  readSynthResources,
  type ChangeReportFormat,
} from "./report";

const USAGE = "usage: npm run diff -- <base> <head> [--format text|markdown]";

export const HELP = `${USAGE}

The change report: what pulumi up would do to go from one synth output of a stack to another — each resource to
create, update (with the changed fields), replace or delete, matched by URN; changes Kubernetes refuses in place
or that force a replacement (tools/diff/rules.ts, each rule with its source); deletes and replacements that lose
data or identity (dangerous); node groups whose nodes are rolled, and what that does to their pods.

  <base> <head>        two synth output folders of one stack: out/<stack>, or the --out <dir> of npm run synth
  --format text|markdown
                       text (default) for the terminal, markdown for the pull request comment
  --help               this text

Exit 0 everything applies in place; 1 something is replaced, refused or dangerous; 2 bad arguments or files
(one line).`;
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
      `arguments: ${positional.length === 0 ? "(none)" : JSON.stringify(positional)} — exactly two synth output folders of one stack, base then head\n${USAGE}`,
    );
  }
  return { base: positional[0]!, head: positional[1]!, format };
}

function main(argv: readonly string[]): number {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return 0;
  }
  const { base, head, format } = parseDiffArgs(argv);
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

if (require.main === module) runCli(() => main(process.argv.slice(2)), [ChangeReportInputError]);
