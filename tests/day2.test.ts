/**
 * Day 2: every everyday edit of a stack applies in place. Each scenario synthesizes the dev stack before and
 * after one edit of its configuration and asserts the exact change report `npm run diff` prints; then the
 * classification rules and the CLI, on hand-made resources.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  ChangeReportInputError,
  changeReport,
  FORCE_NEW,
  formatChangeReport,
  formatPath,
  parsePath,
  readSynthResources,
  type ChangeReport,
  type ResourceRecord,
} from "../tools/diff";
import type { SynthResult } from "@agentops/components/testing";
import { parseDiffArgs } from "../tools/diff/cli";
import { agentNamed, DAY2_EDITS, DOCS_AGENT, type Config } from "./fixtures/day2-edits";
import { ROOT, STACKS, synthEdited, synthStack } from "./harness";

/** The report as one line per changed resource: action, resource, flags, changed paths, notes. */
function digest(r: ChangeReport): string[] {
  const c = r.counts;
  return [
    `${c.create} create, ${c.update} update, ${c.replace} replace, ${c.delete} delete; exit ${r.exitCode}`,
    ...r.changes.map((x) =>
      [
        `${x.action} ${x.label}`,
        x.dangerous ? " [dangerous]" : "",
        x.refused ? " [refused]" : "",
        x.paths.length > 0 ? `: ${x.paths.join(", ")}` : "",
        ...[...x.notes, ...x.ignored].map((n) => ` | ${n}`),
      ].join(""),
    ),
    ...r.ignoredOnly.map((x) => `ignored ${x.label}: ${x.ignored.join("; ")}`),
  ];
}

