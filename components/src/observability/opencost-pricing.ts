/**
 * OpenCost's custom pricing, derived from the cost model's price table so that OpenCost's allocation costs and
 * the estimates the policy pack checks agree. OpenCost's custom provider knows one price per unit for on-demand
 * nodes, one for spot nodes (told apart by a node label) and one per GPU; the cost model prices each node
 * group. So: on-demand vCPU and GiB at the `system` group's unit prices, spot at the `spot` group's, GPU at the
 * `gpu` group's. The one divergence: the CPU and memory of GPU nodes are priced at `system` rates (the cost
 * model charges them at the GPU group's smaller split), a few cents an hour per GPU node.
 */
import {
  DEFAULT_NODE_GROUPS,
  HOURS_PER_MONTH,
  nodeGroupUnitPrices,
  type NodeGroupsPricing,
} from "../model/cost/estimate";
import type { RegionPrices } from "../catalog/prices";
import { LABELS, NODE_GROUPS, PLATFORM_NAMESPACES } from "../lib/contract";

/** The ConfigMap OpenCost reads its pricing from (created before the release, which mounts it). */
export const OPENCOST_PRICING_CONFIGMAP = "opencost-pricing";

/** What the pricing is derived from: the region's price table and the stack's node groups. */
export interface OpenCostPricingInput {
  prices: RegionPrices;
  /** @default DEFAULT_NODE_GROUPS */
  nodeGroups?: NodeGroupsPricing;
}

/** OpenCost's own defaults (configs/default.json), used when the stack has no region to price. */
const OPENCOST_DEFAULTS = {
  CPU: 0.031611,
  spotCPU: 0.006655,
  RAM: 0.004237,
  spotRAM: 0.000892,
  GPU: 0.95,
  storage: 0.00005479452,
};

/** Figures as OpenCost wants them: strings, USD per hour of one vCPU, GiB, GPU, GiB of storage. */
export function openCostCustomPricing(input: OpenCostPricingInput | undefined): Record<string, string> {
  let figures = OPENCOST_DEFAULTS;
  if (input) {
    const groups = input.nodeGroups ?? DEFAULT_NODE_GROUPS;
    const system = nodeGroupUnitPrices(input.prices, groups.system);
    const spot = nodeGroupUnitPrices(input.prices, groups.spot);
    const gpu = nodeGroupUnitPrices(input.prices, groups.gpu);
    figures = {
      CPU: system.vcpuHour,
      spotCPU: spot.vcpuHour,
      RAM: system.gibHour,
      spotRAM: spot.gibHour,
      GPU: gpu.gpuHour,
      storage: input.prices.gp3PerGbMonth / HOURS_PER_MONTH,
    };
  }
  const fixed = (n: number) => n.toPrecision(6);
  return {
    provider: "custom",
    description: input
      ? "AgentOps cost model (components/src/catalog/prices.ts)"
      : "OpenCost defaults: no region priced",
    CPU: fixed(figures.CPU),
    spotCPU: fixed(figures.spotCPU),
    RAM: fixed(figures.RAM),
    spotRAM: fixed(figures.spotRAM),
    GPU: fixed(figures.GPU),
    storage: fixed(figures.storage),
    // Spot nodes are those of the spot node group.
    spotLabel: LABELS.nodeGroup,
    spotLabelValue: NODE_GROUPS.spot.label,
  };
}

/** The ConfigMap holding `default.json`, which OpenCost's custom provider reads. */
export function openCostPricingConfigMap(input: OpenCostPricingInput | undefined) {
  return {
    metadata: {
      name: OPENCOST_PRICING_CONFIGMAP,
      namespace: PLATFORM_NAMESPACES.monitoring,
      labels: { "app.kubernetes.io/part-of": "agentops" },
    },
    data: { "default.json": JSON.stringify(openCostCustomPricing(input), null, 2) },
  };
}
