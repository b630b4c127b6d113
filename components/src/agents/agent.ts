/**
 * Agent: everything one `agentops:agents` entry needs to run in production — identity, workload(s), service,
 * autoscaling, disruption budget, secrets, configuration, monitoring and storage — as Kubernetes objects
 * built by pure functions, registered by a thin component.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENTS, type Environment, type TenantConfig } from "../config";
import { agentSchema, type AgentConfig } from "../config/agents";
import {
  agentArgumentIssues,
  agentOptionsSchema,
  ComponentArgsError,
  parseArgument,
  type AgentInput,
  type AgentOptions,
  type AgentPlacementInput,
  type PlatformEndpointsInput,
  type SecretStoreInput,
  type TenantInput,
} from "../config/component-args";
import { oneOf } from "../config/schema";
import { tenantSchema } from "../config/tenants";
import { ANNOTATIONS, LABELS, NODE_GROUPS } from "../lib/contract";
import { childName } from "../lib/names";
import { Tenant } from "../tenancy/tenant";

import type * as inputs from "@pulumi/kubernetes/types/input";
type PodSpec = inputs.core.v1.PodSpec;
type Container = inputs.core.v1.Container;

/** Where the cluster can place pods: which managed node groups exist. */
export type AgentPlacement = AgentOptions["placement"];

/**
 * Arguments of `Agent`, in the shapes users write: the entry as in a stack file (optional fields left out),
 * validated inside the component with the stack files' schema and checks.
 * @throws {ComponentArgsError} naming the component and each bad field, e.g.
 *   `Agent "summarizer": agent.replicas.min: 5 — must be <= replicas.max (2)`
 */
export interface AgentArgs {
  /** One `agentops:agents` entry (see the configuration reference in README.md). */
  agent: AgentInput;
  /**
   * The tenant the agent runs in (its namespace and cost center), named by `agent.tenant`: its
   * `agentops:tenants` entry, or the `Tenant` component, whose `platform` the agent then uses by default and
   * whose objects it waits for.
   */
  tenant: TenantInput | Tenant;
  /** Environment, for the Vault path `agents/<env>/<agent>` and the telemetry resource attributes. */
  environment: Environment;
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
   * The External Secrets store `secrets` come from, at key `agents/<env>/<agent>`.
   * @default `{ kind: "ClusterSecretStore", name: "vault" }`, the platform's Vault store
   */
  secretStore?: SecretStoreInput;
  /**
   * The cost model's estimate; written as the `agentops.io/estimated-monthly-usd` annotation on the workloads.
   * @default no annotation
   */
  cost?: { estimatedMonthlyUsd: number };
  /**
   * The LLM gateway, when the platform runs it: an agent with `llm.monthlyUsd > 0` then gets `env` (the
   * gateway's base URLs, e.g. OPENAI_BASE_URL) in its ConfigMap, overriding same-named `env` entries, and its
   * gateway key `LLM_API_KEY` from Vault in its Secret even when `secrets` does not list it.
   * @default undefined: agents call providers themselves (declared LLM spend only)
   */
  llmGateway?: { env: Readonly<Record<string, string>> };
}

/** The Secret key holding an agent's LLM gateway key (its client credential), read from Vault `agents/<env>/<agent>`. */
export const LLM_API_KEY = "LLM_API_KEY";
/** `AgentArgs` after validation: the parsed entry and tenant, every option at its value. */
export interface ResolvedAgentArgs {
  agent: AgentConfig;
  tenant: TenantConfig;
  environment: Environment;
  options: AgentOptions;
  cost?: { estimatedMonthlyUsd: number };
  llmGateway?: { env: Readonly<Record<string, string>> };
}

/**
 * Validates `Agent` arguments with the stack files' schemas and cross-field checks. Idempotent: parsed
 * entries (e.g. from `loadStackConfig()`) parse to themselves.
 * @param name the component's name, for the messages
 * @throws {ComponentArgsError} listing every problem
 */