describe("Day 2: everyday edits of the dev stack apply in place", function () {
  this.timeout(120_000);
  let base: SynthResult;
  before(async () => {
    base = await synthStack("dev");
  });
  const after = async (edit: (c: Config) => void) =>
    digest(changeReport(base.resources, (await synthEdited("dev", edit)).resources));

  it("an image bump of an agent with storage updates its objects in place; the claim template stays", async () => {
    const version = 'metadata.labels["app.kubernetes.io/version"]';
    assert.deepEqual(await after(DAY2_EDITS.imageBump), [
      "0 create, 12 update, 0 replace, 0 delete; exit 0",
      `update ConfigMap governance/security-agent-config: ${version}`,
      [
        "update CronJob governance/security-agent-job: ",
        `${version}, spec.jobTemplate.${version}, spec.jobTemplate.spec.template.${version}, `,
        "spec.jobTemplate.spec.template.spec.containers[0].env[3].value, ",
        "spec.jobTemplate.spec.template.spec.containers[0].image",
      ].join(""),
      `update ExternalSecret governance/security-agent: ${version}, spec.target.template.${version}`,
      `update HorizontalPodAutoscaler governance/security-agent: ${version}`,
      `update PersistentVolumeClaim governance/security-agent-job-data: ${version}`,
      `update PodDisruptionBudget governance/security-agent: ${version}`,
      `update Service governance/security-agent: ${version}`,
      `update ServiceAccount governance/security-agent: ${version}`,
      `update ServiceMonitor governance/security-agent: ${version}`,
      [
        `update StatefulSet governance/security-agent: ${version}, spec.template.${version}, `,
        // OTEL_RESOURCE_ATTRIBUTES carries service.version.
        "spec.template.spec.containers[0].env[3].value, spec.template.spec.containers[0].image",
      ].join(""),
      `update VerticalPodAutoscaler governance/security-agent: ${version}`,
      `update VerticalPodAutoscaler governance/security-agent-job: ${version}`,
    ]);
  });

  it("replicas: the HPA's bounds (and the cost estimate on the workload)", async () => {
    assert.deepEqual(await after(DAY2_EDITS.replicasMax), [
      "0 create, 2 update, 0 replace, 0 delete; exit 0",
      "update HorizontalPodAutoscaler governance/it-ops-agent: spec.maxReplicas",
      'update StatefulSet governance/it-ops-agent: metadata.annotations["agentops.io/estimated-monthly-usd"]',
    ]);
  });

  it("requests: the pod template's resources and the cost estimate", async () => {
    assert.deepEqual(await after(DAY2_EDITS.requestsCpu), [
      "0 create, 1 update, 0 replace, 0 delete; exit 0",
      [
        "update StatefulSet governance/architect-agent: ",
        'metadata.annotations["agentops.io/estimated-monthly-usd"], ',
        "spec.template.spec.containers[0].resources.requests.cpu",
      ].join(""),
    ]);
  });

  it("env: the ConfigMap's data in place (the provider runs with enableConfigMapMutable); pods roll by hash", async () => {
    const hash = 'metadata.annotations["agentops.io/config-hash"]';
    assert.deepEqual(await after(DAY2_EDITS.env), [
      "0 create, 3 update, 0 replace, 0 delete; exit 0",
      "update ConfigMap governance/security-agent-config: data.MAX_RETRIES",
      `update CronJob governance/security-agent-job: spec.jobTemplate.spec.template.${hash}`,
      `update StatefulSet governance/security-agent: spec.template.${hash}`,
    ]);
  });

  it("a new entry in secrets: the ExternalSecret, and the pods roll by hash to read the new key", async () => {
    const hash = 'metadata.annotations["agentops.io/config-hash"]';
    assert.deepEqual(await after(DAY2_EDITS.secrets), [
      "0 create, 2 update, 0 replace, 0 delete; exit 0",
      // The stores' credentials follow the agent's own keys, so they move up one place.
      [
        "update ExternalSecret governance/it-ops-agent: spec.data[2].remoteRef.key, ",
        "spec.data[2].remoteRef.property, spec.data[2].secretKey, spec.data[3].remoteRef.key, ",
        "spec.data[3].secretKey, spec.data[4]",
      ].join(""),
      `update StatefulSet governance/it-ops-agent: spec.template.${hash}`,
    ]);
  });

  it("schedule: the CronJob alone", async () => {
    assert.deepEqual(await after(DAY2_EDITS.schedule), [
      "0 create, 1 update, 0 replace, 0 delete; exit 0",
      "update CronJob governance/ai-agent-job: spec.schedule",
    ]);
  });

  it("budget: the workload's annotation and the budget alert", async () => {
    assert.deepEqual(await after(DAY2_EDITS.budget), [
      "0 create, 2 update, 0 replace, 0 delete; exit 0",
      "update PrometheusRule monitoring/agentops-budgets: spec.groups[0].rules[6].expr",
      'update StatefulSet governance/architect-agent: metadata.annotations["agentops.io/budget-monthly-usd"]',
    ]);
  });

  it("adding an agent: its objects are created; only the budget rules change", async () => {
    assert.deepEqual(await after(DAY2_EDITS.addAgent), [
      "8 create, 1 update, 0 replace, 0 delete; exit 0",
      // The dev stack's five agents hold rules 0–9.
      "update PrometheusRule monitoring/agentops-budgets: spec.groups[0].rules[10], spec.groups[0].rules[11]",
      "create ConfigMap governance/docs-agent-config",
      "create Deployment governance/docs-agent",
      "create HorizontalPodAutoscaler governance/docs-agent",
      "create PodDisruptionBudget governance/docs-agent",
      "create Service governance/docs-agent",
      "create ServiceAccount governance/docs-agent",
      "create ServiceMonitor governance/docs-agent",
      "create VerticalPodAutoscaler governance/docs-agent",
    ]);
  });

  it("switching an agent from its HPA to KEDA: the ScaledObject created, the HPA deleted, no pod restarted", async () => {
    // Nothing of the StatefulSet changes (no pod template, no replicas: KEDA's HPA, of the same name, takes the
    // same bounds and behaviour), so no pod restarts; KEDA adopts the old HPA (transfer-hpa-ownership).
    assert.deepEqual(await after(DAY2_EDITS.switchToKeda), [
      "1 create, 0 update, 0 replace, 1 delete; exit 0",
      "delete HorizontalPodAutoscaler governance/it-ops-agent | the new ScaledObject takes this HPA over (transfer-hpa-ownership) and KEDA re-creates it after this delete: seconds without autoscaling, no pod restarted",
      "create ScaledObject governance/it-ops-agent",
    ]);
  });

  it("adding a tenant: its namespace and guard rails are created, nothing else changes", async () => {
    assert.deepEqual(await after(DAY2_EDITS.addTenant), [
      "11 create, 0 update, 0 replace, 0 delete; exit 0",
      "create LimitRange research/limits",
      "create Namespace research",
      "create NetworkPolicy research/allow-dns",
      "create NetworkPolicy research/allow-intra-namespace",
      "create NetworkPolicy research/allow-monitoring-scrape",
      "create NetworkPolicy research/allow-otlp-egress",
      "create NetworkPolicy research/default-deny",
      "create ResourceQuota research/quota",
      "create Role research/research-developer",
      "create RoleBinding research/research-developer",
      // AWS Backup selects the new namespace's volumes too.
      "create Selection backups-selection-research",
    ]);
  });

  it("a storage increase grows the job's claim in place and leaves the claim template, with the procedure", async () => {
    assert.deepEqual(await after(DAY2_EDITS.storageSize), [
      "0 create, 3 update, 0 replace, 0 delete; exit 0",
      'update CronJob governance/security-agent-job: metadata.annotations["agentops.io/estimated-monthly-usd"]',
      [
        "update PersistentVolumeClaim governance/security-agent-job-data: spec.resources.requests.storage",
        " | volume expansion 10Gi → 20Gi in place (StorageClass gp3 allows it)",
      ].join(""),
      [
        'update StatefulSet governance/security-agent: metadata.annotations["agentops.io/estimated-monthly-usd"]',
        ' | spec.volumeClaimTemplates[0].spec.resources.requests.storage "10Gi" → "20Gi" is not applied',
        " (ignoreChanges): grow each claim data-security-agent-<ordinal> in governance with kubectl patch",
        ` (README, "Growing an agent's storage")`,
      ].join(""),
    ]);
  });

  it("a larger Loki volume: the release leaves its claim templates alone and names the claims to grow", async () => {
    const note = (component: string) =>
      [
        `values.${component}.persistence.size "10Gi" → "20Gi" is not applied (ignoreChanges): the chart puts it`,
        " in a StatefulSet's claim templates; grow the release's claims in monitoring with kubectl patch",
        ` (README, "Growing an agent's storage")`,
      ].join("");
    assert.deepEqual(await after(DAY2_EDITS.lokiStorage), [
      "0 create, 0 update, 0 replace, 0 delete; exit 0",
      `ignored Release monitoring/loki: ${["backend", "singleBinary", "write"].map(note).join("; ")}`,
    ]);
    const vault = base.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith("-vault"),
    );
    assert.deepEqual(vault?.ignoreChanges, ["values.server.dataStorage.size"]);
  });

  it("renaming an agent deletes and creates its objects, with the data warning (exit 1)", async () => {
    assert.deepEqual(await after(DAY2_EDITS.renameAgent), [
      "13 create, 6 update, 0 replace, 13 delete; exit 1",
      "delete StatefulSet governance/architect-agent [dangerous]",
      "delete ConfigMap governance/architect-agent-config",
      // The audit store: the old role's generated credentials go, new ones come, and the role bootstrap runs
      // again for the new set of agents (a new Job; the old one goes).
      "delete ExternalSecret agentops-stores/audit-architect-agent",
      // The LLM gateway: the agent's gateway key under its old client id goes, one under the new comes; its
      // limit rule, key reference and egress policy change in place (a new client id starts a new counter).
      "delete ExternalSecret envoy-gateway-system/llm-client-architect-agent",
      "delete ExternalSecret governance/architect-agent",
      "delete HorizontalPodAutoscaler governance/architect-agent",
      "delete Job agentops-stores/audit-roles-da93649d",
      "delete PodDisruptionBudget governance/architect-agent",
      "delete PushSecret agentops-stores/audit-architect-agent",
      "delete Service governance/architect-agent",
      "delete ServiceAccount governance/architect-agent",
      "delete ServiceMonitor governance/architect-agent",
      "delete VerticalPodAutoscaler governance/architect-agent",
      "update BackendTrafficPolicy envoy-gateway-system/llm-gateway-budgets: spec.rateLimit.global.rules[3].clientSelectors[0].headers[0].value",
      "update NetworkPolicy governance/allow-internet-egress: spec.podSelector.matchExpressions[0].values[1]",
      "update NetworkPolicy governance/allow-llm-gateway-egress: spec.podSelector.matchExpressions[0].values[1]",
      "update NetworkPolicy governance/allow-store-audit-egress: spec.podSelector.matchExpressions[0].values[1]",
      "update PrometheusRule monitoring/agentops-budgets: spec.groups[0].rules[6].labels.agent, spec.groups[0].rules[7].labels.agent",
      "update SecurityPolicy envoy-gateway-system/llm-gateway-clients: spec.apiKeyAuth.credentialRefs[3].name",
      "create ConfigMap governance/design-agent-config",
      "create ExternalSecret agentops-stores/audit-design-agent",
      "create ExternalSecret envoy-gateway-system/llm-client-design-agent",
      "create ExternalSecret governance/design-agent",
      "create HorizontalPodAutoscaler governance/design-agent",
      "create Job agentops-stores/audit-roles-bce98171",
      "create PodDisruptionBudget governance/design-agent",
      "create PushSecret agentops-stores/audit-design-agent",
      "create Service governance/design-agent",
      "create ServiceAccount governance/design-agent",
      "create ServiceMonitor governance/design-agent",
      "create StatefulSet governance/design-agent",
      "create VerticalPodAutoscaler governance/design-agent",
    ]);
  });

  it("an agent starts using a store: its settings, credential and egress change in place; pods roll by hash", async () => {
    assert.deepEqual(
      await after((c) => {
        agentNamed(c, "architect-agent").stores.push("cache");
      }),
      [
        "0 create, 4 update, 0 replace, 0 delete; exit 0",
        "update ConfigMap governance/architect-agent-config: data.CACHE_REDIS_HOST, data.CACHE_REDIS_KEY_PREFIX, data.CACHE_REDIS_PORT, data.CACHE_REDIS_TLS",
        "update ExternalSecret governance/architect-agent: spec.data[2]",
        "update NetworkPolicy governance/allow-store-cache-egress: spec.podSelector.matchExpressions[0].values[1], spec.podSelector.matchExpressions[0].values[2]",
        'update StatefulSet governance/architect-agent: spec.template.metadata.annotations["agentops.io/config-hash"]',
      ],
    );
  });

  it("adding a store: its AWS resources, alarms, credentials and egress are created; nothing is replaced", async () => {
    assert.deepEqual(
      await after((c) => {
        c.stores.ledger = { engine: "postgres" };
        agentNamed(c, "architect-agent").stores.push("ledger");
      }),
      [
        "13 create, 5 update, 0 replace, 0 delete; exit 0",
        "update ConfigMap governance/architect-agent-config: data.LEDGER_DB_HOST, data.LEDGER_DB_NAME, data.LEDGER_DB_PORT, data.LEDGER_DB_SSLMODE, data.LEDGER_DB_USER",
        "update ExternalSecret governance/architect-agent: spec.data[2]",
        // Its cost series, and External Secrets' right to read its master secret.
        "update PrometheusRule monitoring/agentops-stores: spec.groups[0].rules[3]",
        "update RolePolicy stores-external-secrets-policy: policy",
        'update StatefulSet governance/architect-agent: spec.template.metadata.annotations["agentops.io/config-hash"]',
        "create EventSubscription stores-ledger-events",
        "create ExternalSecret agentops-stores/ledger-architect-agent",
        "create ExternalSecret agentops-stores/ledger-master",
        "create Instance stores-ledger-db",
        "create Job agentops-stores/ledger-roles-ff7e18a3",
        "create LogGroup stores-ledger-logs",
        "create MetricAlarm stores-agentops-dev-ledger-down",
        "create MetricAlarm stores-agentops-dev-ledger-storage",
        "create NetworkPolicy governance/allow-store-ledger-egress",
        "create ParameterGroup stores-ledger-params",
        "create PushSecret agentops-stores/ledger-architect-agent",
        "create SecurityGroup stores-ledger-sg",
        "create SubnetGroup stores-ledger-subnets",
      ],
    );
  });

  it("adding an agent that uses a store: its credentials and a new role bootstrap Job (the old one goes); exit 0", async () => {
    assert.deepEqual(
      await after((c) => {
        c.agents.push({ ...DOCS_AGENT(), stores: ["audit"] });
      }),
      [
        "12 create, 2 update, 0 replace, 1 delete; exit 0",
        "delete Job agentops-stores/audit-roles-da93649d",
        "update NetworkPolicy governance/allow-store-audit-egress: spec.podSelector.matchExpressions[0].values[2], spec.podSelector.matchExpressions[0].values[3], spec.podSelector.matchExpressions[0].values[4]",
        "update PrometheusRule monitoring/agentops-budgets: spec.groups[0].rules[10], spec.groups[0].rules[11]",
        "create ConfigMap governance/docs-agent-config",
        "create Deployment governance/docs-agent",
        "create ExternalSecret agentops-stores/audit-docs-agent",
        "create ExternalSecret governance/docs-agent",
        "create HorizontalPodAutoscaler governance/docs-agent",
        "create Job agentops-stores/audit-roles-8ba4b0a2",
        "create PodDisruptionBudget governance/docs-agent",
        "create PushSecret agentops-stores/audit-docs-agent",
        "create Service governance/docs-agent",
        "create ServiceAccount governance/docs-agent",
        "create ServiceMonitor governance/docs-agent",
        "create VerticalPodAutoscaler governance/docs-agent",
      ],
    );
  });

  it("restoring a service's claim from an AWS Backup recovery point: the claim is created from it, the StatefulSet keeps running", async () => {
    assert.deepEqual(
      await after((c) => {
        agentNamed(c, "it-ops-agent").storage.restoreFrom = { snapshot: "snap-0123456789abcdef0" };
      }),
      [
        "3 create, 0 update, 0 replace, 0 delete; exit 0",
        [
          "create PersistentVolumeClaim governance/data-it-ops-agent-0",
          " | restore: created from VolumeSnapshot governance/restore-data-it-ops-agent-0-snap-0123456789abcdef0;",
          " StatefulSet governance/it-ops-agent keeps running and adopts it when pod it-ops-agent-0 is recreated:",
          " scale it to 0 and delete the claim it has now before pulumi up (README, Restoring an agent volume)",
        ].join(""),
        "create VolumeSnapshot governance/restore-data-it-ops-agent-0-snap-0123456789abcdef0",
        "create VolumeSnapshotContent restore-data-it-ops-agent-0-snap-0123456789abcdef0",
      ],
    );
  });

  it("restoring a job's claim from a VolumeSnapshot replaces the claim (its data: dangerous, exit 1), the CronJob keeps running", async () => {
    assert.deepEqual(
      await after((c) => {
        agentNamed(c, "security-agent").storage.restoreFrom = {
          snapshot: "before-upgrade",
          claim: "security-agent-job-data",
        };
      }),
      [
        "0 create, 0 update, 1 replace, 0 delete; exit 1",
        [
          "replace PersistentVolumeClaim governance/security-agent-job-data [dangerous]: spec.dataSourceRef",
          " | restore: created from VolumeSnapshot governance/before-upgrade; CronJob governance/security-agent-job",
          " keeps running and mounts it from the next pod on; the old claim goes once no pod uses it",
          " (README, Restoring an agent volume)",
        ].join(""),
      ],
    );
  });

  it("tier, cost center, LLM spend and node group bounds together: still all in place", async () => {
    const report = changeReport(base.resources, (await synthEdited("dev", DAY2_EDITS.together)).resources);
    assert.deepEqual(
      [report.exitCode, report.counts.replace, report.counts.delete, report.counts.create],
      [0, 0, 0, 0],
    );
    // The disk size goes through the launch template (a new version), not the node group's ForceNew diskSize.
    assert.ok(report.changes.some((c) => c.label === "LaunchTemplate agentops-system-lt"));
  });

  describe("issue 22, defect 6: a launch template change shows the node groups rolling their nodes", () => {
    const rolled = (r: ChangeReport) =>
      r.changes
        .filter((c) => c.rolls !== undefined)
        .map((c) => `${c.action} ${c.label}: ${c.paths.join(", ")}`);

    it("diskSizeGiB 50 → 60: the template's new version, and each zonal system group rolling (the example)", async () => {
      const report = changeReport(
        base.resources,
        (await synthEdited("dev", (c: Config) => (c.cluster.nodeGroups.system.diskSizeGiB = 60))).resources,
      );
      assert.deepEqual(digest(report), [
        "0 create, 4 update, 0 replace, 0 delete; exit 0",
        "update LaunchTemplate agentops-system-lt: blockDeviceMappings[0].ebs.volumeSize",
        "update NodeGroup agentops-system-a: launchTemplate.version",
        "update NodeGroup agentops-system-b: launchTemplate.version",
        "update NodeGroup agentops-system-c: launchTemplate.version",
      ]);
      assert.equal(report.rolling, 3);
      const roll = report.changes.find((c) => c.label === "NodeGroup agentops-system-a")!.rolls!;
      assert.match(
        roll,
        /^rolls every node of the group \(a new version of launch template agentops-system-lt \(blockDeviceMappings\[0\]\.ebs\.volumeSize\)\): EKS starts new nodes, then cordons and drains the old ones, 33 % of the group at a time; every pod on them is evicted \(PodDisruptionBudgets respected/,
      );
      assert.match(
        roll,
        /scratch data in emptyDir volumes \(\/tmp\) is lost, and a pod with an EBS volume restarts only in its volume's zone/,
      );
      const text = formatChangeReport(report, "text");
      assert.match(text, /; 3 node groups roll their nodes$/m);
      assert.match(text, /^ROLLS {3}update {2}NodeGroup agentops-system-a/m);
      // The pull request comment says it too.
      const markdown = formatChangeReport(report, "markdown");
      assert.match(
        markdown,
        /\*\*0 to create, 4 to update, 0 to replace, 0 to delete, \d+ unchanged; 3 node groups roll their nodes\*\*/,
      );
      assert.match(
        markdown,
        /^\| 🔄 \| update \| `NodeGroup agentops-system-a` \| `launchTemplate\.version` \| \*\*rolls every node of the group/m,
      );
    });

    /** A launch template and the node group that runs it (built in the tests: `aws` needs URN, set below). */
    const fixture = () => {
      const lt = aws("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
        metadataOptions: { httpPutResponseHopLimit: 1 },
        tags: { a: "1" },
      });
      const ng = {
        ...aws("aws:eks/nodeGroup:NodeGroup", "ng", {
          instanceTypes: ["m7i.large"],
          launchTemplate: { id: "lt-mock-id", version: "1" },
          updateConfig: { maxUnavailable: 1 },
        }),
        dependsOn: [lt.urn],
      };
      return { lt, ng };
    };

    it("any template setting that makes a new version rolls the group: IMDS hop limit", () => {
      const { lt, ng } = fixture();
      const report = changeReport([lt, ng], [edit(lt, "metadataOptions.httpPutResponseHopLimit", 2), ng]);
      assert.deepEqual(rolled(report), ["update NodeGroup ng: launchTemplate.version"]);
      assert.match(report.changes.find((c) => c.name === "ng")!.rolls!, /1 node\(s\) at a time/);
    });

    it("the template's own tags make no version: no roll", () => {
      const { lt, ng } = fixture();
      const report = changeReport([lt, ng], [edit(lt, "tags.a", "2"), ng]);
      assert.deepEqual(rolled(report), []);
      assert.deepEqual(digest(report), [
        "0 create, 1 update, 0 replace, 0 delete; exit 0",
        "update LaunchTemplate lt: tags.a",
      ]);
    });

    it("a node group's own version or release version rolls it; its scaling does not", () => {
      const { lt, ng } = fixture();
      assert.deepEqual(rolled(changeReport([lt, ng], [lt, edit(ng, "releaseVersion", "1.35.1-20261201")])), [
        "update NodeGroup ng: releaseVersion",
      ]);
      assert.deepEqual(rolled(changeReport([lt, ng], [lt, edit(ng, "version", "1.35")])), [
        "update NodeGroup ng: version",
      ]);
      assert.deepEqual(rolled(changeReport([lt, ng], [lt, edit(ng, "scalingConfig.maxSize", 6)])), []);
    });

    it("a replaced node group says every node is replaced and what that does to pods", () => {
      const { lt, ng } = fixture();
      const report = changeReport([lt, ng], [lt, edit(ng, "instanceTypes[0]", "m7i.xlarge")]);
      assert.deepEqual(rolled(report), ["replace NodeGroup ng: instanceTypes[0]"]);
      assert.match(
        report.changes[0]!.rolls!,
        /^replaces every node \(a new node group replaces it\): the new group comes up, then EKS drains and deletes every node of the old one; every pod on them is evicted/,
      );
    });
  });
});

