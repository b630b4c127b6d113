/**
 * `npm run policy -- <stack> [--config <file>]`: synthesizes the stack under mocks and evaluates the pack.
 * `npm run policy -- --manifests <file.yaml> [--namespaces <file.yaml>] [--config <file>]`: evaluates the pack on
 * rendered manifests (for example `helm template` output), where only the Kubernetes policies find anything.
 *
 * One line per violation, `<level> <policy> <kind>/<namespace>/<name>: <message>`, then the Pod Security level
 * each namespace's pods were judged at, then a summary.
 * Exit 1 on a mandatory violation, 2 on a bad argument or file, 0 otherwise.
 */
import { ConfigError, UsageError } from "@agentops/components/model";
import { runCli, wantsHelp } from "../lib/cli";

const USAGE =
  "usage: npm run policy -- <stack> [--config <file>]  |  npm run policy -- --manifests <file.yaml> [--namespaces <file.yaml>] [--config <file>]";

export const HELP = `${USAGE}

Evaluates the CrossGuard policy pack offline, with the functions the Pulumi engine calls:
  <stack>                  synthesizes Pulumi.<stack>.yaml under mocks and evaluates every policy on it, with
                           policy/config/<environment>.json
  --manifests <file.yaml>  evaluates the Kubernetes policies on any multi-document YAML (e.g. helm template
                           output, out/<stack>/rendered/<release>.yaml), at the policies' defaults unless --config
  --namespaces <file.yaml> Namespace objects (e.g. out/<stack>/manifests.yaml) whose pod-security enforce labels
                           set the level pods in them are judged at; not evaluated themselves
  --config <file>          the pack configuration (policy/config/<env>.json); checked against every policy's
                           configSchema as the Pulumi engine checks it
  --help                   this text

Pod security judges each pod at the level its namespace enforces: the Namespace's label (in the input or
--namespaces), else the config's pod-security.namespaceLevels, else pod-security.level; the output says which.
One line per violation, then the levels, then a summary.

Exit 0 no mandatory violation; 1 mandatory violations; 2 bad arguments or files, or an invalid pack
configuration (one line per problem).`;

export type Args = { config: string | undefined } & (
  { stack: string } | { manifests: string; namespaces: string | undefined }
);

export function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  let config: string | undefined;
  let manifests: string | undefined;
  let namespaces: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--config" || arg === "--manifests" || arg === "--namespaces") {
      const value = argv[++i];
      if (!value || value.startsWith("-")) throw new UsageError(`${arg}: (missing) — needs a file\n${USAGE}`);
      if (arg === "--config") config = value;
      else if (arg === "--manifests") manifests = value;
      else namespaces = value;
    } else if (arg.startsWith("-")) {
      throw new UsageError(
        `${arg}: unknown option — allowed: --manifests <file.yaml>, --namespaces <file.yaml>, --config <file>\n${USAGE}`,
      );
    } else positional.push(arg);
  }
  if (manifests !== undefined) {
    if (positional.length > 0) {
      throw new UsageError(
        `${JSON.stringify(positional)}: unexpected with --manifests — give a stack or --manifests, not both\n${USAGE}`,
      );
    }
    return { manifests, namespaces, config };
  }
  if (namespaces !== undefined) {
    throw new UsageError(
      `--namespaces: ${JSON.stringify(namespaces)} — only with --manifests (a stack's own Namespaces set its levels)\n${USAGE}`,
    );
  }
  if (positional.length !== 1) {
    throw new UsageError(
      `stack: ${positional.length === 0 ? "(missing)" : JSON.stringify(positional)} — exactly one stack name, or --manifests <file.yaml>\n${USAGE}`,
    );
  }
  return { stack: positional[0]!, config };
}

async function main(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return 0;
  }
  const root = process.cwd();
  const args = parseArgs(argv);
  if ("stack" in args) {
    // An unknown stack, a broken stack file or a configuration the program would refuse is named before the
    // pack's and program's SDKs load (~2 s).
    const { checkedStack } = await import("../lib/stack-config.js");
    checkedStack(root, args.stack);
  }
  // Loaded once the arguments are good: `--help` and a bad argument answer without the pack's and program's SDKs.
  const { exitCode, formatResult } = await import("./run.js");
  const { runManifests, runStack } = await import("./stack.js");
  const config = args.config ? { config: args.config } : {};
  const result =
    "manifests" in args
      ? await runManifests({
          file: args.manifests,
          ...config,
          ...(args.namespaces ? { namespaces: args.namespaces } : {}),
        })
      : await runStack({ root, stack: args.stack, ...config });
  console.log(formatResult(result));
  return exitCode(result);
}

if (require.main === module) runCli(() => main(process.argv.slice(2)), [ConfigError, UsageError]);
