/**
 * Agent: everything one `agentops:agents` entry needs to run in production, registered by a thin component over
 * the pure builders of ./objects.ts. Its arguments are what a Pulumi program passes: the entry as written
 * (numbers and strings as such, the image and `env` values possibly outputs of other resources), validated here
 * with the stack files' schemas and checks, so a program gets the stack files' messages.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RegionPrices } from "../catalog/prices";
import { agentSchema, issuesBesideMode } from "../config/agents";
import {
  agentOptionsSchema,
  ComponentArgsError,
  imageSchema,
  parseArgument,
  type AgentInput,
  type AgentPlacementInput,
  type PlatformEndpointsInput,
  type SecretStoreInput,
  type TenantInput,
} from "../config/component-args";
import { ENVIRONMENTS } from "../config/environments";
import { fromZodIssues, type ConfigIssue } from "../config/errors";
import { oneOf } from "../config/schema";
import { tenantSchema } from "../config/tenants";
import { childName } from "../lib/names";
import type { NodeGroupsPricing } from "../model/cost/estimate";
import { Tenant } from "../tenancy/tenant";
import { agentEntryIssues, gatewayEnvIssues, tenantFitIssues } from "./checks";
import { agentMonthlyEstimate } from "./estimate";
import { agentObjectNames } from "./names";
import {
  buildAgentObjects,
  CLAIM_TEMPLATE_SIZE_PATH,
  type AgentObjects,
  type AgentStoreAccess,
  type ResolvedAgentArgs,
} from "./objects";
import { agentRestore, type AgentSnapshots } from "./restore";

/**
 * Arguments of `Agent`, in the shapes users write: the entry as in a stack file (optional fields left out),
 * validated inside the component with the stack files' schema and checks.
 * @throws {ComponentArgsError} naming the component and each bad field, e.g.
 *   `Agent "summarizer": agent.replicas.min: 5 — must be <= replicas.max (2)`
 */
export interface AgentArgs {
  /**
   * One `agentops:agents` entry (see the configuration reference in README.md). `image` and the values of
   * `env` may be outputs of other resources (an image built by `@pulumi/docker-build`, say); they are checked
   * once known, with the same messages.
   */
  agent: AgentInput;
  /**
   * The tenant the agent runs in (its namespace and cost center), named by `agent.tenant`: its
   * `agentops:tenants` entry, or the `Tenant` component, whose namespace and `platform` the agent then uses and
   * whose objects it waits for.
   */
  tenant: TenantInput | Tenant;
  /** Environment (`dev`, `staging` or `prod`), for the Vault path `agents/<env>/<agent>` and the telemetry. */
  environment: string;
  /**
   * The cluster's node groups (`createCluster(...).capabilities`).
   * @default no special node groups: spot and GPU agents select none
   */
  placement?: AgentPlacementInput;
  /**
   * Where the platform's services run; the OpenTelemetry collector agents export to. Same argument as the
   * `Tenant`'s. @default the tenant component's `platform`, else the platform's (lib/contract.ts)
   */
  platform?: PlatformEndpointsInput;
  /** A ServiceMonitor for service and hybrid agents (needs the Prometheus Operator's CRDs). @default true */
  serviceMonitor?: boolean;
  /**
   * A VerticalPodAutoscaler in recommendation mode (`updateMode: "Off"`) for the service and for the CronJob
   * (needs the VPA's CRDs; the platform runs its recommender), read by `npm run rightsize`. @default true
   */
  verticalPodAutoscaler?: boolean;
  /**
   * The External Secrets store `secrets` come from, at key `agents/<env>/<agent>`.
   * @default `{ kind: "ClusterSecretStore", name: "vault" }`, the platform's Vault store
   */
  secretStore?: SecretStoreInput;
  /**
   * The price table and node groups to price the agent on: its workloads then carry the cost model's estimate
   * at max replicas (`agentops.io/estimated-monthly-usd`), computed from the objects themselves as the policy
   * pack computes it. @default no annotation
   */
  pricing?: { prices: RegionPrices; nodeGroups: NodeGroupsPricing };
  /**
   * The LLM gateway, when the platform runs it: an agent with `llm.monthlyUsd > 0` then gets `env` (the
   * gateway's base URLs, e.g. OPENAI_BASE_URL) in its ConfigMap, overriding same-named `env` entries, and its
   * gateway key `LLM_API_KEY` from Vault in its Secret even when `secrets` does not list it.
   * @default undefined: agents call providers themselves (declared LLM spend only)
   */
  llmGateway?: { env: Readonly<Record<string, string>> };
  /**
   * What the data stores of `agent.stores` give the agent (the `DataStores` component's `agentAccess`): their
   * connection settings join its ConfigMap (overriding same-named `env` entries), their credentials its Secret,
   * and with EKS Pod Identity its pods carry `agentops.io/aws-credentials: pod-identity`.
   * @default undefined: no store settings (an agent listing stores then gets none)
   */
  stores?: AgentStoreAccess;
  /**
   * The stack's VolumeSnapshotClass (and CSI driver, and the in-cluster snapshot schedule), which a
   * `storage.restoreFrom` of an EBS snapshot id or a point in time needs. @default none
   */
  snapshots?: AgentSnapshots;
}

