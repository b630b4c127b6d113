// The LLM gateway: price table, object builders, counter store and footprint (README, LLM gateway).
export * from "./bedrock";
export * from "./bedrock-endpoint";
export * from "./counter-store";
export * from "./footprint";
export * from "./objects";
export * from "./observability";
export * from "./prices";
