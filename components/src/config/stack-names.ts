/**
 * The stem of a stack's physical names in the cloud. An environment's stack file may be deployed as more than
 * one stack (its own, `dev`, and an ephemeral `it-1a2b3c4d` of the integration test) into the same account: the
 * physical names (the EKS cluster, its log group and buckets, the node groups' prefixes, the stores' RDS
 * instances, ElastiCache groups, buckets, alarm topic and backup vault) must differ between them, or the second
 * stack takes, or on destroy deletes, what the first owns. The stack name comes from the program
 * (`pulumi.getStack()`, stack/load.ts) as an argument: components never read configuration.
 */
import { createHash } from "node:crypto";
import { DNS1123_LABEL } from "../lib/names";
import { ENVIRONMENTS, type Environment } from "./environments";

/**
 * The longest stack name a cluster is named after as it is: node group name prefixes
 * (`agentops-<stack>-system-a-`) may be 37 characters, since the provider appends 26 to a prefix and EKS allows
 * 63 (terraform-provider-aws `create.Name` with `id.UniqueId`).
 */
export const MAX_OWN_STACK_NAME = 16;

const hashOf = (stack: string, length: number) =>
  createHash("sha256").update(stack).digest("hex").slice(0, length);

/** Whether a stack is its environment's own: named like it, or not named (a program that passes none). */
const ownStack = (environment: Environment, stack: string | undefined) =>
  stack === undefined || stack === environment;

/**
 * The EKS cluster name of a stack, the base of its cloud resources' physical names (its log group, Loki's bucket,
 * the node groups' prefixes, the autoscaler's tags): `agentops-<environment>` for the environment's own stack
 * (the stack named like its environment, or none named), `agentops-<stack>` for another stack of that
 * environment, so an ephemeral stack (`it-1a2b3c4d`) made from an environment's stack file in that environment's
 * account never takes, or destroys, what the environment's own stack owns. A stack name that is not a short
 * lower-case DNS label, or that is another environment's name (whose own names it would take), is shortened and
 * given a hash of the full name: `agentops-<first 9>-<6 hex>`.
 */
export function clusterNameFor(environment: Environment, stack?: string): string {
  if (ownStack(environment, stack)) return `agentops-${environment}`;
  const name = stack!;
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const own =
    slug === name &&
    slug.length <= MAX_OWN_STACK_NAME &&
    DNS1123_LABEL.test(slug) &&
    !(ENVIRONMENTS as readonly string[]).includes(slug);
  if (own) return `agentops-${slug}`;
  return `agentops-${slug.slice(0, 9).replace(/-+$/, "") || "stack"}-${hashOf(name, 6)}`;
}

/**
 * The longest stem of the stores' AWS names: `agentops-staging` (16), which the longest store name
 * (config/stores.ts `STORE_NAME_MAX`) was measured against (ElastiCache's 40-character replication group id).
 */
export const MAX_STORES_STEM = 16;

/**
 * The stem of the data stores' and volume backups' AWS names (`<stem>-<store>`: RDS identifier, ElastiCache
 * group, bucket, log group; `<stem>-stores-alarms`, `<stem>-volumes`): the cluster's name when it fits
 * {@link MAX_STORES_STEM} (every environment's own stack, and short stack names such as `pr-42`), otherwise
 * `agentops-<7 hex>` of the stack name.
 */
export function storesNameStem(environment: Environment, stack?: string): string {
  const cluster = clusterNameFor(environment, stack);
  return cluster.length <= MAX_STORES_STEM ? cluster : `agentops-${hashOf(stack!, 7)}`;
}
