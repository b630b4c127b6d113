/**
 * Right-sizing from the Vertical Pod Autoscaler's recommendations: every agent has a VerticalPodAutoscaler in
 * recommendation mode per workload (agents/traffic.ts), whose status holds target requests for its `agent`
 * container. This module reads those objects, turns them into a suggested `resources.requests` per agent and
 * edits the stack file's text in place (only the values that change), for a patch a person reviews and applies.
 */
import { createTwoFilesPatch } from "diff";
import { isScalar, parseAllDocuments, parseDocument, type Scalar } from "yaml";
import {
  agentObjectNames,
  MAX_ALIAS_COUNT,
  renderValue,
  UsageError,
  type StackConfig,
} from "@agentops/components/config";
import { parseQuantity } from "@agentops/components/model";
import { SIGNIFICANT_CHANGE } from "./args";

/** A VerticalPodAutoscaler as far as right-sizing reads it. */
export interface VpaObject {
  kind: string;
  metadata: { name?: string; namespace?: string };
  status?: {
    recommendation?: {
      containerRecommendations?: { containerName?: string; target?: Record<string, string | number> }[];
    };
  };
}

/** CPU is suggested in steps of this many cores (10m), memory in whole MiB; never below these floors. */
export const CPU_STEP = 0.01;
export const MIN_CPU = 0.01;
/** The container memory floor of the stack schema (runc needs about 6 MiB). */
export const MIN_MEMORY = 6 * 2 ** 20;

/**
 * The VerticalPodAutoscalers in a file: multi-document YAML or JSON, each document an object or a list
 * (`kind: List` or `…List` with `items`, as `kubectl get -o yaml` writes it). Other kinds are skipped.
 * @throws {UsageError} naming the file when it is not YAML/JSON
 */
export function parseVpaObjects(text: string, source: string): VpaObject[] {
  const docs = parseAllDocuments(text);
  const out: VpaObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!.message.split("\n")[0]!.replace(/:\s*$/, "");
      throw new UsageError(`${source}: not YAML or JSON — ${first}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      if (!(err instanceof ReferenceError)) throw err;
      throw new UsageError(
        `${source}: its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies of their anchors' values`,
      );
    }
    const items =
      value && typeof value === "object" && Array.isArray((value as { items?: unknown }).items)
        ? ((value as { items: unknown[] }).items as unknown[])
        : [value];
    for (const item of items) {
      if (item && typeof item === "object" && (item as { kind?: unknown }).kind === "VerticalPodAutoscaler") {
        out.push(checkedVpa(item as Record<string, unknown>, source));
      }
    }
  }
  return out;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `vpa` when the fields right-sizing reads have the VerticalPodAutoscaler API's shapes (autoscaling.k8s.io/v1):
 * `metadata.name` and `metadata.namespace` text, `status.recommendation.containerRecommendations` a list of
 * mappings, each `target` a mapping of resource names to Kubernetes quantities of at least 0. A recommendation
 * that is not one would otherwise be read as 0 and suggest the floor (10m, 6Mi) for the agent.
 * @throws {UsageError} naming the file, the object, the field, the value and what is allowed
 */
function checkedVpa(vpa: Record<string, unknown>, source: string): VpaObject {
  const metadata = vpa.metadata;
  const at = (field: string, value: unknown, allowed: string) => {
    const part = (v: unknown) => (typeof v === "string" && v !== "" ? v : "?");
    const name = isMapping(metadata) ? `${part(metadata.namespace)}/${part(metadata.name)}` : "?";
    return new UsageError(
      `${source}: VerticalPodAutoscaler ${name}: ${field}: ${renderValue(value)} — ${allowed}`,
    );
  };
  if (!isMapping(metadata)) throw at("metadata", metadata, "must be a mapping with name and namespace");
  for (const key of ["name", "namespace"] as const) {
    if (typeof metadata[key] !== "string" || metadata[key] === "")
      throw at(`metadata.${key}`, metadata[key], "must be text");
  }
  const status = vpa.status;
  if (status === undefined || status === null) return vpa as unknown as VpaObject;
  if (!isMapping(status)) throw at("status", status, "must be a mapping");
  const recommendation = status.recommendation;
  if (recommendation === undefined || recommendation === null) return vpa as unknown as VpaObject;
  if (!isMapping(recommendation)) throw at("status.recommendation", recommendation, "must be a mapping");
  const list = recommendation.containerRecommendations;
  if (list === undefined || list === null) return vpa as unknown as VpaObject;
  if (!Array.isArray(list))
    throw at(
      "status.recommendation.containerRecommendations",
      list,
      "must be a list of containers' recommendations",
    );
  list.forEach((rec: unknown, i) => {
    const field = `status.recommendation.containerRecommendations[${i}]`;
    if (!isMapping(rec)) throw at(field, rec, "must be a mapping with containerName and target");
    if (rec.target === undefined) return;
    if (!isMapping(rec.target))
      throw at(`${field}.target`, rec.target, "must be a mapping of cpu and memory");
    for (const [resource, value] of Object.entries(rec.target)) {
      const quantity =
        typeof value === "string" || typeof value === "number" ? parseQuantity(value) : undefined;
      if (quantity === undefined || quantity < 0)
        throw at(
          `${field}.target.${resource}`,
          value,
          "must be a Kubernetes quantity of at least 0, e.g. 250m or 512Mi",
        );
    }
  });
  return vpa as unknown as VpaObject;
}