/**
 * A claim's snapshot (`spec.dataSourceRef`) is immutable: a new one is a new claim, deleted first (its name is
 * fixed). That is the restore; the change report names it as a replacement of data (README, Restoring an agent
 * volume).
 */
const RESTORED_CLAIM_OPTIONS = { replaceOnChanges: ["spec.dataSourceRef"], deleteBeforeReplace: true };

/** Stands for an image that is an output: the entry parses with it until the real one is known. */
const IMAGE_NOT_YET_KNOWN = "image.invalid/not-yet-known:0";

/**
 * The entry with its output values set aside: what can be validated now. An output image parses as a
 * placeholder and an output `env` value as an empty string; both are checked once known ({@link checkedLater}).
 */
function knownParts(entry: unknown): {
  known: unknown;
  image: pulumi.Input<string> | undefined;
  env: Record<string, pulumi.Input<string>> | undefined;
} {
  if (typeof entry !== "object" || entry === null) return { known: entry, image: undefined, env: undefined };
  const e = entry as Record<string, unknown>;
  const image = pulumi.Output.isInstance(e.image) ? (e.image as pulumi.Output<string>) : undefined;
  const env =
    typeof e.env === "object" && e.env !== null && !Array.isArray(e.env)
      ? (e.env as Record<string, pulumi.Input<string>>)
      : undefined;
  const envKnown =
    env && Object.fromEntries(Object.entries(env).map(([k, v]) => [k, pulumi.Output.isInstance(v) ? "" : v]));
  return {
    known: { ...e, ...(image ? { image: IMAGE_NOT_YET_KNOWN } : {}), ...(env ? { env: envKnown } : {}) },
    image,
    env,
  };
}

/** `value` once known, checked with `check`; a problem fails the deployment with the component's message. */
function checkedLater(
  name: string,
  value: pulumi.Input<string>,
  check: (v: unknown) => ConfigIssue[],
): pulumi.Input<string> {
  if (!pulumi.Output.isInstance(value)) return value;
  return value.apply((v) => {
    const issues = check(v);
    if (issues.length > 0) throw new ComponentArgsError("Agent", name, issues);
    return v;
  });
}

/**
 * Validates `Agent` arguments with the stack files' schema and checks. Idempotent: parsed entries (e.g. from
 * `loadStackConfig()`) parse to themselves.
 * @param name the component's name, for the messages
 * @throws {ComponentArgsError} listing every problem
 */
