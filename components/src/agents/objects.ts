/**
 * An agent's Kubernetes objects, built by pure functions from its validated arguments: identity, workload(s),
 * service, autoscaling, disruption budget, secrets, configuration, monitoring and storage. The `Agent`
 * component (./agent.ts) registers them; the cost model prices them (./estimate.ts).
 */
import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { hasJob, hasService, type AgentConfig, type ServiceAgentConfig } from "../config/agents";
import type { AgentOptions } from "../config/component-args";
import type { Environment } from "../config/environments";
import type { TenantConfig } from "../config/tenants";
import { AGENT_PLATFORM_ENV, ANNOTATIONS, LABELS, NODE_GROUPS } from "../lib/contract";
import { agentObjectNames, LLM_API_KEY } from "./names";
import { agentVerticalPodAutoscalers, exposureObjects, hpaBehavior, scalingObjects } from "./traffic";

type PodSpec = inputs.core.v1.PodSpec;
type Container = inputs.core.v1.Container;

/** Where the cluster can place pods: which managed node groups exist. */
export type AgentPlacement = AgentOptions["placement"];

/**
 * `AgentArgs` after validation: the parsed entry and tenant, every option at its value. `image`, `env` and
 * `namespace` are what the program passed, possibly outputs of other resources (validated once known);
 * `agent.image` and `agent.env` hold them where they were known at once.
 */
export interface ResolvedAgentArgs {
  agent: AgentConfig;
  image: pulumi.Input<string>;
  env: Readonly<Record<string, pulumi.Input<string>>>;
  tenant: TenantConfig;
  /** The tenant's namespace: `tenant.name`, or a namespace made elsewhere (`TenantArgs.namespace`). */
  namespace: pulumi.Input<string>;
  environment: Environment;
  options: AgentOptions;
  /** The cost model's estimate at max replicas, USD a month: the `agentops.io/estimated-monthly-usd` annotation. */
  estimatedMonthlyUsd?: number;
  llmGateway?: { env: Readonly<Record<string, string>> };
  /** What the data stores of `agent.stores` give the agent (stores/access.ts). @default none */
  stores?: AgentStoreAccess;
  /** The restore of `agent.storage.restoreFrom`, resolved (agents/restore.ts). @default none */
  restore?: AgentRestore;
  /** The snapshot objects the restore needs (an EBS snapshot id's content and VolumeSnapshot). @default none */
  restoreObjects?: readonly { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown }[];
}

/**
 * What the data stores an agent uses give it: connection settings for its ConfigMap, credentials for its
 * Secret (each a key of the Secret and where External Secrets reads it), and whether EKS Pod Identity hands
 * its pods AWS credentials (S3 stores on EKS).
 */
export interface AgentStoreAccess {
  env: Readonly<Record<string, pulumi.Input<string>>>;
  secrets: readonly { secretKey: string; remoteKey: string; property: string }[];
  podIdentity: boolean;
}

/**
 * A claim of the agent created from a snapshot: which claim, and the `dataSourceRef` it is created with (a
 * VolumeSnapshot in the agent's namespace). A service claim (`data-<agent>-<n>`) becomes a claim of its own that
 * the StatefulSet adopts by name; the job's claim gets the `dataSourceRef`.
 */
export interface AgentRestore {
  claim: string;
  snapshot: { apiGroup: "snapshot.storage.k8s.io"; kind: "VolumeSnapshot"; name: string };
}

/** Pod annotation on the pods of an agent whose stores need AWS credentials: its first deploy rolls the pods after the association exists. */
export const AWS_CREDENTIALS_ANNOTATION = "agentops.io/aws-credentials";

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
  /** A service claim restored from a snapshot (`storage.restoreFrom` on `data-<agent>-<n>`): the StatefulSet adopts it. */
  restoredClaim?: inputs.core.v1.PersistentVolumeClaim;
  service?: inputs.core.v1.Service;
  /** `service`/`hybrid` without `scaling`: CPU and memory. */
  hpa?: inputs.autoscaling.v2.HorizontalPodAutoscaler;
  /** `service`/`hybrid` with `scaling`: KEDA's triggers instead of the HPA (./traffic.ts). */
  scaledObject?: k8s.apiextensions.CustomResourceArgs;
  /** With `scaling.queue`: how KEDA reads the queue. */
  triggerAuthentication?: k8s.apiextensions.CustomResourceArgs;
  pdb?: inputs.policy.v1.PodDisruptionBudget;
  serviceMonitor?: k8s.apiextensions.CustomResourceArgs;
  /** Recommendation-only VerticalPodAutoscalers (option `verticalPodAutoscaler`): the service's and the job's. */
  serviceVpa?: k8s.apiextensions.CustomResourceArgs;
  jobVpa?: k8s.apiextensions.CustomResourceArgs;
  /** With `expose`: the route on the shared Gateway, its per-client rate limit and, with `auth`, its policy. */
  httpRoute?: k8s.apiextensions.CustomResourceArgs;
  rateLimitPolicy?: k8s.apiextensions.CustomResourceArgs;
  securityPolicy?: k8s.apiextensions.CustomResourceArgs;
  /** With `expose.auth.kind: oidc`: the OAuth client secret from Vault. */
  oidcExternalSecret?: k8s.apiextensions.CustomResourceArgs;
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
/** The pod volume that holds /tmp. */
export const TMP_VOLUME = "tmp";

