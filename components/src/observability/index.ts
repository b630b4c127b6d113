// Observability content: metric list, recording rules and alerts, dashboards, alert routing, OpenCost pricing.
export * from "./metrics";
export * from "./rules";
export * from "./dashboards";
export * from "./alerting";
export * from "./opencost-pricing";
export * from "./observability";
