/**
 * The one cost model of a stack: its inputs are read from the stack's resources (what synth writes to
 * `out/<stack>/resources.json`, and what the policy pack sees), and every figure — the capacity plan, the node
 * groups, each agent — is computed from them by {@link estimateStack}. Synth's cost report and the pack's
 * budget policy both call these two functions, so they cannot disagree.
 *
 * What is read:
 * - node groups: `aws:eks/nodeGroup:NodeGroup` (label `agentops.io/node-group`, instance types, capacity type,
 *   taints, scaling config) and the root volume size of its launch template (`aws:ec2/launchTemplate`, matched
 *   by property dependency or by its instances' `Name` tag = the node group's name prefix without its dash), else `diskSize`, else
 *   EKS's default of 20 GiB; none (a cluster made elsewhere): the fallback groups, for prices and placement
 *   only, with no plan;
 * - the platform: each `kubernetes:helm.sh/v3:Release` of a registry add-on, through its footprint of the
 *   Release's values;
 * - the EKS managed add-ons: each `aws:eks/addon:Addon`, through capacity/eks-addons.ts;
 * - ElastiCache: each `aws:elasticache/replicationGroup:ReplicationGroup` (`nodeType`, `numCacheClusters`,
 *   else 1 node), priced per node-hour; one tagged `agentops.io/store` is that data store's line;
 * - data stores: `aws:rds/instance:Instance` (`instanceClass`, `allocatedStorage`, `multiAz`,
 *   `backupRetentionPeriod`) and `aws:s3/bucket:Bucket` (the expected size and requests of its
 *   `agentops.io/expected-*` tags) tagged `agentops.io/store`; CloudWatch alarms
 *   (`aws:cloudwatch/metricAlarm:MetricAlarm`); AWS Backup of agents' volumes: an `aws:backup/plan:Plan`'s
 *   `deleteAfter` and the tenant namespaces its `aws:backup/selection:Selection`s select, whose agents' claims
 *   are the volumes; CloudNativePG `Cluster` objects, whose `instances` pods (`resources.requests`) the plan
 *   places;
 * - agents: Deployments, StatefulSets and CronJobs labelled `agentops.io/agent` (requests, nodeSelector, node
 *   affinity, tolerations; replicas from their HorizontalPodAutoscaler, else `spec.replicas`; a CronJob is one
 *   run: `parallelism` pods), their claims (a StatefulSet's claim templates once per replica), the budget,
 *   LLM and run-minutes annotations.
 */
import { eksAddonFootprint } from "../capacity/eks-addons";
import { capacityPlan, nodeLabels, type CapacityPlan, type PlanNodeGroup } from "../capacity/plan";
import {
  plannedFromFootprint,
  podRequestsOf,
  type NodeRequirement,
  type Placement,
  type PlannedWorkload,
  type Toleration,
} from "../capacity/workloads";
import type { ConfigIssue } from "../../config/errors";
import { ANNOTATIONS, LABELS, NODE_GROUPS, PLATFORM_ENDPOINTS, STORE_TAGS } from "../../lib/contract";
import { parseQuantity } from "../../lib/quantity";
import { asArray, get, isRecord } from "../../lib/plain";
import { releaseFootprint } from "../footprints";
import { CNPG_BOOTSTRAP_CONTAINER, CNPG_POSTGRES_CONTAINER } from "../footprints/stores";
import {
  agentMonthlyCost,
  infrastructureMonthly,
  nodeGroupUnitPrices,
  scheduledRuns,
  ScheduleError,
  type ScheduledRuns,
  type AgentCost,
  type CostLine,
  type NodeGroupName,
  type NodeGroupsPricing,
  type StoreCostInput,
} from "./estimate";
import { CostModelError, instanceType, type RegionPrices } from "../../catalog/prices";

/** A resource of a stack, as synth records it and as a stack policy sees it. */
export interface StackResourceLike {
  type: string;
  name: string;
  urn: string;
  /** Inputs (synth, the offline runner) or outputs (the Pulumi engine). */
  props: Record<string, unknown>;
  /** Resources each property's value came from (the engine fills it; synth and the offline runner may not). */
  propertyDependencies?: Record<string, readonly { urn: string }[]>;
}

/** One workload of an agent and what it adds to the agent's cost. */
export interface AgentWorkloadInput {
  /** The planned workload (`<kind>/<namespace>/<name>`). */
  workload: string;
  /** Persistent claims of one replica, GiB (a StatefulSet's templates; claims its pods mount). */
  claimGiBPerReplica: number;
  /** Claims that do not grow with replicas, GiB. */
  fixedClaimGiB: number;
  /** A CronJob: how often and how long it runs, and the minutes its runs hold their pods a month. */
  job?: { runsPerMonth: number; runMinutes: number; parallelism: number; minutesPerMonth: number };
}

