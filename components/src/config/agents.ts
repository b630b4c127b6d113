import { z } from "zod";
import {
  bool,
  cpuMemory,
  cron,
  dns1035Label,
  dns1123Subdomain,
  integer,
  oneOf,
  quantity,
  QUANTITY_MINIMUMS,
  text,
  timeZone,
  unique,
  usd,
} from "./schema";

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

/** One agent: an entry of `agentops:agents`. */
export const agentSchema = z.strictObject({
  /**
   * Unique across the stack. A DNS-1035 label (the Service's name: lowercase letters, digits, '-', starting
   * with a letter); the names derived from it must fit Kubernetes' limits too, which caps it at 48
   * characters (see `derivedNameIssues` in config/names.ts).
   */
  name: dns1035Label(),
  /** The tenant (namespace) it runs in; must name an entry of `agentops:tenants`. */
  tenant: text("the name of a tenant declared under agentops:tenants"),
  /** Governance tier, 1 (least critical) to 4; its ceiling bounds the budget. */
  tier: z.literal([1, 2, 3, 4], { error: "must be 1, 2, 3 or 4" }),
  /** Container image with a tag or digest. */
  image: text("a non-empty container image reference, e.g. ghcr.io/org/agent:1.2.3").refine(
    (v) => !/\s/.test(v),
    "must be a container image reference without spaces, e.g. ghcr.io/org/agent:1.2.3",
  ),
  /** `service`: a Deployment; `scheduled`: a CronJob; `hybrid`: both. */
  mode: oneOf(AGENT_MODES),
  /**
   * The CronJob's schedule in Kubernetes' dialect (five fields, day of week 0–6, names, `@daily`, `@every 2h`…;
   * see lib/cron.ts), in `timeZone`; required for scheduled and hybrid.
   */
  schedule: cron().optional(),
  /** IANA time zone of the schedule, as the CronJob's `timeZone` accepts it (not `Local`). @default "Etc/UTC" */
  timeZone: timeZone().default("Etc/UTC"),
  /** Replicas of the service; the HPA moves between them. Required for service and hybrid. */
  replicas: z.strictObject({ min: integer(1, 100), max: integer(1, 100) }).optional(),
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
    })
    .optional(),
  /** Opt in to the spot node group (interruptible). Not with GPUs. @default false */
  spot: bool().default(false),
  /** Container port of the HTTP API, the probes and `/metrics`. @default 8080 */
  port: integer(1024, 65535).default(8080),
  /** HTTP paths of the probes. */
  probes: z
    .strictObject({
      liveness: text("an HTTP path").default("/healthz"),
      readiness: text("an HTTP path").default("/readyz"),
    })
    .default({ liveness: "/healthz", readiness: "/readyz" }),
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
  /** Mount a ServiceAccount token (only for agents that call the Kubernetes API). @default false */
  automountServiceAccountToken: bool().default(false),
  /** Scheduled runs: how long one run takes (for the cost model), its deadline and retries. */
  job: z
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
    })
    .optional(),
  /** HPA targets and behaviour; service and hybrid only. */
  autoscaling: z
    .strictObject({
      cpuUtilization: percent().default(70),
      memoryUtilization: percent().default(80),
      scaleUp: scalingRule({ percent: 50, pods: 4, stabilizationSeconds: 60 }),
      scaleDown: scalingRule({ percent: 10, pods: 2, stabilizationSeconds: 300 }),
    })
    .optional(),
});

export const agentsSchema = z.array(agentSchema, { error: "must be a list of agents" });

export type AgentConfig = z.infer<typeof agentSchema>;