export function resolveAgentArgs(name: string, args: AgentArgs): ResolvedAgentArgs {
  const tenantComponent = args.tenant instanceof Tenant ? args.tenant : undefined;
  const rawTenant = tenantComponent ? tenantComponent.config : args.tenant;
  const agent = parseArgument("agent", agentSchema, args.agent);
  const tenant = parseArgument("tenant", tenantSchema, rawTenant);
  const environment = parseArgument("environment", oneOf(ENVIRONMENTS), args.environment);
  const options = parseArgument("options", agentOptionsSchema, {
    placement: args.placement,
    platform: args.platform ?? tenantComponent?.platform,
    serviceMonitor: args.serviceMonitor,
    secretStore: args.secretStore,
  });
  const issues = [
    ...agent.issues,
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
    issues.push(...agentArgumentIssues(args.agent, rawTenant));
  }
  if (issues.length > 0 || !agent.value || !tenant.value || !environment.value || !options.value) {
    throw new ComponentArgsError("Agent", name, issues);
  }
  return {
    agent: agent.value,
    tenant: tenant.value,
    environment: environment.value,
    options: options.value,
    ...(args.cost ? { cost: args.cost } : {}),
    ...(args.llmGateway ? { llmGateway: args.llmGateway } : {}),
  };
}

/** Every object an agent consists of; absent ones do not apply to its mode and configuration. */
export interface AgentObjects {
  serviceAccount: inputs.core.v1.ServiceAccount;
  configMap: inputs.core.v1.ConfigMap;
  /** When `secrets` is non-empty. */
  externalSecret?: k8s.apiextensions.CustomResourceArgs;
  /** `service`/`hybrid` without storage. */
  deployment?: inputs.apps.v1.Deployment;
  /** `service`/`hybrid` with storage: one claim per replica. */
  statefulSet?: inputs.apps.v1.StatefulSet;
  /** `scheduled`/`hybrid`. */
  cronJob?: inputs.batch.v1.CronJob;
  /** `scheduled`/`hybrid` with storage: the job's own claim. */
  jobClaim?: inputs.core.v1.PersistentVolumeClaim;
  service?: inputs.core.v1.Service;
  hpa?: inputs.autoscaling.v2.HorizontalPodAutoscaler;
  pdb?: inputs.policy.v1.PodDisruptionBudget;
  serviceMonitor?: k8s.apiextensions.CustomResourceArgs;
}

/** The non-root user of distroless and Chainguard images; any fixed non-zero UID satisfies `restricted`. */
export const AGENT_UID = 65532;
/** Name of the agent's container in every pod. */
export const AGENT_CONTAINER = "agent";
/** Pod annotation whose change rolls the pods when the ConfigMap or the Secret's key names change (both update in place). */
export const CONFIG_HASH_ANNOTATION = "agentops.io/config-hash";
export const DEFAULT_LOG_LEVEL = "info";
/** Scratch space at /tmp: the root filesystem is read-only. */
export const TMP_SIZE_LIMIT = "1Gi";
/** A run that cannot start within this many seconds of its slot is skipped, not started late in a burst. */
export const STARTING_DEADLINE_SECONDS = 600;
export const JOB_HISTORY = { successful: 3, failed: 3 } as const;
/** Finished jobs stay a day for their logs, then go. */
export const JOB_TTL_SECONDS = 86_400;

/**
 * The claim template's size, which the StatefulSet ignores after creation: the API server refuses any change
 * to `spec.volumeClaimTemplates`, so a larger `storage.size` grows the existing claims directly instead
 * (README, "Growing an agent's storage"). A Pulumi property path, as `ignoreChanges` takes it.
 */
export const CLAIM_TEMPLATE_SIZE_PATH = "spec.volumeClaimTemplates[0].spec.resources.requests.storage";

/** HPA targets and behaviour when the entry has no `autoscaling`: the schema's defaults. */
export const DEFAULT_AUTOSCALING = agentSchema.shape.autoscaling.unwrap().parse({});

/** `1.4.2` from `ghcr.io/org/agent:1.4.2`; a digest-only reference gives `sha256-<12 hex>`; a valid label value. */
export function imageVersion(image: string): string {
  const [beforeDigest, digest] = image.split("@", 2) as [string, string | undefined];
  const slash = beforeDigest.lastIndexOf("/");
  const colon = beforeDigest.lastIndexOf(":");
  const tag = colon > slash ? beforeDigest.slice(colon + 1) : undefined;
  const version = tag ?? (digest ? digest.replace(":", "-").slice(0, 19) : "unknown");
  return version.slice(0, 63).replace(/[^A-Za-z0-9]+$/, "");
}

