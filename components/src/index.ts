// Public exports of @agentops/components.
export * from "./agents";
export * from "./capacity";
export * from "./cluster";
export * from "./config";
export * from "./cost";
export * from "./lib/contract";
export * from "./lib/names";
export * from "./lib/quantity";
export * from "./observability";
export * from "./platform";
export * from "./tenancy";
