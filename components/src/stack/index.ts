// The stack: stack-wide validation of `Pulumi.<stack>.yaml` and the program's wiring.
export * from "./config";
export { crossChecks, priceTableIssues } from "./checks";
export { agentOpsStack, type StackOutputs } from "./program";
