import * as assert from "node:assert/strict";
import {
  ADDONS,
  parseStackConfig,
  Platform,
  rawStackConfig,
  type Addon,
  type PlatformConfig,
  type RawStackConfig,
} from "@agentops/components";
import { GRAFANA_ADMIN_SECRET } from "../components/src/platform";
import { installOrder } from "../components/src/platform/registry";
import { readStackConfig } from "@agentops/components/testing";
import { configProblems, record, ROOT, STACKS, synthStack, validateManifest, type Recorded } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CUSTOM = (group: string, kind: string) => `kubernetes:${group}:${kind}`;
const CLUSTER_ISSUER = CUSTOM("cert-manager.io/v1", "ClusterIssuer");
const SECRET_STORE = CUSTOM("external-secrets.io/v1", "ClusterSecretStore");

/** Every release, as the issue pins it: chart, repository, version, namespace. Not derived from the registry. */
const PINNED: Record<string, [chart: string, repo: string | undefined, version: string, namespace: string]> =
  {
    "kube-prometheus-stack": [
      "kube-prometheus-stack",
      "https://prometheus-community.github.io/helm-charts",
      "88.5.3",
      "monitoring",
    ],
    "cert-manager": ["cert-manager", "https://charts.jetstack.io", "v1.21.1", "cert-manager"],
    "external-secrets": [
      "external-secrets",
      "https://charts.external-secrets.io",
      "2.9.0",
      "external-secrets",
    ],
    loki: ["loki", "https://grafana-community.github.io/helm-charts", "18.11.0", "monitoring"],
    jaeger: ["jaeger", "https://jaegertracing.github.io/helm-charts", "4.11.1", "monitoring"],
    "otel-collector": [
      "opentelemetry-collector",
      "https://open-telemetry.github.io/opentelemetry-helm-charts",
      "0.170.0",
      "monitoring",
    ],
    "otel-logs": [
      "opentelemetry-collector",
      "https://open-telemetry.github.io/opentelemetry-helm-charts",
      "0.170.0",
      "monitoring-agents",
    ],
    vault: ["vault", "https://helm.releases.hashicorp.com", "0.34.1", "vault"],
    "metrics-server": [
      "metrics-server",
      "https://kubernetes-sigs.github.io/metrics-server/",
      "3.13.1",
      "kube-system",
    ],
    "nvidia-device-plugin": [
      "nvidia-device-plugin",
      "https://nvidia.github.io/k8s-device-plugin",
      "0.20.0",
      "kube-system",
    ],
    "cluster-autoscaler": [
      "cluster-autoscaler",
      "https://kubernetes.github.io/autoscaler",
      "9.59.0",
      "kube-system",
    ],
    "envoy-gateway": ["oci://docker.io/envoyproxy/gateway-helm", undefined, "v1.8.2", "envoy-gateway-system"],
    "ai-gateway-crds": [
      "oci://docker.io/envoyproxy/ai-gateway-crds-helm",
      undefined,
      "v1.1.0",
      "envoy-ai-gateway-system",
    ],
    "ai-gateway": [
      "oci://docker.io/envoyproxy/ai-gateway-helm",
      undefined,
      "v1.1.0",
      "envoy-ai-gateway-system",
    ],
    "dcgm-exporter": [
      "dcgm-exporter",
      "https://nvidia.github.io/dcgm-exporter/helm-charts",
      "4.8.2",
      "monitoring-agents",
    ],
    opencost: ["opencost", "https://opencost.github.io/opencost-helm-chart", "2.5.17", "monitoring"],
    // Volume backups and restores (every stack backs its agents' volumes up).
    "snapshot-controller": ["snapshot-controller", "https://piraeus.io/helm-charts/", "5.2.0", "kube-system"],
    keda: ["keda", "https://kedacore.github.io/charts", "2.20.2", "keda"],
    "vertical-pod-autoscaler": [
      "vertical-pod-autoscaler",
      "https://kubernetes.github.io/autoscaler",
      "0.11.0",
      "kube-system",
    ],
  };