/** Labels of every object of the agent; `component` tells the service's objects from the job's. */
export function agentLabels(
  agent: AgentConfig,
  tenant: TenantConfig,
  component: "agent" | "service" | "job",
): Record<string, string> {
  return {
    ...selectorLabels(agent, component),
    "app.kubernetes.io/part-of": "agentops",
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/version": imageVersion(agent.image),
    [LABELS.tenant]: tenant.name,
    [LABELS.tier]: String(agent.tier),
    [LABELS.costCenter]: tenant.costCenter,
    [LABELS.agent]: agent.name,
  };
}

/** The immutable subset that selectors use: never the version, which changes with every release. */
export function selectorLabels(
  agent: AgentConfig,
  component: "agent" | "service" | "job",
): Record<string, string> {
  return {
    "app.kubernetes.io/name": agent.name,
    "app.kubernetes.io/instance": agent.name,
    "app.kubernetes.io/component": component,
  };
}

/** Kubernetes object names, so that tests and other components agree with the builder. */
export function agentObjectNames(agent: AgentConfig) {
  return {
    serviceAccount: agent.name,
    configMap: childName(agent.name, "config"),
    externalSecret: agent.name,
    secret: childName(agent.name, "secrets"),
    workload: agent.name,
    cronJob: childName(agent.name, "job"),
    jobClaim: childName(agent.name, "job-data"),
    /** StatefulSet claims are `<template>-<statefulset>-<ordinal>`: `data-<agent>-0`, … */
    claimTemplate: "data",
    service: agent.name,
  } as const;
}

/**
 * Builds every object of the agent. Pure: no Pulumi runtime needed.
 * @param name the component's name, for error messages @default the agent's name
 * @throws {ComponentArgsError} on invalid arguments
 */
