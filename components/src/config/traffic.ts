/**
 * The traffic fields of a service agent (modes `service` and `hybrid`): `expose` (HTTPS on the platform's
 * shared Gateway) and `scaling` (KEDA triggers instead of the CPU/memory HPA). Where else each goes:
 * - `expose`: agents/traffic.ts (HTTPRoute, SecurityPolicy, BackendTrafficPolicy, the OIDC client secret),
 *   platform/resources.ts (the Gateway's listener and certificate per hostname), tenancy/tenant.ts (the
 *   network policy admitting the Gateway's proxies), stack/checks.ts (unique hostnames, issuers, the
 *   rate-limit service), README "Exposing an agent".
 * - `scaling`: agents/traffic.ts (ScaledObject, TriggerAuthentication), agents/checks.ts (`replicas.min: 0`
 *   only with a queue, credential keys among `secrets`), platform/keda.ts (the KEDA operator's SQS role),
 *   model/cost/stack.ts (replicas from the ScaledObject), README "Scaling".
 */
import { z } from "zod";
import { integer, oneOf, taggedUnionError, text } from "./schema";

/** An environment variable name: a key of the agent's `secrets` (Vault `agents/<env>/<agent>`). */
const secretKey = (what: string) =>
  z
    .string({ error: `must be the name of one of the agent's secrets holding ${what}` })
    .regex(/^[A-Z_][A-Z0-9_]*$/, `must be the name of one of the agent's secrets holding ${what}`);

/** A number > 0 (fractions allowed: 0.5 requests per second per pod). */
const positive = (what: string) =>
  z
    .number({ error: `must be a number > 0 (${what})` })
    .refine((v) => Number.isFinite(v) && v > 0, `must be a number > 0 (${what})`);

