import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "@agentops/components";
import { DEFAULT_NODE_GROUPS, estimateStack, regionPrices, stackCostInput } from "@agentops/components/model";
import { Agent, agentObjects, type AgentArgs } from "../components/src/agents";
import { imageVersion } from "../components/src/agents/objects";
import { Tenant } from "../components/src/tenancy";
import { agentSchema, type AgentConfig } from "../components/src/config/agents";
import { testAgent, testTenant } from "./fixtures/agent";
import { record, stackConfig, STACKS, validateManifest, type Recorded } from "./harness";

const tenant = testTenant({
  // GPUs for 5 replicas of 2 plus the rollout's surge pod: the component checks the quota fit as the stack files do.
  quota: { requests: { cpu: "16", memory: "32Gi" }, limits: { cpu: "32", memory: "64Gi" }, gpu: 12 },
});

/** The test agent at 2 to 5 replicas with an LLM budget, a secret and an env entry; each test changes what it is about. */
const agent = (overrides: Record<string, unknown> = {}): AgentConfig =>
  testAgent({
    replicas: { min: 2, max: 5 },
    llm: { monthlyUsd: 30 },
    secrets: ["LLM_API_KEY"],
    env: { MAX_RETRIES: "3" },
    ...overrides,
  });

const scheduled = () =>
  agent({
    mode: "scheduled",
    replicas: undefined,
    schedule: "0 2 * * *",
    timeZone: "Europe/Berlin",
    job: { expectedRunMinutes: 45, activeDeadlineSeconds: 5400, backoffLimit: 1 },
  });
const hybrid = (extra: Record<string, unknown> = {}) =>
  agent({ mode: "hybrid", schedule: "0 3 * * 6", ...extra });

const allGroups = { spotNodeGroup: true, gpuNodeGroup: true };

function build(a: AgentConfig, more: Partial<AgentArgs> = {}): Promise<Recorded> {
  return record(() => {
    new Agent("helper", { agent: a, tenant, environment: "staging", placement: allGroups, ...more });
  });
}

const kinds = (r: Recorded) => r.manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort();
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form
const spec = (r: Recorded, kind: string, name: string): any => r.manifest(kind, name, "team-a").spec;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const podOf = (r: Recorded, kind: string, name: string): any =>
  kind === "CronJob" ? spec(r, kind, name).jobTemplate.spec.template.spec : spec(r, kind, name).template.spec;

