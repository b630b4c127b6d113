/**
 * The CrossGuard pack, as the Pulumi engine loads it:
 *   pulumi preview --policy-pack policy --policy-pack-config policy/config/<env>.json
 * Constructing the PolicyPack starts the analyzer server, so only the engine imports this file; everything
 * else imports ./policies.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("agentops", {
  description:
    "AgentOps guardrails: pod security, pinned images, tier budgets, tenant isolation, EKS hardening.",
  policies: [...policies],
});