/** The platform alone, from a stack file's config, on an EKS cluster with GPUs or on an existing cluster. */
async function platformOf(stack: string, opts: { eks?: boolean; edit?: (c: PlatformConfig) => void } = {}) {
  const eks = opts.eks ?? true;
  const cfg = parseStackConfig(rawStackConfig(readStackConfig(ROOT, stack).config));
  opts.edit?.(cfg.platform);
  return record(() => {
    new Platform("platform", {
      environment: cfg.environment,
      config: cfg.platform,
      cluster: {
        capabilities: { spotNodeGroup: eks, gpuNodeGroup: eks, podIdentity: eks },
        cloud: eks
          ? {
              region: "us-east-1",
              clusterName: "agentops-test",
              lokiBucket: "loki-bucket",
              vaultKmsKeyId: "vault-key",
              accountId: "000000000000",
              network: {
                vpcId: "vpc-1",
                privateSubnetIds: ["subnet-a", "subnet-b"],
                clusterSecurityGroupId: "sg-cluster",
              },
            }
          : undefined,
      },
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- values are free-form per chart
const values = (rec: Recorded, release: string): any => rec.inputs(RELEASE, `platform-${release}`).values;

/** Names (last URN segment) of what a resource explicitly depends on, sorted. */
function dependencies(resources: Recorded["resources"], type: string, name: string): string[] {
  const found = resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} ${name}`);
  return found.dependsOn.map((urn) => urn.split("::").pop()!).sort();
}

describe("platform", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    describe(stack, () => {
      it("declares every release with its chart, repository, pinned version and namespace, atomic, 900s timeout", async () => {
        const { resources } = await synthStack(stack);
        const releases = Object.fromEntries(
          resources
            .filter((r) => r.type === RELEASE)
            .map((r) => {
              const i = r.inputs as Record<string, unknown>;
              const repo = (i.repositoryOpts as { repo?: string } | undefined)?.repo;
              return [
                i.name,
                [i.chart, repo, i.version, i.namespace, i.atomic, i.timeout, i.createNamespace],
              ];
            }),
        );
        const expected = Object.fromEntries(
          Object.entries(PINNED).map(([n, pin]) => [n, [...pin, true, 900, false]]),
        );
        assert.deepEqual(releases, expected);
      });

      it("orders each release after exactly what it needs: namespaces, CRDs, Vault's certificate", async () => {
        const { resources } = await synthStack(stack);
        const deps = (release: string) => dependencies(resources, RELEASE, `platform-${release}`);
        const p = (n: string) => `platform-${n}`;
        const badger = stack === "dev" ? [] : [p("jaeger-badger")];
        // Staging and prod set an ACME e-mail (their exposed agents' certificates): the Let's Encrypt issuers.
        const acme =
          stack === "dev"
            ? []
            : [p("clusterissuer-letsencrypt-production"), p("clusterissuer-letsencrypt-staging")];
        const issuers = [
          p("certificate-agentops-root-ca"),
          p("clusterissuer-agentops-ca"),
          p("clusterissuer-selfsigned"),
          ...acme,
        ];
        // Besides the explicit order, values holding a cloud resource's output follow it: the bucket, the key, the cluster.
        const bucket = stack === "dev" ? [] : ["agentops-loki"];
        const expected: Record<string, string[]> = {
          "kube-prometheus-stack": [p("monitoring"), p("monitoring-agents")],
          "cert-manager": [p("cert-manager"), p("kube-prometheus-stack")],
          "external-secrets": [p("external-secrets"), p("kube-prometheus-stack")],
          loki: [...bucket, p("kube-prometheus-stack"), p("monitoring")],
          jaeger: [...badger, p("monitoring")],
          "otel-collector": [p("monitoring")],
          "otel-logs": [p("monitoring-agents")],
          vault: [
            "agentops-vault-key",
            p("cert-manager"),
            ...issuers,
            p("certificate-vault-server-tls"),
            p("vault"),
          ],
          "metrics-server": [],
          "nvidia-device-plugin": [],
          "cluster-autoscaler": ["agentops-eks"],
          // The LLM gateway's store: its AUTH Secret, and the ElastiCache endpoint in the rate-limit values.
          "envoy-gateway": [p("envoy-gateway-system"), p("llm-gateway-store"), p("llm-gateway-store-auth")],
          "ai-gateway-crds": [p("envoy-ai-gateway-system")],
          "ai-gateway": [p("ai-gateway-crds"), p("envoy-ai-gateway-system"), p("envoy-gateway")],
          "dcgm-exporter": [p("kube-prometheus-stack"), p("monitoring-agents")],
          opencost: [p("kube-prometheus-stack"), p("monitoring"), p("opencost-pricing")],
          "snapshot-controller": [],
          // dev's queue agent reads SQS through the KEDA operator's Pod Identity: its association comes first.
          keda: [p("keda"), p("kube-prometheus-stack"), ...(stack === "dev" ? [p("keda-pod-identity")] : [])],
          "vertical-pod-autoscaler": [],
        };
        // Every release, so one added without an expectation here fails too.
        const releases = resources
          .filter((r) => r.type === RELEASE)
          .map((r) => (r.inputs as { name: string }).name);
        assert.deepEqual(
          Object.fromEntries(releases.map((r) => [r, deps(r)])),
          Object.fromEntries(Object.entries(expected).map(([r, want]) => [r, want.sort()])),
        );
        assert.deepEqual(
          dependencies(
            resources,
            CUSTOM("cert-manager.io/v1", "Certificate"),
            p("certificate-vault-server-tls"),
          ),
          [p("cert-manager"), ...issuers, p("vault")].sort(),
        );
      });

      it("validates its issuers, certificates and secret stores against the CRD schemas", async () => {
        const { manifests } = await synthStack(stack);
        // The data stores' credentials live in their own namespace (tests/stores.test.ts).
        const custom = manifests.filter(
          (m) =>
            /cert-manager\.io|external-secrets\.io/.test(m.apiVersion) &&
            m.metadata.namespace !== "agentops-stores",
        );
        assert.deepEqual(
          custom
            .filter((m) => m.kind !== "ExternalSecret")
            .map((m) => `${m.apiVersion} ${m.kind}/${m.metadata.name}`)
            .sort(),
          [
            "cert-manager.io/v1 Certificate/agentops-root-ca",
            ...(stack === "dev" ? [] : ["cert-manager.io/v1 Certificate/expose-security-agent"]),
            "cert-manager.io/v1 Certificate/vault-server-tls",
            "cert-manager.io/v1 ClusterIssuer/agentops-ca",
            ...(stack === "dev"
              ? []
              : [
                  "cert-manager.io/v1 ClusterIssuer/letsencrypt-production",
                  "cert-manager.io/v1 ClusterIssuer/letsencrypt-staging",
                ]),
            "cert-manager.io/v1 ClusterIssuer/selfsigned",
            "external-secrets.io/v1 ClusterSecretStore/aws-secrets-manager",
            "external-secrets.io/v1 ClusterSecretStore/vault",
            // The LLM gateway's counter-store token, kept in Vault.
            "external-secrets.io/v1alpha1 PushSecret/llm-gateway-store-auth",
          ],
        );
        for (const m of custom) await validateManifest(m);
      });

      it("puts no secret into any release's values", async () => {
        const { resources } = await synthStack(stack);
        const releases = resources.filter((r) => r.type === RELEASE);
        for (const r of releases) {
          const text = JSON.stringify((r.inputs as { values: unknown }).values);
          assert.doesNotMatch(
            text,
            /\[secret\]|mock-agentops-platform-grafana-admin/,
            (r.inputs as { name: string }).name,
          );
          assert.doesNotMatch(
            text,
            /"(adminPassword|password|token|secretKey)":/i,
            (r.inputs as { name: string }).name,
          );
        }
      });
    });
  }

  describe("sizes each environment from its stack file only", () => {
    // [retention, volume, replicas] of Prometheus; [mode, retention, volume] of Loki; Jaeger; Vault; controllers.
    const expected = {
      dev: {
        prometheus: ["7d", "20Gi", 1],
        loki: ["Monolithic", "168h", "10Gi"],
        jaeger: "memory",
        vault: [false, 1],
        controllers: 1,
      },
      staging: {
        prometheus: ["15d", "50Gi", 1],
        loki: ["SimpleScalable", "336h", "20Gi"],
        jaeger: "badger",
        vault: [true, 3],
        controllers: 1,
      },
      prod: {
        prometheus: ["30d", "200Gi", 2],
        loki: ["SimpleScalable", "720h", "50Gi"],
        jaeger: "badger",
        vault: [true, 3],
        controllers: 2,
      },
    } as const;

    for (const stack of STACKS) {
      it(`${stack}: Prometheus retention, volume and replicas`, async () => {
        const spec = values(await platformOf(stack), "kube-prometheus-stack").prometheus.prometheusSpec;
        assert.deepEqual(
          [
            spec.retention,
            spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage,
            spec.replicas,
          ],
          [...expected[stack].prometheus],
        );
      });

      it(`${stack}: Loki mode, retention and volume`, async () => {
        const loki = values(await platformOf(stack), "loki");
        const volume =
          loki.deploymentMode === "Monolithic"
            ? loki.singleBinary.persistence.size
            : loki.write.persistence.size;
        assert.deepEqual(
          [loki.deploymentMode, loki.loki.limits_config.retention_period, volume],
          [...expected[stack].loki],
        );
      });

      it(`${stack}: Jaeger storage, Vault HA and controller replicas`, async () => {
        const rec = await platformOf(stack);
        const backend = values(rec, "jaeger").userconfig.extensions.jaeger_storage.backends.primary_store;
        assert.deepEqual(Object.keys(backend), [expected[stack].jaeger]);
        const vault = values(rec, "vault").server;
        assert.deepEqual(
          [vault.ha.enabled, vault.ha.enabled ? vault.ha.replicas : 1],
          [...expected[stack].vault],
        );
        const n = expected[stack].controllers;
        assert.deepEqual(
          [
            values(rec, "cert-manager").replicaCount,
            values(rec, "cert-manager").webhook.replicaCount,
            values(rec, "external-secrets").replicaCount,
            values(rec, "metrics-server").replicas,
            values(rec, "otel-collector").replicaCount,
            values(rec, "kube-prometheus-stack").grafana.replicas,
            values(rec, "kube-prometheus-stack").alertmanager.alertmanagerSpec.replicas,
            values(rec, "envoy-gateway").deployment.replicas,
          ],
          [n, n, n, n, n, n, n, n],
        );
      });
    }

    it("gives the doubled controllers a disruption budget in prod only", async () => {
      for (const [stack, on] of [
        ["dev", false],
        ["prod", true],
      ] as const) {
        const rec = await platformOf(stack);
        assert.deepEqual(
          [
            values(rec, "cert-manager").podDisruptionBudget.enabled,
            values(rec, "external-secrets").podDisruptionBudget.enabled,
            values(rec, "metrics-server").podDisruptionBudget.enabled,
            values(rec, "otel-collector").podDisruptionBudget.enabled,
            values(rec, "envoy-gateway").podDisruptionBudget.minAvailable,
          ],
          [on, on, on, on, on ? 1 : 0],
          stack,
        );
      }
    });
  });

  it("runs Vault as a raft cluster with TLS from cert-manager, unsealed by the cluster's KMS key", async () => {
    const v = values(await platformOf("prod"), "vault");
    assert.deepEqual(
      [v.server.ha.raft.enabled, v.server.standalone.enabled, v.global.tlsDisable],
      [true, false, false],
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
    assert.deepEqual(v.server.volumes, [
      { name: "tls", secret: { secretName: "vault-server-tls" } },
      { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
    ]);
    // Raft peers join each other by name (the certificate covers *.vault-internal), never by pod IP.
    assert.match(
      v.server.ha.raft.config,
      /retry_join \{\n {4}leader_api_addr {5}= "https:\/\/vault-2\.vault-internal:8200"\n/,
    );
    assert.doesNotMatch(v.server.ha.raft.config, /auto_join/);
    assert.equal(v.server.statefulSet.securityContext.container.readOnlyRootFilesystem, true);
    assert.equal(v.server.serviceAccount.name, "vault");
  });

  it("counts a new, sealed Vault ready so the first atomic install does not roll back", async () => {
    const v = values(await platformOf("dev"), "vault");
    assert.equal(v.server.readinessProbe.path, "/v1/sys/health?standbyok=true&sealedcode=204&uninitcode=204");
  });

  it("has no KMS seal without a cloud, and says how to unseal", async () => {
    const v = values(await platformOf("dev", { eks: false }), "vault");
    assert.doesNotMatch(v.server.standalone.config, /awskms/);
    assert.match(v.server.standalone.config, /vault operator init/);
  });

  it("lets Prometheus select monitors and rules from every namespace and accept OTLP", async () => {
    const spec = values(await platformOf("dev"), "kube-prometheus-stack").prometheus.prometheusSpec;
    assert.deepEqual(
      [
        spec.serviceMonitorSelectorNilUsesHelmValues,
        spec.podMonitorSelectorNilUsesHelmValues,
        spec.ruleSelectorNilUsesHelmValues,
        spec.probeSelectorNilUsesHelmValues,
        spec.scrapeConfigSelectorNilUsesHelmValues,
        spec.enableOTLPReceiver,
      ],
      [false, false, false, false, false, true],
    );
  });

  it("leaves Grafana's admin password to its chart (generated in the cluster, never in Pulumi state), with Loki and Jaeger as data sources", async () => {
    const rec = await platformOf("dev");
    const grafana = values(rec, "kube-prometheus-stack").grafana;
    // No admin values: the chart generates the password into its own Secret, kube-prometheus-stack-grafana.
    assert.equal(grafana.admin, undefined);
    assert.equal(grafana.adminPassword, undefined);
    assert.equal(GRAFANA_ADMIN_SECRET, "kube-prometheus-stack-grafana");
    for (const type of ["random:index/randomPassword:RandomPassword", "kubernetes:core/v1:Secret"]) {
      assert.deepEqual(
        rec.ofType(type).filter((r) => /grafana/.test(r.name)),
        [],
        type,
      );
    }
    assert.deepEqual(
      grafana.additionalDataSources.map((d: { type: string; url: string }) => [d.type, d.url]),
      [
        ["loki", "http://loki-gateway.monitoring.svc.cluster.local"],
        ["jaeger", "http://jaeger.monitoring.svc.cluster.local:16686"],
      ],
    );
  });

  it("stores Loki's chunks in the cluster's bucket with the Pod Identity service account", async () => {
    const loki = values(await platformOf("prod"), "loki");
    assert.deepEqual(loki.loki.storage.bucketNames, { chunks: "loki-bucket", ruler: "loki-bucket" });
    assert.deepEqual([loki.loki.storage.type, loki.loki.storage.s3.region], ["s3", "us-east-1"]);
    assert.deepEqual(loki.serviceAccount, { create: true, name: "loki" });
    assert.equal(loki.singleBinary.replicas, 0);
  });

  it("keeps dev's Loki on its volume", async () => {
    const loki = values(await platformOf("dev"), "loki");
    assert.deepEqual(
      [loki.loki.storage.type, loki.loki.schemaConfig.configs[0].object_store, loki.singleBinary.replicas],
      ["filesystem", "filesystem", 1],
    );
  });

  it("keeps Jaeger's Badger traces on a claim of the configured size, mounted by the chart", async () => {
    const rec = await platformOf("prod");
    const jaeger = values(rec, "jaeger");
    assert.equal(jaeger.userconfig.extensions.jaeger_storage.backends.primary_store.badger.ttl.spans, "168h");
    assert.deepEqual(jaeger.jaeger.extraVolumes, [
      { name: "badger", persistentVolumeClaim: { claimName: "jaeger-badger" } },
    ]);
    assert.equal(
      rec.inputs("kubernetes:core/v1:PersistentVolumeClaim", "platform-jaeger-badger").spec.resources.requests
        .storage,
      "50Gi",
    );
  });

  it("sends agents' OTLP traces to Jaeger, metrics to Prometheus and logs to Loki", async () => {
    const gateway = values(await platformOf("dev"), "otel-collector");
    assert.deepEqual([gateway.mode, gateway.fullnameOverride], ["deployment", "otel-collector"]);
    const { pipelines } = gateway.config.service;
    assert.deepEqual(
      [pipelines.traces.exporters, pipelines.metrics.exporters, pipelines.logs.exporters],
      [["otlp/jaeger"], ["otlphttp/prometheus"], ["otlphttp/loki"]],
    );
    assert.equal(
      gateway.config.exporters["otlp/jaeger"].endpoint,
      "jaeger.monitoring.svc.cluster.local:4317",
    );
    assert.equal(
      gateway.config.exporters["otlphttp/prometheus"].metrics_endpoint,
      "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090/api/v1/otlp/v1/metrics",
    );
    assert.deepEqual(gateway.config.receivers.otlp.protocols, {
      grpc: { endpoint: "0.0.0.0:4317" },
      http: { endpoint: "0.0.0.0:4318" },
    });
  });

  it("tails every node's pod logs into Loki as root without capabilities", async () => {
    const logs = values(await platformOf("dev"), "otel-logs");
    assert.deepEqual([logs.mode, logs.presets.logsCollection.enabled], ["daemonset", true]);
    assert.deepEqual(logs.config.service.pipelines.logs.exporters, ["otlphttp/loki"]);
    assert.deepEqual(logs.tolerations, [{ operator: "Exists", effect: "NoSchedule" }]);
    assert.deepEqual(
      [
        logs.securityContext.runAsUser,
        logs.securityContext.capabilities,
        logs.securityContext.readOnlyRootFilesystem,
      ],
      [0, { drop: ["ALL"] }, true],
    );
  });

  it("puts the NVIDIA device plugin on GPU nodes only, tolerating their taint", async () => {
    const nvidia = values(await platformOf("dev"), "nvidia-device-plugin");
    assert.deepEqual(nvidia.nodeSelector, { "agentops.io/node-group": "gpu" });
    assert.deepEqual(
      nvidia.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
      [{ matchExpressions: [{ key: "agentops.io/node-group", operator: "In", values: ["gpu"] }] }],
    );
    assert.deepEqual(nvidia.tolerations, [
      { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
    ]);
  });

  it("discovers the cluster's node groups for the autoscaler, under its Pod Identity service account", async () => {
    const ca = values(await platformOf("dev"), "cluster-autoscaler");
    assert.deepEqual(
      [ca.cloudProvider, ca.autoDiscovery.clusterName, ca.awsRegion, ca.rbac.serviceAccount.name],
      ["aws", "agentops-test", "us-east-1", "cluster-autoscaler"],
    );
  });

  it("leaves the autoscaler, the device plugin and the AWS store out on an existing cluster", async () => {
    const rec = await platformOf("dev", { eks: false });
    const names = rec.ofType(RELEASE).map((r) => (r.inputs as { name: string }).name);
    assert.deepEqual(
      ["cluster-autoscaler", "nvidia-device-plugin"].filter((n) => names.includes(n)),
      [],
    );
    assert.deepEqual(
      rec.ofType(SECRET_STORE).map((r) => r.name),
      ["platform-clustersecretstore-vault"],
    );
  });

  it("reads Vault's KV v2 engine with Kubernetes auth and AWS Secrets Manager with Pod Identity", async () => {
    const rec = await platformOf("prod");
    const vault = rec.inputs(SECRET_STORE, "platform-clustersecretstore-vault").spec.provider.vault;
    assert.deepEqual(
      [vault.server, vault.path, vault.version, vault.auth.kubernetes.role],
      ["https://vault.vault.svc.cluster.local:8200", "secret", "v2", "external-secrets"],
    );
    const aws = rec.inputs(SECRET_STORE, "platform-clustersecretstore-aws-secrets-manager").spec.provider.aws;
    assert.deepEqual(aws, { service: "SecretsManager", region: "us-east-1" });
  });

  it("labels platform namespaces for Pod Security: privileged only for the node agents", async () => {
    const rec = await platformOf("dev");
    const levels = Object.fromEntries(
      rec.ofType("kubernetes:core/v1:Namespace").map((r) => {
        const m = (r.inputs as { metadata: { name: string; labels: Record<string, string> } }).metadata;
        return [
          m.name,
          [m.labels["pod-security.kubernetes.io/enforce"], m.labels["pod-security.kubernetes.io/warn"]],
        ];
      }),
    );
    assert.deepEqual(levels, {
      "cert-manager": ["restricted", "restricted"],
      "external-secrets": ["restricted", "restricted"],
      monitoring: ["baseline", "restricted"],
      "monitoring-agents": ["privileged", "restricted"],
      vault: ["restricted", "restricted"],
      "envoy-gateway-system": ["restricted", "restricted"],
      "envoy-ai-gateway-system": ["restricted", "restricted"],
      keda: ["restricted", "restricted"],
    });
  });

  it("adds the ACME staging and production issuers when an e-mail is configured", async () => {
    const rec = await platformOf("dev", { edit: (c) => (c.certManager.acmeEmail = "ops@example.com") });
    for (const [name, server] of [
      ["letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"],
      ["letsencrypt-production", "https://acme-v02.api.letsencrypt.org/directory"],
    ]) {
      const acme = rec.inputs(CLUSTER_ISSUER, `platform-clusterissuer-${name}`).spec.acme;
      assert.deepEqual([acme.email, acme.server], ["ops@example.com", server]);
      await validateManifest(rec.manifest("ClusterIssuer", name!));
    }
  });

  it("declares no ACME issuer without an e-mail", async () => {
    const rec = await platformOf("prod", { edit: (c) => delete c.certManager.acmeEmail });
    assert.deepEqual(
      rec
        .ofType(CLUSTER_ISSUER)
        .map((r) => r.name)
        .sort(),
      ["platform-clusterissuer-agentops-ca", "platform-clusterissuer-selfsigned"],
    );
  });

  it("declares no public Gateway, hence no load balancer, without ACME or an exposed agent", async () => {
    // The LLM gateway's own Gateway is internal (a ClusterIP Service): tests/llm-gateway.test.ts. No agents
    // are passed here, so none is exposed.
    const rec = await platformOf("prod", {
      edit: (c) => {
        c.llmGateway.enabled = false;
        delete c.certManager.acmeEmail;
      },
    });
    assert.deepEqual(
      rec.resources
        .filter((r) => r.type.startsWith("kubernetes:gateway.networking.k8s.io"))
        .map((r) => r.name),
      [],
    );
  });

  it("declares the shared Gateway with ACME, after its class and the controller that installs their CRDs", async () => {
    const rec = await platformOf("dev", { edit: (c) => (c.certManager.acmeEmail = "ops@example.com") });
    const gw = rec.get(CUSTOM("gateway.networking.k8s.io/v1", "Gateway"), "platform-gateway-public");
    assert.deepEqual((gw.inputs as { spec: unknown }).spec, {
      gatewayClassName: "envoy",
      // Its proxies sized by the EnvoyProxy the capacity plan reads (model/cost/stack.ts).
      infrastructure: {
        parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: "public" },
      },
      listeners: [
        { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "All" } } },
      ],
    });
    assert.deepEqual(gw.dependsOn.map((u) => u.split("::").pop()).sort(), [
      "platform-envoy-gateway",
      "platform-envoyproxy-public",
      "platform-gatewayclass-envoy",
    ]);
    const { GatewayClass, Gateway } =
      await import("@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1");
    // The harness knows no Gateway API schemas; the model package is installed, so validate with it here.
    new Gateway(
      rec.manifest("Gateway", "public") as unknown as ConstructorParameters<typeof Gateway>[0],
    ).validate();
    new GatewayClass(
      rec.manifest("GatewayClass", "envoy") as unknown as ConstructorParameters<typeof GatewayClass>[0],
    ).validate();
  });

  it("exposes the CRD-installing releases for agents to follow", async () => {
    let platform: Platform | undefined;
    await record(() => {
      const cfg = parseStackConfig(rawStackConfig(readStackConfig(ROOT, "dev").config));
      platform = new Platform("platform", {
        environment: cfg.environment,
        config: cfg.platform,
        cluster: { capabilities: { spotNodeGroup: false, gpuNodeGroup: false, podIdentity: false } },
      });
    });
    const crdReleases = Object.entries(platform!.releases)
      .filter(([, r]) => platform!.crds.includes(r))
      .map(([n]) => n);
    assert.deepEqual(crdReleases.sort(), [
      "ai-gateway-crds",
      "cert-manager",
      "envoy-gateway",
      "external-secrets",
      "keda",
      "kube-prometheus-stack",
      "vertical-pod-autoscaler",
    ]);
  });

  describe("registry", () => {
    it("names only registered add-ons as dependencies, listed before their dependents", () => {
      const names = ADDONS.map((a) => a.name);
      for (const addon of ADDONS) {
        for (const dep of addon.dependsOn) {
          assert.ok(names.includes(dep), `${addon.name} depends on unknown ${dep}`);
          assert.ok(names.indexOf(dep) < names.indexOf(addon.name), `${addon.name} is listed before ${dep}`);
        }
      }
    });

    it("orders add-ons after their dependencies whatever the list order", () => {
      const addon = (name: string, dependsOn: string[]) => ({ ...ADDONS[0]!, name, dependsOn }) as Addon;
      const order = installOrder([
        addon("vault", ["cert-manager"]),
        addon("cert-manager", []),
        addon("loki", []),
      ]);
      assert.deepEqual(
        order.map((a) => a.name),
        ["cert-manager", "vault", "loki"],
      );
    });

    it("rejects a dependency cycle, naming it", () => {
      const addon = (name: string, dependsOn: string[]) => ({ ...ADDONS[0]!, name, dependsOn }) as Addon;
      assert.throws(() => installOrder([addon("a", ["b"]), addon("b", ["a"])]), {
        message: "platform add-ons depend on each other in a cycle: a → b → a",
      });
    });
  });

  describe("rejects bad platform settings, one line each as `<key path>: <bad value> — <what is allowed>`", () => {
    /** The dev stack file with `agentops:platform` replaced; the error lines it produces. */
    function problems(platform: unknown, edit?: (raw: RawStackConfig) => void): string[] {
      const raw = rawStackConfig(readStackConfig(ROOT, "dev").config);
      raw.agentops.platform = platform;
      edit?.(raw);
      return configProblems(raw);
    }

    it("a Loki mode that does not exist", () => {
      assert.deepEqual(problems({ loki: { mode: "distributed" } }), [
        `platform.loki.mode: "distributed" — must be singleBinary or simpleScalable`,
      ]);
    });

    it("a Jaeger storage that does not exist", () => {
      assert.deepEqual(problems({ jaeger: { storage: "cassandra" } }), [
        `platform.jaeger.storage: "cassandra" — must be memory or badger`,
      ]);
    });

    it("a storage size that is not a quantity", () => {
      assert.deepEqual(problems({ prometheus: { storageSize: "lots" } }), [
        `platform.prometheus.storageSize: "lots" — must be a Kubernetes storage quantity greater than 0, e.g. "512Mi" or "4Gi"`,
      ]);
    });

    it("too many Prometheus replicas", () => {
      assert.deepEqual(problems({ prometheus: { replicas: 9 } }), [
        "platform.prometheus.replicas: 9 — must be a whole number from 1 to 5",
      ]);
    });

    it("an ACME e-mail that is not an address", () => {
      assert.deepEqual(problems({ certManager: { acmeEmail: "ops" } }), [
        `platform.certManager.acmeEmail: "ops" — must be an e-mail address`,
      ]);
    });

    it("highAvailability that is not a boolean", () => {
      assert.deepEqual(problems({ highAvailability: "yes" }), [
        `platform.highAvailability: "yes" — must be true or false`,
      ]);
    });

    it("a key the platform does not know", () => {
      assert.deepEqual(problems({ grafana: { replicas: 2 } }), [
        `platform.grafana: {"replicas":2} — is not a known key here (known: enabled, charts, highAvailability, prometheus, loki, jaeger, vault, certManager, llmGateway)`,
      ]);
    });

    it("Loki on S3 without an EKS cluster", () => {
      assert.deepEqual(
        problems({ loki: { mode: "simpleScalable" } }, (raw) => {
          raw.agentops.cluster = { mode: "existing", context: "kind-agentops" };
          raw.region = undefined;
          // On an existing cluster the dev stack's S3 store is an endpoint the user names (tests/stores.test.ts).
          const stores = raw.agentops.stores as Record<string, Record<string, unknown>>;
          Object.assign(stores.evidence!, {
            endpoint: "https://minio.example.com:9000",
            bucket: "agentops-evidence",
            network: { cidr: "10.0.0.0/8" },
          });
          // The queue agent's SQS Pod Identity needs EKS too (tests/traffic.test.ts): left out here.
          raw.agentops.agents = (raw.agentops.agents as { name: string }[]).filter(
            (a) => a.name !== "triage-agent",
          );
        }),
        [
          `platform.loki.mode: "simpleScalable" — needs cluster.mode eks (Loki keeps its chunks in the cluster's S3 bucket); use singleBinary`,
        ],
      );
    });

    it("in-memory traces outside dev", () => {
      assert.deepEqual(
        problems({ jaeger: { storage: "memory" } }, (raw) => (raw.agentops.environment = "staging")),
        [
          `platform.jaeger.storage: "memory" — must be badger in staging (in-memory traces are lost on every restart; dev only)`,
        ],
      );
    });

    it("an even number of raft voters", () => {
      assert.deepEqual(problems({ vault: { ha: true, replicas: 4 } }), [
        "platform.vault.replicas: 4 — must be an odd number from 3 to 7 (raft quorum)",
      ]);
    });

    it("a retention that is not a Prometheus duration", () => {
      assert.deepEqual(problems({ prometheus: { retention: "2 weeks" } }), [
        `platform.prometheus.retention: "2 weeks" — must be a Prometheus duration greater than 0: whole numbers with units from largest to smallest, each once (y, w, d, h, m, s, ms), e.g. 15d, 12h or 1d12h`,
      ]);
    });
  });
});
