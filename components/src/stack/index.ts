// The stack: stack-wide validation of `Pulumi.<stack>.yaml` and the program's wiring.
export * from "./config";
export { loadStackConfig } from "./load";
export { configWarnings, crossChecks, priceTableIssues, zoneRegionIssues } from "./checks";
export { agentOpsStack, type StackOutputs } from "./program";