describe("Agent", () => {
  describe("modes", () => {
    it("service: a Deployment with its Service, HPA, PDB and ServiceMonitor, no CronJob", async () => {
      assert.deepEqual(kinds(await build(agent())), [
        "ConfigMap/helper-config",
        "Deployment/helper",
        "ExternalSecret/helper",
        "HorizontalPodAutoscaler/helper",
        "PodDisruptionBudget/helper",
        "Service/helper",
        "ServiceAccount/helper",
        "ServiceMonitor/helper",
        "VerticalPodAutoscaler/helper",
      ]);
    });

    it("scheduled: a CronJob and nothing that serves or scales", async () => {
      assert.deepEqual(kinds(await build(scheduled())), [
        "ConfigMap/helper-config",
        "CronJob/helper-job",
        "ExternalSecret/helper",
        "ServiceAccount/helper",
        "VerticalPodAutoscaler/helper-job",
      ]);
    });

    it("hybrid: both the Deployment family and the CronJob", async () => {
      assert.deepEqual(kinds(await build(hybrid())), [
        "ConfigMap/helper-config",
        "CronJob/helper-job",
        "Deployment/helper",
        "ExternalSecret/helper",
        "HorizontalPodAutoscaler/helper",
        "PodDisruptionBudget/helper",
        "Service/helper",
        "ServiceAccount/helper",
        "ServiceMonitor/helper",
        "VerticalPodAutoscaler/helper",
        "VerticalPodAutoscaler/helper-job",
      ]);
    });

    it("registers the component and its children under the Pulumi names derived from its own", async () => {
      const r = await build(hybrid());
      assert.equal(r.get("agentops:agents:Agent", "helper").custom, false);
      assert.deepEqual(
        r.resources
          .filter((x) => x.custom)
          .map((x) => `${x.type} ${x.name}`)
          .sort(),
        [
          "kubernetes:apps/v1:Deployment helper-deployment",
          "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler helper-job-vpa",
          "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler helper-vpa",
          "kubernetes:autoscaling/v2:HorizontalPodAutoscaler helper-hpa",
          "kubernetes:batch/v1:CronJob helper-cronjob",
          "kubernetes:core/v1:ConfigMap helper-config",
          "kubernetes:core/v1:Service helper-service",
          "kubernetes:core/v1:ServiceAccount helper-service-account",
          "kubernetes:external-secrets.io/v1:ExternalSecret helper-external-secret",
          "kubernetes:monitoring.coreos.com/v1:ServiceMonitor helper-service-monitor",
          "kubernetes:policy/v1:PodDisruptionBudget helper-pdb",
        ],
      );
      const parent = r.get("agentops:agents:Agent", "helper").urn;
      assert.ok(r.resources.filter((x) => x.custom).every((x) => x.parent === parent));
    });
  });

  describe("Deployment", () => {
    it("rolls out one extra pod at a time and never goes below capacity; leaves replicas to the HPA", async () => {
      const s = spec(await build(agent()), "Deployment", "helper");
      assert.deepEqual(s.strategy, {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      });
      assert.equal(s.replicas, undefined);
      assert.deepEqual(s.selector, {
        matchLabels: {
          "app.kubernetes.io/name": "helper",
          "app.kubernetes.io/instance": "helper",
          "app.kubernetes.io/component": "service",
        },
      });
    });

    it("probes the configured paths on the named port, with a startup probe ahead of liveness", async () => {
      const c = podOf(
        await build(agent({ port: 9000, probes: { liveness: "/live", readiness: "/ready" } })),
        "Deployment",
        "helper",
      ).containers[0];
      assert.deepEqual(c.ports, [{ name: "http", containerPort: 9000, protocol: "TCP" }]);
      assert.deepEqual(c.startupProbe, {
        httpGet: { path: "/live", port: "http" },
        periodSeconds: 5,
        timeoutSeconds: 2,
        failureThreshold: 60,
      });
      assert.deepEqual(c.livenessProbe, {
        httpGet: { path: "/live", port: "http" },
        periodSeconds: 20,
        timeoutSeconds: 2,
        failureThreshold: 3,
      });
      assert.deepEqual(c.readinessProbe, {
        httpGet: { path: "/ready", port: "http" },
        periodSeconds: 10,
        timeoutSeconds: 2,
        failureThreshold: 3,
      });
    });

    it("spreads over zones and nodes without blocking scheduling", async () => {
      const pod = podOf(await build(agent()), "Deployment", "helper");
      const selector = {
        matchLabels: {
          "app.kubernetes.io/name": "helper",
          "app.kubernetes.io/instance": "helper",
          "app.kubernetes.io/component": "service",
        },
      };
      assert.deepEqual(pod.topologySpreadConstraints, [
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: selector,
        },
        {
          maxSkew: 1,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: selector,
        },
      ]);
    });
  });

  describe("security context (service and job pods alike)", () => {
    for (const [kind, name, make] of [
      ["Deployment", "helper", () => agent()],
      ["CronJob", "helper-job", scheduled],
    ] as const) {
      it(`${kind}: non-root 65532, RuntimeDefault seccomp, read-only root, no capabilities, writable /tmp`, async () => {
        const pod = podOf(await build(make()), kind, name);
        assert.deepEqual(pod.securityContext, {
          runAsNonRoot: true,
          runAsUser: 65532,
          runAsGroup: 65532,
          fsGroup: 65532,
          fsGroupChangePolicy: "OnRootMismatch",
          seccompProfile: { type: "RuntimeDefault" },
        });
        const c = pod.containers[0];
        assert.deepEqual(c.securityContext, {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          privileged: false,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
        });
        assert.deepEqual(pod.volumes, [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }]);
        assert.deepEqual(c.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(pod.enableServiceLinks, false);
      });
    }

    it("never mounts a ServiceAccount token (asking for one is refused: tests/new-user-config.test.ts)", async () => {
      const off = await build(agent({ automountServiceAccountToken: false }));
      assert.equal(off.manifest("ServiceAccount", "helper").automountServiceAccountToken, false);
      assert.equal(podOf(off, "Deployment", "helper").automountServiceAccountToken, false);
    });
  });

  describe("environment", () => {
    it("takes the ConfigMap and the Secret as env, and points OpenTelemetry at the collector", async () => {
      const c = podOf(await build(agent()), "Deployment", "helper").containers[0];
      assert.deepEqual(c.envFrom, [
        { configMapRef: { name: "helper-config" } },
        { secretRef: { name: "helper-secrets" } },
      ]);
      assert.deepEqual(c.env, [
        { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://otel-collector.monitoring.svc:4318" },
        { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "http/protobuf" },
        { name: "OTEL_SERVICE_NAME", value: "helper" },
        {
          name: "OTEL_RESOURCE_ATTRIBUTES",
          value:
            "deployment.environment.name=staging,service.namespace=team-a,service.version=1.2.3,agentops.tenant=team-a,agentops.tier=2,agentops.cost_center=cc-42",
        },
      ]);
    });

    it("ConfigMap: the entry's env with LOG_LEVEL defaulting to info", async () => {
      const r = await build(agent());
      assert.deepEqual(r.manifest("ConfigMap", "helper-config").data, {
        LOG_LEVEL: "info",
        MAX_RETRIES: "3",
      });
      const debug = await build(agent({ env: { LOG_LEVEL: "debug" } }));
      assert.deepEqual(debug.manifest("ConfigMap", "helper-config").data, { LOG_LEVEL: "debug" });
    });

    it("rolls the pods when the settings change, through a hash on the pod template", async () => {
      const hash = async (env: Record<string, string>) =>
        (await build(agent({ env }))).manifest("Deployment", "helper").spec;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const [a, b, c] = (await Promise.all([hash({ X: "1" }), hash({ X: "1" }), hash({ X: "2" })])) as any[];
      const h = (s: { template: { metadata: { annotations: Record<string, string> } } }) =>
        s.template.metadata.annotations["agentops.io/config-hash"];
      assert.equal(h(a), h(b));
      assert.notEqual(h(a), h(c));
    });

    it("rolls the pods when a secret key is added, so envFrom picks it up", async () => {
      const hash = async (secrets: string[]) => {
        const spec = (await build(agent({ secrets }))).manifest("Deployment", "helper").spec as {
          template: { metadata: { annotations: Record<string, string> } };
        };
        return spec.template.metadata.annotations["agentops.io/config-hash"];
      };
      const [a, b, c] = await Promise.all([hash(["A"]), hash(["A"]), hash(["A", "B"])]);
      assert.equal(a, b);
      assert.notEqual(a, c);
    });

    it("ExternalSecret: one entry per key from agents/<env>/<agent> into <agent>-secrets", async () => {
      const r = await build(agent({ secrets: ["LLM_API_KEY", "HF_TOKEN"] }));
      const s = spec(r, "ExternalSecret", "helper");
      assert.equal(r.manifest("ExternalSecret", "helper").apiVersion, "external-secrets.io/v1");
      assert.equal(s.refreshInterval, "1h");
      assert.deepEqual(s.secretStoreRef, { kind: "ClusterSecretStore", name: "vault" });
      assert.equal(s.target.name, "helper-secrets");
      assert.equal(s.target.creationPolicy, "Owner");
      assert.equal(s.target.template.mergePolicy, "Merge");
      assert.deepEqual(s.data, [
        { secretKey: "LLM_API_KEY", remoteRef: { key: "agents/staging/helper", property: "LLM_API_KEY" } },
        { secretKey: "HF_TOKEN", remoteRef: { key: "agents/staging/helper", property: "HF_TOKEN" } },
      ]);
    });

    it("no secrets: no ExternalSecret and no secretRef", async () => {
      const r = await build(agent({ secrets: [] }));
      assert.deepEqual(
        r.manifests.filter((m) => m.kind === "ExternalSecret"),
        [],
      );
      assert.deepEqual(podOf(r, "Deployment", "helper").containers[0].envFrom, [
        { configMapRef: { name: "helper-config" } },
      ]);
    });
  });

  describe("scaling and disruption", () => {
    it("HPA: replicas from the entry, CPU 70% / memory 80%, up 50% or 4 pods and down 10% or 2 pods a minute", async () => {
      const s = spec(await build(agent()), "HorizontalPodAutoscaler", "helper");
      assert.deepEqual(s.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "helper" });
      assert.equal(s.minReplicas, 2);
      assert.equal(s.maxReplicas, 5);
      assert.deepEqual(s.metrics, [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
        {
          type: "Resource",
          resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } },
        },
      ]);
      assert.deepEqual(s.behavior, {
        scaleUp: {
          stabilizationWindowSeconds: 60,
          selectPolicy: "Max",
          policies: [
            { type: "Percent", value: 50, periodSeconds: 60 },
            { type: "Pods", value: 4, periodSeconds: 60 },
          ],
        },
        scaleDown: {
          stabilizationWindowSeconds: 300,
          selectPolicy: "Min",
          policies: [
            { type: "Percent", value: 10, periodSeconds: 60 },
            { type: "Pods", value: 2, periodSeconds: 60 },
          ],
        },
      });
    });

    it("HPA: targets and behaviour from the entry's autoscaling", async () => {
      const s = spec(
        await build(
          agent({
            autoscaling: {
              cpuUtilization: 60,
              memoryUtilization: 75,
              scaleUp: { percent: 100, pods: 2, periodSeconds: 30, stabilizationSeconds: 0 },
              scaleDown: { percent: 5, pods: 1, periodSeconds: 120, stabilizationSeconds: 600 },
            },
          }),
        ),
        "HorizontalPodAutoscaler",
        "helper",
      );
      assert.deepEqual(
        s.metrics.map(
          (m: { resource: { target: { averageUtilization: number } } }) =>
            m.resource.target.averageUtilization,
        ),
        [60, 75],
      );
      assert.deepEqual(s.behavior.scaleUp, {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [
          { type: "Percent", value: 100, periodSeconds: 30 },
          { type: "Pods", value: 2, periodSeconds: 30 },
        ],
      });
      assert.deepEqual(s.behavior.scaleDown, {
        stabilizationWindowSeconds: 600,
        selectPolicy: "Min",
        policies: [
          { type: "Percent", value: 5, periodSeconds: 120 },
          { type: "Pods", value: 1, periodSeconds: 120 },
        ],
      });
    });

    it("PDB: at most one pod down, and unhealthy pods never block a drain", async () => {
      assert.deepEqual(spec(await build(agent()), "PodDisruptionBudget", "helper"), {
        maxUnavailable: 1,
        selector: {
          matchLabels: {
            "app.kubernetes.io/name": "helper",
            "app.kubernetes.io/instance": "helper",
            "app.kubernetes.io/component": "service",
          },
        },
        unhealthyPodEvictionPolicy: "AlwaysAllow",
      });
    });

    it("Service: ClusterIP, port 80 named http to the container's http port", async () => {
      const s = spec(await build(agent()), "Service", "helper");
      assert.equal(s.type, "ClusterIP");
      assert.deepEqual(s.ports, [
        { name: "http", port: 80, targetPort: "http", protocol: "TCP", appProtocol: "http" },
      ]);
      assert.deepEqual(s.selector, {
        "app.kubernetes.io/name": "helper",
        "app.kubernetes.io/instance": "helper",
        "app.kubernetes.io/component": "service",
      });
    });

    it("ServiceMonitor: /metrics on port http of the agent's Service in its namespace", async () => {
      const r = await build(agent());
      assert.equal(r.manifest("ServiceMonitor", "helper").apiVersion, "monitoring.coreos.com/v1");
      assert.deepEqual(spec(r, "ServiceMonitor", "helper"), {
        selector: {
          matchLabels: {
            "app.kubernetes.io/name": "helper",
            "app.kubernetes.io/instance": "helper",
            "app.kubernetes.io/component": "service",
          },
        },
        namespaceSelector: { matchNames: ["team-a"] },
        endpoints: [{ port: "http", path: "/metrics", interval: "30s", scheme: "http" }],
      });
    });
  });

  describe("CronJob", () => {
    it("runs on the schedule in its time zone, one run at a time, with the entry's retries and deadline", async () => {
      const s = spec(await build(scheduled()), "CronJob", "helper-job");
      assert.equal(s.schedule, "0 2 * * *");
      assert.equal(s.timeZone, "Europe/Berlin");
      assert.equal(s.concurrencyPolicy, "Forbid");
      assert.equal(s.startingDeadlineSeconds, 600);
      assert.equal(s.successfulJobsHistoryLimit, 3);
      assert.equal(s.failedJobsHistoryLimit, 3);
      const job = s.jobTemplate.spec;
      assert.equal(job.backoffLimit, 1);
      assert.equal(job.activeDeadlineSeconds, 5400);
      assert.equal(job.ttlSecondsAfterFinished, 86400);
      assert.equal(job.template.spec.restartPolicy, "Never");
    });

    it("job pods have no ports or probes", async () => {
      const c = podOf(await build(scheduled()), "CronJob", "helper-job").containers[0];
      assert.deepEqual(
        [c.ports, c.livenessProbe, c.readinessProbe, c.startupProbe],
        [undefined, undefined, undefined, undefined],
      );
    });

    it("annotates the expected run minutes, budget and LLM spend for the cost model", async () => {
      assert.deepEqual((await build(scheduled())).manifest("CronJob", "helper-job").metadata.annotations, {
        "agentops.io/budget-monthly-usd": "120",
        "agentops.io/llm-monthly-usd": "30",
        "agentops.io/expected-run-minutes": "45",
      });
    });

    it("without `job`, uses the schema's defaults: 30 minutes, 1 hour deadline, 2 retries", async () => {
      const r = await build(hybrid());
      const s = spec(r, "CronJob", "helper-job");
      assert.deepEqual(
        [s.jobTemplate.spec.activeDeadlineSeconds, s.jobTemplate.spec.backoffLimit],
        [3600, 2],
      );
      assert.equal(
        r.manifest("CronJob", "helper-job").metadata.annotations?.["agentops.io/expected-run-minutes"],
        "30",
      );
    });
  });

  describe("storage", () => {
    it("a service with storage is a StatefulSet with one ReadWriteOnce claim per replica, retained", async () => {
      const r = await build(agent({ storage: { size: "5Gi", storageClass: "gp3" } }));
      assert.deepEqual(
        r.manifests.filter((m) => m.kind === "Deployment"),
        [],
      );
      const s = spec(r, "StatefulSet", "helper");
      assert.equal(s.serviceName, "helper");
      assert.equal(s.podManagementPolicy, "Parallel");
      assert.deepEqual(s.persistentVolumeClaimRetentionPolicy, {
        whenDeleted: "Retain",
        whenScaled: "Retain",
      });
      assert.equal(s.volumeClaimTemplates.length, 1);
      assert.equal(s.volumeClaimTemplates[0].metadata.name, "data");
      assert.deepEqual(s.volumeClaimTemplates[0].spec, {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "5Gi" } },
        storageClassName: "gp3",
      });
      assert.deepEqual(s.template.spec.containers[0].volumeMounts, [
        { name: "tmp", mountPath: "/tmp" },
        { name: "data", mountPath: "/data" },
      ]);
      assert.deepEqual(spec(r, "HorizontalPodAutoscaler", "helper").scaleTargetRef, {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        name: "helper",
      });
    });

    it("a job with storage mounts a claim of its own", async () => {
      const r = await build(hybrid({ storage: { size: "20Gi", mountPath: "/work" } }));
      assert.deepEqual(spec(r, "PersistentVolumeClaim", "helper-job-data"), {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "20Gi" } },
      });
      const pod = podOf(r, "CronJob", "helper-job");
      assert.deepEqual(pod.volumes[1], {
        name: "helper-job-data",
        persistentVolumeClaim: { claimName: "helper-job-data" },
      });
      assert.deepEqual(pod.containers[0].volumeMounts[1], { name: "helper-job-data", mountPath: "/work" });
    });
  });

  describe("placement", () => {
    it("GPU pods request and limit whole GPUs, select the gpu group and tolerate its taint", async () => {
      const pod = podOf(await build(agent({ gpu: 2 })), "Deployment", "helper");
      assert.deepEqual(pod.containers[0].resources, {
        requests: { cpu: "250m", memory: "512Mi", "nvidia.com/gpu": "2" },
        limits: { cpu: "1", memory: "1Gi", "nvidia.com/gpu": "2" },
      });
      assert.deepEqual(pod.nodeSelector, { "agentops.io/node-group": "gpu" });
      assert.deepEqual(pod.tolerations, [
        { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
      ]);
    });

    it("without a gpu node group: GPU requests and toleration stay, no node selector", async () => {
      const pod = podOf(
        await build(agent({ gpu: 1 }), { placement: { spotNodeGroup: true, gpuNodeGroup: false } }),
        "Deployment",
        "helper",
      );
      assert.equal(pod.containers[0].resources.limits["nvidia.com/gpu"], "1");
      assert.equal(pod.nodeSelector, undefined);
      assert.deepEqual(pod.tolerations, [
        { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
      ]);
    });

    it("a hybrid agent's job.gpu puts only the job on GPUs", async () => {
      const r = await build(hybrid({ job: { gpu: 1 } }));
      assert.equal(podOf(r, "CronJob", "helper-job").containers[0].resources.requests["nvidia.com/gpu"], "1");
      assert.deepEqual(podOf(r, "CronJob", "helper-job").nodeSelector, { "agentops.io/node-group": "gpu" });
      const service = podOf(r, "Deployment", "helper");
      assert.equal(service.containers[0].resources.requests["nvidia.com/gpu"], undefined);
      assert.deepEqual([service.nodeSelector, service.tolerations], [undefined, undefined]);
    });

    it("spot agents tolerate the spot taint and prefer (not require) the spot group", async () => {
      const pod = podOf(await build(agent({ spot: true })), "Deployment", "helper");
      assert.deepEqual(pod.tolerations, [
        { key: "agentops.io/spot", operator: "Equal", value: "true", effect: "NoSchedule" },
      ]);
      assert.deepEqual(pod.affinity, {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              preference: {
                matchExpressions: [{ key: "agentops.io/node-group", operator: "In", values: ["spot"] }],
              },
            },
          ],
        },
      });
      assert.equal(pod.nodeSelector, undefined);
    });

    it("without a spot node group: spot agents get no toleration or affinity", async () => {
      const pod = podOf(
        await build(agent({ spot: true }), { placement: { spotNodeGroup: false, gpuNodeGroup: true } }),
        "Deployment",
        "helper",
      );
      assert.deepEqual([pod.tolerations, pod.affinity, pod.nodeSelector], [undefined, undefined, undefined]);
    });

    it("on-demand agents get no placement constraints", async () => {
      const pod = podOf(await build(agent()), "Deployment", "helper");
      assert.deepEqual([pod.tolerations, pod.affinity, pod.nodeSelector], [undefined, undefined, undefined]);
    });
  });

  describe("labels and annotations", () => {
    it("puts the ten labels on every object and pod template; claim templates (immutable) get the selector labels only", async () => {
      const r = await build(hybrid({ storage: { size: "1Gi" }, tier: 4 }));
      const expected = (component: string) => ({
        "app.kubernetes.io/name": "helper",
        "app.kubernetes.io/instance": "helper",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "agentops",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/version": "1.2.3",
        "agentops.io/tenant": "team-a",
        "agentops.io/tier": "4",
        "agentops.io/cost-center": "cc-42",
        "agentops.io/agent": "helper",
      });
      const component = {
        ServiceAccount: "agent",
        ConfigMap: "agent",
        ExternalSecret: "agent",
        CronJob: "job",
        PersistentVolumeClaim: "job",
      } as Record<string, string>;
      const componentOf = (m: { kind: string; metadata: { name?: string } }) =>
        m.kind === "VerticalPodAutoscaler" && m.metadata.name === "helper-job" ? "job" : component[m.kind];
      assert.equal(r.manifests.length, 12);
      for (const m of r.manifests) {
        assert.deepEqual(
          m.metadata.labels,
          expected(componentOf(m) ?? "service"),
          `${m.kind}/${m.metadata.name}`,
        );
        assert.equal(m.metadata.namespace, "team-a", `${m.kind}/${m.metadata.name}`);
      }
      assert.deepEqual(spec(r, "StatefulSet", "helper").template.metadata.labels, expected("service"));
      assert.deepEqual(spec(r, "StatefulSet", "helper").volumeClaimTemplates[0].metadata.labels, {
        "app.kubernetes.io/name": "helper",
        "app.kubernetes.io/instance": "helper",
        "app.kubernetes.io/component": "service",
      });
      assert.deepEqual(spec(r, "CronJob", "helper-job").jobTemplate.metadata.labels, expected("job"));
      assert.deepEqual(
        spec(r, "CronJob", "helper-job").jobTemplate.spec.template.metadata.labels,
        expected("job"),
      );
      assert.deepEqual(
        spec(r, "ExternalSecret", "helper").target.template.metadata.labels,
        expected("agent"),
      );
    });

    it("annotates the workload with budget and LLM spend, and the estimate once the cost model gives one", async () => {
      const plain = await build(agent());
      assert.deepEqual(plain.manifest("Deployment", "helper").metadata.annotations, {
        "agentops.io/budget-monthly-usd": "120",
        "agentops.io/llm-monthly-usd": "30",
      });
      // Computed from the agent's own objects by the stack's cost model, as synth's report and the pack do.
      const pricing = { prices: regionPrices("us-east-1"), nodeGroups: DEFAULT_NODE_GROUPS };
      const costed = await build(agent(), { pricing });
      const resources = costed.resources
        .filter((r) => r.custom)
        .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs }));
      const [estimate] = estimateStack(stackCostInput(resources, DEFAULT_NODE_GROUPS), pricing.prices).agents;
      assert.ok(estimate && estimate.cost.maxMonthlyUsd > 30, "more than its LLM spend");
      assert.equal(
        costed.manifest("Deployment", "helper").metadata.annotations?.["agentops.io/estimated-monthly-usd"],
        estimate.cost.maxMonthlyUsd.toFixed(2),
      );
    });

    it("the version label is the image tag, or a short digest", () => {
      assert.equal(imageVersion("ghcr.io/org/a:1.2.3"), "1.2.3");
      assert.equal(imageVersion("localhost:5000/a:2.0"), "2.0");
      assert.equal(imageVersion("ghcr.io/org/a@sha256:0123456789abcdef0123"), "sha256-0123456789ab");
      assert.equal(imageVersion("ghcr.io/org/a:1.0@sha256:0123456789abcdef"), "1.0");
    });
  });

  it("refuses a tenant other than the agent's", () => {
    assert.throws(
      () =>
        agentObjects({
          agent: agent({ tenant: "team-b" }),
          tenant,
          environment: "dev",
          placement: allGroups,
        }),
      {
        name: "ComponentArgsError",
        message: `Agent "helper": agent.tenant: "team-b" — must be the tenant passed in ("team-a")`,
      },
    );
  });

  describe("arguments as users write them", () => {
    /** Only the fields the configuration reference marks required for a service agent. */
    const minimal = {
      name: "summarizer",
      tenant: "team-a",
      tier: 2,
      image: "ghcr.io/org/summarizer:0.1.0",
      mode: "service",
      replicas: { min: 1, max: 2 },
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
      budget: { monthlyUsd: 50 },
    } as const;
    const teamA = {
      name: "team-a",
      costCenter: "cc-1",
      group: "team-a-devs",
      quota: { requests: { cpu: "4", memory: "8Gi" }, limits: { cpu: "8", memory: "16Gi" } },
    };

    it("takes an entry held in a variable: numbers and strings widened, checked at run time", async () => {
      // No `as const`: TypeScript infers `tier: number` and `mode: string`, and the component takes them.
      const entry = { ...minimal, tier: 3, mode: "service" };
      const r = await record(() => {
        new Agent("summarizer", { agent: entry, tenant: teamA, environment: "dev" });
      });
      assert.equal(r.manifest("Deployment", "summarizer").metadata.labels?.["agentops.io/tier"], "3");
      assert.throws(
        () =>
          agentObjects({ agent: { ...entry, mode: "daemon", tier: 9 }, tenant: teamA, environment: "qa" }),
        {
          name: "ComponentArgsError",
          message: [
            'Agent "summarizer": agent.mode: "daemon" — must be one of service, scheduled, hybrid',
            'Agent "summarizer": agent.tier: 9 — must be 1, 2, 3 or 4',
            'Agent "summarizer": environment: "qa" — must be one of dev, staging, prod',
          ].join("\n"),
        },
      );
    });

    it("takes the image and env values as outputs of other resources, and checks them once known", async () => {
      const image = pulumi.output("ghcr.io/org/summarizer").apply((repo) => `${repo}:2.0.1`);
      const r = await record(() => {
        new Agent("summarizer", {
          agent: { ...minimal, image, env: { REGION: pulumi.output("eu-west-1"), MODE: "batch" } },
          tenant: teamA,
          environment: "dev",
        });
      });
      const deployment = r.manifest("Deployment", "summarizer");
      assert.equal(podOf(r, "Deployment", "summarizer").containers[0].image, "ghcr.io/org/summarizer:2.0.1");
      assert.equal(deployment.metadata.labels?.["app.kubernetes.io/version"], "2.0.1");
      assert.deepEqual(r.manifest("ConfigMap", "summarizer-config").data, {
        LOG_LEVEL: "info",
        REGION: "eu-west-1",
        MODE: "batch",
      });

      // A bad value fails the deployment with the stack files' message, as a RunError (no stack trace).
      const failures: unknown[] = [];
      const onRejection = (err: unknown) => failures.push(err);
      process.on("unhandledRejection", onRejection);
      try {
        await record(() => {
          new Agent("summarizer", {
            agent: { ...minimal, image: pulumi.output("ghcr.io/org/summarizer:2.0 beta") },
            tenant: teamA,
            environment: "dev",
          });
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        process.off("unhandledRejection", onRejection);
      }
      assert.ok(failures.length > 0, "the deployment fails");
      for (const err of failures) {
        assert.ok(pulumi.RunError.isInstance(err));
        assert.match(
          (err as Error).message,
          /Agent "summarizer": agent\.image: "ghcr\.io\/org\/summarizer:2\.0 beta" — must be a container image reference, e\.g\. ghcr\.io\/org\/agent:1\.2\.3 \(this one contains white space\)$/,
        );
      }
    });

    it("takes the entry and tenant with optional fields left out; placement defaults to no node groups", async () => {
      const r = await record(() => {
        new Agent("summarizer", { agent: { ...minimal, spot: true }, tenant: teamA, environment: "dev" });
      });
      const pod = podOf(r, "Deployment", "summarizer");
      assert.equal(pod.containers[0].ports[0].containerPort, 8080);
      assert.equal(pod.affinity, undefined);
      assert.equal(pod.tolerations, undefined);
      assert.deepEqual(r.manifests.map((m) => m.kind).sort(), [
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
        "VerticalPodAutoscaler",
      ]);
    });

    it("parsing a parsed entry changes nothing, so the program can pass loadStackConfig()'s output", () => {
      const once = agentSchema.parse(minimal);
      assert.deepEqual(agentSchema.parse(once), once);
      assert.deepEqual(
        agentObjects({ agent: once, tenant: teamA, environment: "dev" }),
        agentObjects({ agent: minimal, tenant: teamA, environment: "dev" }),
      );
    });

    it("names the component and the field of every problem, as a RunError (no stack trace under the CLI)", () => {
      const build = () =>
        new Agent("summarizer", {
          agent: { ...minimal, replicas: { min: 5, max: 2 }, tier: 7 as 1 },
          tenant: teamA,
          environment: "dev",
          secretStore: { kind: "Store" as "SecretStore" },
        });
      assert.throws(build, (err: Error) => {
        assert.ok(pulumi.RunError.isInstance(err));
        assert.equal(
          err.message,
          [
            `Agent "summarizer": agent.tier: 7 — must be 1, 2, 3 or 4`,
            `Agent "summarizer": secretStore.kind: "Store" — must be one of ClusterSecretStore, SecretStore`,
            `Agent "summarizer": agent.replicas.min: 5 — must be <= replicas.max (2)`,
          ].join("\n"),
        );
        return true;
      });
    });

    it("serviceMonitor: false leaves the ServiceMonitor out (clusters without the Prometheus Operator)", async () => {
      const r = await record(() => {
        new Agent("summarizer", { agent: minimal, tenant: teamA, environment: "dev", serviceMonitor: false });
      });
      assert.equal(r.manifests.filter((m) => m.kind === "ServiceMonitor").length, 0);
    });

    it("pulls secrets from the store the caller names", async () => {
      const r = await record(() => {
        new Agent("summarizer", {
          agent: { ...minimal, secrets: ["LLM_API_KEY"] },
          tenant: teamA,
          environment: "dev",
          secretStore: { kind: "SecretStore", name: "team-a-aws" },
        });
      });
      assert.deepEqual(spec(r, "ExternalSecret", "summarizer").secretStoreRef, {
        kind: "SecretStore",
        name: "team-a-aws",
      });
    });

    it("exports telemetry to the Tenant component's collector, the endpoint its network policy opens", async () => {
      const r = await record(() => {
        const tenant = new Tenant("team-a", {
          tenant: teamA,
          environment: "dev",
          platform: { otelCollector: { service: "collector", namespace: "observability", httpPort: 4320 } },
        });
        new Agent("summarizer", { agent: minimal, tenant, environment: "dev" });
      });
      const env = podOf(r, "Deployment", "summarizer").containers[0].env;
      assert.deepEqual(env[0], {
        name: "OTEL_EXPORTER_OTLP_ENDPOINT",
        value: "http://collector.observability.svc:4320",
      });
      const egress = spec(r, "NetworkPolicy", "allow-otlp-egress").egress[0];
      assert.deepEqual(egress.ports, [
        { protocol: "TCP", port: 4317 },
        { protocol: "TCP", port: 4320 },
      ]);
    });
  });

  describe("the governance agents of every stack", () => {
    const configs = new Map<string, StackConfig>(STACKS.map((s) => [s, stackConfig(s)]));
    // Each workload has its VPA; security-agent is exposed and KEDA-scaled in staging and prod.
    const exposedAndScaled = ["BackendTrafficPolicy", "HTTPRoute", "ScaledObject", "SecurityPolicy"];
    const hybridKinds = (stack: string, exposed: boolean) =>
      [
        "ConfigMap",
        "CronJob",
        "ExternalSecret",
        ...(exposed && stack !== "dev" ? exposedAndScaled : ["HorizontalPodAutoscaler"]),
        "PersistentVolumeClaim",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
        "StatefulSet",
        "VerticalPodAutoscaler",
        "VerticalPodAutoscaler",
      ].sort();
    const serviceKinds = [
      "ConfigMap",
      "ExternalSecret",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "Service",
      "ServiceAccount",
      "ServiceMonitor",
      "StatefulSet",
      "VerticalPodAutoscaler",
    ];
    const expectedKinds: Record<string, (stack: string) => string[]> = {
      "security-agent": (stack) => hybridKinds(stack, true),
      "it-ops-agent": () => serviceKinds,
      "ai-agent": (stack) => hybridKinds(stack, false),
      "architect-agent": () => serviceKinds,
    };
    for (const stack of STACKS) {
      for (const name of Object.keys(expectedKinds)) {
        it(`${stack}: ${name} has every object, each valid against its upstream schema`, async () => {
          const cfg = configs.get(stack)!;
          const a = cfg.agents.find((x) => x.name === name)!;
          const t = cfg.tenants.find((x) => x.name === a.tenant)!;
          const r = await record(() => {
            new Agent(a.name, {
              agent: a,
              tenant: t,
              environment: cfg.environment,
              placement: allGroups,
              pricing: { prices: regionPrices("us-east-1"), nodeGroups: DEFAULT_NODE_GROUPS },
            });
          });
          assert.deepEqual(r.manifests.map((m) => m.kind).sort(), expectedKinds[name]!(stack));
          for (const m of r.manifests) await validateManifest(m);
        });
      }
    }
  });
});

