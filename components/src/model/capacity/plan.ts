/**
 * The capacity plan: every workload placed onto the node groups the way the scheduler would, and the nodes
 * each group needs at the minimum and at the maximum scale.
 *
 * Rules (each a choice, stated so it can be changed here):
 * - A group exists when its `maxSize` > 0. A pod may run on a group whose labels satisfy its nodeSelector and
 *   required node affinity, whose NoSchedule/NoExecute taints it tolerates, and whose nodes have the GPUs it
 *   requests. Among those it goes to the first group matching one of its preferred terms, else to the first
 *   in the order the groups are given (system, spot, gpu): a pod that merely tolerates spot still lands on
 *   system nodes, the safe side for sizing.
 * - A DaemonSet runs one pod on every node of every group it may run on; its requests are taken off each
 *   node before other pods are packed.
 * - Other pods are packed first-fit decreasing (by CPU, then memory) onto nodes of the group's smallest
 *   instance type (the group may launch any of its types); pods that must not share a node
 *   (`onePerNode`: required anti-affinity on the hostname) get one node each.
 * - Min: every workload at its minimum replicas; max: at its maximum. Both include one run of each agent job
 *   for sizing (`nodes`); `steadyNodes` leaves jobs out, since a run holds its node for its duration only.
 *   Rolling-update surge pods are not counted: they live for one rollout at a time, and the max scenario
 *   already holds every agent at its ceiling at once.
 * - Helm hook Jobs are not placed: they run during an install or upgrade and are gone after it.
 */
import type { ConfigIssue } from "../../config/errors";
import type { RegionPrices } from "../../catalog/prices";
import { groupAllocatable, type Allocatable } from "./nodes";
import type { NodeRequirement, Placement, PlannedWorkload, Toleration } from "./workloads";

