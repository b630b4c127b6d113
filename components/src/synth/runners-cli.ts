/**
 * `npm run --silent ci:runners -- <stack>...`: prints `{ "<stack>": "<runs-on label>", ... }`, the runner each
 * stack's preview and deploy jobs run on (`cluster.access.runner`, else `ubuntu-latest`; see `ciRunner`). The
 * workflows read it with `fromJSON(...)[stack]`, so the label lives in the stack file alone. Each stack file is
 * validated in full first: a bad one exits 2 with its problems.
 */
import { ciRunner, ConfigError, parseStackConfig, rawStackConfig } from "../config";
import { runCli } from "../lib/cli";
import { readStackConfig, UsageError } from "./stack-file";

const USAGE = "usage: npm run --silent ci:runners -- <stack>...   (stack: the name of a Pulumi.<stack>.yaml)";

/** The runner label of each stack, from the stack files under `root`. @throws UsageError, ConfigError */
export function stackRunners(root: string, stacks: readonly string[]): Record<string, string> {
  const bad = stacks.find((s) => s.startsWith("-"));
  if (bad !== undefined) throw new UsageError(`${bad}: unknown option — none allowed\n${USAGE}`);
  if (stacks.length === 0) throw new UsageError(`stack: (missing) — at least one stack name\n${USAGE}`);
  return Object.fromEntries(
    stacks.map((stack) => [
      stack,
      ciRunner(parseStackConfig(rawStackConfig(readStackConfig(root, stack).config)).cluster),
    ]),
  );
}

function main(): number {
  console.log(JSON.stringify(stackRunners(process.cwd(), process.argv.slice(2))));
  return 0;
}

if (require.main === module) runCli(main, [ConfigError, UsageError]);