describe("issue 22, defect 14: agents' pods do not keep their nodes from scaling down", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form
  const template = (r: Recorded, kind: string, name: string): any =>
    kind === "CronJob" ? spec(r, kind, name).jobTemplate.spec.template : spec(r, kind, name).template;
  /** The emptyDir volumes (local storage, in the autoscaler's words) of a pod template. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const localVolumes = (t: any): string[] =>
    (t.spec.volumes ?? [])
      .filter((v: { emptyDir?: { medium?: string } }) => v.emptyDir && v.emptyDir.medium !== "Memory")
      .map((v: { name: string }) => v.name);
  const SAFE_LOCAL = "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes";
  const SAFE = "cluster-autoscaler.kubernetes.io/safe-to-evict";

  for (const [what, a, kind] of [
    ["a Deployment", () => agent(), "Deployment"],
    ["a StatefulSet (storage)", () => agent({ storage: { size: "5Gi" } }), "StatefulSet"],
    ["a hybrid agent's service", () => hybrid(), "Deployment"],
  ] as const) {
    it(`${what}: its pods name every local volume safe to evict`, async () => {
      const t = template(await build(a()), kind, "helper");
      assert.deepEqual(localVolumes(t), ["tmp"]);
      assert.deepEqual(t.metadata.annotations[SAFE_LOCAL].split(","), localVolumes(t));
      assert.equal(t.metadata.annotations[SAFE], undefined);
    });
  }

  for (const [what, a] of [
    ["a scheduled agent", scheduled],
    ["a hybrid agent", () => hybrid()],
  ] as const) {
    it(`${what}: a running job keeps its node (safe-to-evict false) and says nothing of its volumes`, async () => {
      const t = template(await build(a()), "CronJob", "helper-job");
      assert.equal(t.metadata.annotations[SAFE], "false");
      assert.equal(t.metadata.annotations[SAFE_LOCAL], undefined);
    });
  }
});