export function resolveAgentArgs(name: string, args: AgentArgs): ResolvedAgentArgs {
  const tenantComponent = args.tenant instanceof Tenant ? args.tenant : undefined;
  const rawTenant = tenantComponent ? tenantComponent.config : args.tenant;
  const { known, image, env } = knownParts(args.agent);
  const agent = parseArgument("agent", agentSchema, known);
  const tenant = parseArgument("tenant", tenantSchema, rawTenant);
  const environment = parseArgument("environment", oneOf(ENVIRONMENTS), args.environment);
  const options = parseArgument("options", agentOptionsSchema, {
    placement: args.placement,
    platform: args.platform ?? tenantComponent?.platform,
    serviceMonitor: args.serviceMonitor,
    verticalPodAutoscaler: args.verticalPodAutoscaler,
    secretStore: args.secretStore,
  });
  const issues = [
    ...agent.issues,
    ...fromZodIssues("agent", issuesBesideMode(known)),
    ...tenant.issues,
    ...environment.issues,
    // The options are separate arguments: name them as such, not under a made-up `options` key.
    ...options.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^options\./, "") })),
  ];
  if (agent.value && tenant.value && agent.value.tenant !== tenant.value.name) {
    issues.push({
      path: "agent.tenant",
      value: agent.value.tenant,
      allowed: `must be the tenant passed in (${JSON.stringify(tenant.value.name)})`,
    });
  } else {
    const located = { entry: known, path: "agent" };
    const own = [
      ...agentEntryIssues(located),
      ...(args.llmGateway ? gatewayEnvIssues(located, Object.keys(args.llmGateway.env)) : []),
    ];
    issues.push(...own);
    if (own.length === 0) issues.push(...tenantFitIssues([{ entry: rawTenant, path: "tenant" }], [located]));
  }
  if (issues.length > 0 || !agent.value || !tenant.value || !environment.value || !options.value) {
    throw new ComponentArgsError("Agent", name, issues);
  }
  const imageIssues = (v: unknown) => parseArgument("agent.image", imageSchema, v).issues;
  const envIssues = (key: string) => (v: unknown) =>
    typeof v === "string" ? [] : [{ path: `agent.env.${key}`, value: v, allowed: "must be a string" }];
  let restore: ReturnType<typeof agentRestore>;
  try {
    restore = agentRestore(agent.value, tenant.value.name, args.snapshots);
  } catch (err) {
    throw new ComponentArgsError("Agent", name, [
      {
        path: "agent.storage.restoreFrom",
        value: agent.value.storage?.restoreFrom,
        allowed: `cannot be resolved: ${(err as Error).message}`,
      },
    ]);
  }
  const resolved: ResolvedAgentArgs = {
    agent: agent.value,
    image: image ? checkedLater(name, image, imageIssues) : agent.value.image,
    env: env
      ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, checkedLater(name, v, envIssues(k))]))
      : agent.value.env,
    tenant: tenant.value,
    namespace: tenantComponent ? tenantComponent.namespace : tenant.value.name,
    environment: environment.value,
    options: options.value,
    ...(args.llmGateway ? { llmGateway: args.llmGateway } : {}),
    ...(args.stores ? { stores: args.stores } : {}),
    ...(restore ? { restore: restore.restore, restoreObjects: restore.objects } : {}),
  };
  return args.pricing
    ? { ...resolved, estimatedMonthlyUsd: agentMonthlyEstimate(resolved, args.pricing) }
    : resolved;
}

/**
 * Every object of the agent, from its arguments as a program writes them. Pure: no Pulumi runtime needed where
 * the image and `env` values are plain.
 * @param name the component's name, for error messages @default the agent's name
 * @throws {ComponentArgsError} on invalid arguments
 */
export function agentObjects(args: AgentArgs, name = String(args.agent.name)): AgentObjects {
  return buildAgentObjects(resolveAgentArgs(name, args));
}

/**
 * Registers the agent's scaling, right-sizing and exposure objects (./traffic.ts): each waits for what it
 * points at, so KEDA's webhook finds the workload, the TriggerAuthentication its Secret, the VPA its target and
 * the route its Service.
 */
function registerTrafficObjects(
  name: string,
  o: AgentObjects,
  deps: {
    child: { parent: pulumi.Resource; dependsOn: pulumi.Resource[] };
    tenantDeps: pulumi.Resource[];
    workload: pulumi.Resource | undefined;
    cronJob: pulumi.Resource | undefined;
    service: pulumi.Resource | undefined;
    secret: pulumi.Resource | undefined;
  },
): void {
  const { child, tenantDeps } = deps;
  const after = (...r: (pulumi.Resource | undefined)[]) => ({
    ...child,
    dependsOn: [...tenantDeps, ...r.filter((x): x is pulumi.Resource => x !== undefined)],
  });
  const custom = (suffix: string, obj: k8s.apiextensions.CustomResourceArgs | undefined, opts = child) =>
    obj ? new k8s.apiextensions.CustomResource(childName(name, suffix), obj, opts) : undefined;
  const auth = custom("trigger-authentication", o.triggerAuthentication, after(deps.secret));
  custom("scaled-object", o.scaledObject, after(deps.workload, auth));
  custom("vpa", o.serviceVpa, after(deps.workload));
  custom("job-vpa", o.jobVpa, after(deps.cronJob));
  const oidc = custom("oidc-secret", o.oidcExternalSecret);
  const route = custom("http-route", o.httpRoute, after(deps.service));
  custom("security-policy", o.securityPolicy, after(route, oidc));
  custom("rate-limit", o.rateLimitPolicy, after(route));
}

