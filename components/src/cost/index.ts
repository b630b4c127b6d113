// The cost model: a dated price table, the estimator shared by synth and the policy pack, and the report.
export * from "./prices";
export * from "./estimate";
export * from "./report";
export * from "./stack";
export * from "./pack-config";
export * from "./diff";
