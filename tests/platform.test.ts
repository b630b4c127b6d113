import * as assert from "node:assert/strict";
import {
  ADDONS,
  parseStackConfig,
  Platform,
  rawStackConfig,
  type PlatformConfig,
} from "@agentops/components";
import { readStackConfig } from "@agentops/components/testing";
import { record, ROOT, STACKS, synthStack, validateManifest, type Recorded } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CUSTOM = (group: string, kind: string) => `kubernetes:${group}:${kind}`;

/** The platform alone, from a stack file's config, on a cluster with or without a cloud side. */
async function platformOf(
  stack: string,
  opts: { eks: boolean; edit?: (c: PlatformConfig) => void } = { eks: true },
) {
  const cfg = parseStackConfig(rawStackConfig(readStackConfig(ROOT, stack).config));
  opts.edit?.(cfg.platform);
  return record(() => {
    new Platform("platform", {
      environment: cfg.environment,
      config: cfg.platform,
      cluster: {
        capabilities: { spotNodeGroup: opts.eks, gpuNodeGroup: opts.eks, podIdentity: opts.eks },
        cloud: opts.eks
          ? {
              region: "us-east-1",
              clusterName: "agentops-test",
              lokiBucket: "loki-bucket",
              vaultKmsKeyId: "vault-key",
            }
          : undefined,
      },
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- values are free-form per chart
const values = (rec: Recorded, release: string): any => rec.inputs(RELEASE, `platform-${release}`).values;

describe("platform", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    it(`${stack}: declares every release pinned, atomic, with a timeout, in its namespace`, async () => {
      const { resources } = await synthStack(stack);
      const releases = resources
        .filter((r) => r.type === RELEASE)
        .map((r) => r.inputs as Record<string, unknown>);
      const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
      assert.deepEqual(
        releases
          .map((r) => [
            r.name,
            r.chart,
            (r.repositoryOpts as { repo?: string } | undefined)?.repo,
            r.version,
            r.namespace,
            r.atomic,
            r.timeout,
          ])
          .sort(byName),
        ADDONS.map((a) => [a.name, a.chart, a.repository, a.version, a.namespace, true, 900]).sort(byName),
      );
    });

    it(`${stack}: validates every platform custom resource against its CRD schema`, async () => {
      const { manifests } = await synthStack(stack);
      const custom = manifests.filter(
        (m) => /cert-manager|external-secrets/.test(m.apiVersion) && m.kind !== "ExternalSecret",
      );
      assert.deepEqual(
        custom.map((m) => `${m.kind}/${m.metadata.name}`).sort(),
        [
          "Certificate/agentops-root-ca",
          "Certificate/vault-server-tls",
          "ClusterIssuer/agentops-ca",
          "ClusterIssuer/selfsigned",
          "ClusterSecretStore/aws-secrets-manager",
          "ClusterSecretStore/vault",
        ].sort(),
      );
      for (const m of custom) await validateManifest(m);
    });
  }

  it("orders releases: CRD charts before what uses them, Vault after its certificate", async () => {
    const rec = await platformOf("prod");
    const name = (urn: string) => urn.split("::").pop()!;
    const deps = (type: string, n: string) =>
      rec
        .get(type, n)
        .dependsOn.map(name)
        .filter((d) => d !== "platform")
        .sort();
    const certificate = CUSTOM("cert-manager.io/v1", "Certificate");
    const includes = (type: string, n: string, expected: string[]) =>
      assert.deepEqual(
        expected.filter((d) => !deps(type, n).includes(d)),
        [],
        `${n} depends on`,
      );
    includes(RELEASE, "platform-vault", ["platform-certificate-vault-server-tls", "platform-vault"]);
    includes(certificate, "platform-certificate-vault-server-tls", [
      "platform-cert-manager",
      "platform-clusterissuer-agentops-ca",
    ]);
    includes(RELEASE, "platform-loki", ["platform-kube-prometheus-stack", "platform-monitoring"]);
    includes(CUSTOM("external-secrets.io/v1", "ClusterSecretStore"), "platform-clustersecretstore-vault", [
      "platform-external-secrets",
      "platform-vault",
    ]);
    // Nothing waits on what it does not need: cert-manager follows only its namespace.
    assert.deepEqual(deps(RELEASE, "platform-cert-manager"), ["platform-cert-manager"]);
    for (const addon of ADDONS) {
      for (const dep of addon.dependsOn) {
        assert.ok(
          ADDONS.findIndex((a) => a.name === dep) < ADDONS.indexOf(addon),
          `${addon.name} is listed before ${dep}`,
        );
      }
    }
  });

  it("runs Vault standalone in dev and as a 3-voter raft cluster in staging and prod, unsealed by KMS", async () => {
    const dev = values(await platformOf("dev"), "vault");
    assert.equal(dev.server.standalone.enabled, true);
    assert.equal(dev.server.ha.enabled, false);
    for (const stack of ["staging", "prod"]) {
      const v = values(await platformOf(stack), "vault");
      assert.deepEqual(
        [v.server.ha.enabled, v.server.ha.replicas, v.server.ha.raft.enabled, v.server.standalone.enabled],
        [true, 3, true, false],
      );
      assert.match(v.server.ha.raft.config, /storage "raft"/);
      assert.match(
        v.server.ha.raft.config,
        /seal "awskms" \{\n {2}region {5}= "us-east-1"\n {2}kms_key_id = "vault-key"\n\}/,
      );
      assert.match(
        v.server.ha.raft.config,
        /tls_cert_file {3}= "\/vault\/userconfig\/vault-server-tls\/tls.crt"/,
      );
    }
    assert.equal(dev.global.tlsDisable, false);
    assert.equal(dev.server.serviceAccount.name, "vault");
  });

  it("has no KMS seal without a cloud, and says how to unseal", async () => {
    const v = values(await platformOf("dev", { eks: false }), "vault");
    assert.doesNotMatch(v.server.standalone.config, /awskms/);
    assert.match(v.server.standalone.config, /vault operator init/);
  });

  it("sizes Prometheus per environment and selects monitors and rules from every namespace", async () => {
    const expected = {
      dev: ["7d", "20Gi", 1],
      staging: ["15d", "50Gi", 1],
      prod: ["30d", "200Gi", 2],
    } as const;
    for (const stack of STACKS) {
      const spec = values(await platformOf(stack), "kube-prometheus-stack").prometheus.prometheusSpec;
      assert.deepEqual(
        [spec.retention, spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, spec.replicas],
        [...expected[stack]],
      );
      assert.deepEqual(
        [
          spec.serviceMonitorSelectorNilUsesHelmValues,
          spec.podMonitorSelectorNilUsesHelmValues,
          spec.ruleSelectorNilUsesHelmValues,
        ],
        [false, false, false],
      );
      assert.equal(spec.enableOTLPReceiver, true);
    }
  });

  it("keeps Grafana's password in a Secret from a generated password, never in values", async () => {
    const rec = await platformOf("dev");
    const grafana = values(rec, "kube-prometheus-stack").grafana;
    assert.deepEqual(grafana.admin, {
      existingSecret: "grafana-admin",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    assert.deepEqual(rec.inputs("kubernetes:core/v1:Secret", "platform-grafana-admin").stringData, {
      "admin-user": "[secret]",
      "admin-password": "[secret]",
    });
    assert.deepEqual(rec.inputs("random:index/randomPassword:RandomPassword", "platform-grafana-admin"), {
      length: 32,
      special: false,
    });
    assert.deepEqual(
      grafana.additionalDataSources.map((d: { type: string; url: string }) => [d.type, d.url]),
      [
        ["loki", "http://loki-gateway.monitoring.svc.cluster.local"],
        ["jaeger", "http://jaeger.monitoring.svc.cluster.local:16686"],
      ],
    );
  });

  it("runs Loki monolithic on a volume in dev and simple-scalable on the cluster's bucket elsewhere", async () => {
    const dev = values(await platformOf("dev"), "loki");
    assert.deepEqual(
      [
        dev.deploymentMode,
        dev.loki.storage.type,
        dev.singleBinary.replicas,
        dev.loki.limits_config.retention_period,
      ],
      ["Monolithic", "filesystem", 1, "168h"],
    );
    const prod = values(await platformOf("prod"), "loki");
    assert.deepEqual(
      [
        prod.deploymentMode,
        prod.loki.storage.type,
        prod.loki.storage.bucketNames.chunks,
        prod.write.replicas,
      ],
      ["SimpleScalable", "s3", "loki-bucket", 3],
    );
    assert.equal(prod.loki.limits_config.retention_period, "720h");
    assert.equal(prod.serviceAccount.name, "loki");
  });

  it("keeps traces in memory in dev only, on a Badger volume elsewhere", async () => {
    const dev = values(await platformOf("dev"), "jaeger");
    assert.deepEqual(dev.userconfig.extensions.jaeger_storage.backends.primary_store, {
      memory: { max_traces: 100000 },
    });
    const prodRec = await platformOf("prod");
    const prod = values(prodRec, "jaeger");
    assert.equal(prod.userconfig.extensions.jaeger_storage.backends.primary_store.badger.ttl.spans, "168h");
    assert.equal(
      prodRec.inputs("kubernetes:core/v1:PersistentVolumeClaim", "platform-jaeger-badger").spec.resources
        .requests.storage,
      "50Gi",
    );
  });

  it("sends agents' OTLP to Jaeger, Prometheus and Loki, and collects pod logs on every node", async () => {
    const rec = await platformOf("dev");
    const gateway = values(rec, "otel-collector");
    assert.deepEqual([gateway.mode, gateway.fullnameOverride], ["deployment", "otel-collector"]);
    assert.deepEqual(gateway.config.service.pipelines.traces.exporters, ["otlp/jaeger"]);
    assert.deepEqual(gateway.config.service.pipelines.metrics.exporters, ["otlphttp/prometheus"]);
    assert.deepEqual(gateway.config.service.pipelines.logs.exporters, ["otlphttp/loki"]);
    const logs = values(rec, "otel-logs");
    assert.deepEqual([logs.mode, logs.presets.logsCollection.enabled], ["daemonset", true]);
  });

  it("puts the NVIDIA device plugin on GPU nodes only and runs the autoscaler on EKS only", async () => {
    const nvidia = values(await platformOf("dev"), "nvidia-device-plugin");
    assert.deepEqual(
      nvidia.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
      [{ matchExpressions: [{ key: "agentops.io/node-group", operator: "In", values: ["gpu"] }] }],
    );
    assert.deepEqual(nvidia.tolerations, [
      { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
    ]);
    const ca = values(await platformOf("dev"), "cluster-autoscaler");
    assert.deepEqual(
      [ca.autoDiscovery.clusterName, ca.awsRegion, ca.rbac.serviceAccount.name],
      ["agentops-test", "us-east-1", "cluster-autoscaler"],
    );
    const existing = await platformOf("dev", { eks: false });
    const names = existing.ofType(RELEASE).map((r) => (r.inputs as { name: string }).name);
    assert.ok(!names.includes("cluster-autoscaler") && !names.includes("nvidia-device-plugin"));
    assert.ok(
      !existing
        .ofType(CUSTOM("external-secrets.io/v1", "ClusterSecretStore"))
        .some((r) => r.name.includes("aws")),
    );
  });

  it("runs two replicas of the stateless controllers with disruption budgets in prod only", async () => {
    for (const [stack, replicas] of [
      ["dev", 1],
      ["prod", 2],
    ] as const) {
      const rec = await platformOf(stack);
      assert.equal(values(rec, "cert-manager").replicaCount, replicas);
      assert.equal(values(rec, "cert-manager").podDisruptionBudget.enabled, replicas > 1);
      assert.equal(values(rec, "external-secrets").replicaCount, replicas);
      assert.equal(values(rec, "metrics-server").replicas, replicas);
      assert.equal(values(rec, "otel-collector").replicaCount, replicas);
      assert.equal(values(rec, "kube-prometheus-stack").grafana.replicas, replicas);
    }
  });

  it("labels platform namespaces for Pod Security: restricted, privileged only where host access is needed", async () => {
    const rec = await platformOf("dev");
    const levels = Object.fromEntries(
      rec.ofType("kubernetes:core/v1:Namespace").map((r) => {
        const m = (r.inputs as { metadata: { name: string; labels: Record<string, string> } }).metadata;
        return [m.name, m.labels["pod-security.kubernetes.io/enforce"]];
      }),
    );
    assert.deepEqual(levels, {
      "cert-manager": "restricted",
      "external-secrets": "restricted",
      monitoring: "privileged",
      vault: "restricted",
      "envoy-gateway-system": "restricted",
    });
  });

  it("adds the ACME issuers when an e-mail is configured", async () => {
    const rec = await platformOf("dev", {
      eks: true,
      edit: (c) => (c.certManager.acmeEmail = "ops@example.com"),
    });
    const issuer = rec.inputs(
      CUSTOM("cert-manager.io/v1", "ClusterIssuer"),
      "platform-clusterissuer-letsencrypt-production",
    );
    assert.deepEqual(
      [issuer.spec.acme.email, issuer.spec.acme.server],
      ["ops@example.com", "https://acme-v02.api.letsencrypt.org/directory"],
    );
    await validateManifest(rec.manifest("ClusterIssuer", "letsencrypt-staging"));
  });
});