/**
 * One agent, from one `agentops:agents` entry. Pass the Kubernetes provider in `opts`.
 * @throws {ComponentArgsError} on invalid arguments, before anything is registered
 */
export class Agent extends pulumi.ComponentResource {
  /** Kubernetes names of what was created, for wiring (e.g. the Service for callers). */
  public readonly serviceName: string | undefined;
  /** The namespace the agent runs in: its tenant's. */
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: AgentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const resolved = resolveAgentArgs(name, args);
    super("agentops:agents:Agent", name, {}, opts);
    const o = buildAgentObjects(resolved);
    // Given as a component, the tenant's namespace, quota and policies exist before the agent's objects.
    const tenantDeps: pulumi.Resource[] = args.tenant instanceof Tenant ? [args.tenant] : [];
    const child = { parent: this, dependsOn: tenantDeps };
    new k8s.core.v1.ServiceAccount(childName(name, "service-account"), o.serviceAccount, child);
    const configMap = new k8s.core.v1.ConfigMap(childName(name, "config"), o.configMap, child);
    const secret = o.externalSecret
      ? new k8s.apiextensions.CustomResource(childName(name, "external-secret"), o.externalSecret, child)
      : undefined;
    // Pods need their ConfigMap and Secret before they start, or they fail CreateContainerConfigError.
    const podInputs = { ...child, dependsOn: [...tenantDeps, configMap, ...(secret ? [secret] : [])] };
    // A restore: the snapshot objects an EBS snapshot id needs (content before snapshot), then the claim.
    let snapshotDeps: pulumi.Resource[] = [];
    for (const obj of resolved.restoreObjects ?? []) {
      snapshotDeps = [
        new k8s.apiextensions.CustomResource(
          childName(name, "restore", obj.kind === "VolumeSnapshot" ? "snapshot" : "content"),
          obj,
          { ...child, dependsOn: [...tenantDeps, ...snapshotDeps] },
        ),
      ];
    }
    const jobClaim = o.jobClaim
      ? // With WaitForFirstConsumer (gp3 on EKS) the provider counts a Pending claim as ready (since v4.16).
        new k8s.core.v1.PersistentVolumeClaim(childName(name, "job-data"), o.jobClaim, {
          ...child,
          dependsOn: [...tenantDeps, ...snapshotDeps],
          ...RESTORED_CLAIM_OPTIONS,
        })
      : undefined;
    let workload: pulumi.Resource | undefined;
    if (o.deployment)
      workload = new k8s.apps.v1.Deployment(childName(name, "deployment"), o.deployment, podInputs);
    if (o.statefulSet)
      workload = new k8s.apps.v1.StatefulSet(childName(name, "statefulset"), o.statefulSet, {
        ...podInputs,
        // The claim template keeps the size it was created with; claims grow one by one (README: Day 2).
        ignoreChanges: [CLAIM_TEMPLATE_SIZE_PATH],
      });
    const cronJob = o.cronJob
      ? new k8s.batch.v1.CronJob(childName(name, "cronjob"), o.cronJob, {
          ...podInputs,
          dependsOn: [...podInputs.dependsOn, ...(jobClaim ? [jobClaim] : [])],
        })
      : undefined;
    const service = o.service
      ? new k8s.core.v1.Service(childName(name, "service"), o.service, child)
      : undefined;
    if (o.hpa)
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(childName(name, "hpa"), o.hpa, {
        ...child,
        dependsOn: [...tenantDeps, ...(workload ? [workload] : [])],
      });
    if (o.pdb) new k8s.policy.v1.PodDisruptionBudget(childName(name, "pdb"), o.pdb, child);
    if (o.serviceMonitor)
      new k8s.apiextensions.CustomResource(childName(name, "service-monitor"), o.serviceMonitor, child);
    if (o.restoredClaim)
      new k8s.core.v1.PersistentVolumeClaim(childName(name, "restored-claim"), o.restoredClaim, {
        ...child,
        dependsOn: [...tenantDeps, ...snapshotDeps],
        ...RESTORED_CLAIM_OPTIONS,
      });
    registerTrafficObjects(name, o, { child, tenantDeps, workload, cronJob, service, secret });

    this.namespace = pulumi.output(resolved.namespace);
    this.serviceName = o.service ? agentObjectNames(resolved.agent).service : undefined;
    this.registerOutputs({ namespace: this.namespace, serviceName: this.serviceName });
  }
}
