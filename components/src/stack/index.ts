// The stack: stack-wide validation of `Pulumi.<stack>.yaml` and the program's wiring.
export * from "./config";
export { loadStackConfig } from "./load";
export { crossChecks, priceTableIssues } from "./checks";
export { agentOpsStack, type StackOutputs } from "./program";
