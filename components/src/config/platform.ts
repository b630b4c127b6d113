import { z } from "zod";
import { bedrockRegion, profileRegionProblem } from "../catalog/bedrock";
import { LLM_PRICES, LLM_SCHEMAS, modelsOf } from "../catalog/llm-prices";
import { bool, dns1123Label, integer, oneOf, quantity, text } from "./schema";

/**
 * A Prometheus duration as `--storage.tsdb.retention.time` takes it (prometheus/common model `ParseDuration`,
 * and the Prometheus CRD's `retention` pattern): units from largest to smallest, each at most once, `y`, `w`,
 * `d`, `h`, `m`, `s`, `ms`, e.g. `15d`, `1d12h`, `2w3d`. Zero (which Prometheus reads as "the default") is
 * refused: say the retention.
 */
export const PROMETHEUS_DURATION =
  /^(?=.)(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_ALLOWED =
  "must be a Prometheus duration greater than 0: whole numbers with units from largest to smallest, each once (y, w, d, h, m, s, ms), e.g. 15d, 12h or 1d12h";
const duration = () =>
  z.string({ error: DURATION_ALLOWED }).refine((v) => {
    const m = PROMETHEUS_DURATION.exec(v);
    return m !== null && m.slice(1).some((n) => n !== undefined && Number(n) > 0);
  }, DURATION_ALLOWED);

/** The largest `llm.monthlyUsd` the gateway can enforce: its limit is a uint32 count of micro-USD (4,294,967,295). */
export const LLM_GATEWAY_MAX_MONTHLY_USD = 4294;

/** A lower-case DNS host name of two labels or more. */
const HOST = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/** One LLM provider the gateway routes to; its API key is read from Vault at `platform/<env>/llm/<name>`. */
const llmProviderSchema = z
  .strictObject({
    /**
     * DNS-1123 label (object names: Backend, AIServiceBackend, the Secret `llm-provider-<name>`) of at most 40
     * characters so the prefixed Secret name stays a label; unique; also its Vault path segment.
     */
    name: dns1123Label().refine(
      (v) => v.length <= 40,
      "must be at most 40 characters (it names the Secret llm-provider-<name>)",
    ),
    /**
     * The provider's API (the AIServiceBackend schema): `OpenAI` or `Anthropic` (an API key from Vault), or
     * `AWSBedrock` (EKS Pod Identity on EKS, an AWS credentials file from Vault on an existing cluster).
     */
    schema: oneOf(LLM_SCHEMAS),
    /**
     * Host name of the provider's API, reached over TLS on 443, e.g. `api.openai.com`; for `AWSBedrock` a
     * runtime endpoint `bedrock-runtime.<region>.amazonaws.com`, whose region the requests are signed for.
     */
    host: z
      .string({ error: "must be a host name, e.g. api.openai.com" })
      .regex(HOST, "must be a lower-case host name, e.g. api.openai.com"),
    /** Models routed to this provider; each must be in the gateway's price table for its schema. */
    models: z
      .array(z.string({ error: "must be a model name" }), { error: "must be a list of model names" })
      .min(1, "must name at least one model"),
  })
  .superRefine((provider, ctx) => {
    // A host the schema already refused (not a lower-case host name) is reported once.
    const region = provider.schema === "AWSBedrock" ? bedrockRegion(provider.host) : undefined;
    if (provider.schema === "AWSBedrock" && region === undefined && HOST.test(provider.host)) {
      ctx.addIssue({
        code: "custom",
        path: ["host"],
        input: provider.host,
        message:
          "must be a Bedrock runtime endpoint of the aws partition for schema AWSBedrock: bedrock-runtime.<region>.amazonaws.com, or bedrock-runtime-fips.<region>.amazonaws.com in a US or Canadian region",
      });
    }
    provider.models.forEach((model, i) => {
      const problem = region === undefined ? undefined : profileRegionProblem(model, region);
      if (problem !== undefined && LLM_PRICES[model]?.schema === "AWSBedrock") {
        ctx.addIssue({
          code: "custom",
          path: ["models", i],
          input: model,
          message: `must be callable there: ${problem}`,
        });
      }
      if (LLM_PRICES[model]?.schema !== provider.schema) {
        ctx.addIssue({
          code: "custom",
          path: ["models", i],
          input: model,
          message: `must be one of the ${provider.schema} models of the gateway's price table (${modelsOf(provider.schema).join(", ")})`,
        });
      }
    });
  });

const LLM_GATEWAY_DEFAULTS = {
  enabled: false,
  failClosed: true,
  providers: [],
  store: { nodeType: "cache.t4g.micro", multiAz: false },
};

/** `agentops:platform.llmGateway`: the in-cluster LLM gateway (Envoy AI Gateway) that meters and caps agents' LLM spend. */
const llmGatewaySchema = z
  .strictObject({
    /** Run the gateway; agents with `llm.monthlyUsd > 0` then reach LLMs only through it. @default false */
    enabled: bool().default(false),
    /**
     * Deny requests (HTTP 500) while the rate-limit service or its counter store cannot answer; off: let them
     * through unmetered. @default true
     */
    failClosed: bool().default(true),
    /** The providers and their models. At least one when enabled. @default [] */
    providers: z.array(llmProviderSchema, { error: "must be a list of providers" }).default([]),
    /** The counter store on EKS (ElastiCache); an existing cluster runs the Valkey chart instead. */
    store: z
      .strictObject({
        /**
         * ElastiCache node type; on EKS it must be priced for `aws:region` in the cost model's table
         * (components/src/catalog/prices.ts), so the stack's cost is known. @default "cache.t4g.micro"
         */
        nodeType: text("an ElastiCache node type, e.g. cache.t4g.micro").default("cache.t4g.micro"),
        /** A replica in a second zone with automatic failover. @default false */
        multiAz: bool().default(false),
      })
      .default(LLM_GATEWAY_DEFAULTS.store),
  })
  .default(LLM_GATEWAY_DEFAULTS);

/** `agentops:platform`: which add-ons run and how they are sized; defaults next to each option. */
export const platformSchema = z
  .strictObject({
    /** Install the Helm platform at all (off: cluster, tenants and agents only). @default true */
    enabled: bool().default(true),
    /**
     * Where the releases' charts come from. Unset: each chart's repository (the chart lock's), as Helm pulls it.
     * `directory`: a folder of chart files (`<name>-<version>.tgz`, the lock's `file`), relative to the project
     * root, each checked against the lock's SHA-256 before it is used — for clusters without internet access
     * and the local control plane. `npm run charts` fills `.cache/charts/`. @default undefined
     */
    charts: z.strictObject({ directory: text("a folder of chart files, e.g. .cache/charts") }).optional(),
    /**
     * Two or more replicas and a PodDisruptionBudget for the stateless controllers (cert-manager, External
     * Secrets, metrics-server, OTel collector, Grafana, Alertmanager). @default false
     */
    highAvailability: bool().default(false),
    prometheus: z
      .strictObject({
        /** How long samples are kept. @default "15d" */
        retention: duration().default("15d"),
        /** Persistent volume of each Prometheus replica. @default "50Gi" */
        storageSize: quantity("storage").default("50Gi"),
        /** Prometheus replicas (each scrapes everything). @default 1 */
        replicas: integer(1, 5).default(1),
      })
      .default({ retention: "15d", storageSize: "50Gi", replicas: 1 }),
    loki: z
      .strictObject({
        /** `singleBinary` on a volume (dev), or `simpleScalable` on the cluster's S3 bucket. @default "singleBinary" */
        mode: z
          .enum(["singleBinary", "simpleScalable"], { error: "must be singleBinary or simpleScalable" })
          .default("singleBinary"),
        /** Log retention in days. @default 7 */
        retentionDays: integer(1, 3650).default(7),
        /** Volume of the single binary, or of each write/backend replica. @default "20Gi" */
        storageSize: quantity("storage").default("20Gi"),
      })
      .default({ mode: "singleBinary", retentionDays: 7, storageSize: "20Gi" }),
    jaeger: z
      .strictObject({
        /** `memory` (dev only: traces die with the pod) or `badger` on a persistent volume. @default "badger" */
        storage: z.enum(["memory", "badger"], { error: "must be memory or badger" }).default("badger"),
        /** Badger volume. @default "20Gi" */
        storageSize: quantity("storage").default("20Gi"),
        /** Trace retention in hours (Badger TTL). @default 72 */
        retentionHours: integer(1, 8760).default(72),
      })
      .default({ storage: "badger", storageSize: "20Gi", retentionHours: 72 }),
    vault: z
      .strictObject({
        /** HA with integrated storage (raft); off: one standalone server. @default false */
        ha: bool().default(false),
        /** Raft voters when `ha`; odd, for quorum. @default 3 */
        replicas: integer(3, 7)
          .refine((n) => n % 2 === 1, "must be an odd number from 3 to 7 (raft quorum)")
          .default(3),
        /** Data volume of each server. @default "10Gi" */
        storageSize: quantity("storage").default("10Gi"),
      })
      .default({ ha: false, replicas: 3, storageSize: "10Gi" }),
    certManager: z
      .strictObject({
        /** Registration e-mail for Let's Encrypt; set it to get the ACME staging and production issuers. */
        acmeEmail: text("an e-mail address")
          .refine((v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), "must be an e-mail address")
          .optional(),
      })
      .default({}),
    llmGateway: llmGatewaySchema,
  })
  .default({
    enabled: true,
    highAvailability: false,
    prometheus: { retention: "15d", storageSize: "50Gi", replicas: 1 },
    loki: { mode: "singleBinary", retentionDays: 7, storageSize: "20Gi" },
    jaeger: { storage: "badger", storageSize: "20Gi", retentionHours: 72 },
    vault: { ha: false, replicas: 3, storageSize: "10Gi" },
    certManager: {},
    llmGateway: LLM_GATEWAY_DEFAULTS,
  });

export type PlatformConfig = z.infer<typeof platformSchema>;
export type LlmGatewayConfig = PlatformConfig["llmGateway"];
export type LlmProviderConfig = LlmGatewayConfig["providers"][number];

/** The Bedrock providers of a gateway configuration. */
export function bedrockProviders(gateway: LlmGatewayConfig): LlmGatewayConfig["providers"] {
  return gateway.providers.filter((p) => p.schema === "AWSBedrock");
}