/**
 * What the cluster autoscaler may do with an agent's pods when it scales a node down. Its FAQ ("What types of
 * pods can prevent CA from removing a node?", kubernetes/autoscaler cluster-autoscaler/FAQ.md): a pod with
 * local storage (an `emptyDir` not in memory) blocks the node's removal unless
 * `cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes` lists every such volume, and
 * `--skip-nodes-with-local-storage` is true by default; every agent pod mounts an emptyDir at /tmp, so without
 * the annotation no node that ever ran an agent would scale down. A service pod's /tmp is scratch: it may be
 * evicted and restarted elsewhere. A scheduled run is not restarted where it left off: `safe-to-evict: "false"`
 * keeps its node until it ends (the EKS Best Practices Guide, Cluster Autoscaler, "Prevent Scale Down
 * Eviction": expensive-to-evict pods, such as batch and machine-learning jobs, carry it).
 */
export const AUTOSCALER_ANNOTATIONS = {
  service: { "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes": TMP_VOLUME },
  job: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" },
} as const;
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
  image: pulumi.Input<string> = agent.image,
): Record<string, pulumi.Input<string>> {
  return {
    ...selectorLabels(agent, component),
    "app.kubernetes.io/part-of": "agentops",
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/version": mapInput(image, imageVersion),
    [LABELS.tenant]: tenant.name,
    [LABELS.tier]: String(agent.tier),
    [LABELS.costCenter]: tenant.costCenter,
    [LABELS.agent]: agent.name,
  };
}

/** The immutable subset that selectors use: never the version, which changes with every release. */
export function selectorLabels(
  agent: { name: string },
  component: "agent" | "service" | "job",
): Record<string, string> {
  return {
    "app.kubernetes.io/name": agent.name,
    "app.kubernetes.io/instance": agent.name,
    "app.kubernetes.io/component": component,
  };
}

/** `f(value)`, as a plain value when `value` is one and as an output otherwise. */
function mapInput<T>(value: pulumi.Input<string>, f: (v: string) => T): pulumi.Input<T> {
  return typeof value === "string" ? f(value) : pulumi.output(value).apply(f);
}

/**
 * Builds every object of the agent from validated arguments (`resolveAgentArgs`). Pure: no Pulumi runtime
 * needed where `image`, `env` and `namespace` are plain values.
 */
