/**
 * A stack's configuration as the program sees it, checked before a command loads the Pulumi SDKs and the
 * components (~2 s): a mistake in the stack file is named in well under a second, with the program's own
 * message, and nothing runs.
 */
import {
  parseStackConfig,
  rawStackConfig,
  readStackConfig,
  type StackConfig,
  type StackFileConfig,
} from "@agentops/components/config";

/**
 * `<root>/Pulumi.<stack>.yaml` read as the Pulumi CLI gives it to the program, and its configuration validated
 * as the program validates it (stack/load.ts: the stack's name beside its keys).
 * @throws UsageError for an unknown stack or a stack file that cannot be read; ConfigError listing every
 * problem of the configuration, with the messages `pulumi up` prints
 */
export function checkedStack(root: string, stack: string): { file: StackFileConfig; config: StackConfig } {
  const file = readStackConfig(root, stack);
  return { file, config: parseStackConfig({ ...rawStackConfig(file.config), stack }) };
}
