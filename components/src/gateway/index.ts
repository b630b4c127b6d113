// The LLM gateway: price table, object builders, counter store and footprint (README, LLM gateway).
export * from "./bedrock";
export * from "../catalog/bedrock";
export * from "./counter-store";
export * from "../model/footprints/llm-gateway";
export * from "./objects";
export * from "../observability/llm-gateway";
export * from "../catalog/llm-prices";
