/**
 * The offline policy runner: evaluates the pack on recorded resources (a synthesized stack) or on Kubernetes
 * manifests, building the validation arguments @pulumi/policy would and calling the same `validateResource` /
 * `validateStack` functions the engine calls.
 */
import * as fs from "node:fs";
import { parseAllDocuments } from "yaml";
import type {
  EnforcementLevel,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { renderValue } from "@agentops/components/model";
import { UsageError } from "@agentops/components/testing";
import type { AgentOpsPolicy } from "../../policy/define";
import { LEVELS, resolvePackConfig } from "./config";
import { namespaceLevels } from "../../policy/admission";
import {
  isRecord,
  kubeId,
  kubeObjectOf,
  kubeTypeToken,
  podSpecOf,
  type StackResource,
} from "../../policy/kube";
import { podSecurityLevelOf, type NamespaceLevel, type PodSecurityConfig } from "../../policy/pod-security";
import { policies as packPolicies } from "../../policy/policies";

export { LEVELS } from "./config";

/** A resource to evaluate: custom resources get resource policies; every resource is part of the stack. */
export interface RunnerResource extends StackResource {
  custom: boolean;
  protect?: boolean;
  parent?: string;
}

export interface Violation {
  level: EnforcementLevel;
  policy: string;
  /** `<kind>/<namespace>/<name>` of a Kubernetes object, `<type>/-/<name>` of another resource, `stack/-/<stack>`. */
  subject: string;
  message: string;
}

export interface RunResult {
  violations: Violation[];
  /** Per policy: its level, and how many violations it found. */
  policies: { name: string; level: EnforcementLevel; violations: number }[];
  /**
   * The Pod Security level each namespace's pods were judged at by `pod-security`, and where it came from;
   * empty when the policy is disabled or no object runs pods.
   */
  podLevels: PodLevels[];
}

/** The pods of one namespace and the Pod Security level they were judged at. */
export interface PodLevels {
  namespace: string;
  level: NamespaceLevel;
  /** `Namespace label` (an object among those evaluated or given with --namespaces), `namespaceLevels`, `level`. */
  source: string;
  /** `<kind>/<namespace>/<name>` of each object that runs pods. */
  pods: string[];
}

const POD_SECURITY = "pod-security";

/**
 * The levels the Namespace objects among `objects` enforce (`pod-security.kubernetes.io/enforce`; an unlabelled
 * namespace is privileged, an unknown value restricted: admission's reading, policy/admission.ts).
 */
function declaredLevels(objects: readonly RunnerResource[]): Map<string, NamespaceLevel> {
  const kube = objects.flatMap((r) => {
    const obj = kubeObjectOf(r.type, r.props);
    return obj ? [obj] : [];
  });
  return new Map([...namespaceLevels(kube)].map(([ns, l]) => [ns, l.enforce]));
}

/**
 * `pod-security`'s config with the levels the Namespace objects declare over the configured `namespaceLevels`,
 * and the level each namespace's pods are judged at.
 */
function podSecurityLevels(
  config: PodSecurityConfig,
  resources: readonly RunnerResource[],
  namespaces: readonly RunnerResource[],
): { config: PodSecurityConfig; podLevels: PodLevels[] } {
  const declared = declaredLevels([...namespaces, ...resources]);
  const merged: PodSecurityConfig = {
    ...config,
    namespaceLevels: { ...(config.namespaceLevels ?? {}), ...Object.fromEntries(declared) },
  };
  const byNamespace = new Map<string, PodLevels>();
  for (const r of resources.filter((x) => x.custom)) {
    const obj = kubeObjectOf(r.type, r.props);
    if (!obj || !podSpecOf(obj)) continue;
    const namespace = obj.metadata.namespace ?? "default";
    if (config.exemptNamespaces.includes(namespace)) continue;
    const entry = byNamespace.get(namespace) ?? {
      namespace,
      level: podSecurityLevelOf(namespace, merged),
      source: declared.has(namespace)
        ? "Namespace label"
        : config.namespaceLevels?.[namespace] !== undefined
          ? "namespaceLevels"
          : "level",
      pods: [],
    };
    entry.pods.push(kubeId(obj));
    byNamespace.set(namespace, entry);
  }
  return { config: merged, podLevels: [...byNamespace.values()] };
}

/** Thrown by `notApplicable()`: the policy does not apply here, which is no violation. */
class NotApplicable extends Error {}

/**
 * Level and config of each policy from a pack config file's contents, validated as the engine validates it.
 * @throws {UsageError} naming every bad entry (tools/policy/config.ts).
 */
export function resolveConfig(
  packConfig: Record<string, unknown>,
  policies: readonly AgentOpsPolicy[],
  source: string,
): Map<string, { level: EnforcementLevel; config: object }> {
  return resolvePackConfig(packConfig, policies, source);
}

const NO_TIMEOUTS = { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 };

function options(r: RunnerResource): PolicyResourceOptions {
  return {
    protect: r.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: NO_TIMEOUTS,
    additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

/** Whether a resource class (e.g. `aws.eks.Cluster`) is the resource's type, as @pulumi/policy decides it. */
function isType(type: string, cls: unknown): boolean {
  return (cls as { __pulumiType?: unknown } | undefined)?.__pulumiType === type;
}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

function resourceArgs(r: RunnerResource, config: object): ResourceValidationArgs {
  return {
    type: r.type,
    props: r.props,
    urn: r.urn,
    name: r.name,
    opts: options(r),
    stackTags: new Map(),
    isType: (cls) => isType(r.type, cls),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the engine's props are untyped
    asType: ((cls: unknown) => (isType(r.type, cls) ? r.props : undefined)) as any,
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

function stackArgs(resources: readonly RunnerResource[], config: object): StackValidationArgs {
  const byUrn = new Map<string, PolicyResource>();
  const policyResources = resources.map((r): PolicyResource => {
    const pr: PolicyResource = {
      type: r.type,
      props: r.props,
      urn: r.urn,
      name: r.name,
      opts: options(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isType(r.type, cls),
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the engine's props are untyped
      asType: ((cls: unknown) => (isType(r.type, cls) ? r.props : undefined)) as any,
    };
    byUrn.set(r.urn, pr);
    return pr;
  });
  for (const r of resources) {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) byUrn.get(r.urn)!.parent = parent;
  }
  return {
    resources: policyResources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

function subjectOf(r: RunnerResource | undefined, stack: string): string {
  if (!r) return `stack/-/${stack}`;
  const obj = kubeObjectOf(r.type, r.props);
  return obj ? kubeId(obj) : `${r.type}/-/${r.name}`;
}

/** Evaluates every enabled policy on the resources. */
export async function evaluate(
  resources: readonly RunnerResource[],
  packConfig: Record<string, unknown>,
  opts: {
    stack: string;
    source: string;
    policies?: readonly AgentOpsPolicy[];
    /** Objects whose Namespaces set the level of pods in them (e.g. out/<stack>/manifests.yaml); not evaluated. */
    namespaces?: readonly RunnerResource[];
  },
): Promise<RunResult> {
  const policies = opts.policies ?? packPolicies;
  const resolved = resolveConfig(packConfig, policies, opts.source);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const result: RunResult = { violations: [], policies: [], podLevels: [] };

  for (const policy of policies) {
    const resolvedPolicy = resolved.get(policy.name)!;
    const level = resolvedPolicy.level;
    let config = resolvedPolicy.config;
    if (policy.name === POD_SECURITY && level !== "disabled") {
      // Each pod at the level its namespace enforces, as admission judges it: the Namespace objects' labels,
      // then the configured namespaceLevels, then the configured level.
      const levels = podSecurityLevels(config as PodSecurityConfig, resources, opts.namespaces ?? []);
      config = levels.config;
      result.podLevels = levels.podLevels;
    }
    const before = result.violations.length;
    if (level !== "disabled") {
      const report = (r: RunnerResource | undefined) => (message: string, urn?: string) => {
        result.violations.push({
          level,
          policy: policy.name,
          subject: subjectOf(urn ? (byUrn.get(urn) ?? r) : r, opts.stack),
          message,
        });
      };
      try {
        if (policy.kind === "resource") {
          const validations = [policy.validateResource ?? []].flat();
          for (const r of resources.filter((x) => x.custom)) {
            for (const validate of validations) await validate(resourceArgs(r, config), report(r));
          }
        } else {
          await policy.validateStack(stackArgs(resources, config), report(undefined));
        }
      } catch (err) {
        if (!(err instanceof NotApplicable)) throw err;
      }
    }
    result.policies.push({ name: policy.name, level, violations: result.violations.length - before });
  }
  return result;
}

/** One line per violation, then the summary. */
export function formatResult(result: RunResult): string {
  const lines = result.violations.map((v) => `${v.level} ${v.policy} ${v.subject}: ${v.message}`);
  const enabled = result.policies.filter((p) => p.level !== "disabled");
  const passed = enabled.filter((p) => p.violations === 0).length;
  const parts = [`${passed} passed`];
  for (const level of LEVELS.filter((l) => l !== "disabled")) {
    const failed = enabled.filter((p) => p.level === level && p.violations > 0);
    if (failed.length === 0) continue;
    const count = failed.reduce((n, p) => n + p.violations, 0);
    parts.push(`${failed.length} failed ${level} (${count} violation${count === 1 ? "" : "s"})`);
  }
  parts.push(`${result.policies.length - enabled.length} disabled`);
  for (const p of result.podLevels) {
    lines.push(
      `pod-security judged ${p.pods.length} workload${p.pods.length === 1 ? "" : "s"} in ${p.namespace} at ${p.level} (${p.source}): ${p.pods.join(", ")}`,
    );
  }
  lines.push(`${result.policies.length} policies: ${parts.join(", ")}`);
  return lines.join("\n");
}

/** 1 when a mandatory (or remediate, which this pack never fixes) violation was found, else 0. */
export function exitCode(result: RunResult): number {
  return result.violations.some((v) => v.level === "mandatory" || v.level === "remediate") ? 1 : 0;
}

/**
 * Every Kubernetes object of a multi-document YAML file (`kind: List` expanded) as runner resources.
 * @throws {UsageError} naming the file and the document when one is not a Kubernetes object.
 */
export function readManifests(file: string, option = "--manifests"): RunnerResource[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(
      `${option}: ${JSON.stringify(file)} — no such file; needs a YAML file of Kubernetes objects`,
    );
  }
  const objects: Record<string, unknown>[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      throw new UsageError(
        `${option}: ${file} document ${i + 1}: not valid YAML — ${doc.errors[0]!.message.split("\n")[0]}`,
      );
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const items =
      isRecord(value) && value.kind === "List" ? (Array.isArray(value.items) ? value.items : []) : [value];
    for (const item of items) {
      if (!isRecord(item) || typeof item.kind !== "string" || typeof item.apiVersion !== "string") {
        throw new UsageError(
          `${option}: ${file} document ${i + 1}: ${renderValue(item)} — must be a Kubernetes object with apiVersion and kind`,
        );
      }
      objects.push(item);
    }
  });
  return objects.map((obj, i) => {
    const metadata = isRecord(obj.metadata) ? obj.metadata : {};
    const name = typeof metadata.name === "string" ? metadata.name : `document-${i + 1}`;
    const type = kubeTypeToken({ apiVersion: obj.apiVersion, kind: obj.kind as string });
    return { type, name, urn: `urn:manifest:${file}::${type}::${i}`, props: obj, custom: true };
  });
}