export function agentObjects(
  args: AgentArgs | ResolvedAgentArgs,
  name = String(args.agent.name),
): AgentObjects {
  const { agent, tenant, environment, options, cost, llmGateway } =
    "options" in args ? args : resolveAgentArgs(name, args);
  const { placement } = options;
  const names = agentObjectNames(agent);
  const namespace = tenant.name;
  const meta = (
    name: string,
    component: "agent" | "service" | "job",
    extra: Record<string, string> = {},
  ) => ({
    name,
    namespace,
    labels: agentLabels(agent, tenant, component),
    ...(Object.keys(extra).length > 0 ? { annotations: extra } : {}),
  });
  // The policy pack and the cost report read these from the workloads themselves.
  const workloadAnnotations: Record<string, string> = {
    [ANNOTATIONS.budgetMonthlyUsd]: String(agent.budget.monthlyUsd),
    [ANNOTATIONS.llmMonthlyUsd]: String(agent.llm.monthlyUsd),
    ...(cost ? { [ANNOTATIONS.estimatedMonthlyUsd]: cost.estimatedMonthlyUsd.toFixed(2) } : {}),
  };

  const gateway = agent.llm.monthlyUsd > 0 ? llmGateway : undefined;
  const secretKeys =
    gateway && !agent.secrets.includes(LLM_API_KEY) ? [...agent.secrets, LLM_API_KEY] : agent.secrets;
  const configData = { LOG_LEVEL: DEFAULT_LOG_LEVEL, ...agent.env, ...(gateway?.env ?? {}) };
  // The Secret's key names count too: pods read it through envFrom, so a key added or removed reaches them only
  // when they restart (a value rotated in Vault does not change the hash).
  const configHash = createHash("sha256")
    .update(JSON.stringify({ config: configData, secretKeys }))
    .digest("hex")
    .slice(0, 16);
  const hasService = agent.mode !== "scheduled";
  const hasJob = agent.mode !== "service";

  const out: AgentObjects = {
    serviceAccount: {
      metadata: meta(names.serviceAccount, "agent"),
      automountServiceAccountToken: agent.automountServiceAccountToken,
    },
    configMap: { metadata: meta(names.configMap, "agent"), data: configData },
  };

  if (secretKeys.length > 0) {
    out.externalSecret = {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: meta(names.externalSecret, "agent"),
      spec: {
        refreshInterval: "1h",
        secretStoreRef: { kind: options.secretStore.kind, name: options.secretStore.name },
        target: {
          name: names.secret,
          creationPolicy: "Owner",
          // Merge keeps the fetched keys and only adds the labels, so the Secret is attributable like the rest.
          template: {
            mergePolicy: "Merge",
            metadata: { labels: agentLabels(agent, tenant, "agent") },
          },
        },
        data: secretKeys.map((key) => ({
          secretKey: key,
          remoteRef: { key: `agents/${environment}/${agent.name}`, property: key },
        })),
      },
    };
  }

  const pod = (component: "service" | "job", gpus: number, claim: string | undefined): PodSpec => {
    const container: Container = {
      name: AGENT_CONTAINER,
      image: agent.image,
      imagePullPolicy: "IfNotPresent",
      envFrom: [
        { configMapRef: { name: names.configMap } },
        ...(secretKeys.length > 0 ? [{ secretRef: { name: names.secret } }] : []),
      ],
      env: otelEnv(agent, tenant, environment, options.platform.otelCollector),
      resources: resources(agent, gpus),
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      },
      volumeMounts: [
        { name: "tmp", mountPath: "/tmp" },
        ...(claim && agent.storage ? [{ name: claim, mountPath: agent.storage.mountPath }] : []),
      ],
    };
    if (component === "service") {
      container.ports = [{ name: "http", containerPort: agent.port, protocol: "TCP" }];
      const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
        httpGet: { path, port: "http" },
        periodSeconds,
        timeoutSeconds: 2,
        failureThreshold,
      });
      // Startup allows 5 minutes (agents may load models) before liveness starts counting.
      container.startupProbe = probe(agent.probes.liveness, 5, 60);
      container.livenessProbe = probe(agent.probes.liveness, 20, 3);
      container.readinessProbe = probe(agent.probes.readiness, 10, 3);
    }
    return {
      serviceAccountName: names.serviceAccount,
      automountServiceAccountToken: agent.automountServiceAccountToken,
      // Service links would inject every service of the namespace as environment variables.
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: AGENT_UID,
        runAsGroup: AGENT_UID,
        fsGroup: AGENT_UID,
        // Large volumes mount without a recursive chown on every start.
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [container],
      volumes: [
        { name: "tmp", emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
        // A StatefulSet mounts its claim template by name; a job mounts its own claim.
        ...(claim && component === "job"
          ? [{ name: claim, persistentVolumeClaim: { claimName: claim } }]
          : []),
      ],
      ...(component === "service" ? { topologySpreadConstraints: spread(agent) } : {}),
      ...placementOf(agent, gpus, placement),
    };
  };

  if (hasService) {
    const replicas = agent.replicas ?? { min: 1, max: 1 };
    const template = {
      metadata: {
        labels: agentLabels(agent, tenant, "service"),
        annotations: { [CONFIG_HASH_ANNOTATION]: configHash },
      },
      spec: pod("service", agent.gpu, agent.storage ? names.claimTemplate : undefined),
    };
    // No `replicas`: the HPA owns that field; stating it would reset the HPA's choice on every update.
    const selector = { matchLabels: selectorLabels(agent, "service") };
    const workloadMeta = meta(names.workload, "service", workloadAnnotations);
    if (agent.storage) {
      // A ReadWriteOnce volume attaches to one node, so replicas cannot share a claim: each gets its own.
      out.statefulSet = {
        metadata: workloadMeta,
        spec: {
          serviceName: names.service,
          selector,
          podManagementPolicy: "Parallel",
          minReadySeconds: 10,
          updateStrategy: { type: "RollingUpdate" },
          // Data outlives scale-in and deletion; the quota and the cost model count a claim per max replica.
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
          template,
          volumeClaimTemplates: [
            {
              // Immutable (the API refuses any change, Pulumi replaces the StatefulSet): selector labels only,
              // never the version, tier or cost center, which change with everyday edits.
              metadata: { name: names.claimTemplate, labels: selectorLabels(agent, "service") },
              spec: claimSpec(agent),
            },
          ],
        },
      };
    } else {
      out.deployment = {
        metadata: workloadMeta,
        spec: {
          selector,
          minReadySeconds: 10,
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template,
        },
      };
    }
    out.service = {
      metadata: meta(names.service, "service"),
      spec: {
        type: "ClusterIP",
        selector: selectorLabels(agent, "service"),
        ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP", appProtocol: "http" }],
      },
    };
    const scaling = agent.autoscaling ?? DEFAULT_AUTOSCALING;
    const rule = (r: typeof scaling.scaleUp, selectPolicy: "Max" | "Min") => ({
      stabilizationWindowSeconds: r.stabilizationSeconds,
      selectPolicy,
      policies: [
        { type: "Percent", value: r.percent, periodSeconds: r.periodSeconds },
        { type: "Pods", value: r.pods, periodSeconds: r.periodSeconds },
      ],
    });
    const utilization = (name: "cpu" | "memory", averageUtilization: number) => ({
      type: "Resource",
      resource: { name, target: { type: "Utilization", averageUtilization } },
    });
    out.hpa = {
      metadata: meta(names.workload, "service"),
      spec: {
        scaleTargetRef: {
          apiVersion: "apps/v1",
          kind: agent.storage ? "StatefulSet" : "Deployment",
          name: names.workload,
        },
        minReplicas: replicas.min,
        maxReplicas: replicas.max,
        metrics: [
          utilization("cpu", scaling.cpuUtilization),
          utilization("memory", scaling.memoryUtilization),
        ],
        // Up: the larger of the two policies, so small agents can still add pods fast; down: the smaller.
        behavior: { scaleUp: rule(scaling.scaleUp, "Max"), scaleDown: rule(scaling.scaleDown, "Min") },
      },
    };
    out.pdb = {
      metadata: meta(names.workload, "service"),
      spec: {
        // maxUnavailable 1 never blocks a drain (a single replica can move) and, unlike minAvailable 1,
        // keeps all but one pod up however far the HPA has scaled.
        maxUnavailable: 1,
        selector,
        // A crash-looping pod must not block node drains and upgrades.
        unhealthyPodEvictionPolicy: "AlwaysAllow",
      },
    };
    if (options.serviceMonitor)
      out.serviceMonitor = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: meta(names.service, "service"),
        spec: {
          selector: { matchLabels: selectorLabels(agent, "service") },
          namespaceSelector: { matchNames: [namespace] },
          endpoints: [{ port: "http", path: "/metrics", interval: "30s", scheme: "http" }],
        },
      };
  }

  if (hasJob) {
    const job = agent.job ?? { expectedRunMinutes: 30, activeDeadlineSeconds: 3600, backoffLimit: 2 };
    const gpus = agent.job?.gpu ?? agent.gpu;
    if (agent.storage) {
      // The job's own claim: the service's claims are attached to its replicas' nodes.
      out.jobClaim = { metadata: meta(names.jobClaim, "job"), spec: claimSpec(agent) };
    }
    out.cronJob = {
      metadata: meta(names.cronJob, "job", {
        ...workloadAnnotations,
        [ANNOTATIONS.expectedRunMinutes]: String(job.expectedRunMinutes),
      }),
      spec: {
        schedule: agent.schedule ?? "",
        timeZone: agent.timeZone,
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: STARTING_DEADLINE_SECONDS,
        successfulJobsHistoryLimit: JOB_HISTORY.successful,
        failedJobsHistoryLimit: JOB_HISTORY.failed,
        jobTemplate: {
          metadata: { labels: agentLabels(agent, tenant, "job") },
          spec: {
            backoffLimit: job.backoffLimit,
            activeDeadlineSeconds: job.activeDeadlineSeconds,
            ttlSecondsAfterFinished: JOB_TTL_SECONDS,
            template: {
              metadata: {
                labels: agentLabels(agent, tenant, "job"),
                annotations: { [CONFIG_HASH_ANNOTATION]: configHash },
              },
              spec: {
                // Never: a failed pod stays for its logs; the job's backoffLimit bounds the retries.
                restartPolicy: "Never",
                ...pod("job", gpus, agent.storage ? names.jobClaim : undefined),
              },
            },
          },
        },
      },
    };
  }
  return out;
}

