import { z } from "zod";
import { AGENT_PLATFORM_ENV } from "../lib/contract";
import { parseImageReference } from "../lib/image-ref";
import {
  bool,
  cpuMemory,
  cron,
  dns1035Label,
  dns1123Subdomain,
  integer,
  quantity,
  QUANTITY_MINIMUMS,
  taggedUnionError,
  text,
  timeZone,
  unique,
  usd,
} from "./schema";
import { exposeSchema, scalingSchema } from "./traffic";

export const AGENT_MODES = ["service", "scheduled", "hybrid"] as const;
export type AgentMode = (typeof AGENT_MODES)[number];

const percent = () => integer(1, 100);

/** One scaling direction of a HorizontalPodAutoscaler: at most `percent`% or `pods` pods per `periodSeconds`. */
const scalingRule = (defaults: { percent: number; pods: number; stabilizationSeconds: number }) =>
  z
    .strictObject({
      percent: integer(1, 1000).default(defaults.percent),
      pods: integer(1).default(defaults.pods),
      periodSeconds: integer(1, 1800).default(60),
      stabilizationSeconds: integer(0, 3600).default(defaults.stabilizationSeconds),
    })
    .default({ ...defaults, periodSeconds: 60 });

/**
 * HPA targets and behaviour of a service. The defaults are the ones every service gets when the entry has no
 * `autoscaling`: CPU 70 %, memory 80 %; up by the larger of +50 % or +4 pods per minute after a 60 s window,
 * down by the smaller of −10 % or −2 pods per minute after 300 s.
 */
const autoscalingFields = z.strictObject({
  cpuUtilization: percent().default(70),
  memoryUtilization: percent().default(80),
  scaleUp: scalingRule({ percent: 50, pods: 4, stabilizationSeconds: 60 }),
  scaleDown: scalingRule({ percent: 10, pods: 2, stabilizationSeconds: 300 }),
});
export const autoscalingSchema = autoscalingFields.default(() => autoscalingFields.parse({}));

/**
 * A scheduled run: how long it takes (for the cost model), its deadline and retries. The defaults are the ones
 * every job gets when the entry has no `job`: 30 minutes expected, stopped at 3600 s, 2 retries.
 */
const jobFields = z
  .strictObject({
    expectedRunMinutes: integer(1, 1440).default(30),
    activeDeadlineSeconds: integer(60, 86400).default(3600),
    backoffLimit: integer(0, 10).default(2),
    /** Whole GPUs per job pod (e.g. training), independent of the service's `gpu`. @default the agent's `gpu` */
    gpu: integer(0, 8).optional(),
  })
  // The Job controller stops a run at its deadline: one shorter than the expected run would kill every run
  // while the cost model counts it whole.
  .superRefine((job, ctx) => {
    if (job.activeDeadlineSeconds < job.expectedRunMinutes * 60) {
      ctx.addIssue({
        code: "custom",
        path: ["activeDeadlineSeconds"],
        input: job.activeDeadlineSeconds,
        message: `must be at least expectedRunMinutes × 60 (${job.expectedRunMinutes * 60}): the Job controller stops a run at its deadline`,
      });
    }
  });
export const jobSchema = jobFields.default(() => jobFields.parse({}));

/**
 * Where a restored claim comes from: `snapshot` names a VolumeSnapshot in the agent's namespace (taken by hand
 * or by the in-cluster schedule) or an EBS snapshot id `snap-…` (an AWS Backup recovery point); `pointInTime`
 * (existing clusters with `agentops:backups`) picks the newest scheduled snapshot taken at or before it.
 * `claim` is the claim to restore: `data-<agent>-<ordinal>` of the service, or `<agent>-job-data` of the
 * scheduled runs. @default claim: the agent's first claim (`data-<agent>-0`, else `<agent>-job-data`)
 */
export const restoreFromSchema = z
  .strictObject({
    snapshot: z
      .string({ error: "must be a VolumeSnapshot name or an EBS snapshot id snap-…" })
      .regex(
        /^(snap-[0-9a-f]{8,17}|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/,
        "must be a VolumeSnapshot name (a DNS-1123 subdomain) or an EBS snapshot id snap-<8 to 17 hex digits>",
      )
      .refine((v) => v.length <= 253, "must be at most 253 characters")
      .optional(),
    pointInTime: z
      .string({ error: "must be a UTC time, e.g. 2026-12-01T03:00:00Z" })
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/, "must be a UTC time, e.g. 2026-12-01T03:00:00Z")
      .refine((v) => !Number.isNaN(Date.parse(v)), "must be a UTC time, e.g. 2026-12-01T03:00:00Z")
      .optional(),
    claim: text("the name of one of the agent's claims, e.g. data-<agent>-0").optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.snapshot === undefined) === (r.pointInTime === undefined)) {
      ctx.addIssue({
        code: "custom",
        input: r,
        message: "must name exactly one of snapshot (a VolumeSnapshot or snap-… id) and pointInTime",
      });
    }
  });

