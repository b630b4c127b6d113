/**
 * Amazon Bedrock's runtime endpoints, inference profile geographies and the regions each can be called from:
 * data with its sources, read by the configuration (no AWS SDK) and by the gateway's IAM policy.
 */

/** Geography prefixes of Bedrock's cross-region inference profile IDs (`us.anthropic.…`, `global.…`). */
export const BEDROCK_PROFILE_PREFIXES = ["us", "eu", "apac", "jp", "au", "ca", "us-gov", "global"] as const;

/**
 * The foundation model behind a Bedrock model ID: an inference profile ID with its geography prefix removed,
 * `undefined` when `modelId` is a foundation model ID itself.
 */
export function bedrockProfileModel(modelId: string): string | undefined {
  const dot = modelId.indexOf(".");
  const prefix = modelId.slice(0, dot);
  return dot > 0 && (BEDROCK_PROFILE_PREFIXES as readonly string[]).includes(prefix)
    ? modelId.slice(dot + 1)
    : undefined;
}

/** `bedrock-runtime.<region>.amazonaws.com` or its `-fips` twin. */
const RUNTIME_HOST = /^bedrock-runtime(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com$/;
/** Regions of other partitions (GovCloud, ISO, China): their ARNs and credentials are not the cluster's. */
const OTHER_PARTITIONS = /^(us-gov|us-iso[a-z]*|cn)-/;
/** Where Bedrock has FIPS endpoints in the `aws` partition. */
const FIPS_REGIONS = /^(us|ca)-/;

/**
 * The region of a Bedrock runtime host of the `aws` partition, `undefined` when `host` is not one (another
 * partition's region, or `-fips` outside the US and Canada).
 */
export function bedrockRegion(host: string): string | undefined {
  const m = RUNTIME_HOST.exec(host);
  if (!m) return undefined;
  const region = m[2]!;
  if (OTHER_PARTITIONS.test(region)) return undefined;
  if (m[1] !== undefined && !FIPS_REGIONS.test(region)) return undefined;
  return region;
}

/**
 * Source regions from which each geography's cross-Region inference profiles can be called
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html): a `us.` profile from
 * a US region, `eu.` from Europe, `global.` from any commercial region.
 */
const PROFILE_SOURCES: Readonly<
  Record<(typeof BEDROCK_PROFILE_PREFIXES)[number], { regions: RegExp; what: string }>
> = {
  us: { regions: /^us-(east|west)-\d+$/, what: "US regions (us-east-*, us-west-*)" },
  eu: { regions: /^eu-/, what: "European regions (eu-*)" },
  apac: { regions: /^ap-/, what: "Asia Pacific regions (ap-*)" },
  jp: { regions: /^ap-northeast-[13]$/, what: "ap-northeast-1 and ap-northeast-3" },
  au: { regions: /^ap-southeast-[24]$/, what: "ap-southeast-2 and ap-southeast-4" },
  ca: { regions: /^ca-/, what: "Canadian regions (ca-*)" },
  "us-gov": { regions: /^us-gov-/, what: "GovCloud regions" },
  global: { regions: /./, what: "any commercial region" },
};

/**
 * Why `region` cannot call the inference profile `modelId`, or `undefined` when it can (or `modelId` is a
 * foundation model ID, called in the region itself).
 */
export function profileRegionProblem(modelId: string, region: string): string | undefined {
  if (bedrockProfileModel(modelId) === undefined) return undefined;
  const prefix = modelId.slice(0, modelId.indexOf(".")) as keyof typeof PROFILE_SOURCES;
  const source = PROFILE_SOURCES[prefix];
  return source.regions.test(region)
    ? undefined
    : `${prefix}. inference profiles are called from ${source.what}, not from ${region} (the host's region)`;
}