function claimSpec(agent: AgentConfig): inputs.core.v1.PersistentVolumeClaimSpec {
  return {
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: agent.storage?.size ?? "" } },
    ...(agent.storage?.storageClass ? { storageClassName: agent.storage.storageClass } : {}),
  };
}

function resources(agent: AgentConfig, gpus: number) {
  const gpu: Record<string, string> = gpus > 0 ? { "nvidia.com/gpu": String(gpus) } : {};
  return {
    requests: { ...agent.resources.requests, ...gpu },
    limits: { ...agent.resources.limits, ...gpu },
  };
}

function otelEnv(
  agent: AgentConfig,
  tenant: TenantConfig,
  environment: Environment,
  c: AgentOptions["platform"]["otelCollector"],
) {
  const attributes = {
    "deployment.environment.name": environment,
    "service.namespace": tenant.name,
    "service.version": imageVersion(agent.image),
    "agentops.tenant": tenant.name,
    "agentops.tier": String(agent.tier),
    "agentops.cost_center": tenant.costCenter,
  };
  return [
    { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: `http://${c.service}.${c.namespace}.svc:${c.httpPort}` },
    { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "http/protobuf" },
    { name: "OTEL_SERVICE_NAME", value: agent.name },
    {
      name: "OTEL_RESOURCE_ATTRIBUTES",
      value: Object.entries(attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    },
  ];
}

/** Spread over zones, then nodes; ScheduleAnyway, so a small cluster still schedules every replica. */
function spread(agent: AgentConfig) {
  return ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: selectorLabels(agent, "service") },
  }));
}