/**
 * RFC 1123 host names in lower case, as a Gateway listener's `hostname` and a certificate's `dnsNames` take
 * them: at least two dot-separated labels of `a-z`, `0-9` and `-`, each 1–63 characters, not starting or
 * ending with `-`, 253 characters at most; no wildcard (certificates are issued per host with HTTP-01, which
 * cannot prove a wildcard) and no IP address.
 */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export function hostnameProblem(v: string): string | undefined {
  const allowed =
    "must be a lower-case RFC 1123 host name of two labels or more, e.g. security.agents.example.com";
  if (v.startsWith("*.")) return `${allowed}; no wildcard (each host gets its own certificate by HTTP-01)`;
  const labels = v.split(".");
  if (
    v.length > 253 ||
    labels.length < 2 ||
    !labels.every((l) => l.length <= 63 && LABEL.test(l)) ||
    /^[0-9]+$/.test(labels[labels.length - 1]!)
  ) {
    return allowed;
  }
  return undefined;
}
const hostname = () =>
  z.string({ error: "must be a host name, e.g. security.agents.example.com" }).superRefine((v, ctx) => {
    const problem = hostnameProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * A path prefix as the Gateway API's HTTPRoute accepts it (gateway-api `HTTPPathMatch` validation, v1.4
 * CRDs in gateway-helm v1.8.2): absolute, at most 1024 characters, none of `//`, `/./`, `/../`, `%2f`,
 * `%2F`, `#`, not ending in `/.` or `/..`.
 */
const pathPrefix = () =>
  z
    .string({ error: "must be an absolute path prefix, e.g. /api" })
    .refine(
      (v) =>
        v.startsWith("/") &&
        v.length <= 1024 &&
        !/\/\/|\/\.\/|\/\.\.\/|%2f|#/i.test(v) &&
        !/\/\.\.?$/.test(v) &&
        /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(v),
      "must be an absolute path prefix without //, /./, /../, %2f or #, e.g. /api",
    );

/** The cert-manager ClusterIssuers the platform declares (platform/resources.ts). */
export const CERTIFICATE_ISSUERS = ["letsencrypt-production", "letsencrypt-staging", "agentops-ca"] as const;
/** Those that need `platform.certManager.acmeEmail` (they exist only with it). */
export const ACME_ISSUERS: readonly string[] = ["letsencrypt-production", "letsencrypt-staging"];

/** JWT bearer tokens, verified against the issuer's keys (Envoy Gateway SecurityPolicy `jwt`). */
const jwtAuth = z.strictObject({
  kind: z.literal("jwt"),
  /** The `iss` claim tokens must carry, e.g. `https://auth.example.com/`. */
  issuer: text("the issuer URL tokens carry in iss, e.g. https://auth.example.com/"),
  /** Where the issuer publishes its signing keys (JWKS), over HTTPS. */
  jwksUri: z
    .string({ error: "must be an https:// URL of the issuer's JWKS" })
    .regex(/^https:\/\/[^\s/]+(\/\S*)?$/, "must be an https:// URL of the issuer's JWKS"),
  /** Accepted `aud` values; at least one (a token minted for another API is refused). */
  audiences: z
    .array(text("an audience"), { error: "must be a list of audiences" })
    .min(1, "must name at least one audience"),
});

/** Browser sign-in with OpenID Connect (Envoy Gateway SecurityPolicy `oidc`, authorization code flow). */
const oidcAuth = z.strictObject({
  kind: z.literal("oidc"),
  /** The provider's issuer URL; its discovery document is read from `<issuer>/.well-known/openid-configuration`. */
  issuer: z
    .string({ error: "must be an https:// issuer URL" })
    .regex(/^https:\/\/\S+$/, "must be an https:// issuer URL"),
  /** The OAuth client ID registered for this host. */
  clientId: text("the OAuth client ID"),
  /** The key among the agent's `secrets` (Vault `agents/<env>/<agent>`) holding the OAuth client secret. */
  clientSecret: secretKey("the OAuth client secret"),
});

/**
 * `expose`: HTTPS on the platform's shared Gateway. An HTTPRoute from `hostname` + `path` to the agent's
 * Service, a listener with a certificate from `issuer` for the hostname, optional authentication, and a
 * per-client rate limit (by JWT subject with `auth.kind: jwt`, else by client address).
 */
export const exposeSchema = z.strictObject({
  /** Unique across the stack. */
  hostname: hostname(),
  /** Requests under this prefix reach the agent (unchanged). @default "/" */
  path: pathPrefix().default("/"),
  /**
   * The ClusterIssuer of the hostname's certificate; the Let's Encrypt ones need
   * `platform.certManager.acmeEmail`. `agentops-ca` is the internal CA (clients must trust it).
   * @default "letsencrypt-production"
   */
  issuer: oneOf(CERTIFICATE_ISSUERS).default("letsencrypt-production"),
  /** JWT (APIs) or OIDC (browsers). @default none: anyone who reaches the host */
  auth: z
    .discriminatedUnion("kind", [jwtAuth, oidcAuth], {
      error: taggedUnionError("must have kind jwt or oidc"),
    })
    .optional(),
  /** Requests per minute one client may make (global, counted across the Gateway's proxies). @default 600 */
  rateLimit: z
    .strictObject({ requestsPerMinute: integer(1, 1_000_000).default(600) })
    .default({ requestsPerMinute: 600 }),
});

/** Requests per pod: per-second rate, or requests in flight (mean concurrency), per pod. */
const requestsTrigger = z.discriminatedUnion(
  "signal",
  [
    z.strictObject({
      signal: z.literal("requestRate"),
      /** Requests per second one pod should serve. @default 100 */
      perPod: positive("requests per second per pod").default(100),
    }),
    z.strictObject({
      signal: z.literal("inFlight"),
      /** Requests in flight one pod should hold (its useful concurrency). */
      perPod: positive("requests in flight per pod"),
    }),
  ],
  { error: taggedUnionError("must have signal requestRate or inFlight") },
);

/** How KEDA authenticates to the queue: never a value in the stack file. */
const missingCredentials = (kind: string, allowed: string) => (issue: { input?: unknown }) =>
  issue.input === undefined
    ? `is required for a ${kind} queue: how KEDA reads its length (${allowed})`
    : undefined;

const redisQueue = z.strictObject({
  kind: z.literal("redis"),
  /** `host:port` of the Redis (or Valkey) server. */
  address: z
    .string({ error: "must be host:port, e.g. queue.governance.svc.cluster.local:6379" })
    .regex(
      /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:\d{1,5}$/,
      "must be host:port, e.g. queue.governance.svc.cluster.local:6379",
    ),
  /** The list agents pop work from. */
  list: text("the name of a Redis list"),
  /** Items waiting per pod. @default 50 */
  perPod: integer(1, 100_000).default(50),
  /** TLS to the server. @default false */
  tls: z.boolean({ error: "must be true or false" }).default(false),
  /** The password (AUTH), from the agent's Secret. Required. */
  credentials: z.strictObject(
    { from: z.literal("secrets", { error: "must be secrets" }), password: secretKey("the Redis password") },
    { error: missingCredentials("redis", "{ from: secrets, password: <one of the agent's secrets> }") },
  ),
});

const sqsCredentials = z.discriminatedUnion(
  "from",
  [
    /** The KEDA operator's EKS Pod Identity role, allowed `sqs:GetQueueAttributes` on this queue (EKS only). */
    z.strictObject({ from: z.literal("podIdentity") }),
    /** An access key pair among the agent's secrets. */
    z.strictObject({
      from: z.literal("secrets"),
      accessKeyId: secretKey("the AWS access key ID"),
      secretAccessKey: secretKey("the AWS secret access key"),
    }),
  ],
  {
    // Missing: what it needs; no mapping: a mapping; a mapping with another `from`: the two there are.
    error: (issue: { input?: unknown }) =>
      missingCredentials(
        "sqs",
        "{ from: podIdentity } or { from: secrets, accessKeyId, secretAccessKey }",
      )(issue) ?? taggedUnionError("must be podIdentity or secrets")(issue),
  },
);

/** An SQS queue URL: `https://sqs.<region>.amazonaws.com/<12-digit account>/<name>`. */
export const SQS_QUEUE_URL =
  /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([A-Za-z0-9_-]{1,80}(\.fifo)?)$/;

/** The region of an SQS queue URL (`https://sqs.<region>.amazonaws.com/…`). @throws on another string */
export function sqsRegion(queueUrl: string): string {
  const m = SQS_QUEUE_URL.exec(queueUrl);
  if (!m) throw new Error(`not an SQS queue URL: ${queueUrl}`);
  return m[1]!;
}

/** `arn:aws:sqs:<region>:<account>:<name>` of an SQS queue URL. @throws on another string */
export function sqsQueueArn(queueUrl: string): string {
  const m = SQS_QUEUE_URL.exec(queueUrl);
  if (!m) throw new Error(`not an SQS queue URL: ${queueUrl}`);
  return `arn:aws:sqs:${m[1]}:${m[2]}:${m[3]}`;
}

const sqsQueue = z.strictObject({
  kind: z.literal("sqs"),
  /** The queue's URL, e.g. `https://sqs.us-east-1.amazonaws.com/123456789012/triage`. */
  queueUrl: z
    .string({ error: "must be an SQS queue URL" })
    .regex(SQS_QUEUE_URL, "must be an SQS queue URL: https://sqs.<region>.amazonaws.com/<account>/<queue>"),
  /** Messages waiting (visible and in flight) per pod. @default 50 */
  perPod: integer(1, 100_000).default(50),
  credentials: sqsCredentials,
});

/**
 * `scaling`: the agent is scaled by KEDA instead of a CPU/memory HPA. `requests` scales on requests per pod
 * (from the LLM gateway's per-agent metrics when the agent calls LLMs through it, else from its own HTTP
 * server metrics); `queue` on the queue's length per pod, down to zero pods when it is empty with
 * `replicas.min: 0`. The `autoscaling` CPU and memory targets stay as further triggers, and its behaviour is
 * the ScaledObject's. At least one of the two.
 */
export const scalingSchema = z
  .strictObject({
    requests: requestsTrigger.optional(),
    queue: z
      .discriminatedUnion("kind", [redisQueue, sqsQueue], {
        error: taggedUnionError("must have kind redis or sqs"),
      })
      .optional(),
  })
  .refine((s) => s.requests !== undefined || s.queue !== undefined, {
    message: "must set requests, queue or both (leave scaling out to scale on CPU and memory alone)",
  });

export type ExposeConfig = z.output<typeof exposeSchema>;
export type ScalingConfig = z.output<typeof scalingSchema>;
export type QueueConfig = NonNullable<ScalingConfig["queue"]>;