/** One agent of the stack. */
export interface StackAgentInput {
  agent: string;
  namespace: string;
  /** `agentops.io/tier` label, `undefined` when missing. */
  tier: string | undefined;
  /** Budget annotation; `undefined` when missing or not a number. */
  budgetUsd: number | undefined;
  llmMonthlyUsd: number;
  /** URN of its first workload, for findings. */
  urn: string;
  workloads: AgentWorkloadInput[];
}

/** Everything the cost model reads from a stack. */
export interface StackCostInput {
  clusters: number;
  natGateways: number;
  /** The stack's node groups (system, spot, gpu order), or the fallback groups when it declares none. */
  nodeGroups: PlanNodeGroup[];
  /** Whether `nodeGroups` are the stack's own: only then is the capacity plan the stack's. */
  declaredNodeGroups: boolean;
  /** ElastiCache replication groups (the LLM gateway's counter store on EKS): node type and nodes each. */
  cacheNodes: { nodeType: string; nodes: number }[];
  /** The data stores on AWS (RDS instances, ElastiCache groups and S3 buckets tagged `agentops.io/store`). */
  stores: StoreCostInput[];
  /** CloudWatch alarms. */
  alarms: number;
  /**
   * AWS Backup of agents' volumes: days kept and the namespaces whose agent claims are selected; `undefined`
   * without a backup plan.
   */
  volumeBackups: { retentionDays: number; namespaces: string[] } | undefined;
  /** Every workload: platform footprints, EKS add-ons, agents. */
  workloads: PlannedWorkload[];
  agents: StackAgentInput[];
}

type Rec = Record<string, unknown>;
const num = (q: unknown) => (typeof q === "string" || typeof q === "number" ? (parseQuantity(q) ?? 0) : 0);
const gib = (q: unknown) => num(q) / 2 ** 30;
const strings = (v: unknown) => asArray(v).filter((s): s is string => typeof s === "string");

const GPU = "nvidia.com/gpu";
const GROUP_ORDER: readonly NodeGroupName[] = ["system", "spot", "gpu"];
const EKS_EFFECT: Record<string, PlanNodeGroup["taints"][number]["effect"]> = {
  NO_SCHEDULE: "NoSchedule",
  NO_EXECUTE: "NoExecute",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
};
/** EKS's root volume when neither `diskSize` nor a launch template sets one. */
const EKS_DEFAULT_DISK_GIB = 20;

/** The node groups a cluster made elsewhere is priced and placed on: the contract's labels and taints. */
export function fallbackNodeGroups(pricing: NodeGroupsPricing): PlanNodeGroup[] {
  return GROUP_ORDER.map((name) => {
    const taint = NODE_GROUPS[name].taint;
    return {
      name,
      instanceTypes: pricing[name].instanceTypes,
      spot: pricing[name].spot,
      labels: nodeLabels({ [LABELS.nodeGroup]: NODE_GROUPS[name].label }, pricing[name].spot),
      taints: taint ? [taint] : [],
      minSize: 0,
      desiredSize: 0,
      maxSize: Number.POSITIVE_INFINITY,
      diskGiB: 0,
    };
  });
}