// --- the rules, on hand-made resources -----------------------------------------------------------------------

const URN = "urn:pulumi:dev::agentops::";
const PROVIDER = `${URN}pulumi:providers:kubernetes::k8s`;
function k8s(
  kind: string,
  apiVersion: string,
  name: string,
  rest: Record<string, unknown> = {},
): ResourceRecord {
  const token = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  return {
    urn: `${URN}kubernetes:${token}:${kind}::${name}`,
    type: `kubernetes:${token}:${kind}`,
    name,
    custom: true,
    provider: `${PROVIDER}::id`,
    inputs: { apiVersion, kind, metadata: { name, namespace: "team" }, ...rest },
  };
}
function aws(type: string, name: string, inputs: Record<string, unknown>): ResourceRecord {
  return { urn: `${URN}${type}::${name}`, type, name, custom: true, inputs };
}
const provider = (flags: Record<string, string> = {}): ResourceRecord => ({
  urn: PROVIDER,
  type: "pulumi:providers:kubernetes",
  name: "k8s",
  custom: true,
  inputs: flags,
});
/** `r` with `path` set to `value` in a copy of its inputs. */
function edit(
  r: ResourceRecord,
  path: string,
  value: unknown,
  extra: Partial<ResourceRecord> = {},
): ResourceRecord {
  const inputs = structuredClone(r.inputs);
  const segments = parsePath(path);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let at: any = inputs;
  for (const s of segments.slice(0, -1)) at = at[s] ??= {};
  at[segments.at(-1)!] = value;
  return { ...r, ...extra, inputs };
}
const one = (base: ResourceRecord[], head: ResourceRecord[]) => digest(changeReport(base, head));