/**
 * A container image reference as containerd parses it (the distribution reference grammar, lib/image-ref.ts):
 * a lower-case repository path, an optional registry host[:port], a tag of at most 128 characters and/or a
 * digest (sha256: 64 hex). The policy pack's `image-tags` applies the same grammar and refuses `latest`.
 */
export const imageSchema = z
  .string({ error: "must be a container image reference, e.g. ghcr.io/org/agent:1.2.3" })
  .superRefine((v, ctx) => {
    const parsed = parseImageReference(v);
    if (!parsed.ok) {
      ctx.addIssue({
        code: "custom",
        message: `must be a container image reference, e.g. ghcr.io/org/agent:1.2.3 (this one ${parsed.error})`,
      });
    }
  });

/** Fields every agent has, whatever its mode. */
const common = {
  /**
   * Unique across the stack. A DNS-1035 label (the Service's name: lowercase letters, digits, '-', starting
   * with a letter); the names derived from it must fit Kubernetes' limits too, which caps it at 48
   * characters (see `derivedNameIssues` in agents/names.ts).
   */
  name: dns1035Label(),
  /** The tenant (namespace) it runs in; must name an entry of `agentops:tenants`. */
  tenant: text("the name of a tenant declared under agentops:tenants"),
  /** Governance tier, 1 (least critical) to 4; its ceiling bounds the budget. */
  tier: z.literal([1, 2, 3, 4], { error: "must be 1, 2, 3 or 4" }),
  /** Container image with a tag or digest. */
  image: imageSchema,
  /** Per pod (and per job pod). */
  resources: z.strictObject({
    requests: cpuMemory({ container: true }),
    limits: cpuMemory({ container: true }),
  }),
  /** Whole NVIDIA GPUs per pod; > 0 places the agent on the GPU node group. @default 0 */
  gpu: integer(0, 8).default(0),
  /** Monthly budget in USD: compute plus LLM spend. */
  budget: z.strictObject({ monthlyUsd: usd({ positive: true }) }),
  /** Expected LLM API spend per month, counted against the budget. @default 0 */
  llm: z.strictObject({ monthlyUsd: usd({ positive: false }) }).default({ monthlyUsd: 0 }),
  /** A PersistentVolumeClaim mounted at `mountPath`. */
  storage: z
    .strictObject({
      /** Per claim; whole bytes, at least 1Gi (the smallest EBS volume). */
      size: quantity("storage", QUANTITY_MINIMUMS.volume),
      mountPath: text("an absolute path").default("/data"),
      /**
       * A StorageClass name: the claim's `storageClassName`, which the API server checks as a DNS-1123
       * subdomain (core validation `ValidateClassName`; `GP3` passed here and was refused, issue 20).
       * @default the cluster's default StorageClass (encrypted gp3 on EKS)
       */
      storageClass: dns1123Subdomain().optional(),
      /**
       * Create a claim of the agent from a snapshot (`dataSourceRef`); see {@link restoreFromSchema}. Stays in
       * the stack file after the restore: it is the claim's provenance, and removing it recreates the claim.
       */
      restoreFrom: restoreFromSchema.optional(),
    })
    .optional(),
  /**
   * Data stores of `agentops:stores` the agent uses: their connection settings go into its ConfigMap, their
   * credentials into its Secret, and its network policy lets it reach exactly them. @default []
   */
  stores: z
    .array(z.string({ error: "must be the name of a store declared under agentops:stores" }))
    .superRefine(unique("stores"))
    .default([]),
  /** Opt in to the spot node group (interruptible). Not with GPUs. @default false */
  spot: bool().default(false),
  /** Plain settings, delivered through a ConfigMap (LOG_LEVEL, MAX_RETRIES, TOKEN_BUDGET_PER_REQUEST, …). */
  env: z
    .record(
      z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "keys must be environment variable names"),
      z.string({ error: "must be a string" }),
    )
    .default({}),
  /** Keys read from Vault at `agents/<env>/<agent>` into a Secret (e.g. OPENAI_API_KEY). Values never enter Pulumi. */
  secrets: z
    .array(
      z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name, e.g. OPENAI_API_KEY"),
    )
    .superRefine(unique("secrets"))
    .default([]),
  /** Allow egress to the internet on TCP 443 (LLM APIs). @default false */
  internetEgress: bool().default(false),
  /**
   * Mount a ServiceAccount token. Refused (`false` only) until agents can use one: the tenant's default-deny
   * network allows no egress to the API server (whose address, the control plane's network interfaces in the
   * VPC, changes with upgrades and cannot be named stably in a NetworkPolicy), and no Role is bound to the
   * agent's ServiceAccount, so a token would authenticate to nothing it may use and only be a credential to
   * leak. @default false
   */
  automountServiceAccountToken: z
    .literal(false, {
      error:
        "must be false: an agent gets no egress to the Kubernetes API server and no Role, so a mounted token could do nothing but leak (README, agentops:agents[])",
    })
    .default(false),
};