/** A node group as the plan reads it (from the stack's config or its `aws:eks/nodeGroup` resources). */
export interface PlanNodeGroup {
  /** `system`, `spot`, `gpu`. */
  name: string;
  instanceTypes: readonly string[];
  spot: boolean;
  /** Node labels, including the ones EKS sets on every node (see {@link nodeLabels}). */
  labels: Readonly<Record<string, string>>;
  taints: readonly { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
  minSize: number;
  desiredSize: number;
  maxSize: number;
  /** Root volume per node, GiB. */
  diskGiB: number;
  /**
   * Managed node groups the group is made of, one per availability zone; its sizes are their totals.
   * @default 1
   */
  zones?: number;
}

/** Labels every EKS node carries besides the group's own (kubelet and EKS managed node groups). */
export function nodeLabels(own: Readonly<Record<string, string>>, spot: boolean): Record<string, string> {
  return {
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "eks.amazonaws.com/capacityType": spot ? "SPOT" : "ON_DEMAND",
    ...own,
  };
}

/** Requested or allocatable totals. */
export interface Totals {
  cpu: number;
  memoryGiB: number;
  pods: number;
  gpus: number;
}

/** What a group needs in one scenario. */
export interface GroupNeed {
  /** Nodes for everything placed, one run of each job included: what `maxSize` must allow. */
  nodes: number;
  /**
   * Nodes for the long-running pods alone (Jobs left out): what runs all month and is priced. A job's run
   * adds capacity for its duration only, which its agent's cost counts per run.
   */
  steadyNodes: number;
  /** Everything placed on those nodes, DaemonSet pods included. */
  requested: Totals;
  /** nodes × allocatable per node. */
  allocatable: Totals;
}

export interface GroupPlan {
  name: string;
  instanceTypes: readonly string[];
  /** One node of the group's smallest type. */
  allocatablePerNode: Allocatable;
  /** What the DaemonSets take on each node. */
  daemonSetsPerNode: Totals;
  minSize: number;
  desiredSize: number;
  maxSize: number;
  /** Managed node groups (one per zone) the sizes add up over. */
  zones: number;
  /** At minimum replicas (the expected cost) and at maximum replicas (the budget). */
  min: GroupNeed;
  max: GroupNeed;
}

export interface CapacityPlan {
  groups: GroupPlan[];
  /** Each workload and the groups it runs on (one for a Deployment, StatefulSet or Job; each for a DaemonSet). */
  placements: { owner: string; workload: string; groups: string[] }[];
  /** Configuration errors: pods that fit no group, groups whose maxSize is too small. */
  errors: ConfigIssue[];
  /** Not errors, but worth a line: desiredSize below what the minimum scale needs. */
  warnings: string[];
}

const zero = (): Totals => ({ cpu: 0, memoryGiB: 0, pods: 0, gpus: 0 });

function labelMatches(labels: Readonly<Record<string, string>>, r: NodeRequirement): boolean {
  const value = labels[r.key];
  switch (r.operator) {
    case "In":
      return value !== undefined && (r.values ?? []).includes(value);
    case "NotIn":
      return value === undefined || !(r.values ?? []).includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
  }
}

const termMatches = (labels: Readonly<Record<string, string>>, term: readonly NodeRequirement[]) =>
  term.every((r) => labelMatches(labels, r));

/** Whether a toleration tolerates a taint (k8s.io/api core/v1 `Toleration.ToleratesTaint`). */
export function tolerates(t: Toleration, taint: PlanNodeGroup["taints"][number]): boolean {
  if (t.effect !== undefined && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === "Exists";
  if (t.key !== taint.key) return false;
  return t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "");
}

/** Why a pod may not run on a group, or `undefined` when it may. */
export function whyNot(
  p: Placement,
  gpus: number,
  group: PlanNodeGroup,
  alloc: Allocatable,
): string | undefined {
  for (const [k, v] of Object.entries(p.nodeSelector ?? {})) {
    if (group.labels[k] !== v) return `nodeSelector ${k}=${v} does not match`;
  }
  if (p.required && p.required.length > 0 && !p.required.some((t) => termMatches(group.labels, t))) {
    return "required node affinity does not match";
  }
  for (const taint of group.taints) {
    if (taint.effect === "PreferNoSchedule") continue;
    if (!(p.tolerations ?? []).some((t) => tolerates(t, taint))) {
      return `taint ${taint.key}=${taint.value ?? ""}:${taint.effect} not tolerated`;
    }
  }
  if (gpus > alloc.gpus) return `needs ${gpus} GPU, nodes have ${alloc.gpus}`;
  return undefined;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const describe = (t: { cpu: number; memoryGiB: number }) => `${fmt(t.cpu)} CPU / ${fmt(t.memoryGiB)} GiB`;

/** Nodes needed for `pods` on nodes of `capacity`, first-fit decreasing; `onePerNode` pods never share. */
function pack(
  pods: { cpu: number; memoryGiB: number; gpus: number; key: string; onePerNode: boolean; job: boolean }[],
  capacity: Totals,
): number {
  const sorted = [...pods].sort((a, b) => b.cpu - a.cpu || b.memoryGiB - a.memoryGiB);
  const nodes: { free: Totals; keys: Set<string> }[] = [];
  const eps = 1e-9;
  for (const pod of sorted) {
    let node = nodes.find(
      (n) =>
        n.free.cpu + eps >= pod.cpu &&
        n.free.memoryGiB + eps >= pod.memoryGiB &&
        n.free.gpus >= pod.gpus &&
        n.free.pods >= 1 &&
        !(pod.onePerNode && n.keys.has(pod.key)),
    );
    if (!node) {
      node = { free: { ...capacity }, keys: new Set() };
      nodes.push(node);
    }
    node.free.cpu -= pod.cpu;
    node.free.memoryGiB -= pod.memoryGiB;
    node.free.gpus -= pod.gpus;
    node.free.pods -= 1;
    node.keys.add(pod.key);
  }
  return nodes.length;
}

/**
 * Places `workloads` onto `groups` and counts the nodes each group needs at min and max scale.
 * @param groups node groups in preference order (system first).
 */
export function capacityPlan(
  prices: RegionPrices,
  groups: readonly PlanNodeGroup[],
  workloads: readonly PlannedWorkload[],
): CapacityPlan {
  const existing = groups.filter((g) => g.maxSize > 0);
  const alloc = new Map(existing.map((g) => [g.name, groupAllocatable(prices, g.instanceTypes)]));
  const errors: ConfigIssue[] = [];
  const warnings: string[] = [];
  const placements: CapacityPlan["placements"] = [];
  const daemonSets = new Map(existing.map((g) => [g.name, zero()]));
  const onGroup = new Map<string, PlannedWorkload[]>(existing.map((g) => [g.name, []]));

  for (const w of workloads) {
    const eligible = existing.filter(
      (g) => whyNot(w.placement, w.requests.gpus, g, alloc.get(g.name)!) === undefined,
    );
    if (w.kind === "DaemonSet") {
      for (const g of eligible) {
        const ds = daemonSets.get(g.name)!;
        ds.cpu += w.requests.cpu;
        ds.memoryGiB += w.requests.memoryGiB;
        ds.gpus += w.requests.gpus;
        ds.pods += 1;
      }
      placements.push({ owner: w.owner, workload: w.workload, groups: eligible.map((g) => g.name) });
      continue;
    }
    if (eligible.length === 0) {
      const reasons = groups.map((g) =>
        g.maxSize > 0
          ? `${g.name}: ${whyNot(w.placement, w.requests.gpus, g, alloc.get(g.name)!)}`
          : `${g.name}: maxSize 0`,
      );
      errors.push({
        path: w.owner,
        value: w.workload,
        allowed: `its pods fit no node group (${reasons.join("; ")})`,
      });
      placements.push({ owner: w.owner, workload: w.workload, groups: [] });
      continue;
    }
    const preferred = (w.placement.preferred ?? [])
      .map((term) => eligible.find((g) => termMatches(g.labels, term)))
      .find((g) => g !== undefined);
    const chosen = preferred ?? eligible[0]!;
    onGroup.get(chosen.name)!.push(w);
    placements.push({ owner: w.owner, workload: w.workload, groups: [chosen.name] });
  }

  const plans: GroupPlan[] = [];
  for (const g of groups) {
    const per = alloc.get(g.name);
    if (!per) continue;
    const ds = daemonSets.get(g.name)!;
    const capacity: Totals = {
      cpu: per.cpu - ds.cpu,
      memoryGiB: per.memoryGiB - ds.memoryGiB,
      pods: per.pods - ds.pods,
      gpus: per.gpus - ds.gpus,
    };
    const placed = onGroup.get(g.name)!;
    for (const w of placed) {
      const r = w.requests;
      if (r.cpu > capacity.cpu + 1e-9 || r.memoryGiB > capacity.memoryGiB + 1e-9) {
        errors.push({
          path: w.owner,
          value: w.workload,
          allowed: `one pod requests ${describe(r)}, more than a ${g.name} node offers after its DaemonSets (${describe(capacity)} of ${g.instanceTypes.join("|")})`,
        });
      }
    }
    const fits = placed.filter(
      (w) => w.requests.cpu <= capacity.cpu + 1e-9 && w.requests.memoryGiB <= capacity.memoryGiB + 1e-9,
    );
    const need = (scale: "min" | "max"): GroupNeed => {
      const pods = fits.flatMap((w) =>
        Array.from({ length: w.replicas[scale] }, () => ({
          ...w.requests,
          key: w.workload,
          onePerNode: w.onePerNode,
          job: w.kind === "Job",
        })),
      );
      const nodes = pack(pods, capacity);
      const steadyNodes = pack(
        pods.filter((p) => !p.job),
        capacity,
      );
      const requested = pods.reduce(
        (t, p) => ({
          cpu: t.cpu + p.cpu,
          memoryGiB: t.memoryGiB + p.memoryGiB,
          pods: t.pods + 1,
          gpus: t.gpus + p.gpus,
        }),
        {
          cpu: ds.cpu * nodes,
          memoryGiB: ds.memoryGiB * nodes,
          pods: ds.pods * nodes,
          gpus: ds.gpus * nodes,
        },
      );
      return {
        nodes,
        steadyNodes,
        requested,
        allocatable: {
          cpu: per.cpu * nodes,
          memoryGiB: per.memoryGiB * nodes,
          pods: per.pods * nodes,
          gpus: per.gpus * nodes,
        },
      };
    };
    const min = need("min");
    const max = need("max");
    const key = `cluster.nodeGroups.${g.name}`;
    if (max.nodes > g.maxSize) {
      errors.push({
        path: `${key}.maxSize`,
        value: g.maxSize,
        allowed: `the capacity plan needs ${max.nodes} ${g.instanceTypes.join("|")} nodes at max replicas (requests ${describe(max.requested)}, ${max.requested.pods} pods; one node offers ${describe(per)}, ${per.pods} pods); raise maxSize to at least ${max.nodes}`,
      });
    }
    if (g.desiredSize < min.steadyNodes) {
      warnings.push(
        `${key}.desiredSize: ${g.desiredSize} is below the ${min.steadyNodes} nodes the capacity plan needs at min replicas; the cluster autoscaler adds them after the first deploy`,
      );
    }
    plans.push({
      name: g.name,
      instanceTypes: g.instanceTypes,
      allocatablePerNode: per,
      daemonSetsPerNode: ds,
      minSize: g.minSize,
      desiredSize: g.desiredSize,
      maxSize: g.maxSize,
      zones: g.zones ?? 1,
      min,
      max,
    });
  }
  return { groups: plans, placements, errors, warnings };
}

/** The plan as a plain-text table: per group, nodes at min and max, requested vs allocatable. */
export function formatCapacityPlan(plan: CapacityPlan): string {
  const header = [
    "group",
    "instance",
    "zones",
    "size min/desired/max",
    "nodes@min",
    "requested@min",
    "nodes@max",
    "requested@max",
  ];
  const share = (n: GroupNeed) =>
    `${fmt(n.requested.cpu)}/${fmt(n.allocatable.cpu)} CPU ${fmt(n.requested.memoryGiB, 1)}/${fmt(n.allocatable.memoryGiB, 1)} GiB`;
  // Job runs need their node only while they run: shown, but the steady count is what is priced.
  const nodes = (n: GroupNeed) =>
    n.steadyNodes === n.nodes ? String(n.nodes) : `${n.nodes} (${n.steadyNodes} without jobs)`;
  const rows = plan.groups.map((g) => [
    g.name,
    g.instanceTypes[0]! + (g.instanceTypes.length > 1 ? `+${g.instanceTypes.length - 1}` : ""),
    String(g.zones),
    `${g.minSize}/${g.desiredSize}/${g.maxSize}`,
    nodes(g.min),
    share(g.min),
    nodes(g.max),
    share(g.max),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (cells: string[]) =>
    "  " +
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [
    "capacity plan (requested / allocatable; DaemonSets counted on every node; sizes are totals over the zones' node groups)",
    "",
    render(header),
    ...rows.map(render),
    ...plan.warnings.map((w) => `warning: ${w}`),
  ].join("\n");
}
