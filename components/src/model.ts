// `@agentops/components/model`: the pure model behind the components — the price table and cost estimator,
// the labels and annotations objects carry, Kubernetes quantities, error rendering. It loads no Pulumi
// provider SDK, so the policy pack (and any tool) can price and read objects without @pulumi/aws or
// @pulumi/kubernetes installed.
export * from "./cost";
export * from "./lib/contract";
export * from "./lib/plain";
export * from "./lib/quantity";
export { renderValue, formatIssue, type ConfigIssue } from "./config/errors";
