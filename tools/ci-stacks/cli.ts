/**
 * `npm run --silent ci:stacks -- <stack>...`: prints, as one JSON line, what the workflows need to reach each
 * stack's cluster, read from its validated stack file:
 * `{ "<stack>": { "runner": "<runs-on label>", "region": "<aws:region>" | null, "deployRoleArn": … | null,
 * "previewRoleArn": … | null } }`. The workflows read it with `fromJSON(...)[stack]`, so runner labels and
 * role ARNs live in the stack files alone (`cluster.access`). A bad stack file exits 2 with its problems.
 */
import { ciRunner, ConfigError, parseStackConfig, rawStackConfig } from "@agentops/components";
import { runCli, wantsHelp } from "../lib/cli";
import { readStackConfig, UsageError } from "@agentops/components/testing";

const USAGE = "usage: npm run --silent ci:stacks -- <stack>...   (stack: the name of a Pulumi.<stack>.yaml)";

export const HELP = `${USAGE}

Prints one JSON line, what the workflows need to reach each stack's cluster, read from its validated stack file:
{ "<stack>": { "runner": "<runs-on label>", "region": "<aws:region>" | null, "deployRoleArn": ... | null,
"previewRoleArn": ... | null } }

  --help   this text

Exit 0 ok; 2 invalid configuration or arguments (one line per problem).`;

/** How CI reaches one stack's cluster. */
export interface CiStack {
  /** `runs-on` of its preview and deploy jobs: `cluster.access.runner`, else `ubuntu-latest`. */
  runner: string;
  /** `aws:region`; null for a cluster in `existing` mode without one. */
  region: string | null;
  /** `cluster.access.deployRoleArn`: the role deploy-stack.yml assumes; null when unset. */
  deployRoleArn: string | null;
  /** `cluster.access.previewRoleArn`: the role preview.yml assumes; null when unset. */
  previewRoleArn: string | null;
}

/** CI's view of each stack, from the stack files under `root`. @throws UsageError, ConfigError */
export function ciStacks(root: string, stacks: readonly string[]): Record<string, CiStack> {
  const bad = stacks.find((s) => s.startsWith("-"));
  if (bad !== undefined) throw new UsageError(`${bad}: unknown option — none allowed\n${USAGE}`);
  if (stacks.length === 0) throw new UsageError(`stack: (missing) — at least one stack name\n${USAGE}`);
  return Object.fromEntries(
    stacks.map((stack) => {
      const config = parseStackConfig(rawStackConfig(readStackConfig(root, stack).config));
      const access = config.cluster.mode === "eks" ? config.cluster.access : undefined;
      const entry: CiStack = {
        runner: ciRunner(config.cluster),
        region: config.region ?? null,
        deployRoleArn: access?.deployRoleArn ?? null,
        previewRoleArn: access?.previewRoleArn ?? null,
      };
      return [stack, entry];
    }),
  );
}

function main(argv: readonly string[]): number {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return 0;
  }
  console.log(JSON.stringify(ciStacks(process.cwd(), argv)));
  return 0;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)), [ConfigError, UsageError]);