export function buildAgentObjects(args: ResolvedAgentArgs): AgentObjects {
  const { agent, tenant, environment, options, estimatedMonthlyUsd, llmGateway, image, namespace } = args;
  const { placement } = options;
  const names = agentObjectNames(agent);
  const meta = (
    name: string,
    component: "agent" | "service" | "job",
    extra: Record<string, string> = {},
  ) => ({
    name,
    namespace,
    labels: agentLabels(agent, tenant, component, image),
    ...(Object.keys(extra).length > 0 ? { annotations: extra } : {}),
  });
  // The policy pack and the cost report read these from the workloads themselves.
  const workloadAnnotations: Record<string, string> = {
    [ANNOTATIONS.budgetMonthlyUsd]: String(agent.budget.monthlyUsd),
    [ANNOTATIONS.llmMonthlyUsd]: String(agent.llm.monthlyUsd),
    ...(estimatedMonthlyUsd !== undefined
      ? { [ANNOTATIONS.estimatedMonthlyUsd]: estimatedMonthlyUsd.toFixed(2) }
      : {}),
  };

  const gateway = agent.llm.monthlyUsd > 0 ? llmGateway : undefined;
  const secretKeys =
    gateway && !agent.secrets.includes(LLM_API_KEY) ? [...agent.secrets, LLM_API_KEY] : agent.secrets;
  const storeSecrets = (args.stores?.secrets ?? []).filter((s) => !secretKeys.includes(s.secretKey));
  const configData = {
    LOG_LEVEL: DEFAULT_LOG_LEVEL,
    ...args.env,
    ...(gateway?.env ?? {}),
    ...(args.stores?.env ?? {}),
  };
  // The Secret's key names count too: pods read it through envFrom, so a key added or removed reaches them only
  // when they restart (a value rotated in Vault does not change the hash). The stores' keys are added only when
  // there are any, so an agent without stores keeps its hash.
  const allSecretKeys = [...secretKeys, ...storeSecrets.map((s) => s.secretKey)];
  const configHash = mapInputs(configData, (config) =>
    createHash("sha256")
      .update(JSON.stringify({ config, secretKeys: allSecretKeys }))
      .digest("hex")
      .slice(0, 16),
  );
  const podAnnotations = {
    [CONFIG_HASH_ANNOTATION]: configHash,
    ...(args.stores?.podIdentity ? { [AWS_CREDENTIALS_ANNOTATION]: "pod-identity" } : {}),
  };

  const out: AgentObjects = {
    serviceAccount: {
      metadata: meta(names.serviceAccount, "agent"),
      automountServiceAccountToken: agent.automountServiceAccountToken,
    },
    configMap: { metadata: meta(names.configMap, "agent"), data: configData },
  };

  if (allSecretKeys.length > 0) {
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
            metadata: { labels: agentLabels(agent, tenant, "agent", image) },
          },
        },
        data: [
          ...secretKeys.map((key) => ({
            secretKey: key,
            remoteRef: { key: `agents/${environment}/${agent.name}`, property: key },
          })),
          // The stores' credentials, each from its own path (stores/<env>/<store>[/<agent>]).
          ...storeSecrets.map((s) => ({
            secretKey: s.secretKey,
            remoteRef: { key: s.remoteKey, property: s.property },
          })),
        ],
      },
    };
  }

  /** A pod of the service (`service` given) or of a scheduled run. */
  const pod = (service: ServiceAgentConfig | undefined, gpus: number, claim: string | undefined): PodSpec => {
    const component = service ? "service" : "job";
    const container: Container = {
      name: AGENT_CONTAINER,
      image,
      imagePullPolicy: "IfNotPresent",
      envFrom: [
        { configMapRef: { name: names.configMap } },
        ...(allSecretKeys.length > 0 ? [{ secretRef: { name: names.secret } }] : []),
      ],
      env: otelEnv(agent, tenant, environment, options.platform.otelCollector, image),
      resources: resources(agent, gpus),
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      },
      volumeMounts: [
        { name: TMP_VOLUME, mountPath: "/tmp" },
        ...(claim && agent.storage ? [{ name: claim, mountPath: agent.storage.mountPath }] : []),
      ],
    };
    if (service) {
      container.ports = [{ name: "http", containerPort: service.port, protocol: "TCP" }];
      const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
        httpGet: { path, port: "http" },
        periodSeconds,
        timeoutSeconds: 2,
        failureThreshold,
      });
      // Startup allows 5 minutes (agents may load models) before liveness starts counting.
      container.startupProbe = probe(service.probes.liveness, 5, 60);
      container.livenessProbe = probe(service.probes.liveness, 20, 3);
      container.readinessProbe = probe(service.probes.readiness, 10, 3);
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
        { name: TMP_VOLUME, emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
        // A StatefulSet mounts its claim template by name; a job mounts its own claim.
        ...(claim && component === "job"
          ? [{ name: claim, persistentVolumeClaim: { claimName: claim } }]
          : []),
      ],
      ...(service ? { topologySpreadConstraints: spread(service) } : {}),
      ...placementOf(agent, gpus, placement),
    };
  };

  if (hasService(agent)) {
    const { replicas } = agent;
    const template = {
      metadata: {
        labels: agentLabels(agent, tenant, "service", image),
        annotations: { ...podAnnotations, ...AUTOSCALER_ANNOTATIONS.service },
      },
      spec: pod(agent, agent.gpu, agent.storage ? names.claimTemplate : undefined),
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
    const restore = args.restore && args.restore.claim !== names.jobClaim ? args.restore : undefined;
    if (agent.storage && restore) {
      // A claim the StatefulSet would otherwise create for this ordinal: same name and selector labels as its
      // template's claims, plus where its data comes from. The StatefulSet is unchanged (its claim templates are
      // immutable) and adopts the claim by name when the pod of that ordinal is (re)created.
      out.restoredClaim = {
        metadata: {
          name: restore.claim,
          namespace,
          labels: selectorLabels(agent, "service"),
        },
        spec: { ...claimSpec(agent), dataSourceRef: restore.snapshot },
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
    const utilization = (name: "cpu" | "memory", averageUtilization: number) => ({
      type: "Resource",
      resource: { name, target: { type: "Utilization", averageUtilization } },
    });
    const scaled = scalingObjects({
      agent,
      tenant,
      meta: (name) => meta(name, "service"),
      throughLlmGateway: gateway !== undefined,
    });
    if (scaled) {
      // KEDA makes the HPA (same name, same behaviour): no second one.
      out.scaledObject = scaled.scaledObject;
      if (scaled.triggerAuthentication) out.triggerAuthentication = scaled.triggerAuthentication;
    } else {
      out.hpa = {
        metadata: meta(names.hpa, "service"),
        spec: {
          scaleTargetRef: {
            apiVersion: "apps/v1",
            kind: agent.storage ? "StatefulSet" : "Deployment",
            name: names.workload,
          },
          minReplicas: replicas.min,
          maxReplicas: replicas.max,
          metrics: [
            utilization("cpu", agent.autoscaling.cpuUtilization),
            utilization("memory", agent.autoscaling.memoryUtilization),
          ],
          behavior: hpaBehavior(agent),
        },
      };
    }
    const exposed = exposureObjects({
      agent,
      environment,
      meta: (name) => meta(name, "service"),
      secretStore: options.secretStore,
    });
    if (exposed) Object.assign(out, exposed);
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

  if (hasJob(agent)) {
    const { job } = agent;
    const gpus = job.gpu ?? agent.gpu;
    if (agent.storage) {
      // The job's own claim: the service's claims are attached to its replicas' nodes. Restored, it is created
      // from the snapshot (a new `dataSourceRef` replaces the claim: that is the restore).
      const restore = args.restore?.claim === names.jobClaim ? args.restore : undefined;
      out.jobClaim = {
        metadata: meta(names.jobClaim, "job"),
        spec: { ...claimSpec(agent), ...(restore ? { dataSourceRef: restore.snapshot } : {}) },
      };
    }
    out.cronJob = {
      metadata: meta(names.cronJob, "job", {
        ...workloadAnnotations,
        [ANNOTATIONS.expectedRunMinutes]: String(job.expectedRunMinutes),
      }),
      spec: {
        schedule: agent.schedule,
        timeZone: agent.timeZone,
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: STARTING_DEADLINE_SECONDS,
        successfulJobsHistoryLimit: JOB_HISTORY.successful,
        failedJobsHistoryLimit: JOB_HISTORY.failed,
        jobTemplate: {
          metadata: { labels: agentLabels(agent, tenant, "job", image) },
          spec: {
            backoffLimit: job.backoffLimit,
            activeDeadlineSeconds: job.activeDeadlineSeconds,
            ttlSecondsAfterFinished: JOB_TTL_SECONDS,
            template: {
              metadata: {
                labels: agentLabels(agent, tenant, "job", image),
                annotations: { ...podAnnotations, ...AUTOSCALER_ANNOTATIONS.job },
              },
              spec: {
                // Never: a failed pod stays for its logs; the job's backoffLimit bounds the retries.
                restartPolicy: "Never",
                ...pod(undefined, gpus, agent.storage ? names.jobClaim : undefined),
              },
            },
          },
        },
      },
    };
  }
  if (options.verticalPodAutoscaler) {
    Object.assign(
      out,
      agentVerticalPodAutoscalers({
        agent,
        service: hasService(agent),
        job: hasJob(agent),
        tenant,
        meta: (name, component) => meta(name, component),
        container: AGENT_CONTAINER,
      }),
    );
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
  image: pulumi.Input<string>,
) {
  const attributes = (version: string) => ({
    "deployment.environment.name": environment,
    "service.namespace": tenant.name,
    "service.version": version,
    "agentops.tenant": tenant.name,
    "agentops.tier": String(agent.tier),
    "agentops.cost_center": tenant.costCenter,
  });
  // The names are the contract's (AGENT_PLATFORM_ENV), which the configuration keeps out of `env` and `secrets`.
  const values: Record<(typeof AGENT_PLATFORM_ENV)[number], pulumi.Input<string>> = {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${c.service}.${c.namespace}.svc:${c.httpPort}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_SERVICE_NAME: agent.name,
    OTEL_RESOURCE_ATTRIBUTES: mapInput(image, (i) =>
      Object.entries(attributes(imageVersion(i)))
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    ),
  };
  return AGENT_PLATFORM_ENV.map((name) => ({ name, value: values[name] }));
}

/** Spread over zones, then nodes; ScheduleAnyway, so a small cluster still schedules every replica. */
function spread(agent: ServiceAgentConfig) {
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

/** `f` of the values of `record`, as a plain value when all are plain and as an output otherwise. */
function mapInputs<T>(
  record: Readonly<Record<string, pulumi.Input<string>>>,
  f: (plain: Record<string, string>) => T,
): pulumi.Input<T> {
  const values = Object.values(record);
  if (values.every((v) => typeof v === "string")) return f(record as Record<string, string>);
  return pulumi.all(record).apply((plain) => f(plain as Record<string, string>));
}
