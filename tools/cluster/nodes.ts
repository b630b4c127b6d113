/**
 * Fake nodes shaped like a stack's node groups, for kwok: one Node per node the capacity plan needs at minimum
 * scale (`out/<stack>/capacity.json`, `nodeGroups[].min.nodes`, one run of each job included), with
 * - the group's labels and taints as the program gives them to EKS (`aws:eks/nodeGroup` inputs in
 *   `resources.json`, read by the cost model's `stackCostInput`, which adds the labels EKS and the kubelet set:
 *   `kubernetes.io/os`, `kubernetes.io/arch`, `eks.amazonaws.com/capacityType`), plus `kubernetes.io/hostname`,
 *   `node.kubernetes.io/instance-type` (the group's first type), `eks.amazonaws.com/nodegroup` and the zone and
 *   region of the stack's subnets, round-robin (so zone spread constraints see what EKS would show);
 * - `status.allocatable` = the plan's `allocatablePerNode` (CPU to whole millicores and memory to whole KiB,
 *   rounded down; pods; `nvidia.com/gpu` when the type has GPUs), and `ephemeral-storage` = 90% of the group's
 *   root volume (the kubelet's default hard eviction `nodefs.available<10%`; the plan does not count disk);
 * - annotation `kwok.x-k8s.io/node: fake`, which is how kwok knows which nodes to run.
 *
 * The EKS managed add-ons (vpc-cni, kube-proxy, CoreDNS, EBS CSI, Pod Identity agent) run on every EKS node but
 * are not in the stack's manifests: {@link eksAddonStandIns} makes one workload per add-on workload the plan
 * counts (capacity/eks-addons.ts), with the same requests and placement, so the scheduler sees the load the plan
 * assumed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  capacityPlan,
  DEFAULT_NODE_GROUPS,
  regionPrices,
  stackCostInput,
  type NodeGroupsPricing,
  type StackCostInput,
  type StackResourceLike,
} from "@agentops/components/model";
import { ToolError } from "../lib/cli";
import { describeObject, poll, type KubeClient, type KubeObject } from "../kube/client";

/** The annotation kwok selects its nodes by (`--manage-nodes-with-annotation-selector`). */
export const FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node";
/** Label on every object verify makes up (EKS add-on stand-ins), with what it stands for. */
export const STAND_IN_LABEL = "agentops.io/stand-in";
/** The kubelet version fake nodes report. */
export const KUBELET_VERSION = "v1.35.4";

/** One node group of `capacity.json`, as far as the nodes need it. */
interface CapacityGroup {
  name: string;
  instanceTypes: string[];
  allocatablePerNode: { cpu: number; memoryGiB: number; pods: number; gpus: number };
  min: { nodes: number };
}

/** A resource of `resources.json`. */
interface ResourceRecord {
  urn: string;
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** What {@link stackNodes} reads: the stack's synth output. */
export interface StackOutput {
  /** `capacity.json`; absent for a stack on a cluster made elsewhere (see {@link fakeNodes}). */
  capacity: { nodeGroups: CapacityGroup[] } | undefined;
  resources: ResourceRecord[];
}

/**
 * Reads `capacity.json` and `resources.json` of a synth output folder (`out/<stack>/` unless `dir` says).
 * @throws ToolError naming a missing file
 */
export function readStackOutput(
  root: string,
  stack: string,
  dir = path.join(root, "out", stack),
): StackOutput {
  const read = <T>(file: string): T => {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) {
      throw new ToolError(`out/${stack}/${file}: missing — run \`npm run synth -- ${stack}\` first`);
    }
    return JSON.parse(fs.readFileSync(full, "utf8")) as T;
  };
  const resources = read<ResourceRecord[]>("resources.json");
  // A stack on a cluster made elsewhere has no capacity plan of its own (synth writes none).
  const capacity = fs.existsSync(path.join(dir, "capacity.json"))
    ? read<{ nodeGroups: CapacityGroup[] }>("capacity.json")
    : undefined;
  return { capacity, resources };
}

/** The stack's resources in the shape the cost model reads. Pure. */
export function asStackResources(resources: readonly ResourceRecord[]): StackResourceLike[] {
  return resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs }));
}

/**
 * The cost model's reading of the stack. Its fallback groups (for a stack without node groups) are priced from
 * capacity.json's groups; callers check `declaredNodeGroups`.
 */
function costInput(out: StackOutput) {
  const pricing = out.capacity
    ? (Object.fromEntries(
        out.capacity.nodeGroups.map((g) => [g.name, { instanceTypes: g.instanceTypes, spot: false }]),
      ) as unknown as NodeGroupsPricing)
    : DEFAULT_NODE_GROUPS;
  return stackCostInput(asStackResources(out.resources), pricing);
}

