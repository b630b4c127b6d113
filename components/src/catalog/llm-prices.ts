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
export const LLM_SCHEMAS = ["OpenAI", "Anthropic", "AWSBedrock"] as const;
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

/** The day the figures below were checked against the sources. */
export const LLM_PRICE_TABLE_DATE = "2026-11-30";

/**
 * Where each provider publishes its prices, and how the figures below were checked on the table's date. Only
 * models the provider still serves are listed: a retired model would route to an error, not to a bill.
 */
export const LLM_PRICE_SOURCES: Readonly<Record<LlmSchema, string>> = {
  OpenAI:
    "https://openai.com/api/pricing/. Its current page no longer lists these models (still served); the figures are its last official listing (platform.openai.com/docs/pricing, updated 2025-06-03, as quoted by the hex.pm package openai_responses 0.4.1) and agree with deploybase.ai (2026-03) and tokenmath.io (2026-06-21). gpt-4.1-nano is left out: shut down 2026-10-23 (OpenAI deprecations)",
  Anthropic:
    "https://platform.claude.com/docs/en/about-claude/pricing and each model's overview page (https://platform.claude.com/docs/en/models/<model>/overview: claude-sonnet-5-5 $2/$10, released 2026-09-28; claude-opus-5-5 $4/$20; claude-haiku-4-5 $1/$5). claude-sonnet-4-5 (retired on the Claude API 2026-11-30) and claude-opus-4-1 (retired 2026-08-05) are left out",
  AWSBedrock:
    "https://aws.amazon.com/bedrock/pricing/ (on-demand, US East (N. Virginia)); its price table is not in the stored copy, so the Nova figures agree across third-party copies of it (bigdataboutique.com, pristren.com, swfte.com 2026-05). Claude on Bedrock: global cross-Region profiles at Anthropic's list price, geographic (us.) profiles 10% above it (https://platform.claude.com/docs/en/build-with-claude/claude-on-amazon-bedrock: 'Regional endpoints include a 10% pricing premium over global endpoints', Claude Sonnet 4.5 and later)",
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
  "claude-opus-5-5": { schema: "Anthropic", inputUsdPerMillionTokens: 4, outputUsdPerMillionTokens: 20 },
  "claude-sonnet-5-5": { schema: "Anthropic", inputUsdPerMillionTokens: 2, outputUsdPerMillionTokens: 10 },
  "claude-haiku-4-5": { schema: "Anthropic", inputUsdPerMillionTokens: 1, outputUsdPerMillionTokens: 5 },
  // Bedrock: requests name the model ID (a foundation model, invoked in the provider's region) or a
  // cross-Region inference profile ID (a geography prefix, `us.` or `global.`, before the model ID), which the
  // gateway's IAM policy tells apart (cluster/iam.ts, bedrockInvokePolicy).
  "amazon.nova-micro-v1:0": {
    schema: "AWSBedrock",
    inputUsdPerMillionTokens: 0.035,
    outputUsdPerMillionTokens: 0.14,
  },
  "amazon.nova-lite-v1:0": {
    schema: "AWSBedrock",
    inputUsdPerMillionTokens: 0.06,
    outputUsdPerMillionTokens: 0.24,
  },
  "amazon.nova-pro-v1:0": {
    schema: "AWSBedrock",
    inputUsdPerMillionTokens: 0.8,
    outputUsdPerMillionTokens: 3.2,
  },
  "global.anthropic.claude-haiku-4-5-20251001-v1:0": {
    schema: "AWSBedrock",
    inputUsdPerMillionTokens: 1,
    outputUsdPerMillionTokens: 5,
  },
  "us.anthropic.claude-haiku-4-5-20251001-v1:0": {
    schema: "AWSBedrock",
    inputUsdPerMillionTokens: 1.1,
    outputUsdPerMillionTokens: 5.5,
  },
};

/** The models of the table a provider of `schema` can serve, sorted. */
export function modelsOf(schema: LlmSchema): string[] {
  return Object.entries(LLM_PRICES)
    .filter(([, p]) => p.schema === schema)
    .map(([name]) => name)
    .sort();
}
