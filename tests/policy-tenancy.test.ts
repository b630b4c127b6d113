import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { PLATFORM_NAMESPACES } from "@agentops/components/model";
import { withDefaults } from "../policy/define";
import { checkTenantIsolation, tenantIsolation, type TenantIsolationConfig } from "../policy/tenancy";
import { asResources, tenantObjects, workload } from "./fixtures/policy";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are edited freely */

const config = withDefaults<TenantIsolationConfig>(tenantIsolation.configSchema, {});
const NAMESPACE_URN = "urn:pulumi:test::agentops::kubernetes:core/v1:Namespace::governance-0";

/** The tenant fixture without objects of `kind`, or with `edit` applied to the first object of `kind`. */
function tenant(kind: string, edit?: (obj: any) => void): any[] {
  const objects = tenantObjects();
  if (!edit) return objects.filter((o) => o.kind !== kind);
  edit(objects.find((o) => o.kind === kind));
  return objects;
}

const check = (objects: any[]) => checkTenantIsolation(asResources(objects), config);
const messages = (objects: any[]) => check(objects).map((f) => f.message);

describe("policy tenant-isolation", () => {
  it("passes a namespace with quota, limits, default deny and the restricted label", () => {
    assert.deepEqual(check(tenantObjects()), []);
  });

  it("flags a namespace without a ResourceQuota, at its Namespace object", () => {
    assert.deepEqual(check(tenant("ResourceQuota")), [
      {
        urn: NAMESPACE_URN,
        message: 'namespace "governance": no ResourceQuota — every namespace with workloads needs one',
      },
    ]);
  });

  it("flags a namespace without a LimitRange", () => {
    assert.deepEqual(messages(tenant("LimitRange")), [
      'namespace "governance": no LimitRange — every namespace with workloads needs one',
    ]);
  });

  const DENY =
    'namespace "governance": no default-deny NetworkPolicy — needs one with podSelector {}, policyTypes [Ingress, Egress] and no rules';

  it("flags a namespace without a NetworkPolicy", () =>
    assert.deepEqual(messages(tenant("NetworkPolicy")), [DENY]));

  it("does not count a policy that selects only some pods", () => {
    assert.deepEqual(
      messages(tenant("NetworkPolicy", (np) => (np.spec.podSelector = { matchLabels: { app: "x" } }))),
      [DENY],
    );
  });

  it("does not count a policy that leaves egress open", () => {
    assert.deepEqual(messages(tenant("NetworkPolicy", (np) => (np.spec.policyTypes = ["Ingress"]))), [DENY]);
  });

  it("does not count a policy with an allow rule", () => {
    assert.deepEqual(
      messages(tenant("NetworkPolicy", (np) => (np.spec.egress = [{ to: [{ podSelector: {} }] }]))),
      [DENY],
    );
  });

  it("flags a namespace enforcing less than restricted", () => {
    const objects = tenant(
      "Namespace",
      (ns) => (ns.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline"),
    );
    assert.deepEqual(messages(objects), [
      'namespace "governance": metadata.labels["pod-security.kubernetes.io/enforce"]: "baseline" — must be "restricted"',
    ]);
  });

  it("flags workloads in a namespace the stack does not declare, at the first workload", () => {
    assert.deepEqual(check(tenant("Namespace")), [
      {
        urn: "urn:pulumi:test::agentops::kubernetes:apps/v1:Deployment::it-ops-agent-3",
        message:
          'namespace "governance": no Namespace object declared (workloads such as Deployment/governance/it-ops-agent run in it) — declare it with pod-security.kubernetes.io/enforce: restricted',
      },
    ]);
  });

  it("flags a workload without its cost-center label", () => {
    const objects = tenant("Deployment", (d) => delete d.metadata.labels["agentops.io/cost-center"]);
    assert.deepEqual(check(objects), [
      {
        urn: "urn:pulumi:test::agentops::kubernetes:apps/v1:Deployment::it-ops-agent-4",
        message:
          'metadata.labels["agentops.io/cost-center"]: (missing) — every workload carries agentops.io/tenant, agentops.io/tier, agentops.io/cost-center',
      },
    ]);
  });

  it("exempts the platform namespaces", () => {
    const collector = workload("Deployment", undefined, "otel-collector");
    collector.metadata = { name: "otel-collector", namespace: "monitoring" };
    assert.deepEqual(check([...tenantObjects(), collector]), []);
  });

  it("exempts every platform namespace, whatever the config says, and the ones it adds", () => {
    const bare = (namespace: string) => {
      const w = workload("Deployment", undefined, "x");
      w.metadata = { name: "x", namespace };
      return w;
    };
    // The platform's namespaces come from lib/contract.ts, not from a copy in the pack's config files.
    for (const namespace of Object.values(PLATFORM_NAMESPACES)) {
      assert.deepEqual(check([...tenantObjects(), bare(namespace)]), [], namespace);
    }
    assert.ok(Object.values(PLATFORM_NAMESPACES).includes("envoy-ai-gateway-system"));
    const extra = { ...config, exemptNamespaces: ["batch-legacy"] };
    assert.deepEqual(
      checkTenantIsolation(asResources([...tenantObjects(), bare("batch-legacy")]), extra),
      [],
    );
    assert.equal(check([...tenantObjects(), bare("batch-legacy")]).length > 0, true);
  });

  it("the environments' pack configs leave the platform's namespaces to the pack", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const file = JSON.parse(
        fs.readFileSync(path.join(__dirname, "..", "policy", "config", `${env}.json`), "utf8"),
      ) as Record<string, Record<string, unknown>>;
      assert.equal(file["tenant-isolation"]?.exemptNamespaces, undefined, env);
    }
  });
});