/** EKS's root volume when a node group sets none (20 GiB). */
const EKS_DEFAULT_DISK_GIB = 20;

/** The region the default node groups are priced in: the price table's (its instance types' allocatable). */
const DEFAULT_REGION = "us-east-1";

/** The instance type of a cluster made elsewhere's fake system nodes (see {@link defaultGroupsCapacity}). */
const EXISTING_CLUSTER_INSTANCE_TYPE = "m7i.xlarge";

/**
 * For a stack on a cluster made elsewhere: the capacity plan over the cost model's default node groups
 * (DEFAULT_NODE_GROUPS: the contract's labels and taints, no upper bound), in capacity.json's shape, so its
 * fake nodes are as many and as large as that plan needs for the stack's pods at minimum scale.
 */
export function defaultGroupsCapacity(input: StackCostInput): { nodeGroups: CapacityGroup[] } {
  // The default system group's m7i.large (1.93 allocatable CPU) is smaller than some agents' pods (dev's
  // ai-agent asks for 2 CPU, and its spot preference means nothing on a cluster without the stack's groups):
  // a cluster made elsewhere is of unknown shape, so its fake system nodes are the spot group's size (xlarge:
  // 4 vCPU, 16 GiB). A pod that still fits no fake node is an error, never a silent Pending.
  const groups = input.nodeGroups.map((g) =>
    g.name === "system" ? { ...g, instanceTypes: [EXISTING_CLUSTER_INSTANCE_TYPE] } : g,
  );
  const plan = capacityPlan(regionPrices(DEFAULT_REGION), groups, input.workloads);
  if (plan.errors.length > 0) {
    throw new ToolError(
      `nodes: the stack's pods fit no fake node: ${plan.errors.map((e) => `${e.path} ${String(e.value)}: ${e.allowed}`).join("; ")}`,
    );
  }
  return {
    nodeGroups: plan.groups.map((g) => ({
      name: g.name,
      instanceTypes: [...g.instanceTypes],
      allocatablePerNode: g.allocatablePerNode,
      min: { nodes: g.min.nodes },
    })),
  };
}

/**
 * Zones of the stack's subnets (sorted, distinct), or, for a stack that declares none (an existing cluster), the
 * first zone of the region its default node groups are priced in: a real zone name, so the region label derived
 * from it is a valid label value too.
 */
export function zonesOf(resources: readonly ResourceRecord[]): string[] {
  const zones = [
    ...new Set(
      resources
        .filter((r) => r.type === "aws:ec2/subnet:Subnet")
        .map((r) => r.inputs.availabilityZone)
        .filter((z): z is string => typeof z === "string"),
    ),
  ].sort();
  return zones.length > 0 ? zones : [`${DEFAULT_REGION}a`];
}

/** Round down to whole millicores / KiB, as quantities. Pure. */
export const cpuQuantity = (cores: number) => `${Math.floor(cores * 1000 + 1e-6)}m`;
export const memoryQuantity = (gib: number) => `${Math.floor(gib * 1024 * 1024 + 1e-6)}Ki`;

/**
 * The fake nodes of a stack. Pure. A stack on a cluster made elsewhere (no node groups of its own) gets the
 * nodes the capacity plan over the default node groups needs ({@link defaultGroupsCapacity}).
 * @throws ToolError when capacity.json names a group resources.json lacks
 */
