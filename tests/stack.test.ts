import * as assert from "node:assert/strict";
import { STACKS, synthEdited, synthStack, validateManifest } from "./harness";
import { withoutPlatformOnlyStores } from "./fixtures/platform-off";

/* eslint-disable @typescript-eslint/no-explicit-any -- stack files are edited freely */

/** The whole program per environment, under mocks: what every stack must hold whatever its sizes. */
describe("stacks", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    describe(stack, () => {
      it("validates every Kubernetes object against its upstream schema", async () => {
        const { manifests } = await synthStack(stack);
        assert.ok(manifests.length >= 40, `only ${manifests.length} Kubernetes objects`);
        const failures: string[] = [];
        for (const m of manifests)
          await validateManifest(m).catch((err: Error) => failures.push(err.message));
        assert.deepEqual(failures, []);
      });

      it("names every Kubernetes object explicitly, namespaced ones in a namespace", async () => {
        const clusterScoped = new Set([
          "Namespace",
          "StorageClass",
          "ClusterIssuer",
          "ClusterSecretStore",
          "GatewayClass",
          "ClusterRole",
          "ClusterRoleBinding",
          "VolumeSnapshotClass",
          "VolumeSnapshotContent",
        ]);
        for (const m of (await synthStack(stack)).manifests) {
          assert.ok(m.metadata.name, `${m.kind} without metadata.name`);
          assert.equal(
            Boolean(m.metadata.namespace),
            !clusterScoped.has(m.kind),
            `${m.kind}/${m.metadata.name}: namespace`,
          );
        }
      });

      it("puts every in-cluster resource on the cluster's provider", async () => {
        const { resources } = await synthStack(stack);
        const providers = resources.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => r.urn);
        assert.equal(providers.length, 1);
        const k8s = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.ok(k8s.length > 0);
        const elsewhere = k8s
          .filter((r) => !r.provider?.startsWith(`${providers[0]}::`))
          .map((r) => `${r.type} ${r.name}`);
        assert.deepEqual(elsewhere, []);
      });

      it("gives every agent its tenant, tier and cost-center labels and its budget annotation", async () => {
        const { manifests } = await synthStack(stack);
        const workloads = manifests.filter((m) => ["Deployment", "StatefulSet", "CronJob"].includes(m.kind));
        assert.ok(workloads.length >= 4);
        for (const w of workloads) {
          const labels = w.metadata.labels ?? {};
          assert.equal(labels["agentops.io/tenant"], "governance", `${w.kind}/${w.metadata.name}`);
          assert.match(labels["agentops.io/tier"] ?? "", /^[1-4]$/);
          assert.equal(labels["agentops.io/cost-center"], "platform-governance");
          assert.match(w.metadata.annotations?.["agentops.io/budget-monthly-usd"] ?? "", /^\d+(\.\d+)?$/);
          assert.match(w.metadata.annotations?.["agentops.io/estimated-monthly-usd"] ?? "", /^\d+(\.\d+)?$/);
        }
      });

      it("keeps the kubeconfig output secret and mocked cloud values obviously fake", async () => {
        const { outputs, resources } = await synthStack(stack);
        assert.equal(outputs.kubeconfig, "[secret]");
        assert.equal(outputs.environment, stack);
        const text = JSON.stringify(resources);
        for (const account of text.match(/\b\d{12}\b/g) ?? []) assert.equal(account, "000000000000");
      });
    });
  }

  it("protects the cluster, its keys, the log bucket and the trace volume in prod, and nothing in dev or staging", async () => {
    const protectedIn = async (stack: string) =>
      (await synthStack(stack)).resources
        .filter((r) => r.protect)
        .map((r) => r.type)
        .sort();
    assert.deepEqual(await protectedIn("dev"), []);
    assert.deepEqual(await protectedIn("staging"), []);
    assert.deepEqual(await protectedIn("prod"), [
      // The agents' volume backups.
      "aws:backup/vault:Vault",
      // The LLM gateway's counter store (its counters are the month's spend) and what it stands in; the audit
      // database's security group.
      "aws:ec2/securityGroup:SecurityGroup",
      "aws:ec2/securityGroup:SecurityGroup",
      "aws:eks/cluster:Cluster",
      "aws:elasticache/replicationGroup:ReplicationGroup",
      "aws:elasticache/subnetGroup:SubnetGroup",
      // The cluster's three keys and the data stores' key.
      "aws:kms/key:Key",
      "aws:kms/key:Key",
      "aws:kms/key:Key",
      "aws:kms/key:Key",
      // The audit database and its subnet group.
      "aws:rds/instance:Instance",
      "aws:rds/subnetGroup:SubnetGroup",
      // Loki's bucket and the evidence bucket.
      "aws:s3/bucket:Bucket",
      "aws:s3/bucket:Bucket",
      "kubernetes:core/v1:PersistentVolumeClaim",
    ]);
  });
});

describe("issue 22, defect 8: platform.enabled false", function () {
  this.timeout(120_000);
  const off = (stack: string) =>
    synthEdited(stack, (c: Record<string, any>) => {
      c.platform.enabled = false;
      // Agents' secrets, PostgreSQL and Valkey stores are refused without the platform
      // (tests/new-user-config.test.ts); these have none, and keep the S3 store and AWS Backup.
      withoutPlatformOnlyStores(c);
    });

  for (const stack of ["dev", "prod"]) {
    it(`${stack}: declares no custom resource whose CRD the platform would install, and no Helm release`, async () => {
      const { resources, manifests } = await off(stack);
      assert.deepEqual(
        manifests
          .filter(
            (m) =>
              !/^(v1|apps\/v1|batch\/v1|autoscaling\/v2|policy\/v1|networking\.k8s\.io\/v1|rbac\.authorization\.k8s\.io\/v1|storage\.k8s\.io\/v1)$/.test(
                m.apiVersion,
              ),
          )
          .map((m) => `${m.apiVersion} ${m.kind}`),
        [],
      );
      assert.deepEqual(
        resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release"),
        [],
      );
      // The agents themselves still run: their workloads are there.
      assert.ok(manifests.some((m) => m.kind === "StatefulSet" || m.kind === "Deployment"));
      // What needs no platform stays: the S3 store (a bucket, Pod Identity) and AWS Backup of the volumes.
      const types = new Set(resources.map((r) => r.type));
      for (const type of [
        "aws:s3/bucket:Bucket",
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "aws:backup/plan:Plan",
      ]) {
        assert.ok(types.has(type), type);
      }
      // …and the EBS CSI add-on runs no snapshotter (no VolumeSnapshot CRDs for it to watch).
      const csi = resources.find(
        (r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "aws-ebs-csi-driver",
      );
      assert.ok(csi, "the EBS CSI add-on");
      assert.ok(!JSON.stringify(csi?.inputs.configurationValues ?? "").includes("snapshotter"));
    });
  }
});
