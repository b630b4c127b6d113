// The cost model: the estimator shared by synth and the policy pack, and the report.
export * from "./estimate";
export * from "./report";
export * from "./stack";
export * from "./pack-config";