function nodeGroupsOf(resources: readonly StackResourceLike[]): PlanNodeGroup[] {
  const templates = resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
  const instanceName = (t: StackResourceLike) =>
    asArray(t.props.tagSpecifications)
      .filter((s) => get(s, "resourceType") === "instance")
      .map((s) => get(s, "tags.Name"))
      .find((n): n is string => typeof n === "string");
  const zonal = resources
    .filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")
    .map((r): PlanNodeGroup => {
      const labels = isRecord(r.props.labels) ? (r.props.labels as Record<string, string>) : {};
      const spot = r.props.capacityType === "SPOT";
      const byDependency = r.propertyDependencies?.launchTemplate?.map((d) => d.urn) ?? [];
      // Node groups are named by prefix (`<cluster>-<group>-<zone>-`, so an instance type change can replace
      // them); their launch template's instances are named `<cluster>-<group>`, a prefix of it.
      const prefix = r.props.nodeGroupNamePrefix;
      const baseName = typeof prefix === "string" ? prefix : `${String(r.props.nodeGroupName)}-`;
      const template =
        templates.find((t) => byDependency.includes(t.urn)) ??
        templates
          .filter((t) => {
            const n = instanceName(t);
            return n !== undefined && (baseName === `${n}-` || baseName.startsWith(`${n}-`));
          })
          .sort((a, b) => instanceName(b)!.length - instanceName(a)!.length)[0];
      const volume = template && get(asArray(template.props.blockDeviceMappings)[0], "ebs.volumeSize");
      const diskGiB =
        typeof volume === "number"
          ? volume
          : typeof r.props.diskSize === "number"
            ? r.props.diskSize
            : EKS_DEFAULT_DISK_GIB;
      const scaling = (key: string) => {
        const v = get(r.props, `scalingConfig.${key}`);
        return typeof v === "number" ? v : 0;
      };
      return {
        name: labels[LABELS.nodeGroup] ?? r.name,
        instanceTypes: strings(r.props.instanceTypes),
        spot,
        labels: nodeLabels(labels, spot),
        taints: asArray(r.props.taints)
          .filter(isRecord)
          .map((t) => ({
            key: String(t.key),
            ...(typeof t.value === "string" ? { value: t.value } : {}),
            effect: EKS_EFFECT[String(t.effect)] ?? "NoSchedule",
          })),
        minSize: scaling("minSize"),
        desiredSize: scaling("desiredSize"),
        maxSize: scaling("maxSize"),
        diskGiB,
        zones: 1,
      };
    });
  // One group per zone (cluster/eks-cluster.ts), one plan group per label: the zonal groups' sizes add up.
  const groups: PlanNodeGroup[] = [];
  for (const g of zonal) {
    const same = groups.find((x) => x.name === g.name);
    if (!same) groups.push(g);
    else
      groups[groups.indexOf(same)] = {
        ...same,
        minSize: same.minSize + g.minSize,
        desiredSize: same.desiredSize + g.desiredSize,
        maxSize: same.maxSize + g.maxSize,
        zones: (same.zones ?? 1) + 1,
      };
  }
  const rank = (g: PlanNodeGroup) => {
    const i = GROUP_ORDER.indexOf(g.name as NodeGroupName);
    return i < 0 ? GROUP_ORDER.length : i;
  };
  return groups.sort((a, b) => rank(a) - rank(b));
}

function requirements(term: unknown): NodeRequirement[] {
  return asArray(get(term, "matchExpressions"))
    .filter(isRecord)
    .map((e) => ({
      key: String(e.key),
      operator: e.operator as NodeRequirement["operator"],
      values: strings(e.values),
    }));
}

/** Where a pod spec may run, read the way the scheduler reads it. */
export function podPlacement(spec: Rec): Placement {
  const nodeSelector = isRecord(spec.nodeSelector) ? (spec.nodeSelector as Record<string, string>) : {};
  const node = get(spec, "affinity.nodeAffinity");
  return {
    nodeSelector,
    required: asArray(get(node, "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms")).map(
      requirements,
    ),
    preferred: asArray(get(node, "preferredDuringSchedulingIgnoredDuringExecution"))
      .filter(isRecord)
      .sort((a, b) => Number(b.weight ?? 0) - Number(a.weight ?? 0))
      .map((p) => requirements(p.preference)),
    tolerations: asArray(spec.tolerations).filter(isRecord) as Toleration[],
  };
}

/** What one pod of this spec reserves (containers summed, or the largest init container). */
export function podRequestsOfSpec(spec: Rec) {
  const of = (c: unknown) => {
    const requests = get(c, "resources.requests");
    const limits = get(c, "resources.limits");
    return {
      cpu: num(get(requests, "cpu")),
      memoryGiB: gib(get(requests, "memory")),
      gpus: num(
        (isRecord(requests) ? requests[GPU] : undefined) ?? (isRecord(limits) ? limits[GPU] : undefined),
      ),
    };
  };
  return podRequestsOf(asArray(spec.containers).map(of), asArray(spec.initContainers).map(of));
}

const onePerNodeOf = (spec: Rec) =>
  asArray(get(spec, "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution")).some(
    (t) => get(t, "topologyKey") === "kubernetes.io/hostname",
  );

interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Rec;
}

function kubeObjects(resources: readonly StackResourceLike[]): { obj: KubeObject; urn: string }[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"))
    .filter((r) => typeof r.props.kind === "string")
    .map((r) => ({
      obj: {
        ...r.props,
        kind: String(r.props.kind),
        metadata: isRecord(r.props.metadata) ? r.props.metadata : {},
      } as KubeObject,
      urn: r.urn,
    }));
}