/**
 * GPU pods select the gpu node group and tolerate its taint. Spot agents tolerate the spot taint and
 * *prefer* spot nodes: preferred, not required, so a reclaimed or empty spot pool degrades to on-demand nodes
 * instead of leaving the agent pending (the cost model prices such pods on-demand, the safe side).
 * A group the cluster does not have is neither selected nor preferred; GPU requests stay, so the pod lands
 * only where GPUs are.
 */
export function placementOf(
  agent: AgentConfig,
  gpus: number,
  placement: AgentPlacement,
): Pick<PodSpec, "nodeSelector" | "tolerations" | "affinity"> {
  if (gpus > 0) {
    const taint = NODE_GROUPS.gpu.taint;
    return {
      ...(placement.gpuNodeGroup ? { nodeSelector: { [LABELS.nodeGroup]: NODE_GROUPS.gpu.label } } : {}),
      // Exists: GPU nodes made elsewhere (the NVIDIA operator, other AMIs) taint this key with other values.
      tolerations: [{ key: taint.key, operator: "Exists", effect: taint.effect }],
    };
  }
  if (agent.spot && placement.spotNodeGroup) {
    const taint = NODE_GROUPS.spot.taint;
    return {
      tolerations: [{ key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect }],
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              preference: {
                matchExpressions: [
                  { key: LABELS.nodeGroup, operator: "In", values: [NODE_GROUPS.spot.label] },
                ],
              },
            },
          ],
        },
      },
    };
  }
  return {};
}

/**
 * One agent, from one `agentops:agents` entry. Pass the Kubernetes provider in `opts`.
 * @throws {ComponentArgsError} on invalid arguments, before anything is registered
 */
export class Agent extends pulumi.ComponentResource {
  /** Kubernetes names of what was created, for wiring (e.g. the Service for callers). */
  public readonly serviceName: string | undefined;
  public readonly namespace: string;

  constructor(name: string, args: AgentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const resolved = resolveAgentArgs(name, args);
    super("agentops:agents:Agent", name, {}, opts);
    const o = agentObjects(resolved);
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
    const jobClaim = o.jobClaim
      ? // With WaitForFirstConsumer (gp3 on EKS) the provider counts a Pending claim as ready (since v4.16).
        new k8s.core.v1.PersistentVolumeClaim(childName(name, "job-data"), o.jobClaim, child)
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
    if (o.cronJob)
      new k8s.batch.v1.CronJob(childName(name, "cronjob"), o.cronJob, {
        ...podInputs,
        dependsOn: [...podInputs.dependsOn, ...(jobClaim ? [jobClaim] : [])],
      });
    if (o.service) new k8s.core.v1.Service(childName(name, "service"), o.service, child);
    if (o.hpa)
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(childName(name, "hpa"), o.hpa, {
        ...child,
        dependsOn: [...tenantDeps, ...(workload ? [workload] : [])],
      });
    if (o.pdb) new k8s.policy.v1.PodDisruptionBudget(childName(name, "pdb"), o.pdb, child);
    if (o.serviceMonitor)
      new k8s.apiextensions.CustomResource(childName(name, "service-monitor"), o.serviceMonitor, child);

    this.namespace = resolved.tenant.name;
    this.serviceName = o.service ? agentObjectNames(resolved.agent).service : undefined;
    this.registerOutputs({ namespace: this.namespace, serviceName: this.serviceName });
  }
}
