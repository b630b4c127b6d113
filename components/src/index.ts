// Public exports of @agentops/components (README "Public surface" in components/README.md lists them).
export * from "./agents";
export * from "./tenancy";
export * from "./cluster";
export * from "./platform";
export * from "./gateway";
export * from "./observability";
export * from "./stack";
export * from "./config";
export * from "./config/component-args";
export * from "./catalog/charts";
export * from "./catalog/kubernetes";
export * from "./model";
export * from "./lib/names";
export * from "./lib/cron";
export * from "./lib/time-zone";
