/** The one place that reads the stack's configuration from the Pulumi runtime. */
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, rawStackConfig, type StackConfig } from "./config";

/**
 * Reads the stack's configuration from the Pulumi runtime, once, and validates it.
 * @throws {ConfigError} listing every problem.
 */
export function loadStackConfig(): StackConfig {
  return parseStackConfig(rawStackConfig(pulumi.runtime.allConfig()));
}
