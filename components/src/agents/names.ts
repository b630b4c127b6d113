/**
 * The Kubernetes names of an agent's objects, and the names and label values Kubernetes derives from them, each
 * checked against the limit of the object or label it ends up in. The schema checks the name itself (a
 * DNS-1035 label, the Service's rule); these rules bound its length by what is built from it.
 */
import { hasService, type AgentConfig } from "../config/agents";
import type { ConfigIssue } from "../config/errors";
import { childName } from "../lib/names";

/** The Secret key holding an agent's LLM gateway key (its client credential), read from Vault `agents/<env>/<agent>`. */
export const LLM_API_KEY = "LLM_API_KEY";

/** Kubernetes object names of an agent, so that tests and other components agree with the builder. */
export function agentObjectNames(agent: { name: string }) {
  return {
    serviceAccount: agent.name,
    configMap: childName(agent.name, "config"),
    externalSecret: agent.name,
    secret: childName(agent.name, "secrets"),
    workload: agent.name,
    cronJob: childName(agent.name, "job"),
    jobClaim: childName(agent.name, "job-data"),
    /** StatefulSet claims are `<template>-<statefulset>-<ordinal>`: `data-<agent>-0`, … */
    claimTemplate: "data",
    service: agent.name,
    /** The HPA: the agent's own, or the one KEDA makes for its ScaledObject (same name, see agents/traffic.ts). */
    hpa: agent.name,
    scaledObject: agent.name,
    triggerAuthentication: agent.name,
    serviceVpa: agent.name,
    jobVpa: childName(agent.name, "job"),
    httpRoute: agent.name,
    securityPolicy: agent.name,
    rateLimitPolicy: agent.name,
    /** The OIDC client secret's Secret (and ExternalSecret). */
    oidcSecret: childName(agent.name, "oidc"),
  } as const;
}

/** A limit on a name derived from the agent's name; `derive` gives the longest value for the agent. */
interface DerivedNameRule {
  /** What the derived name is, for the message. */
  what: string;
  applies: (agent: AgentConfig) => boolean;
  derive: (agent: AgentConfig) => string;
  /** Characters the controller adds at run time (a hash), described in words. */
  added?: { length: number; text: string };
  max: number;
  /** Why the limit is what it is, with its source. */
  why: string;
}

/** Digits of the highest StatefulSet ordinal (replicas.max - 1). */
const highestOrdinal = (agent: AgentConfig) => String(hasService(agent) ? agent.replicas.max - 1 : 0);
const statefulSet = (a: AgentConfig) => hasService(a) && a.storage !== undefined;

/**
 * The rules, each with its source:
 * - CronJob names ≤ 52: pkg/apis/batch/validation `ValidateCronJobCreate` (the controller appends an
 *   11-character `-<minutes>` to name each Job, and a Job's name becomes its pods' `job-name` label, ≤ 63);
 * - StatefulSet pods carry `controller-revision-hash: <statefulset>-<hash>`, the ControllerRevision's name
 *   (pkg/controller/history `ControllerRevisionName`; the hash is a uint32 in `rand.SafeEncodeString`, up
 *   to 10 characters), and `statefulset.kubernetes.io/pod-name: <statefulset>-<ordinal>`: label values ≤ 63
 *   (apimachinery `IsValidLabelValue`), or the controller's pods fail to create;
 * - claims `data-<statefulset>-<ordinal>` and `<agent>-job-data`, ConfigMap and Secret names: DNS-1123
 *   subdomains ≤ 253 (apimachinery `IsDNS1123Subdomain`).
 */
export const DERIVED_NAME_RULES: readonly DerivedNameRule[] = [
  {
    what: "CronJob",
    applies: (a) => a.mode !== "service",
    derive: (a) => agentObjectNames(a).cronJob,
    max: 52,
    why: "the CronJob controller appends 11 characters to name each Job",
  },
  {
    what: "label controller-revision-hash",
    applies: statefulSet,
    derive: (a) => `${agentObjectNames(a).workload}-`,
    added: { length: 10, text: "a hash of up to 10 characters" },
    max: 63,
    why: "label values are at most 63 characters; the StatefulSet's revision hash takes up to 10 after a '-'",
  },
  {
    what: "label statefulset.kubernetes.io/pod-name",
    applies: statefulSet,
    derive: (a) => `${agentObjectNames(a).workload}-${highestOrdinal(a)}`,
    max: 63,
    why: "label values are at most 63 characters",
  },
  {
    what: "PersistentVolumeClaim",
    applies: statefulSet,
    derive: (a) =>
      `${agentObjectNames(a).claimTemplate}-${agentObjectNames(a).workload}-${highestOrdinal(a)}`,
    max: 253,
    why: "object names are DNS-1123 subdomains of at most 253 characters",
  },
  {
    what: "PersistentVolumeClaim",
    applies: (a) => a.mode !== "service" && a.storage !== undefined,
    derive: (a) => agentObjectNames(a).jobClaim,
    max: 253,
    why: "object names are DNS-1123 subdomains of at most 253 characters",
  },
  {
    what: "ConfigMap",
    applies: () => true,
    derive: (a) => agentObjectNames(a).configMap,
    max: 253,
    why: "object names are DNS-1123 subdomains of at most 253 characters",
  },
];

/** Every derived name of `agent` over its limit, reported on its `name` (`at("name")`). */
export function derivedNameIssues(agent: AgentConfig, at: (key: string) => string): ConfigIssue[] {
  return DERIVED_NAME_RULES.filter((rule) => rule.applies(agent)).flatMap((rule) => {
    const derived = rule.derive(agent);
    const length = derived.length + (rule.added?.length ?? 0);
    if (length <= rule.max) return [];
    const over = length - rule.max;
    const shown = JSON.stringify(derived) + (rule.added ? ` + ${rule.added.text}` : "");
    return [
      {
        path: at("name"),
        value: agent.name,
        allowed: `is ${over} character${over === 1 ? "" : "s"} too long: the ${rule.what} ${shown} is ${length} characters, Kubernetes allows ${rule.max} (${rule.why})`,
      },
    ];
  });
}