/** Shown instead of an `env` value that `secrets` says is a secret: error lines never print it. */
export const HIDDEN_VALUE = "[secret]";

/**
 * `env` and `secrets` keys that cannot work: a key in both (its value would sit in the ConfigMap, and in
 * `resources.json` and `manifests.yaml`, next to the Secret that was meant to hold it), and a key the platform
 * sets on every agent container (AGENT_PLATFORM_ENV: the container's `env` overrides both the ConfigMap and the
 * Secret, which pods read through `envFrom`, so the value would be silently ignored).
 */
function envKeyIssues(
  a: { env: Record<string, string>; secrets: string[] },
  ctx: z.core.$RefinementCtx<unknown>,
): void {
  const platform: readonly string[] = AGENT_PLATFORM_ENV;
  for (const [key, value] of Object.entries(a.env)) {
    const secret = a.secrets.indexOf(key);
    if (secret >= 0) {
      ctx.addIssue({
        code: "custom",
        path: ["env", key],
        input: HIDDEN_VALUE,
        message: `must not also be a secret (secrets[${secret}]): env values are written into the ConfigMap, resources.json and manifests.yaml; keep the key in secrets only (its value in Vault)`,
      });
    } else if (platform.includes(key)) {
      ctx.addIssue({
        code: "custom",
        path: ["env", key],
        input: value,
        message: `is set by the platform on every agent container (${platform.join(", ")}): the container's env overrides the ConfigMap, so this value would be ignored`,
      });
    }
  }
  a.secrets.forEach((key, i) => {
    if (platform.includes(key)) {
      ctx.addIssue({
        code: "custom",
        path: ["secrets", i],
        input: key,
        message: `is set by the platform on every agent container (${platform.join(", ")}): the container's env overrides the Secret, so the value from Vault would be ignored`,
      });
    }
  });
}

/** A key another mode has: refused with what it applies to instead of "not a known key". */
const notIn = (allowed: string) => z.never({ error: allowed }).optional();
const SERVICE_ONLY =
  "applies only to mode service or hybrid (a scheduled agent runs no long-lived pods to scale)";
const JOB_ONLY = "applies only to mode scheduled or hybrid";

/** Fields of the long-lived service (modes `service` and `hybrid`). */
const service = (mode: AgentMode) => ({
  /**
   * Replicas of the service; the HPA (or KEDA's, with `scaling`) moves between them. `min: 0` only with
   * `scaling.queue`: the agent then runs no pod while its queue is empty.
   */
  replicas: z.strictObject(
    { min: integer(0, 100), max: integer(1, 100) },
    {
      error: (issue) =>
        issue.input === undefined ? `is required for mode ${mode}: { min, max }` : undefined,
    },
  ),
  /** HPA targets and behaviour (also the ScaledObject's, with `scaling`). @default see {@link autoscalingSchema} */
  autoscaling: autoscalingSchema,
  /** KEDA triggers (requests, a queue) instead of the CPU/memory HPA. @default none: CPU and memory only */
  scaling: scalingSchema.optional(),
  /** HTTPS on the platform's shared Gateway. @default none: reachable inside the cluster only */
  expose: exposeSchema.optional(),
  /** Container port of the HTTP API, the probes and `/metrics`. @default 8080 */
  port: integer(1024, 65535).default(8080),
  /** HTTP paths of the probes. */
  probes: z
    .strictObject({
      liveness: text("an HTTP path").default("/healthz"),
      readiness: text("an HTTP path").default("/readyz"),
    })
    .default({ liveness: "/healthz", readiness: "/readyz" }),
});

