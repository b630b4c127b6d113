// `@agentops/components/config`: a stack's configuration without Pulumi — `Pulumi.<stack>.yaml` read as the
// Pulumi CLI gives it to the program, parsed and checked with the program's own rules and messages
// (parseStackConfig is what `pulumi up` runs first), and its warnings. It loads no Pulumi SDK, no component and
// no values builder (about 140 modules against the main entry's 1,600), so a CI job or a command names a bad
// value in well under a second; tests/packaging.test.ts checks what it loads.
export {
  parseStackConfig,
  rawStackConfig,
  STACK_KEYS,
  type RawStackConfig,
  type StackConfig,
} from "./config";
export { configWarnings } from "./checks";
export { agentObjectNames } from "../agents/names";
export { ConfigError, UsageError, formatIssue, renderValue, type ConfigIssue } from "../config/errors";
/**
 * Why a file could not be read, in a few words (`(missing)`, `a folder, not a file`, …): for this repository's
 * commands, which word every unreadable file alike.
 * @internal
 */
export { unreadableFile } from "../config/errors";
export { listStacks, readStackConfig, SECRET_PLACEHOLDER, type StackFileConfig } from "../config/stack-file";
/**
 * How many copies of anchored values a YAML file's aliases may expand to, for this repository's readers of other
 * YAML files (rightsize's VerticalPodAutoscalers), which refuse an expansion attack alike.
 * @internal
 */
export { MAX_ALIAS_COUNT } from "../config/stack-file";
/**
 * Which runner a stack's CI jobs use (`cluster.access.runner`), for the repository's workflows.
 * @internal
 */
export { ciRunner } from "../config/cluster";
