/**
 * `npm run --silent ci:stacks -- <stack>...`: prints, as one JSON line, what the workflows need to reach each
 * stack's cluster, read from its validated stack file:
 * `{ "<stack>": { "runner": "<runs-on label>", "region": "<aws:region>" | null, "deployRoleArn": … | null,
 * "previewRoleArn": … | null } }`. The workflows read it with `fromJSON(...)[stack]`, so runner labels and
 * role ARNs live in the stack files alone (`cluster.access`). A bad stack file exits 2 with its problems.
 */
import { ConfigError, UsageError } from "@agentops/components/model";
import { runCli, wantsHelp } from "../lib/cli";
import { checkStackArgs, HELP } from "./args";

async function main(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return 0;
  }
  checkStackArgs(argv);
  // Loaded once the arguments are good: `--help` and a bad argument answer without the library's SDKs.
  const { ciStacks } = await import("./stacks.js");
  console.log(JSON.stringify(ciStacks(process.cwd(), argv)));
  return 0;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)), [ConfigError, UsageError]);
