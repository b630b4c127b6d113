/** The one place that reads the stack's configuration from the Pulumi runtime. */
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, rawStackConfig, type StackConfig } from "./config";

/**
 * Reads the stack's configuration and name from the Pulumi runtime (inside the program: the one place that
 * reads them), once, and validates them. The name goes to the components as an argument: a stack that is not
 * its environment's own names its cloud resources after itself (cluster/eks-cluster.ts `clusterNameFor`).
 * @throws {ConfigError} listing every problem.
 */
export function loadStackConfig(): StackConfig {
  return parseStackConfig({ ...rawStackConfig(pulumi.runtime.allConfig()), stack: pulumi.getStack() });
}
