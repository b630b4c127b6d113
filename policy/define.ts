/**
 * Policies as typed constants around pure checks. The check is what tests and the offline runner call; the
 * `validateResource` / `validateStack` wrapper is what the Pulumi engine calls. Both see the same config,
 * with the schema's defaults filled in.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { isRecord, type Finding, type StackResource } from "./kube";

/** A resource as a resource check sees it. */
export interface ResourceInput {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

interface Meta {
  /** kebab-case, unique in the pack; the key of its entry in policy/config/<env>.json. */
  name: string;
  description: string;
  /** Level when the pack config does not set one. */
  enforcementLevel: EnforcementLevel;
  configSchema: PolicyConfigSchema;
}

export type AgentOpsResourcePolicy<C extends object> = ResourceValidationPolicy &
  Meta & {
    kind: "resource";
    /** The pure check: one message per violation. */
    check(resource: ResourceInput, config: C): string[];
  };

export type AgentOpsStackPolicy<C extends object> = StackValidationPolicy &
  Meta & {
    kind: "stack";
    check(resources: readonly StackResource[], config: C): Finding[];
  };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of policies with different configs
export type AgentOpsPolicy = AgentOpsResourcePolicy<any> | AgentOpsStackPolicy<any>;

export function resourcePolicy<C extends object>(
  def: Meta & { check(resource: ResourceInput, config: C): string[] },
): AgentOpsResourcePolicy<C> {
  return {
    ...def,
    kind: "resource",
    validateResource: (args, reportViolation) => {
      const config = withDefaults<C>(def.configSchema, args.getConfig<Partial<C>>());
      for (const message of def.check({ type: args.type, name: args.name, props: args.props }, config)) {
        reportViolation(message);
      }
    },
  };
}

export function stackPolicy<C extends object>(
  def: Meta & { check(resources: readonly StackResource[], config: C): Finding[] },
): AgentOpsStackPolicy<C> {
  return {
    ...def,
    kind: "stack",
    validateStack: (args, reportViolation) => {
      const config = withDefaults<C>(def.configSchema, args.getConfig<Partial<C>>());
      for (const finding of def.check(args.resources.map(fromPolicyResource), config)) {
        reportViolation(finding.message, finding.urn);
      }
    },
  };
}

/** The engine's view of a resource as the checks' plain view. */
export function fromPolicyResource(r: PolicyResource): StackResource {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.props,
    propertyDependencies: Object.fromEntries(
      Object.entries(r.propertyDependencies).map(([k, deps]) => [k, deps.map((d) => ({ urn: d.urn }))]),
    ),
  };
}

/** `given` over the `default`s of the schema's properties. */
export function withDefaults<C extends object>(schema: PolicyConfigSchema, given: object | undefined): C {
  const defaults = Object.fromEntries(
    Object.entries(schema.properties).flatMap(([key, prop]) =>
      isRecord(prop) && prop.default !== undefined ? [[key, structuredClone(prop.default)]] : [],
    ),
  );
  const rest = Object.fromEntries(Object.entries(given ?? {}).filter(([k]) => k !== "enforcementLevel"));
  return { ...defaults, ...rest } as C;
}
