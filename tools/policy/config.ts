/**
 * The policy pack's configuration (policy/config/<env>.json), checked before anything runs: every key names a
 * policy of the pack, every `enforcementLevel` is a level, and every policy's settings validate against its
 * `configSchema` the way the Pulumi engine validates them (pulumi/pulumi pkg/resource/analyzer/config.go,
 * `ReconcilePolicyPackConfig`: the schema's defaults, then the given settings, validated as
 * `{ type: "object", properties, required }`). One addition the engine does not make: a key no policy's schema
 * knows is refused too, since the engine would pass it to a policy that never reads it (a typo would silently
 * keep the default). The offline runner and synth (which reads the environment budget from the same file)
 * both call this, so neither runs with a configuration `pulumi preview` would refuse.
 */
import Ajv, { type ErrorObject } from "ajv";
import type { EnforcementLevel } from "@pulumi/policy";
import { renderValue } from "@agentops/components/model";
import { UsageError } from "@agentops/components/testing";
import { withDefaults, type AgentOpsPolicy } from "../../policy/define";
import { isRecord } from "../../policy/kube";

export const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** One policy's level and settings, defaults filled in. */
export interface ResolvedPolicyConfig {
  level: EnforcementLevel;
  config: object;
}

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });

const an = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** What the schema allows, in the project's `must …` words. */
function allowedText(e: ErrorObject, schemaOf: (path: string) => unknown): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "enum":
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ")}`;
    case "type": {
      const types = [p.type].flat() as string[];
      return `must be ${types.map(an).join(" or ")}`;
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case "minItems":
      return `must list at least ${String(p.limit)} item${p.limit === 1 ? "" : "s"}`;
    case "required":
      return "is required";
    case "additionalProperties": {
      const schema = schemaOf(e.instancePath);
      const known = isRecord(schema) && isRecord(schema.properties) ? Object.keys(schema.properties) : [];
      return `is not a known key here (known: ${known.join(", ") || "none"})`;
    }
    default:
      return e.message ?? "is not allowed here";
  }
}

/** `tierCeilingsUsd["1"]`, `nodeGroups.spot.instanceTypes[0]` from a JSON pointer into `doc`. */
function keyPath(doc: unknown, pointer: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node = doc;
  let out = "";
  for (const s of parts) {
    out += Array.isArray(node) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    node = isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[s] : undefined;
  }
  return out.replace(/^\./, "");
}

const valueAt = (doc: unknown, pointer: string): unknown =>
  pointer
    .split("/")
    .slice(1)
    .reduce<unknown>(
      (v, s) => (isRecord(v) || Array.isArray(v) ? (v as Record<string, unknown>)[s] : undefined),
      doc,
    );

/** The sub-schema at a JSON pointer of the instance (objects' properties only). */
function schemaAt(schema: unknown, pointer: string): unknown {
  return pointer
    .split("/")
    .slice(1)
    .reduce<unknown>((s, key) => {
      if (!isRecord(s)) return undefined;
      if (isRecord(s.properties) && key in s.properties) return s.properties[key];
      if (isRecord(s.additionalProperties)) return s.additionalProperties;
      if (s.items !== undefined && /^\d+$/.test(key)) return s.items;
      return undefined;
    }, schema);
}

/** The schema the engine validates a policy's settings with, plus the runner's refusal of unknown keys. */
function engineSchema(policy: AgentOpsPolicy): Record<string, unknown> {
  return {
    type: "object",
    properties: policy.configSchema.properties ?? {},
    ...(policy.configSchema.required ? { required: policy.configSchema.required } : {}),
    additionalProperties: false,
  };
}

const validators = new WeakMap<AgentOpsPolicy, ReturnType<typeof ajv.compile>>();

/**
 * Every problem of a pack configuration file's contents, one line each:
 * `<source>: <policy>.<key>: <value> — <what is allowed>`. Empty when the engine would accept it.
 */
export function packConfigProblems(
  packConfig: Record<string, unknown>,
  policies: readonly AgentOpsPolicy[],
  source: string,
): string[] {
  const problems: string[] = [];
  const names = policies.map((p) => p.name);
  for (const key of Object.keys(packConfig)) {
    if (!names.includes(key)) {
      problems.push(
        `${source}: ${JSON.stringify(key)} — not a policy of the pack (policies: ${names.join(", ")})`,
      );
    }
  }
  for (const policy of policies) {
    const entry = packConfig[policy.name];
    if (entry === undefined) continue;
    if (typeof entry !== "string" && !isRecord(entry)) {
      problems.push(
        `${source}: ${policy.name}: ${renderValue(entry)} — must be an enforcement level or an object of settings`,
      );
      continue;
    }
    const given = typeof entry === "string" ? { enforcementLevel: entry } : entry;
    if (
      given.enforcementLevel !== undefined &&
      !LEVELS.includes(given.enforcementLevel as EnforcementLevel)
    ) {
      problems.push(
        `${source}: ${policy.name}.enforcementLevel: ${renderValue(given.enforcementLevel)} — must be one of ${LEVELS.join(", ")}`,
      );
    }
    const settings = withDefaults<Record<string, unknown>>(policy.configSchema, given);
    let validate = validators.get(policy);
    if (!validate) {
      validate = ajv.compile(engineSchema(policy));
      validators.set(policy, validate);
    }
    if (validate(settings)) continue;
    const schema = engineSchema(policy);
    for (const e of validate.errors ?? []) {
      const pointer =
        e.keyword === "additionalProperties"
          ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)}`
          : e.keyword === "required"
            ? `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}`
            : e.instancePath;
      const key = keyPath(settings, pointer);
      problems.push(
        `${source}: ${policy.name}${key ? `.${key}` : ""}: ${renderValue(valueAt(settings, pointer))} — ${allowedText(e, (p) => schemaAt(schema, p))}`,
      );
    }
  }
  return problems;
}

/**
 * Level and settings of each policy from a pack config file's contents, defaults filled in.
 * @throws {UsageError} listing every problem ({@link packConfigProblems}), one per line.
 */
export function resolvePackConfig(
  packConfig: Record<string, unknown>,
  policies: readonly AgentOpsPolicy[],
  source: string,
): Map<string, ResolvedPolicyConfig> {
  const problems = packConfigProblems(packConfig, policies, source);
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return new Map(
    policies.map((p) => {
      const entry = packConfig[p.name];
      const given = typeof entry === "string" ? { enforcementLevel: entry } : isRecord(entry) ? entry : {};
      const level = (given.enforcementLevel ?? p.enforcementLevel) as EnforcementLevel;
      return [p.name, { level, config: withDefaults(p.configSchema, given) }];
    }),
  );
}
