/** What `npm run ci:stacks` prints (./cli.ts): how CI reaches each stack's cluster, from its validated stack file. */
import { ciRunner, ConfigError, UsageError, type StackConfig } from "@agentops/components/config";
import { checkedStack } from "../lib/stack-config";
import { checkStackArgs, type CiStack } from "./args";

/** CI's view of each stack, from the stack files under `root`. @throws UsageError, ConfigError */
export function ciStacks(root: string, stacks: readonly string[]): Record<string, CiStack> {
  checkStackArgs(stacks);
  return Object.fromEntries(
    stacks.map((stack) => {
      let config: StackConfig;
      try {
        config = checkedStack(root, stack).config;
      } catch (err) {
        // Several stacks are read at once: the message names the file whose configuration it is.
        if (err instanceof ConfigError) throw new UsageError(`Pulumi.${stack}.yaml: ${err.message}`);
        throw err;
      }
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