/** Fields of the scheduled runs (modes `scheduled` and `hybrid`). */
const scheduled = (mode: AgentMode) => ({
  /**
   * The CronJob's schedule in Kubernetes' dialect (five fields, day of week 0–6, names, `@daily`, `@every 2h`…;
   * see lib/cron.ts), in `timeZone`.
   */
  schedule: cron(`is required for mode ${mode}: a five-field cron expression`),
  /** IANA time zone of the schedule, as the CronJob's `timeZone` accepts it (not `Local`). @default "Etc/UTC" */
  timeZone: timeZone().default("Etc/UTC"),
  /** @default see {@link jobSchema} */
  job: jobSchema,
});

/** `mode: service`: a Deployment (a StatefulSet with `storage`), its Service, HPA and disruption budget. */
export const serviceAgentSchema = z
  .strictObject({
    mode: z.literal("service"),
    ...common,
    ...service("service"),
    schedule: notIn(JOB_ONLY),
    timeZone: notIn(JOB_ONLY),
    job: notIn(JOB_ONLY),
  })
  .superRefine(envKeyIssues);

/** `mode: scheduled`: a CronJob (with its own claim with `storage`). */
export const scheduledAgentSchema = z
  .strictObject({
    mode: z.literal("scheduled"),
    ...common,
    ...scheduled("scheduled"),
    replicas: notIn(SERVICE_ONLY),
    autoscaling: notIn(SERVICE_ONLY),
    scaling: notIn(SERVICE_ONLY),
    expose: notIn(
      "applies only to mode service or hybrid (a scheduled agent serves no requests; expose a service agent)",
    ),
    port: notIn(SERVICE_ONLY),
    probes: notIn(SERVICE_ONLY),
  })
  .superRefine(envKeyIssues);

/** `mode: hybrid`: both, the service and the scheduled runs. */
export const hybridAgentSchema = z
  .strictObject({
    mode: z.literal("hybrid"),
    ...common,
    ...service("hybrid"),
    ...scheduled("hybrid"),
  })
  .superRefine(envKeyIssues);

/**
 * One agent: an entry of `agentops:agents`, one schema per `mode`, so each mode's fields are required where they
 * apply, defaulted once here, and refused where they do not.
 */
export const agentSchema = z.discriminatedUnion(
  "mode",
  [serviceAgentSchema, scheduledAgentSchema, hybridAgentSchema],
  { error: taggedUnionError(`must be one of ${AGENT_MODES.join(", ")}`) },
);

/** The fields every mode has, unknown keys let through: what can still be checked of an entry without a mode. */
const commonFieldsSchema = z.object(common);

/**
 * Problems of the fields every mode has, for an entry whose `mode` is missing or unknown: the union cannot pick a
 * schema then and reports only the mode, so a stack with a bad mode and a bad tier would hear of the tier only
 * after fixing the mode. Entries with a known mode give none (their schema reports everything). Paths are the
 * entry's own (`["tier"]`).
 */
export function issuesBesideMode(entry: unknown): z.core.$ZodIssue[] {
  const mode = (entry as { mode?: unknown } | null)?.mode;
  if (typeof entry !== "object" || entry === null || AGENT_MODES.includes(mode as AgentMode)) return [];
  const result = commonFieldsSchema.safeParse(entry, { reportInput: true });
  return result.success ? [] : result.error.issues;
}

export const agentsSchema = z.array(agentSchema, { error: "must be a list of agents" });

export type AgentConfig = z.infer<typeof agentSchema>;
/** An agent that runs a service (`service` or `hybrid`). */
export type ServiceAgentConfig = Extract<AgentConfig, { mode: "service" | "hybrid" }>;
/** An agent that runs scheduled jobs (`scheduled` or `hybrid`). */
export type ScheduledAgentConfig = Extract<AgentConfig, { mode: "scheduled" | "hybrid" }>;

/** Whether the agent runs a long-lived service. */
export const hasService = (agent: AgentConfig): agent is ServiceAgentConfig => agent.mode !== "scheduled";
/** Whether the agent runs scheduled jobs. */
export const hasJob = (agent: AgentConfig): agent is ScheduledAgentConfig => agent.mode !== "service";