describe("change report rules", () => {
  const sts = k8s("StatefulSet", "apps/v1", "agent", {
    spec: {
      serviceName: "agent",
      selector: { matchLabels: { app: "agent" } },
      template: { spec: { containers: [{ name: "agent", image: "a:1" }] } },
      volumeClaimTemplates: [
        { metadata: { name: "data" }, spec: { resources: { requests: { storage: "1Gi" } } } },
      ],
    },
  });

  it("formats and parses Pulumi property paths", () => {
    const p = ["spec", "volumeClaimTemplates", 0, "metadata", "labels", "app.kubernetes.io/version"];
    assert.equal(formatPath(p), 'spec.volumeClaimTemplates[0].metadata.labels["app.kubernetes.io/version"]');
    assert.deepEqual(parsePath(formatPath(p)), p);
    assert.deepEqual(parsePath("spec.volumeClaimTemplates[*].spec"), [
      "spec",
      "volumeClaimTemplates",
      "*",
      "spec",
    ]);
  });

  it("StatefulSet: a pod template change is an update; a claim template change replaces it (data)", () => {
    assert.deepEqual(one([sts], [edit(sts, "spec.template.spec.containers[0].image", "a:2")]), [
      "0 create, 1 update, 0 replace, 0 delete; exit 0",
      "update StatefulSet team/agent: spec.template.spec.containers[0].image",
    ]);
    const report = changeReport([sts], [edit(sts, 'spec.volumeClaimTemplates[0].metadata.labels["v"]', "2")]);
    assert.deepEqual(digest(report), [
      "0 create, 0 update, 1 replace, 0 delete; exit 1",
      // The template had no labels: the whole map is new.
      "replace StatefulSet team/agent [dangerous]: spec.volumeClaimTemplates[0].metadata.labels",
    ]);
    assert.equal(
      report.changes[0]!.findings[0]!.source.includes("pulumi-kubernetes provider/pkg/provider/diff.go"),
      true,
    );
  });

  it("StatefulSet serviceName and selector, Deployment selector, Job template, Service clusterIP, RoleBinding roleRef replace", () => {
    const dep = k8s("Deployment", "apps/v1", "d", { spec: { selector: { matchLabels: { a: "1" } } } });
    const job = k8s("Job", "batch/v1", "j", { spec: { template: { spec: { restartPolicy: "Never" } } } });
    const svc = k8s("Service", "v1", "s", { spec: { clusterIP: "10.0.0.1" } });
    const rb = k8s("RoleBinding", "rbac.authorization.k8s.io/v1", "rb", {
      roleRef: { kind: "Role", name: "a" },
    });
    const report = changeReport(
      [sts, dep, job, svc, rb],
      [
        edit(sts, "spec.serviceName", "other"),
        edit(dep, "spec.selector.matchLabels.a", "2"),
        edit(job, "spec.template.spec.restartPolicy", "OnFailure"),
        edit(svc, "spec.clusterIP", "10.0.0.2"),
        edit(rb, "roleRef.name", "b"),
      ],
    );
    assert.deepEqual(digest(report), [
      "0 create, 0 update, 5 replace, 0 delete; exit 1",
      "replace StatefulSet team/agent [dangerous]: spec.serviceName",
      "replace Deployment team/d: spec.selector.matchLabels.a",
      "replace Job team/j: spec.template.spec.restartPolicy",
      "replace RoleBinding team/rb: roleRef.name",
      "replace Service team/s: spec.clusterIP",
    ]);
  });

  it("StorageClass: the API refuses a reclaimPolicy change unless the program replaces on it", () => {
    const sc = k8s("StorageClass", "storage.k8s.io/v1", "gp3", {
      reclaimPolicy: "Delete",
      provisioner: "ebs",
    });
    assert.deepEqual(one([sc], [edit(sc, "reclaimPolicy", "Retain")]), [
      "0 create, 1 update, 0 replace, 0 delete; exit 1",
      "update StorageClass team/gp3 [refused]: reclaimPolicy",
    ]);
    assert.deepEqual(
      one([sc], [edit(sc, "reclaimPolicy", "Retain", { replaceOnChanges: ["reclaimPolicy"] })]),
      ["0 create, 0 update, 1 replace, 0 delete; exit 1", "replace StorageClass team/gp3: reclaimPolicy"],
    );
    assert.deepEqual(
      one([sc], [edit(sc, "provisioner", "other")])[1],
      "replace StorageClass team/gp3: provisioner",
    );
  });

  it("PersistentVolumeClaim: grows in place where its class allows; refuses to shrink; a new class replaces it (data)", () => {
    const sc = (allow: boolean) =>
      k8s("StorageClass", "storage.k8s.io/v1", "gp3", {
        metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        allowVolumeExpansion: allow,
      });
    const pvc = k8s("PersistentVolumeClaim", "v1", "data", {
      spec: { resources: { requests: { storage: "10Gi" } } },
    });
    const grow = edit(pvc, "spec.resources.requests.storage", "20Gi");
    assert.deepEqual(one([sc(true), pvc], [sc(true), grow]), [
      "0 create, 1 update, 0 replace, 0 delete; exit 0",
      "update PersistentVolumeClaim team/data: spec.resources.requests.storage | volume expansion 10Gi → 20Gi in place (StorageClass gp3 allows it)",
    ]);
    assert.deepEqual(
      one([sc(false), pvc], [sc(false), grow])[1],
      "update PersistentVolumeClaim team/data [refused]: spec.resources.requests.storage",
    );
    assert.deepEqual(
      one([pvc], [edit(pvc, "spec.resources.requests.storage", "5Gi")])[1],
      "update PersistentVolumeClaim team/data [refused]: spec.resources.requests.storage",
    );
    assert.deepEqual(
      one([pvc], [edit(pvc, "spec.storageClassName", "io2")])[1],
      "replace PersistentVolumeClaim team/data [dangerous]: spec.storageClassName",
    );
  });

  it("ConfigMap data: replaced unless the provider runs with enableConfigMapMutable", () => {
    const cm = k8s("ConfigMap", "v1", "cfg", { data: { A: "1" } });
    const changed = edit(cm, "data.A", "2");
    assert.deepEqual(one([provider(), cm], [provider(), changed])[1], "replace ConfigMap team/cfg: data.A");
    const mutable = provider({ enableConfigMapMutable: "true" });
    assert.deepEqual(one([mutable, cm], [mutable, changed])[1], "update ConfigMap team/cfg: data.A");
  });

  it("AWS: force-new properties replace (the cluster, a KMS key and a bucket are dangerous); others update", () => {
    const ng = aws("aws:eks/nodeGroup:NodeGroup", "system", {
      instanceTypes: ["m7i.large"],
      scalingConfig: { maxSize: 4 },
      tags: { a: "1" },
    });
    const key = aws("aws:kms/key:Key", "ebs", {
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      description: "x",
    });
    const bucket = aws("aws:s3/bucket:Bucket", "loki", { bucket: "loki-1" });
    const cluster = aws("aws:eks/cluster:Cluster", "eks", { version: "1.34", roleArn: "arn:a" });
    assert.deepEqual(
      one(
        [ng, key, bucket, cluster],
        [
          edit(edit(ng, "scalingConfig.maxSize", 6), "tags.a", "2"),
          edit(key, "description", "y"),
          bucket,
          edit(cluster, "version", "1.35"),
        ],
      ),
      [
        "0 create, 3 update, 0 replace, 0 delete; exit 0",
        "update Cluster eks: version",
        "update Key ebs: description",
        "update NodeGroup system: scalingConfig.maxSize, tags.a",
      ],
    );
    assert.deepEqual(
      one(
        [ng, key, bucket, cluster],
        [
          edit(ng, "instanceTypes[0]", "m7i.xlarge"),
          edit(key, "customerMasterKeySpec", "RSA_2048"),
          edit(bucket, "bucket", "loki-2"),
          edit(cluster, "roleArn", "arn:b"),
        ],
      ),
      [
        "0 create, 0 update, 4 replace, 0 delete; exit 1",
        "replace Bucket loki [dangerous]: bucket",
        "replace Cluster eks [dangerous]: roleArn",
        "replace Key ebs [dangerous]: customerMasterKeySpec",
        "replace NodeGroup system: instanceTypes[0]",
      ],
    );
  });

  it("knows the force-new properties of every AWS and random resource type the stacks declare", async function () {
    this.timeout(180_000);
    const types = new Set<string>();
    for (const stack of STACKS) {
      for (const r of (await synthStack(stack)).resources) {
        if (r.custom && (r.type.startsWith("aws:") || r.type.startsWith("random:"))) types.add(r.type);
      }
    }
    assert.ok(types.has("aws:rds/instance:Instance") && types.has("aws:backup/selection:Selection"));
    assert.deepEqual(
      [...types].filter((t) => !(t in FORCE_NEW)),
      [],
      "add the type to FORCE_NEW in tools/diff/rules.ts",
    );
  });

  it("deleting the stores' data is dangerous: the database, the cache, the backup vault, an Object Lock bucket", () => {
    const db = aws("aws:rds/instance:Instance", "db", { identifier: "agentops-dev-audit" });
    const cache = aws("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {});
    const vault = aws("aws:backup/vault:Vault", "vault", { name: "agentops-dev-volumes" });
    const bucket = aws("aws:s3/bucket:Bucket", "evidence", { bucket: "e", objectLockEnabled: true });
    const report = changeReport([db, cache, vault, bucket], []);
    assert.deepEqual(
      report.changes.map((c) => [c.label, c.dangerous]),
      [
        [
          "Bucket evidence",
          "holds data: the bucket's objects, under Object Lock (locked versions cannot be deleted before their retention ends)",
        ],
        [
          "Instance db",
          "holds data: the database (its automated backups stay restorable for their retention; a final snapshot is taken only where deletion protection is on)",
        ],
        [
          "ReplicationGroup cache",
          "holds data: the cache's keys (the LLM gateway's: the month's spend counters)",
        ],
        ["Vault vault", "holds data: the recovery points of agents' volumes"],
      ],
    );
    assert.deepEqual(one([db], [edit(db, "identifier", "agentops-dev-audit2")]), [
      "0 create, 0 update, 1 replace, 0 delete; exit 1",
      "replace Instance db [dangerous]: identifier",
    ]);
    assert.deepEqual(
      one([db], [edit(db, "instanceClass", "db.t4g.small")])[1],
      "update Instance db: instanceClass",
    );
  });

  it("deleting a claim, a namespace or Vault's release is dangerous; a Deployment is not", () => {
    const vault: ResourceRecord = {
      urn: `${URN}kubernetes:helm.sh/v3:Release::vault`,
      type: "kubernetes:helm.sh/v3:Release",
      name: "vault",
      custom: true,
      inputs: { chart: "vault", name: "vault", namespace: "vault" },
    };
    const ns = k8s("Namespace", "v1", "team");
    const pvc = k8s("PersistentVolumeClaim", "v1", "data");
    const dep = k8s("Deployment", "apps/v1", "d");
    assert.deepEqual(one([vault, ns, pvc, dep], []), [
      "0 create, 0 update, 0 replace, 4 delete; exit 1",
      "delete Namespace team/team [dangerous]",
      "delete PersistentVolumeClaim team/data [dangerous]",
      "delete Release vault/vault [dangerous]",
      "delete Deployment team/d",
    ]);
    assert.equal(changeReport([dep], []).exitCode, 0);
  });

  it("ignoreChanges paths are not applied and are named with what to do", () => {
    const ignoring = { ignoreChanges: ["spec.volumeClaimTemplates[0].spec.resources.requests.storage"] };
    const report = changeReport(
      [{ ...sts, ...ignoring }],
      [edit(sts, "spec.volumeClaimTemplates[0].spec.resources.requests.storage", "2Gi", ignoring)],
    );
    assert.deepEqual(digest(report), [
      "0 create, 0 update, 0 replace, 0 delete; exit 0",
      'ignored StatefulSet team/agent: spec.volumeClaimTemplates[0].spec.resources.requests.storage "1Gi" → "2Gi" is not applied (ignoreChanges): grow each claim data-agent-<ordinal> in team with kubectl patch (README, "Growing an agent\'s storage")',
    ]);
  });

  it("an agent moving between its HPA and KEDA: the hand-over noted on the HPA, each way", () => {
    const hpa = k8s("HorizontalPodAutoscaler", "autoscaling/v2", "agent");
    const scaled = k8s("ScaledObject", "keda.sh/v1alpha1", "agent");
    assert.deepEqual(one([hpa], [scaled]), [
      "1 create, 0 update, 0 replace, 1 delete; exit 0",
      "delete HorizontalPodAutoscaler team/agent | the new ScaledObject takes this HPA over (transfer-hpa-ownership) and KEDA re-creates it after this delete: seconds without autoscaling, no pod restarted",
      "create ScaledObject team/agent",
    ]);
    assert.deepEqual(one([scaled], [hpa]), [
      "1 create, 0 update, 0 replace, 1 delete; exit 0",
      "delete ScaledObject team/agent",
      "create HorizontalPodAutoscaler team/agent | KEDA's HPA holds this name until the ScaledObject is deleted, after this create: first kubectl -n team delete scaledobject agent",
    ]);
    // Another agent's ScaledObject says nothing about this HPA.
    assert.deepEqual(
      one([hpa], [k8s("ScaledObject", "keda.sh/v1alpha1", "other")])[1],
      "delete HorizontalPodAutoscaler team/agent",
    );
  });

  it("a protected resource's deletion is dangerous", () => {
    const dep = { ...k8s("Deployment", "apps/v1", "d"), protect: true };
    assert.deepEqual(one([dep], [])[1], "delete Deployment team/d [dangerous]");
  });

  it("formats text and Markdown deterministically", () => {
    const pvc = k8s("PersistentVolumeClaim", "v1", "data", { spec: { storageClassName: "a" } });
    const report = changeReport([pvc], [edit(pvc, "spec.storageClassName", "b")]);
    assert.equal(
      formatChangeReport(report, "markdown"),
      [
        "### Infrastructure changes (dev)",
        "",
        "**0 to create, 0 to update, 1 to replace, 0 to delete, 0 unchanged** — ⚠️ 1 dangerous, 0 refused by the API server, 1 replaced: read before merging",
        "",
        "| | action | resource | changed fields | notes |",
        "|---|---|---|---|---|",
        "| 🛑 | **replace** | `PersistentVolumeClaim team/data` | `spec.storageClassName` (replaces) | **holds data: the claim's volume goes with it (or is orphaned with reclaimPolicy Retain)**<br>a claim's spec is immutable except a larger requests.storage |",
      ].join("\n"),
    );
    assert.equal(
      formatChangeReport(report, "text").split("\n").slice(0, 5).join("\n"),
      [
        "Change report for stack dev: 0 to create, 0 to update, 1 to replace, 0 to delete, 0 unchanged",
        "1 dangerous, 0 refused by the API server, 1 replaced: read before merging",
        "",
        "DANGER  replace PersistentVolumeClaim team/data  (kubernetes:core/v1:PersistentVolumeClaim data)",
        "          ! holds data: the claim's volume goes with it (or is orphaned with reclaimPolicy Retain)",
      ].join("\n"),
    );
  });
});

// --- the command ---------------------------------------------------------------------------------------------

describe("npm run diff", function () {
  this.timeout(60_000);
  const CLI = path.join(ROOT, "tools", "diff", "cli.ts");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-diff-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const out = (name: string, content: unknown) => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "resources.json"),
      typeof content === "string" ? content : JSON.stringify(content),
    );
    return dir;
  };
  const dep = k8s("Deployment", "apps/v1", "d", {
    spec: { selector: { matchLabels: { a: "1" } }, replicas: 1 },
  });

  it("exit 0 when everything applies in place, with the text report", () => {
    const r = run(out("b0", [dep]), out("h0", [edit(dep, "spec.replicas", 2)]));
    assert.deepEqual([r.status, r.stderr], [0, ""]);
    assert.match(
      r.stdout,
      /^Change report for stack dev: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 unchanged$/m,
    );
  });

  it("exit 1 on a replacement, with the Markdown report", () => {
    const r = run(
      out("b1", [dep]),
      out("h1", [edit(dep, "spec.selector.matchLabels.a", "2")]),
      "--format",
      "markdown",
    );
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^### Infrastructure changes \(dev\)$/m);
  });

  it("exit 2 with one line, no stack trace, on a missing directory", () => {
    const missing = path.join(tmp, "nope");
    const r = run(missing, out("b2", [dep]));
    assert.deepEqual(
      [r.status, r.stdout, r.stderr],
      [
        2,
        "",
        `base: ${missing} — no such directory (a synth output: npm run synth -- <stack> --out <dir>)\n`,
      ],
    );
  });

  it("exit 2 when base and head are outputs of different stacks, naming both", () => {
    const prod = { ...dep, urn: dep.urn.replace("urn:pulumi:dev::", "urn:pulumi:prod::") };
    const base = out("stack-dev", [dep]);
    const head = out("stack-prod", [prod]);
    const r = run(base, head);
    assert.deepEqual(
      [r.status, r.stdout, r.stderr],
      [
        2,
        "",
        `head: ${head} — is stack "prod", base ${base} is stack "dev": compare two outputs of the same stack\n`,
      ],
    );
  });

  it("names the bad file or argument: missing or invalid resources.json, argument count, options", () => {
    const good = out("good", [dep]);
    const noFile = path.join(tmp, "empty");
    fs.mkdirSync(noFile, { recursive: true });
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        assert.ok(err instanceof ChangeReportInputError, String(err));
        return err.message;
      }
      assert.fail("accepted");
    };
    assert.equal(
      message(() => readSynthResources(noFile, "head")),
      `head: ${path.join(noFile, "resources.json")} — not found (npm run synth writes it)`,
    );
    assert.match(
      message(() => readSynthResources(out("bad-json", "{"), "head")),
      /^head: .*bad-json\/resources\.json — not valid JSON \(/,
    );
    assert.equal(
      message(() => readSynthResources(out("bad-shape", [{ urn: "x", type: "t", name: "n" }]), "base")),
      `base: ${path.join(tmp, "bad-shape", "resources.json")} — [0].inputs: (missing): every resource needs urn, type and name (strings) and inputs (an object)`,
    );
    const usage = "usage: npm run diff -- <base> <head> [--format text|markdown]";
    assert.equal(
      message(() => parseDiffArgs([good])),
      `arguments: ${JSON.stringify([good])} — exactly two synth output folders of one stack, base then head\n${usage}`,
    );
    assert.equal(
      message(() => parseDiffArgs([good, good, "--format", "html"])),
      `--format: "html" — must be one of text, markdown\n${usage}`,
    );
    assert.equal(
      message(() => parseDiffArgs([good, good, "--color"])),
      `--color: unknown option — allowed: --format text|markdown\n${usage}`,
    );
    assert.deepEqual(parseDiffArgs(["a", "--format", "markdown", "b"]), {
      base: "a",
      head: "b",
      format: "markdown",
    });
  });
});
