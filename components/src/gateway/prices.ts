/**
 * The LLM price table of the gateway: list prices per model in USD per million tokens, dated, with a source per
 * provider. The gateway charges each request from it (the route's CEL cost expression) and the measured-spend
 * recording rule multiplies token counts by it, so the limit and the dashboards agree.
 *
 * Figures are standard (non-batch, non-priority) list prices for text tokens, without cache discounts: a cached
 * input token is charged as a full input token, the safe side for a budget. Providers change prices: re-check
 * them against the sources before trusting a figure to the cent, and date the change.
 */

/** API schemas the gateway can front, as the AIServiceBackend's `spec.schema.name` spells them. */
export const LLM_SCHEMAS = ["OpenAI", "Anthropic"] as const;
export type LlmSchema = (typeof LLM_SCHEMAS)[number];

/** One model's list prices. */
export interface ModelPrice {
  /** The provider API that serves it. */
  schema: LlmSchema;
  /** USD per million input (prompt) tokens. */
  inputUsdPerMillionTokens: number;
  /** USD per million output (completion) tokens. */
  outputUsdPerMillionTokens: number;
}

/** The day the figures below were recorded from the sources. */
export const LLM_PRICE_TABLE_DATE = "2025-10-01";

/** Where each provider publishes its prices. */
export const LLM_PRICE_SOURCES: Readonly<Record<LlmSchema, string>> = {
  OpenAI: "https://openai.com/api/pricing/",
  Anthropic: "https://docs.claude.com/en/docs/about-claude/pricing",
};

/**
 * Model name (as requests name it, the `model` field) → prices. Prices are multiples of $0.001 per million
 * tokens, so the CEL cost expression computes them in whole numbers (see `costExpression`).
 */
export const LLM_PRICES: Readonly<Record<string, ModelPrice>> = {
  "gpt-4o": { schema: "OpenAI", inputUsdPerMillionTokens: 2.5, outputUsdPerMillionTokens: 10 },
  "gpt-4o-mini": { schema: "OpenAI", inputUsdPerMillionTokens: 0.15, outputUsdPerMillionTokens: 0.6 },
  "gpt-4.1": { schema: "OpenAI", inputUsdPerMillionTokens: 2, outputUsdPerMillionTokens: 8 },
  "gpt-4.1-mini": { schema: "OpenAI", inputUsdPerMillionTokens: 0.4, outputUsdPerMillionTokens: 1.6 },
  "gpt-4.1-nano": { schema: "OpenAI", inputUsdPerMillionTokens: 0.1, outputUsdPerMillionTokens: 0.4 },
  "claude-opus-4-1": { schema: "Anthropic", inputUsdPerMillionTokens: 15, outputUsdPerMillionTokens: 75 },
  "claude-sonnet-4-5": { schema: "Anthropic", inputUsdPerMillionTokens: 3, outputUsdPerMillionTokens: 15 },
  "claude-haiku-4-5": { schema: "Anthropic", inputUsdPerMillionTokens: 1, outputUsdPerMillionTokens: 5 },
};

/** The models of the table a provider of `schema` can serve, sorted. */
export function modelsOf(schema: LlmSchema): string[] {
  return Object.entries(LLM_PRICES)
    .filter(([, p]) => p.schema === schema)
    .map(([name]) => name)
    .sort();
}