const AGENT_KINDS = ["Deployment", "StatefulSet", "CronJob"];

function agentsOf(resources: readonly StackResourceLike[]): {
  workloads: PlannedWorkload[];
  agents: StackAgentInput[];
} {
  const objects = kubeObjects(resources);
  // KEDA's ScaledObjects scale their workloads through an HPA KEDA makes: read like HPAs.
  const hpas = objects
    .map((o) => o.obj)
    .filter((o) => o.kind === "HorizontalPodAutoscaler" || o.kind === "ScaledObject");
  const pvcs = objects.map((o) => o.obj).filter((o) => o.kind === "PersistentVolumeClaim");
  const byAgent = new Map<string, { obj: KubeObject; urn: string }[]>();
  for (const entry of objects) {
    const agent = entry.obj.metadata.labels?.[LABELS.agent];
    if (!AGENT_KINDS.includes(entry.obj.kind) || typeof agent !== "string") continue;
    const key = `${entry.obj.metadata.namespace ?? "default"}/${agent}`;
    byAgent.set(key, [...(byAgent.get(key) ?? []), entry]);
  }
  const workloads: PlannedWorkload[] = [];
  const agents: StackAgentInput[] = [];
  for (const [key, entries] of byAgent) {
    const [namespace, agent] = key.split("/", 2) as [string, string];
    const annotation = (name: string) =>
      entries.map((e) => e.obj.metadata.annotations?.[name]).find((v) => v !== undefined);
    const inputs: AgentWorkloadInput[] = [];
    const seenClaims = new Set<string>();
    for (const { obj } of entries) {
      const cron = obj.kind === "CronJob";
      const spec = get(obj.spec, cron ? "jobTemplate.spec.template.spec" : "template.spec");
      if (!isRecord(spec)) continue;
      const id = `${obj.kind}/${namespace}/${obj.metadata.name ?? "?"}`;
      const jobSpec = get(obj.spec, "jobTemplate.spec");
      const parallelism = get(jobSpec, "parallelism");
      const replicas = cron
        ? {
            min: typeof parallelism === "number" ? parallelism : 1,
            max: typeof parallelism === "number" ? parallelism : 1,
          }
        : replicasOf(obj, hpas);
      workloads.push({
        owner: `agent/${namespace}/${agent}`,
        workload: id,
        kind: cron ? "Job" : (obj.kind as "Deployment" | "StatefulSet"),
        requests: podRequestsOfSpec(spec),
        replicas,
        placement: podPlacement(spec),
        onePerNode: onePerNodeOf(spec),
      });
      const templates = asArray(obj.spec?.volumeClaimTemplates).reduce<number>(
        (sum, t) => sum + gib(get(t, "spec.resources.requests.storage")),
        0,
      );
      const claimed = asArray(spec.volumes).reduce<number>((sum, v) => {
        const claim = get(v, "persistentVolumeClaim.claimName");
        // A claim two workloads of the agent mount is paid once.
        if (typeof claim !== "string" || seenClaims.has(claim)) return sum;
        seenClaims.add(claim);
        const pvc = pvcs.find(
          (p) => p.metadata.name === claim && (p.metadata.namespace ?? "default") === namespace,
        );
        return sum + (pvc ? gib(get(pvc.spec, "resources.requests.storage")) : 0);
      }, 0);
      inputs.push({
        workload: id,
        claimGiBPerReplica: templates,
        fixedClaimGiB: claimed,
        ...(cron ? { job: jobRuns(obj, typeof parallelism === "number" ? parallelism : 1) } : {}),
      });
    }
    const llm = Number(annotation(ANNOTATIONS.llmMonthlyUsd) ?? 0);
    const budgetText = annotation(ANNOTATIONS.budgetMonthlyUsd);
    const budget = budgetText === undefined ? undefined : Number(budgetText);
    agents.push({
      agent,
      namespace,
      tier: entries.map((e) => e.obj.metadata.labels?.[LABELS.tier]).find((v) => v !== undefined),
      budgetUsd: budget !== undefined && Number.isFinite(budget) ? budget : undefined,
      llmMonthlyUsd: Number.isFinite(llm) ? llm : 0,
      urn: entries[0]!.urn,
      workloads: inputs,
    });
  }
  return { workloads, agents };
}

/**
 * A workload's replica bounds: its HPA's `minReplicas`/`maxReplicas` (Kubernetes' defaults 1 and —, required),
 * or its ScaledObject's `minReplicaCount`/`maxReplicaCount` (KEDA's defaults 0 and 100; a minimum of 0 is a
 * workload at zero pods, which costs nothing at the expected scale), else its own `replicas`.
 */
