/**
 * Pulumi's mock runtime, recording every registration. The mocks answer like a cloud would, with values that
 * are obviously placeholders (account 000000000000, `.invalid` hosts), never with anything that looks real.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { UsageError, UserError } from "../config/errors";
import { SECRET_PLACEHOLDER } from "../config/stack-file";

// The runtime's feature flags live in its internal store, which the typings do not export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getStore } = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };

/** A resource as the program registered it. */
export interface RecordedResource {
  urn: string;
  /** Pulumi type token, e.g. `aws:eks/cluster:Cluster`. */
  type: string;
  name: string;
  /** URN of the parent, if any. */
  parent: string | undefined;
  /** `true` for resources a provider manages, `false` for components. */
  custom: boolean;
  protect: boolean;
  /** URNs of the resources it explicitly depends on, as the engine receives them (`dependsOn`; a component stands for its resources). */
  dependsOn: string[];
  /** Provider reference (`<provider urn>::<id>`) of custom resources, when one was given. */
  provider: string | undefined;
  /** Input property paths Pulumi leaves as they were after creation (`ignoreChanges`). */
  ignoreChanges: string[];
  /** Input property paths whose change replaces the resource on top of the provider's own rules (`replaceOnChanges`). */
  replaceOnChanges: string[];
  /** Inputs as the engine would receive them; secrets replaced by `"[secret]"`. */
  inputs: Record<string, unknown>;
}

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const MOCK_ACCOUNT = "000000000000";

/** A secret's shape without its content: maps keep their keys (so manifests stay valid), values become "[secret]". */
function redact(value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.keys(value).map((k) => [k, SECRET_PLACEHOLDER]));
  }
  return SECRET_PLACEHOLDER;
}

/** Replaces the wire format's special values: secrets are never written out, references become URNs. */
export function plain(value: unknown): unknown {
  if (value === UNKNOWN) return "[unknown]";
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG] === SECRET_SIG) return redact(obj.value);
    if (obj[SIG] === RESOURCE_SIG) return obj.urn;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

