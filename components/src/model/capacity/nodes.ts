/**
 * What a node of an instance type offers pods: allocatable CPU, memory and pod slots, by the rules the EKS
 * AL2023 AMIs apply (awslabs/amazon-eks-ami, nodeadm/internal/kubelet/config.go at commit 81fec2e, read
 * 2026-11-30):
 * - maxPods = ENIs × (IPv4 addresses per ENI − 1) + 2 (the VPC CNI's formula, nodeadm `GetClassicMaxPods`;
 *   ENI figures from nodeadm/internal/kubelet/instance-info.jsonl, the AMI's eni-max-pods table);
 * - kube-reserved memory = 11 MiB × maxPods + 255 MiB (`getMemoryMebibytesToReserve`);
 * - kube-reserved CPU = 6% of the first core, 1% of the second, 0.5% of the third and fourth, 0.25% of every
 *   core above four (`getCPUMillicoresToReserve`, ranges 0/1000/2000/4000 m at 600/100/50/25 per 10,000);
 * - eviction threshold `memory.available<100Mi` (`defaultKubeletSubConfig().EvictionHard`);
 * - no system-reserved.
 * Memory capacity is the instance's nominal GiB; the kernel keeps a little of it, which the eviction
 * threshold and the plan's rounding up to whole nodes absorb.
 */
import { CostModelError, instanceType, type RegionPrices } from "../../catalog/prices";

/** ENIs and IPv4 addresses per ENI of the instance types the stacks use (instance-info.jsonl above). */
export const INSTANCE_NETWORK: Readonly<Record<string, { enis: number; ipv4PerEni: number }>> = {
  "m7i.large": { enis: 3, ipv4PerEni: 10 },
  "m7i.xlarge": { enis: 4, ipv4PerEni: 15 },
  "m6i.xlarge": { enis: 4, ipv4PerEni: 15 },
  "m7a.xlarge": { enis: 4, ipv4PerEni: 15 },
  "m6a.xlarge": { enis: 4, ipv4PerEni: 15 },
  "g6.xlarge": { enis: 4, ipv4PerEni: 15 },
  "g5.xlarge": { enis: 4, ipv4PerEni: 15 },
};

/** What a node offers pods. */
export interface Allocatable {
  /** CPU cores. */
  cpu: number;
  memoryGiB: number;
  pods: number;
  gpus: number;
}

/** The EKS max-pods of an instance type. @throws {CostModelError} for a type without ENI figures. */
export function maxPods(type: string): number {
  const net = INSTANCE_NETWORK[type];
  if (!net) {
    throw new CostModelError(
      `instance type: ${JSON.stringify(type)} — no ENI figures in components/src/model/capacity/nodes.ts (known: ${Object.keys(INSTANCE_NETWORK).join(", ")})`,
    );
  }
  return net.enis * (net.ipv4PerEni - 1) + 2;
}

/** kube-reserved CPU in cores for a node of `vcpu` cores. */
export function reservedCpu(vcpu: number): number {
  const tiers: [number, number, number][] = [
    [0, 1, 0.06],
    [1, 2, 0.01],
    [2, 4, 0.005],
    [4, Infinity, 0.0025],
  ];
  return tiers.reduce((sum, [from, to, share]) => sum + Math.max(0, Math.min(vcpu, to) - from) * share, 0);
}

/** kube-reserved memory plus the hard eviction threshold, in MiB. */
export function reservedMemoryMiB(pods: number): number {
  return 11 * pods + 255 + 100;
}

/** Allocatable CPU, memory, pods and GPUs of one node of `type`. */
export function allocatable(prices: RegionPrices, type: string): Allocatable {
  const shape = instanceType(prices, type);
  const pods = maxPods(type);
  return {
    cpu: shape.vcpu - reservedCpu(shape.vcpu),
    memoryGiB: shape.memoryGiB - reservedMemoryMiB(pods) / 1024,
    pods,
    gpus: shape.gpus,
  };
}

/**
 * A node of a group with several instance types: the least of each resource over its types, since the group
 * may launch any of them.
 */
export function groupAllocatable(prices: RegionPrices, types: readonly string[]): Allocatable {
  const each = types.map((t) => allocatable(prices, t));
  return {
    cpu: Math.min(...each.map((a) => a.cpu)),
    memoryGiB: Math.min(...each.map((a) => a.memoryGiB)),
    pods: Math.min(...each.map((a) => a.pods)),
    gpus: Math.min(...each.map((a) => a.gpus)),
  };
}