function replicasOf(obj: KubeObject, hpas: KubeObject[]): { min: number; max: number } {
  const hpa = hpas.find(
    (h) =>
      (h.metadata.namespace ?? "default") === (obj.metadata.namespace ?? "default") &&
      get(h.spec, "scaleTargetRef.kind") === obj.kind &&
      get(h.spec, "scaleTargetRef.name") === obj.metadata.name,
  );
  if (hpa?.kind === "ScaledObject") {
    return { min: Number(hpa.spec?.minReplicaCount ?? 0), max: Number(hpa.spec?.maxReplicaCount ?? 100) };
  }
  if (hpa) return { min: Number(hpa.spec?.minReplicas ?? 1), max: Number(hpa.spec?.maxReplicas ?? 1) };
  const replicas = typeof obj.spec?.replicas === "number" ? obj.spec.replicas : 1;
  return { min: replicas, max: replicas };
}

/**
 * Runs a month, minutes per run (annotation, else the deadline, else 60), pods per run and the minutes the runs
 * hold their pods under the CronJob's `concurrencyPolicy` and `startingDeadlineSeconds` of a CronJob.
 */
function jobRuns(obj: KubeObject, parallelism: number) {
  const annotated = Number(obj.metadata.annotations?.[ANNOTATIONS.expectedRunMinutes]);
  const deadline = get(obj.spec, "jobTemplate.spec.activeDeadlineSeconds");
  const runMinutes =
    Number.isFinite(annotated) && annotated > 0
      ? annotated
      : typeof deadline === "number"
        ? deadline / 60
        : 60;
  const timeZone = obj.spec?.timeZone;
  const policy = obj.spec?.concurrencyPolicy;
  const deadlineSeconds = obj.spec?.startingDeadlineSeconds;
  let runs: ScheduledRuns;
  try {
    runs = scheduledRuns(String(obj.spec?.schedule), typeof timeZone === "string" ? timeZone : "Etc/UTC", {
      minutes: runMinutes,
      ...(policy === "Forbid" || policy === "Replace" || policy === "Allow"
        ? { concurrencyPolicy: policy }
        : {}),
      ...(typeof deadlineSeconds === "number" ? { startingDeadlineSeconds: deadlineSeconds } : {}),
    });
  } catch (err) {
    // Name the object: the pack sees CronJobs from anywhere, not only agents' validated configuration.
    if (!(err instanceof ScheduleError)) throw err;
    const where = `CronJob ${obj.metadata.namespace ?? "default"}/${obj.metadata.name ?? "?"}`;
    throw new CostModelError(`${where}: spec.${err.message}`);
  }
  return { runsPerMonth: runs.runsPerMonth, runMinutes, parallelism, minutesPerMonth: runs.minutesPerMonth };
}

/** The platform's and the EKS add-ons' workloads among the resources. */
function platformWorkloads(resources: readonly StackResourceLike[]): PlannedWorkload[] {
  const out: PlannedWorkload[] = [];
  for (const r of resources) {
    if (r.type.startsWith("kubernetes:helm.sh/") && r.type.endsWith(":Release")) {
      const name = String(r.props.name);
      const values = isRecord(r.props.values) ? r.props.values : {};
      const namespace = typeof r.props.namespace === "string" ? r.props.namespace : "default";
      const footprint = releaseFootprint({ name, chart: String(r.props.chart), namespace });
      if (!footprint) continue;
      for (const w of footprint(values)) {
        if (!w.hook) out.push(plannedFromFootprint(`release/${name}`, namespace, w));
      }
    } else if (r.type === "aws:eks/addon:Addon") {
      const footprint = eksAddonFootprint(String(r.props.addonName), r.props.configurationValues);
      for (const w of footprint?.workloads ?? []) {
        out.push(plannedFromFootprint(`eks-addon/${String(r.props.addonName)}`, footprint!.namespace, w));
      }
    }
  }
  return [...out, ...cnpgClusterWorkloads(resources), ...publicGatewayProxies(resources)];
}

/**
 * The proxy pods of the shared `public` Gateway, which Envoy Gateway creates from the Gateway's EnvoyProxy (no
 * chart renders them): `envoyDeployment.replicas` pods of the `envoy` container's requests plus those the
 * Deployment patch gives its other containers (the shutdown manager).
 */
