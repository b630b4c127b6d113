/**
 * Arguments of the components (`Tenant`, `Agent`) as users write them, validated inside the component with
 * the same schemas and cross-field checks as the stack files, so a program that builds its own arguments gets
 * the same messages as a stack file, prefixed with the component: `Agent "summarizer": agent.replicas.min: …`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PLATFORM_ENDPOINTS, PLATFORM_NAMESPACES } from "../lib/contract";
import type { agentSchema } from "./agents";
export { imageSchema } from "./agents";
import { formatIssue, fromZodIssues, UserError, type ConfigIssue } from "./errors";
import { bool, dns1035Label, dns1123Label, dns1123Subdomain, integer, oneOf, PARSE_OPTIONS } from "./schema";
import type { tenantSchema } from "./tenants";

/**
 * A type with its literal unions widened to their base types, recursively (`1 | 2 | 3 | 4` to `number`,
 * `"service" | "hybrid"` to `string`): what TypeScript infers for an object held in a variable, which the
 * components accept and check at run time with the stack files' messages.
 */
export type Widen<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends readonly (infer U)[]
        ? Widen<U>[]
        : T extends object
          ? { [K in keyof T]: Widen<T[K]> }
          : T;

/** `T` with `image` and the values of `env` as Pulumi inputs: outputs of other resources are welcome there. */
type WithInputs<T> = T extends object
  ? Omit<T, "image" | "env"> & { image: pulumi.Input<string>; env?: Record<string, pulumi.Input<string>> }
  : never;

/**
 * One `agentops:agents` entry as a program writes it: optional fields may be left out (`z.input` of the schema),
 * numbers and strings as such (checked at run time), the image and `env` values as Pulumi inputs.
 */
export type AgentInput = WithInputs<Widen<z.input<typeof agentSchema>>>;
/** One `agentops:tenants` entry as written: optional fields may be left out, numbers and strings as such. */
export type TenantInput = Widen<z.input<typeof tenantSchema>>;

/**
 * Invalid component arguments. A `RunError`, so the Pulumi CLI prints the message without a stack trace; one
 * line per problem, each `<Component> "<name>": <key path>: <bad value> — <what is allowed>`.
 */
export class ComponentArgsError extends UserError {
  public readonly issues: readonly ConfigIssue[];

  constructor(
    /** `Agent`, `Tenant`. */
    public readonly component: string,
    /** The component's resource name. */
    public readonly resourceName: string,
    issues: readonly ConfigIssue[],
  ) {
    super(
      issues.map((issue) => `${component} ${JSON.stringify(resourceName)}: ${formatIssue(issue)}`).join("\n"),
    );
    this.name = "ComponentArgsError";
    this.issues = issues;
  }
}

/** The OpenTelemetry collector agents send OTLP to. */
export const otelCollectorSchema = z.strictObject({
  /** Service name. @default "otel-collector" (the platform's) */
  service: dns1035Label().default(PLATFORM_ENDPOINTS.otelCollector.service),
  /** Namespace of the service. @default "monitoring" */
  namespace: dns1123Label().default(PLATFORM_ENDPOINTS.otelCollector.namespace),
  /** OTLP/gRPC port. @default 4317 */
  grpcPort: integer(1, 65535).default(PLATFORM_ENDPOINTS.otelCollector.grpcPort),
  /** OTLP/HTTP port; agents export over HTTP/protobuf. @default 4318 */
  httpPort: integer(1, 65535).default(PLATFORM_ENDPOINTS.otelCollector.httpPort),
});

/** Where the platform's shared services run; the same argument for `Tenant` and `Agent`. */
export const platformEndpointsSchema = z.strictObject({
  /** Namespace Prometheus scrapes from. @default "monitoring" */
  monitoringNamespace: dns1123Label().default(PLATFORM_NAMESPACES.monitoring),
  /** The OTLP collector: the tenant's network policy lets agents reach it, agents export to it. */
  otelCollector: otelCollectorSchema.default(otelCollectorSchema.parse({})),
});

/**
 * Where the cluster can place pods: which managed node groups exist. Other keys are ignored, so
 * `createCluster(...).capabilities` passes as it is.
 */
export const placementSchema = z.object({
  /** The cluster has the `spot` node group; without it, spot agents get no spot affinity or toleration. @default false */
  spotNodeGroup: bool().default(false),
  /** The cluster has the `gpu` node group; without it, GPU pods keep their GPU requests but select no group. @default false */
  gpuNodeGroup: bool().default(false),
});

/**
 * The External Secrets store an agent's `secrets` come from (the key is `agents/<env>/<agent>`).
 * https://external-secrets.io/latest/api/externalsecret/ (`spec.secretStoreRef`).
 */
export const secretStoreSchema = z.strictObject({
  /** @default "ClusterSecretStore" */
  kind: oneOf(["ClusterSecretStore", "SecretStore"]).default("ClusterSecretStore"),
  /** @default "vault" (the platform's Vault store) */
  name: dns1123Subdomain().default(PLATFORM_ENDPOINTS.vaultSecretStore),
});

/** The `Agent` arguments besides the entry, its tenant and environment; every field optional. */
export const agentOptionsSchema = z.strictObject({
  /** @default no special node groups: neither spot nor GPU placement */
  placement: placementSchema.default(placementSchema.parse({})),
  /** @default the platform's namespaces and endpoints (lib/contract.ts) */
  platform: platformEndpointsSchema.default(platformEndpointsSchema.parse({})),
  /** Create a ServiceMonitor (needs the Prometheus Operator's CRD) for service and hybrid agents. @default true */
  serviceMonitor: bool().default(true),
  /**
   * A VerticalPodAutoscaler in recommendation mode (`updateMode: "Off"`) per workload (needs the VPA's CRDs and
   * its recommender, which the platform runs). @default true
   */
  verticalPodAutoscaler: bool().default(true),
  /** @default the platform's ClusterSecretStore `vault` */
  secretStore: secretStoreSchema.default(secretStoreSchema.parse({})),
});

export type OtelCollectorEndpoint = z.output<typeof otelCollectorSchema>;
export type PlatformEndpointsInput = z.input<typeof platformEndpointsSchema>;
export type PlatformEndpoints = z.output<typeof platformEndpointsSchema>;
export type AgentPlacementInput = z.input<typeof placementSchema>;
export type SecretStoreInput = z.input<typeof secretStoreSchema>;
export type AgentOptionsInput = z.input<typeof agentOptionsSchema>;
export type AgentOptions = z.output<typeof agentOptionsSchema>;

/**
 * Parses one argument of a component with its schema; issues are named `<key>.<path>`.
 * @returns the parsed value, or the issues
 */
export function parseArgument<S extends z.ZodType>(
  key: string,
  schema: S,
  value: unknown,
): { value: z.output<S>; issues: [] } | { value: undefined; issues: ConfigIssue[] } {
  const result = schema.safeParse(value, PARSE_OPTIONS);
  return result.success
    ? { value: result.data, issues: [] }
    : { value: undefined, issues: fromZodIssues(key, result.error.issues) };
}