/** One agent's sizing: what it requests, what its VPAs recommend, and the edit suggested. */
export interface AgentSizing {
  /** Its index in `agentops:agents`. */
  index: number;
  agent: string;
  tenant: string;
  current: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  /** The VPAs that recommended (service, job); empty when none has a recommendation yet. */
  sources: string[];
  /** Rounded targets: the larger of its workloads' (one `resources` serves both pods). */
  recommended?: { cpu: string; memory: string };
  /** Whether the suggestion changes the stack file (a change of at least {@link SIGNIFICANT_CHANGE}). */
  change: boolean;
  /** Limits raised to the new request (a request above its limit is refused). */
  raisedLimits: ("cpu" | "memory")[];
}

const cores = (q: string | number) => parseQuantity(q) ?? 0;

/** `250m`, `1`, `1500m`: CPU as the stack files write it. */
export function formatCpu(value: number): string {
  const milli = Math.round(value * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** `768Mi`, `2Gi`: memory in whole MiB, as GiB when whole. */
export function formatMemory(bytes: number): string {
  const mib = Math.round(bytes / 2 ** 20);
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

/** Rounded up to the step, at least the floor. */
const roundCpu = (v: number) => Math.max(MIN_CPU, Math.ceil(v / CPU_STEP - 1e-9) * CPU_STEP);
const roundMemory = (v: number) => Math.max(MIN_MEMORY, Math.ceil(v / 2 ** 20 - 1e-9) * 2 ** 20);

/**
 * Each agent of the stack with its VPAs' recommendations: the VPAs named as the Agent component names them
 * (`<agent>`, `<agent>-job`) in its tenant's namespace, the `agent` container's `target`.
 */
export function sizeAgents(config: StackConfig, vpas: readonly VpaObject[]): AgentSizing[] {
  return config.agents.map((agent, index) => {
    const names = agentObjectNames(agent);
    const mine = vpas.filter(
      (v) =>
        v.metadata.namespace === agent.tenant &&
        (v.metadata.name === names.serviceVpa || v.metadata.name === names.jobVpa),
    );
    const targets = mine.flatMap((v) => {
      const rec = v.status?.recommendation?.containerRecommendations?.find(
        (c) => c.containerName === "agent",
      );
      return rec?.target ? [{ name: v.metadata.name ?? "?", target: rec.target }] : [];
    });
    const { requests, limits } = agent.resources;
    const sizing: AgentSizing = {
      index,
      agent: agent.name,
      tenant: agent.tenant,
      current: { cpu: requests.cpu, memory: requests.memory },
      limits: { cpu: limits.cpu, memory: limits.memory },
      sources: targets.map((t) => t.name).sort(),
      change: false,
      raisedLimits: [],
    };
    if (targets.length === 0) return sizing;
    // A resource no target names (a VPA with `controlledResources: [memory]`) keeps its request.
    const sized = (resource: "cpu" | "memory", round: (v: number) => number, now: string) => {
      const values = targets.flatMap((t) =>
        t.target[resource] === undefined ? [] : [cores(t.target[resource])],
      );
      return values.length === 0 ? cores(now) : round(Math.max(...values));
    };
    const cpu = sized("cpu", roundCpu, requests.cpu);
    const memory = sized("memory", roundMemory, requests.memory);
    sizing.recommended = { cpu: formatCpu(cpu), memory: formatMemory(memory) };
    const differs = (now: number, next: number) => Math.abs(next - now) >= SIGNIFICANT_CHANGE * now;
    sizing.change = differs(cores(requests.cpu), cpu) || differs(cores(requests.memory), memory);
    if (sizing.change) {
      if (cpu > cores(limits.cpu)) sizing.raisedLimits.push("cpu");
      if (memory > cores(limits.memory)) sizing.raisedLimits.push("memory");
    }
    return sizing;
  });
}

/**
 * The stack file's text with each changed agent's `resources.requests` (and any raised limit) replaced where it
 * is written: only those scalars change, comments and layout stay byte for byte.
 * @throws {UsageError} when the file has no `config.agentops:agents[i].resources` to edit
 */
export function editStackFile(text: string, file: string, sizings: readonly AgentSizing[]): string {
  const doc = parseDocument(text);
  const replacements: { start: number; end: number; value: string }[] = [];
  for (const s of sizings.filter((x) => x.change && x.recommended)) {
    const set = (path: (string | number)[], value: string) => {
      const node = doc.getIn(["config", "agentops:agents", s.index, "resources", ...path], true) as
        Scalar | undefined;
      if (!isScalar(node) || !node.range) {
        throw new UsageError(
          `${file}: agentops:agents[${s.index}].resources.${path.join(".")} — not found as a value to edit`,
        );
      }
      // Quoted like the rest of the file's quantities where it must be a string ("1", "2").
      const written = /^\d+(\.\d+)?$/.test(value) ? `"${value}"` : value;
      replacements.push({ start: node.range[0], end: node.range[1], value: written });
    };
    set(["requests", "cpu"], s.recommended!.cpu);
    set(["requests", "memory"], s.recommended!.memory);
    for (const r of s.raisedLimits) set(["limits", r], s.recommended![r]);
  }
  let out = text;
  for (const r of replacements.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, r.start) + r.value + out.slice(r.end);
  }
  return out;
}

/** A unified diff of the stack file, applicable with `git apply` or `patch -p1` from the repository root. */
export function stackFilePatch(file: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
}

/** `agentops:agents` of an edited stack file, as the configuration override synthesize takes. */
export function agentsOverride(text: string): Record<string, string> {
  const config = (parseDocument(text).toJS() as { config?: Record<string, unknown> } | null)?.config;
  const agents = config?.["agentops:agents"];
  return agents === undefined ? {} : { "agentops:agents": JSON.stringify(agents) };
}