export function fakeNodes(out: StackOutput): KubeObject[] {
  const input = costInput(out);
  if (input.declaredNodeGroups && !out.capacity) {
    throw new ToolError(
      "nodes: the stack declares node groups but has no capacity.json — synthesize it again",
    );
  }
  const capacity = out.capacity ?? defaultGroupsCapacity(input);
  const zones = zonesOf(out.resources);
  const nodes: KubeObject[] = [];
  let index = 0;
  for (const g of capacity.nodeGroups) {
    const group = input.nodeGroups.find((n) => n.name === g.name);
    if (!group)
      throw new ToolError(
        `nodes: capacity.json group ${JSON.stringify(g.name)} — no such aws:eks/nodeGroup in resources.json`,
      );
    const a = g.allocatablePerNode;
    // The default groups of a cluster made elsewhere state no disk: EKS's default root volume then.
    const diskGiB = group.diskGiB > 0 ? group.diskGiB : EKS_DEFAULT_DISK_GIB;
    const disk = `${Math.floor(diskGiB * 0.9 * 1024 * 1024)}Ki`;
    const allocatable: Record<string, string> = {
      cpu: cpuQuantity(a.cpu),
      memory: memoryQuantity(a.memoryGiB),
      pods: String(a.pods),
      "ephemeral-storage": disk,
      ...(a.gpus > 0 ? { "nvidia.com/gpu": String(a.gpus) } : {}),
    };
    for (let i = 0; i < g.min.nodes; i++) {
      const name = `agentops-${g.name}-${i}`;
      const zone = zones[index++ % zones.length]!;
      nodes.push({
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          annotations: { [FAKE_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
          labels: {
            ...group.labels,
            "kubernetes.io/hostname": name,
            "node.kubernetes.io/instance-type": g.instanceTypes[0]!,
            "eks.amazonaws.com/nodegroup": g.name,
            "topology.kubernetes.io/zone": zone,
            "topology.kubernetes.io/region": zone.replace(/[a-z]$/, ""),
          },
        },
        spec: {
          taints: group.taints.map((t) => ({
            key: t.key,
            ...(t.value !== undefined ? { value: t.value } : {}),
            effect: t.effect,
          })),
        },
        status: {
          allocatable,
          capacity: allocatable,
          nodeInfo: {
            kubeletVersion: KUBELET_VERSION,
            architecture: "amd64",
            operatingSystem: "linux",
            containerRuntimeVersion: "kwok",
            kernelVersion: "kwok",
            kubeProxyVersion: KUBELET_VERSION,
            machineID: "",
            bootID: "",
            osImage: "",
            systemUUID: "",
          },
        },
      });
    }
  }
  return nodes;
}

/** The fake nodes of `out/<stack>/` (see {@link fakeNodes}). */
export function stackNodes(root: string, stack: string): KubeObject[] {
  return fakeNodes(readStackOutput(root, stack));
}

type Planned = StackCostInput["workloads"][number];

/**
 * One pod template from a planned workload: a single container holding the pod's requests, the workload's
 * placement (and one pod per node where the plan says so), and a security context that Pod Security
 * `restricted` admits, so a stand-in is never refused where the workload it stands for would not be.
 */
function standInPod(w: Planned, name: string, standsFor: string) {
  const p = w.placement;
  const requests = {
    cpu: cpuQuantity(w.requests.cpu),
    memory: `${Math.round(w.requests.memoryGiB * 2 ** 30)}`,
    ...(w.requests.gpus > 0 ? { "nvidia.com/gpu": String(w.requests.gpus) } : {}),
  };
  const nodeAffinity =
    p.required && p.required.length > 0
      ? {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: p.required.map((t) => ({ matchExpressions: t })),
          },
        }
      : undefined;
  const podAntiAffinity = w.onePerNode
    ? {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: name } }, topologyKey: "kubernetes.io/hostname" },
        ],
      }
    : undefined;
  return {
    metadata: { labels: { app: name, [STAND_IN_LABEL]: standsFor } },
    spec: {
      ...(p.nodeSelector && Object.keys(p.nodeSelector).length > 0 ? { nodeSelector: p.nodeSelector } : {}),
      ...(nodeAffinity || podAntiAffinity
        ? {
            affinity: {
              ...(nodeAffinity ? { nodeAffinity } : {}),
              ...(podAntiAffinity ? { podAntiAffinity } : {}),
            },
          }
        : {}),
      tolerations: p.tolerations ?? [],
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
      // kwok never runs the image; this one is never pulled.
      containers: [
        {
          name: "stand-in",
          image: "registry.k8s.io/pause:3.10",
          resources: { requests, limits: requests },
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            readOnlyRootFilesystem: true,
          },
        },
      ],
    },
  };
}

/** A workload object standing in for a planned workload: same kind, namespace, name, min replicas. Pure. */
export function standIn(w: Planned, standsFor: string): KubeObject {
  const [kind, namespace, name] = w.workload.split("/") as [string, string, string];
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: { name, namespace, labels: { [STAND_IN_LABEL]: standsFor } },
    spec: {
      ...(kind === "DaemonSet" ? {} : { replicas: w.replicas.min }),
      selector: { matchLabels: { app: name } },
      template: standInPod(w, name, standsFor),
    },
  };
}

/**
 * Stand-ins for the EKS managed add-ons' workloads the capacity plan counts (owner `eks-addon/<name>`), in
 * kube-system. Pure.
 */
export function eksAddonStandIns(out: StackOutput): KubeObject[] {
  return costInput(out)
    .workloads.filter((w) => w.owner.startsWith("eks-addon/"))
    .map((w) => standIn(w, w.owner.replace("/", "-")));
}

/**
 * Stand-ins for the platform workloads the plan counts that no applied object is: those an operator makes from
 * a custom resource (Prometheus and Alertmanager from the Prometheus Operator, Envoy proxies and the rate limit
 * service from Envoy Gateway). No operator runs here (kwok fakes pods, it runs no container), so without them
 * the scheduler would never see that load. `existing`: `<Kind>/<name>` of every workload in the cluster
 * (matched without namespace, as a chart may place a workload outside its release's namespace). Pure.
 */