function publicGatewayProxies(resources: readonly StackResourceLike[]): PlannedWorkload[] {
  const gw = PLATFORM_ENDPOINTS.gateway;
  return kubeObjects(resources)
    .map((o) => o.obj)
    .filter(
      (o) => o.kind === "EnvoyProxy" && o.metadata.name === gw.name && o.metadata.namespace === gw.namespace,
    )
    .map((o) => {
      const deployment = get(o.spec, "provider.kubernetes.envoyDeployment");
      const replicas = get(deployment, "replicas");
      const envoy = { name: "envoy", resources: get(deployment, "container.resources") };
      const patched = asArray(get(deployment, "patch.value.spec.template.spec.containers"));
      return {
        owner: `gateway/${gw.name}`,
        workload: `Deployment/${gw.namespace}/envoy-${gw.namespace}-${gw.name}`,
        kind: "Deployment" as const,
        requests: podRequestsOfSpec({ containers: [envoy, ...patched] }),
        replicas: {
          min: typeof replicas === "number" ? replicas : 1,
          max: typeof replicas === "number" ? replicas : 1,
        },
        placement: {},
        onePerNode: false,
      };
    });
}

/**
 * The PostgreSQL pods of CloudNativePG `Cluster` objects (`postgresql.cnpg.io`): `instances` pods, each its
 * `postgres` container at `resources.requests` and the operator's `bootstrap-controller` init container, which
 * CloudNativePG gives the same resources.
 */
function cnpgClusterWorkloads(resources: readonly StackResourceLike[]): PlannedWorkload[] {
  return kubeObjects(resources)
    .filter(({ obj }) => obj.kind === "Cluster" && String(obj.apiVersion).startsWith("postgresql.cnpg.io/"))
    .map(({ obj }) => {
      const namespace = obj.metadata.namespace ?? "default";
      const name = obj.metadata.name ?? "?";
      const requests = get(obj.spec, "resources.requests");
      const container = (n: string) => ({
        name: n,
        cpu: String(get(requests, "cpu") ?? "0"),
        memory: String(get(requests, "memory") ?? "0"),
      });
      const instances = typeof obj.spec?.instances === "number" ? obj.spec.instances : 1;
      const planned = plannedFromFootprint(`store/${namespace}/${name}`, namespace, {
        name,
        kind: "StatefulSet",
        replicas: instances,
        containers: [container(CNPG_POSTGRES_CONTAINER)],
        initContainers: [container(CNPG_BOOTSTRAP_CONTAINER)],
        placement: isRecord(obj.spec)
          ? podPlacement({ affinity: obj.spec.affinity, tolerations: obj.spec.tolerations })
          : {},
      });
      return { ...planned, workload: `Cluster/${namespace}/${name}` };
    });
}

const num0 = (v: unknown) => {
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
};

/** The data stores among the resources: AWS resources tagged `agentops.io/store`. */
function storesOf(resources: readonly StackResourceLike[]): StoreCostInput[] {
  const tagOf = (r: StackResourceLike, key: string) =>
    isRecord(r.props.tags) ? r.props.tags[key] : undefined;
  const out: StoreCostInput[] = [];
  for (const r of resources) {
    const store = tagOf(r, STORE_TAGS.store);
    if (typeof store !== "string") continue;
    if (r.type === "aws:rds/instance:Instance") {
      out.push({
        store,
        kind: "rds",
        instanceClass: String(r.props.instanceClass),
        allocatedGiB: num0(r.props.allocatedStorage),
        multiAz: r.props.multiAz === true,
        backupRetentionDays: num0(r.props.backupRetentionPeriod),
      });
    } else if (r.type === "aws:elasticache/replicationGroup:ReplicationGroup") {
      out.push({
        store,
        kind: "elasticache",
        nodeType: String(r.props.nodeType),
        nodes: typeof r.props.numCacheClusters === "number" ? r.props.numCacheClusters : 1,
      });
    } else if (r.type === "aws:s3/bucket:Bucket") {
      out.push({
        store,
        kind: "s3",
        expectedGiB: num0(tagOf(r, STORE_TAGS.expectedStorageGiB)),
        writesPerMonth: num0(tagOf(r, STORE_TAGS.expectedWritesPerMonth)),
        readsPerMonth: num0(tagOf(r, STORE_TAGS.expectedReadsPerMonth)),
      });
    }
  }
  return out.sort((a, b) => a.store.localeCompare(b.store));
}

/** The selection condition key of the EBS CSI driver's namespace tag on the volumes it creates. */
export const PVC_NAMESPACE_TAG_CONDITION = "aws:ResourceTag/kubernetes.io/created-for/pvc/namespace";

