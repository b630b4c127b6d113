/**
 * A stack's configuration as the program sees it, checked before a command loads the Pulumi SDKs and the
 * components (~2 s): a mistake in the stack file is named in well under a second, with the program's own
 * message, and nothing runs.
 */
import {
  parseStackConfig,
  rawStackConfig,
  type StackConfig,
  type StackFileConfig,
} from "@agentops/components/config";

/**
 * The configuration of `file` (readStackConfig's reading of `Pulumi.<stack>.yaml`) validated as the program
 * validates it (stack/load.ts: the stack's name beside its keys).
 * @throws ConfigError listing every problem, with the messages `pulumi up` prints.
 */
export function stackConfigOf(file: StackFileConfig, stack: string): StackConfig {
  return parseStackConfig({ ...rawStackConfig(file.config), stack });
}