class RecordingMonitor extends MockMonitor {
  constructor(
    mocks: pulumi.runtime.Mocks,
    private readonly record: (r: RecordedResource) => void,
  ) {
    super(mocks);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the protobuf request types are not exported typed
  override async registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    await super.registerResource(req, (err: unknown, resp: { getUrn(): string } | undefined) => {
      if (!err && resp) {
        this.record({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          protect: req.getProtect() ?? false,
          provider: req.getProvider() || undefined,
          dependsOn: req.getDependenciesList?.() ?? [],
          ignoreChanges: req.getIgnorechangesList?.() ?? [],
          replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
          inputs: plain(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        });
      }
      callback(err, resp);
    });
  }
}

/** Placeholder outputs per resource type, for the attributes programs read back. */
function outputsFor(args: pulumi.runtime.MockResourceArgs, region: string): Record<string, unknown> {
  const name = args.name;
  const service = args.type.split(":")[1]?.split("/")[0] ?? "mock";
  const arn = `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${name}`;
  switch (args.type) {
    case "aws:eks/cluster:Cluster":
      return {
        arn,
        name: args.inputs.name ?? name,
        endpoint: `https://${name}.eks.mock.invalid`,
        certificateAuthority: { data: Buffer.from("mock-certificate-authority").toString("base64") },
        identities: [
          { oidcs: [{ issuer: `https://oidc.eks.${region}.mock.invalid/id/MOCK${name.toUpperCase()}` }] },
        ],
        version: args.inputs.version,
        vpcConfig: { ...(args.inputs.vpcConfig ?? {}), clusterSecurityGroupId: `sg-mock-${name}` },
      };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      // The first version; a template's change makes a new one, which `npm run diff` infers from the inputs.
      return { arn, latestVersion: 1, defaultVersion: 1 };
    case "aws:eks/nodeGroup:NodeGroup":
      // With `nodeGroupNamePrefix` the provider appends a unique suffix; the mock's is `mock`.
      return {
        arn,
        nodeGroupName: args.inputs.nodeGroupName ?? `${args.inputs.nodeGroupNamePrefix ?? name}mock`,
      };
    case "aws:iam/role:Role":
      return {
        arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${args.inputs.name ?? name}`,
        name: args.inputs.name ?? name,
      };
    case "aws:kms/key:Key":
      return { arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT}:key/mock-${name}`, keyId: `mock-${name}` };
    case "aws:s3/bucketV2:BucketV2":
    case "aws:s3/bucket:Bucket":
      return { arn: `arn:aws:s3:::${args.inputs.bucket ?? name}`, bucket: args.inputs.bucket ?? name };
    case "aws:rds/instance:Instance": {
      const id = String(args.inputs.identifier ?? name);
      return {
        arn: `arn:aws:rds:${region}:${MOCK_ACCOUNT}:db:${id}`,
        address: `${id}.rds.mock.invalid`,
        endpoint: `${id}.rds.mock.invalid:${String(args.inputs.port ?? 5432)}`,
        identifier: id,
        resourceId: `db-MOCK${id.toUpperCase().replace(/[^A-Z0-9]/g, "")}`,
        masterUserSecrets: args.inputs.manageMasterUserPassword
          ? [
              {
                secretArn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT}:secret:rds!db-mock-${id}`,
                secretStatus: "active",
                kmsKeyId: args.inputs.masterUserSecretKmsKeyId,
              },
            ]
          : [],
      };
    }
    case "aws:elasticache/replicationGroup:ReplicationGroup": {
      const id = String(args.inputs.replicationGroupId ?? name);
      return {
        arn: `arn:aws:elasticache:${region}:${MOCK_ACCOUNT}:replicationgroup:${id}`,
        primaryEndpointAddress: `master.${id}.cache.mock.invalid`,
      };
    }
    case "aws:rds/subnetGroup:SubnetGroup":
    case "aws:rds/parameterGroup:ParameterGroup":
    case "aws:elasticache/subnetGroup:SubnetGroup":
      // Named by the provider when no name is given; a prefix gets the mock's suffix, as node groups do.
      return {
        arn,
        name:
          args.inputs.name ??
          (args.inputs.namePrefix !== undefined ? `${String(args.inputs.namePrefix)}mock` : name),
      };
    case "aws:sns/topic:Topic":
      return { arn: `arn:aws:sns:${region}:${MOCK_ACCOUNT}:${String(args.inputs.name ?? name)}` };
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString":
      return { result: `mock-${name}` };
    default:
      return { arn };
  }
}

/** Answers to provider functions (invokes) the program calls. */
function callResult(args: pulumi.runtime.MockCallArgs, region: string): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/mock`, userId: "MOCK" };
    case "aws:index/getRegion:getRegion":
      return { name: region, region };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com" };
    default:
      return args.inputs;
  }
}

export interface MockRuntimeOptions {
  project: string;
  stack: string;
  /** Full config keys (`agentops:agents`) to string values, as the Pulumi CLI passes them. */
  config: Record<string, string>;
  /** Config keys that are secrets. */
  secretKeys?: string[];
  /** Region the placeholders name. @default "mock-region-1" */
  region?: string;
}

/**
 * Installs the mock runtime and seeds configuration. Call it before importing the program.
 * Returns the list that every registration is appended to.
 */
export function startMockRuntime(opts: MockRuntimeOptions): RecordedResource[] {
  const recorded: RecordedResource[] = [];
  const region = opts.region ?? opts.config["aws:region"] ?? "mock-region-1";
  const mocks: pulumi.runtime.Mocks = {
    newResource: (args) => ({
      id: args.custom === false ? "" : `${args.name}-mock-id`,
      state: { ...args.inputs, ...outputsFor(args, region) },
    }),
    call: (args) => callResult(args, region),
  };
  pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);
  // setMocks turns on the runtime features (secrets, resource references, …); the recording monitor then
  // replaces its plain monitor, and since that resets the features, they are put back as setMocks left them.
  void pulumi.runtime.setMocks(mocks, opts.project, opts.stack, false);
  const features = Object.entries(getStore()).filter(([k]) => k.startsWith("supports"));
  pulumi.runtime.setMockOptions(
    new RecordingMonitor(mocks, (r) => recorded.push(r)),
    opts.project,
    opts.stack,
    false,
  );
  Object.assign(getStore(), Object.fromEntries(features));
  return recorded;
}

/** What {@link withCheapStackTraces} turned off, while any call of it runs (calls may overlap). */
let cheapTraces: { depth: number; sourceMaps: boolean; stackTraceLimit: number } | undefined;

/**
 * Runs `fn` with stack traces made cheap, and puts them back as they were when the last overlapping call ends.
 * Pulumi's SDK takes and formats a stack trace for every output and resource it makes (`debuggablePromise`,
 * `Resource.callsites`), which the mock runtime never reads (it records no source position):
 * - source maps off (tsx, ts-node and `--enable-source-maps` turn them on): mapping the traces was half of a
 *   synth (dev under mocks 2.0 s → 1.0 s);
 * - `Error.stackTraceLimit` 0: formatting them was half of what remained (dev, staging and prod 1.24 s → 0.59 s
 *   each, mean of six warm runs; `Resource.callsites` takes its own unlimited trace and still works).
 *
 * An error thrown meanwhile carries no trace. So when `fn` throws anything but a user's mistake (a
 * {@link UserError}: the configuration, a component's arguments; a {@link UsageError}) and no other call is
 * running, `fn` runs once more with the traces as they were and, when it fails with the same message, that
 * error (with its trace) is thrown; otherwise the first. `fn` must be a run that can be repeated (a synth, a
 * recording): its side effects happen twice on a bug. While calls overlap, the first error is thrown as it is.
 */
export async function withCheapStackTraces<T>(fn: () => Promise<T>): Promise<T> {
  const state = (cheapTraces ??= {
    depth: 0,
    sourceMaps: process.sourceMapsEnabled,
    stackTraceLimit: Error.stackTraceLimit,
  });
  state.depth++;
  process.setSourceMapsEnabled(false);
  Error.stackTraceLimit = 0;
  let failure: unknown;
  let alone = false;
  try {
    return await fn();
  } catch (err) {
    failure = err;
  } finally {
    if (--state.depth === 0) {
      cheapTraces = undefined;
      process.setSourceMapsEnabled(state.sourceMaps);
      Error.stackTraceLimit = state.stackTraceLimit;
      alone = true;
    }
  }
  if (!alone || isUsersMistake(failure)) throw failure;
  // Traces are as they were (no call runs): the same run again, for the error a developer needs to read. Nothing
  // is changed here, so a call that starts meanwhile puts back what it found.
  try {
    await fn();
  } catch (again) {
    if (again instanceof Error && failure instanceof Error && again.message === failure.message) throw again;
  }
  throw failure;
}

const isUsersMistake = (err: unknown) => err instanceof UserError || err instanceof UsageError;

/** Waits until every registration the program started has reached the monitor. */
export async function settle(): Promise<void> {
  // Registrations chain asynchronously (outputs feed later resources); wait until the runtime is idle.
  // `waitForRPCs` is exported at run time but marked internal in the typings.
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}