/** AWS Backup of agents' volumes: the plan's retention and the namespaces its selections take volumes from. */
function volumeBackupsOf(resources: readonly StackResourceLike[]): StackCostInput["volumeBackups"] {
  const plan = resources.find((r) => r.type === "aws:backup/plan:Plan");
  if (!plan) return undefined;
  const retentionDays = Math.max(
    0,
    ...asArray(plan.props.rules).map((rule) => num0(get(rule, "lifecycle.deleteAfter"))),
  );
  const namespaces = resources
    .filter((r) => r.type === "aws:backup/selection:Selection")
    .flatMap((r) => asArray(r.props.conditions).flatMap((c) => asArray(get(c, "stringEquals"))))
    .filter((e) => get(e, "key") === PVC_NAMESPACE_TAG_CONDITION)
    .map((e) => String(get(e, "value")));
  return { retentionDays, namespaces: [...new Set(namespaces)].sort() };
}

/**
 * The cost model's inputs from a stack's resources.
 * @param fallback node groups to price and place on when the stack declares none (pack config `nodeGroups`).
 * @throws {CostModelError} when a CronJob's schedule does not parse.
 */
export function stackCostInput(
  resources: readonly StackResourceLike[],
  fallback: NodeGroupsPricing,
): StackCostInput {
  const declared = nodeGroupsOf(resources);
  const { workloads, agents } = agentsOf(resources);
  return {
    clusters: resources.filter((r) => r.type === "aws:eks/cluster:Cluster").length,
    natGateways: resources.filter((r) => r.type === "aws:ec2/natGateway:NatGateway").length,
    cacheNodes: resources
      .filter(
        (r) =>
          r.type === "aws:elasticache/replicationGroup:ReplicationGroup" &&
          !(isRecord(r.props.tags) && typeof r.props.tags[STORE_TAGS.store] === "string"),
      )
      .map((r) => ({
        nodeType: String(r.props.nodeType),
        nodes: typeof r.props.numCacheClusters === "number" ? r.props.numCacheClusters : 1,
      })),
    stores: storesOf(resources),
    alarms: resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm").length,
    volumeBackups: volumeBackupsOf(resources),
    nodeGroups: declared.length > 0 ? declared : fallbackNodeGroups(fallback),
    declaredNodeGroups: declared.length > 0,
    workloads: [...platformWorkloads(resources), ...workloads],
    agents,
  };
}

/** Every figure of a stack. */
export interface StackEstimate {
  /** The capacity plan; `undefined` when the stack declares no node groups (a cluster made elsewhere). */
  plan: CapacityPlan | undefined;
  /** Configuration errors of the plan (also in `plan.errors`); the figures assume the plan as computed. */
  errors: ConfigIssue[];
  /** Lines at the expected scale (`monthlyUsd`) and the budget scale (`maxMonthlyUsd`). */
  infrastructure: (CostLine & { maxMonthlyUsd: number })[];
  agents: (StackAgentInput & { cost: AgentCost; gpus: number; nodeGroups: string[] })[];
}

/**
 * Prices a stack: node groups at the nodes the plan needs (at least `minSize`) at min replicas for the
 * expected figure and at max replicas for the budget figure; each agent's pods at the unit prices of the
 * group the plan places them on.
 */