export function operatedStandIns(out: StackOutput, existing: ReadonlySet<string>): KubeObject[] {
  return costInput(out)
    .workloads.filter((w) => w.owner.startsWith("release/") && w.kind !== "Job")
    .filter((w) => {
      const [kind, , name] = w.workload.split("/");
      return !existing.has(`${kind}/${name}`);
    })
    .map((w) => standIn(w, `operated-${w.owner.replace("release/", "")}`));
}

/**
 * Replaces the cluster's fake nodes with `nodes`: deletes fake nodes not among them, applies each (server-side,
 * field manager `agentops`, then its status), and waits until kwok reports every one Ready and the node
 * lifecycle controller has lifted its `not-ready` taint.
 * @throws ToolError when a node is refused or not Ready within 120 s
 */
export async function applyFakeNodes(client: KubeClient, nodes: readonly KubeObject[]): Promise<void> {
  const names = new Set(nodes.map((n) => n.metadata.name));
  const existing = await client.list<KubeObject>("/api/v1/nodes");
  await Promise.all(
    existing
      .filter((n) => n.metadata.annotations?.[FAKE_NODE_ANNOTATION] === "fake" && !names.has(n.metadata.name))
      .map((n) => client.delete(n)),
  );
  // A Node keeps the status it is created with (kubelets register that way); an existing one takes it through
  // its status subresource. kwok's node-initialize stage keeps allocatable and capacity as given.
  await Promise.all(
    nodes.map(async (node) => {
      const r = await client.apply(node);
      if (!r.ok) throw new ToolError(`nodes: ${describeObject(node)}: ${r.message}`);
      const s = await client.apply(
        { apiVersion: "v1", kind: "Node", metadata: { name: node.metadata.name }, status: node.status },
        { subresource: "status" },
      );
      if (!s.ok) throw new ToolError(`nodes: ${describeObject(node)} status: ${s.message}`);
    }),
  );
  const ready = await poll(async () => {
    const all = await client.list<
      KubeObject & {
        spec?: { taints?: { key: string }[] };
        status?: { conditions?: { type: string; status: string }[] };
      }
    >("/api/v1/nodes");
    const mine = all.filter((n) => names.has(n.metadata.name));
    const ok = mine.filter(
      (n) =>
        n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") &&
        !(n.spec?.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/")),
    );
    return ok.length === names.size ? true : undefined;
  }, 120_000);
  if (!ready)
    throw new ToolError(
      `nodes: not all ${names.size} fake nodes Ready within 120s (is kwok running? npm run cluster -- status)`,
    );
}

/**
 * The default StorageClass {@link existingClusterObjects} adds: kind's by name and provisioner, but binding
 * claims at once (`Immediate`), not at their first pod (kind's `WaitForFirstConsumer`): the Kubernetes provider
 * the toolchain builds (v4.25.0, the one commit the module proxy serves) waits forever on an update of a bound
 * claim of a WaitForFirstConsumer class (pulumi/pulumi-kubernetes#4179, fixed by #4181 after v4.25.0; the 4.34.2
 * the npm SDK asks for has the fix).
 */
export const EXISTING_CLUSTER_STORAGE_CLASS = "standard";

/**
 * What a cluster made elsewhere brings that a stack in existing-cluster mode relies on and does not declare: a
 * default StorageClass (kind's `standard`, provisioner `rancher.io/local-path`; k3s, minikube and every managed
 * cluster have one too), which the API server's DefaultStorageClass admission writes into claims that name none,
 * and which kwok's volume stage (stages.ts) then binds. None for an EKS stack (it declares its own gp3 default)
 * or a stack that declares a default class. Pure.
 */
export function existingClusterObjects(out: StackOutput): KubeObject[] {
  const eks = out.resources.some((r) => r.type === "aws:eks/cluster:Cluster");
  const ownDefault = out.resources.some(
    (r) =>
      r.type === "kubernetes:storage.k8s.io/v1:StorageClass" &&
      (r.inputs.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[
        "storageclass.kubernetes.io/is-default-class"
      ] === "true",
  );
  if (eks || ownDefault) return [];
  return [
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name: EXISTING_CLUSTER_STORAGE_CLASS,
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      provisioner: "rancher.io/local-path",
      reclaimPolicy: "Delete",
      volumeBindingMode: "Immediate",
    } as KubeObject,
  ];
}

/** Applies {@link existingClusterObjects}. @throws ToolError with the API server's message on a refusal */
export async function applyExistingClusterObjects(client: KubeClient, out: StackOutput): Promise<number> {
  const objects = existingClusterObjects(out);
  for (const obj of objects) {
    const r = await client.apply(obj);
    if (!r.ok) throw new ToolError(`cluster: ${describeObject(obj)}: ${r.message}`);
  }
  return objects.length;
}
