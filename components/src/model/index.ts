// `@agentops/components/model`: the pure model behind the components — the price table and cost estimator, the
// capacity plan, the platform's footprints, the labels and annotations objects carry, Kubernetes quantities,
// error rendering. It loads no Pulumi provider SDK and no component, so the policy pack (and any tool) can price
// and place a stack's objects without @pulumi/aws or @pulumi/kubernetes installed.
export * from "../catalog/prices";
export * from "./cost";
export * from "./capacity";
export * from "../lib/contract";
export * from "../lib/plain";
export * from "../lib/quantity";
export * from "../lib/image-ref";
export { ConfigError, UsageError, renderValue, formatIssue, type ConfigIssue } from "../config/errors";
export { listStacks, readStackConfig, type StackFileConfig } from "../config/stack-file";