export function estimateStack(input: StackCostInput, prices: RegionPrices): StackEstimate {
  const plan = capacityPlan(prices, input.nodeGroups, input.workloads);
  const byName = new Map(input.nodeGroups.map((g) => [g.name, g]));
  const groupOf = new Map(plan.placements.map((p) => [p.workload, p.groups[0]]));
  // A pod the plan could not place (an error the plan reports) is priced on a GPU group if it asks for GPUs.
  const gpuGroup = input.nodeGroups.find((g) =>
    g.instanceTypes.some((t) => instanceType(prices, t).gpus > 0),
  );
  const pricingOf = (name: string | undefined, gpus = 0) => {
    const g = (name && byName.get(name)) || (gpus > 0 && gpuGroup) || input.nodeGroups[0]!;
    return { instanceTypes: g.instanceTypes, spot: g.spot };
  };
  // The agents' volumes AWS Backup takes: their claims in the selected namespaces, at min and at max replicas.
  const backedUpGiB = (scale: "min" | "max") => {
    const backups = input.volumeBackups;
    if (!backups) return 0;
    const replicas = new Map(input.workloads.map((w) => [w.workload, w.replicas]));
    return input.agents
      .filter((a) => backups.namespaces.includes(a.namespace))
      .flatMap((a) => a.workloads)
      .reduce(
        (sum, aw) =>
          sum +
          aw.fixedClaimGiB +
          (aw.job ? 0 : aw.claimGiBPerReplica * (replicas.get(aw.workload)?.[scale] ?? 0)),
        0,
      );
  };
  const infra = (scale: "min" | "max") =>
    infrastructureMonthly(prices, {
      clusters: input.clusters,
      natGateways: input.natGateways,
      cacheNodes: input.cacheNodes,
      stores: input.stores,
      alarms: input.alarms,
      ...(input.volumeBackups
        ? {
            volumeBackups: {
              volumeGiB: backedUpGiB(scale),
              retentionDays: input.volumeBackups.retentionDays,
            },
          }
        : {}),
      nodeGroups: input.declaredNodeGroups
        ? plan.groups.map((g) => ({
            name: g.name,
            pricing: pricingOf(g.name),
            nodes: Math.max(g.minSize, g[scale].steadyNodes),
            diskGiB: byName.get(g.name)!.diskGiB,
          }))
        : [],
    });
  const expected = infra("min");
  const atMax = infra("max");
  const infrastructure = expected.map((line, i) => {
    const max = atMax[i]!;
    // `2 × m7i.large (on-demand)` at min; the count at max too when it differs.
    const detail =
      max.detail === line.detail ? line.detail : `${line.detail}, ${max.detail.split(" ")[0]} at max`;
    return { ...line, detail, maxMonthlyUsd: max.monthlyUsd };
  });

  const workloadById = new Map(input.workloads.map((w) => [w.workload, w]));
  const agents = input.agents.map((a) => {
    const total: AgentCost = {
      expectedComputeUsd: 0,
      maxComputeUsd: 0,
      jobComputeUsd: 0,
      storageUsd: 0,
      maxStorageUsd: 0,
      llmUsd: a.llmMonthlyUsd,
      expectedMonthlyUsd: a.llmMonthlyUsd,
      maxMonthlyUsd: a.llmMonthlyUsd,
    };
    let gpus = 0;
    const groups: string[] = [];
    for (const aw of a.workloads) {
      const w = workloadById.get(aw.workload)!;
      const group = groupOf.get(aw.workload);
      if (group && !groups.includes(group)) groups.push(group);
      gpus = Math.max(gpus, w.requests.gpus);
      const unit = nodeGroupUnitPrices(prices, pricingOf(group, w.requests.gpus));
      const cost = agentMonthlyCost(
        {
          ...(aw.job
            ? { job: { pod: w.requests, unit, ...aw.job } }
            : {
                service: {
                  pod: w.requests,
                  unit,
                  minReplicas: w.replicas.min,
                  maxReplicas: w.replicas.max,
                },
              }),
          storageGiB: aw.fixedClaimGiB + aw.claimGiBPerReplica * (aw.job ? 0 : w.replicas.min),
          maxStorageGiB: aw.fixedClaimGiB + aw.claimGiBPerReplica * (aw.job ? 0 : w.replicas.max),
          llmMonthlyUsd: 0,
        },
        prices,
      );
      for (const k of Object.keys(total) as (keyof AgentCost)[]) total[k] += cost[k];
    }
    const order = (g: string) => input.nodeGroups.findIndex((n) => n.name === g);
    return { ...a, cost: total, gpus, nodeGroups: groups.sort((x, y) => order(x) - order(y)) };
  });
  return {
    plan: input.declaredNodeGroups ? plan : undefined,
    errors: input.declaredNodeGroups ? plan.errors : [],
    infrastructure,
    agents,
  };
}

/**
 * The environment's monthly figures: infrastructure (whose node groups already hold the agents'
 * long-running pods) plus what agents add beyond those nodes — scheduled runs, claims and LLM spend. The
 * agents' service compute is their share of the node groups (showback), so it is not added a second time.
 */
export function environmentMonthly(estimate: StackEstimate): { expectedUsd: number; maxUsd: number } {
  const infra = (key: "monthlyUsd" | "maxMonthlyUsd") =>
    estimate.infrastructure.reduce((sum, l) => sum + l[key], 0);
  const agents = (storage: "storageUsd" | "maxStorageUsd") =>
    estimate.agents.reduce((sum, a) => sum + a.cost.jobComputeUsd + a.cost[storage] + a.cost.llmUsd, 0);
  return {
    expectedUsd: infra("monthlyUsd") + agents("storageUsd"),
    maxUsd: infra("maxMonthlyUsd") + agents("maxStorageUsd"),
  };
}
