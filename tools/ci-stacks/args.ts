/** The command line of `npm run ci:stacks` (./cli.ts) and the shape of what it prints. */
import { UsageError } from "@agentops/components/model";

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

/** The stack names of the command line. @throws UsageError on an option or when there is none */
export function checkStackArgs(stacks: readonly string[]): void {
  const bad = stacks.find((s) => s.startsWith("-"));
  if (bad !== undefined) throw new UsageError(`${bad}: unknown option — none allowed\n${USAGE}`);
  if (stacks.length === 0) throw new UsageError(`stack: (missing) — at least one stack name\n${USAGE}`);
}
