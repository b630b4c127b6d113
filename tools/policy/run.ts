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
import { withDefaults, type AgentOpsPolicy } from "../../policy/define";
import { isRecord, kubeId, kubeObjectOf, kubeTypeToken, type StackResource } from "../../policy/kube";
import { policies as packPolicies } from "../../policy/policies";

export const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

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
}

/** Thrown by `notApplicable()`: the policy does not apply here, which is no violation. */
class NotApplicable extends Error {}

/** Level and config of each policy from a pack config file's contents. @throws {UsageError} on a bad entry. */
export function resolveConfig(
  packConfig: Record<string, unknown>,
  policies: readonly AgentOpsPolicy[],
  source: string,
): Map<string, { level: EnforcementLevel; config: object }> {
  const names = policies.map((p) => p.name);
  for (const key of Object.keys(packConfig)) {
    if (!names.includes(key)) {
      throw new UsageError(
        `${source}: ${JSON.stringify(key)} — not a policy of the pack (policies: ${names.join(", ")})`,
      );
    }
  }
  return new Map(
    policies.map((p) => {
      const entry = packConfig[p.name];
      const given = typeof entry === "string" ? { enforcementLevel: entry } : isRecord(entry) ? entry : {};
      const level = given.enforcementLevel ?? p.enforcementLevel;
      if (!LEVELS.includes(level as EnforcementLevel)) {
        throw new UsageError(
          `${source}: ${p.name}.enforcementLevel: ${renderValue(level)} — must be one of ${LEVELS.join(", ")}`,
        );
      }
      return [p.name, { level: level as EnforcementLevel, config: withDefaults(p.configSchema, given) }];
    }),
  );
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
  opts: { stack: string; source: string; policies?: readonly AgentOpsPolicy[] },
): Promise<RunResult> {
  const policies = opts.policies ?? packPolicies;
  const resolved = resolveConfig(packConfig, policies, opts.source);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const result: RunResult = { violations: [], policies: [] };

  for (const policy of policies) {
    const { level, config } = resolved.get(policy.name)!;
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
export function readManifests(file: string): RunnerResource[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(
      `--manifests: ${JSON.stringify(file)} — no such file; needs a YAML file of Kubernetes objects`,
    );
  }
  const objects: Record<string, unknown>[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      throw new UsageError(
        `--manifests: ${file} document ${i + 1}: not valid YAML — ${doc.errors[0]!.message.split("\n")[0]}`,
      );
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const items =
      isRecord(value) && value.kind === "List" ? (Array.isArray(value.items) ? value.items : []) : [value];
    for (const item of items) {
      if (!isRecord(item) || typeof item.kind !== "string" || typeof item.apiVersion !== "string") {
        throw new UsageError(
          `--manifests: ${file} document ${i + 1}: ${renderValue(item)} — must be a Kubernetes object with apiVersion and kind`,
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
