import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ADDONS, CHART_LOCK } from "@agentops/components";
import {
  CHART_CACHE_ENV,
  RenderError,
  chartFile,
  crdApiVersions,
  isTestHook,
  parseRendered,
  withReleaseNamespaces,
} from "../tools/render";
import type { KubernetesObject } from "@agentops/components/testing";
import { parseArgs } from "../tools/render/cli";
import { crdValidators, manifestProblems, renderedStack, STACKS } from "./harness";

/**
 * Platform containers that keep a writable root filesystem, as `<release>/<container>`, each with its reason.
 * Every other rendered container must set `readOnlyRootFilesystem: true`.
 */
const WRITABLE_ROOT: Record<string, string> = {
  "envoy-gateway/envoy-gateway":
    "the controller creates /var/lib/eg/wasm at start; gateway-helm v1.8.2 has no writable volume for it (added upstream after v1.8.2, envoyproxy/gateway#9069)",
  "opencost/opencost":
    "OpenCost writes its pricing cache under its config path; the chart offers no volume for it",
  "dcgm-exporter/exporter":
    "root with SYS_ADMIN for profiling counters; its embedded nv-hostengine writes logs and state files and the chart mounts no writable volume for them (GPU nodes only)",
  "nvidia-device-plugin/mps-control-daemon-mounts":
    "MPS control daemon (init): runs only on nodes labelled nvidia.com/mps.capable=true, which no node group sets; the chart gives it no securityContext value",
  "nvidia-device-plugin/mps-control-daemon-ctr":
    "MPS control daemon: as above; the chart gives it no securityContext value",
};

/** `helm test` hooks rendered although the values cannot disable them (`<release>/<Kind>/<name>`), with the reason. */
const UNAVOIDABLE_TEST_HOOKS: Record<string, string> = {
  "vault/Pod/vault-server-test":
    "vault 0.34.1 renders its server test whenever the server is enabled; no value turns it off",
};

/** The pod spec of a workload object, if it has one. */
function podSpec(o: KubernetesObject): { containers: Container[]; initContainers?: Container[] } | undefined {
  const spec = o.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (o.kind === "Pod") return spec as never;
  if (o.kind === "CronJob") return spec?.jobTemplate?.spec?.template?.spec;
  return spec?.template?.spec;
}
interface Container {
  name: string;
  securityContext?: { readOnlyRootFilesystem?: boolean };
}

/** Runs `fn` with the chart cache pointed at `dir`, restoring the environment after. */
async function withChartCache<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env[CHART_CACHE_ENV];
  process.env[CHART_CACHE_ENV] = dir;
  try {
    return await fn();
  } finally {
    if (before === undefined) Reflect.deleteProperty(process.env, CHART_CACHE_ENV);
    else process.env[CHART_CACHE_ENV] = before;
  }
}

async function renderError(promise: Promise<unknown>): Promise<RenderError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RenderError, `expected a RenderError, got ${String(err)}`);
    return err;
  }
  assert.fail("no error");
}

describe("rendered objects' namespaces", () => {
  it("puts namespaced objects a chart renders without a namespace into the release's, as helm install does", () => {
    const obj = (apiVersion: string, kind: string, namespace?: string): KubernetesObject => ({
      apiVersion,
      kind,
      metadata: { name: "x", ...(namespace ? { namespace } : {}) },
    });
    const crd: KubernetesObject = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "clusterthings.example.com" },
      spec: { group: "example.com", scope: "Cluster", names: { kind: "ClusterThing" }, versions: [] },
    };
    const [release] = withReleaseNamespaces([
      {
        name: "r",
        chart: "c",
        version: "1",
        namespace: "monitoring",
        testHooks: [],
        objects: [
          obj("apps/v1", "Deployment"),
          obj("v1", "Service", "elsewhere"),
          obj("rbac.authorization.k8s.io/v1", "ClusterRole"),
          obj("example.com/v1", "ClusterThing"),
          obj("example.com/v1", "Thing"),
          crd,
        ],
      },
    ]);
    assert.deepEqual(
      release!.objects.map((o) => `${o.kind}:${o.metadata.namespace ?? "-"}`),
      [
        "Deployment:monitoring",
        "Service:elsewhere",
        "ClusterRole:-",
        "ClusterThing:-",
        "Thing:monitoring",
        "CustomResourceDefinition:-",
      ],
    );
  });
});

describe("chart lock", () => {
  it("locks every chart and version of the add-on registry, with its repository, and nothing else", () => {
    const wanted = new Map(
      ADDONS.map((a) => [
        `${a.chart}@${a.version}`,
        {
          chart: a.chart,
          version: a.version,
          repository: a.repository ?? null,
          file: `${a.chart.split("/").pop()!}-${a.version}.tgz`,
        },
      ]),
    );
    assert.deepEqual(
      CHART_LOCK.map(({ chart, version, repository, file }) => ({ chart, version, repository, file })),
      [...wanted.values()],
    );
    for (const entry of CHART_LOCK) assert.match(entry.sha256, /^[0-9a-f]{64}$/, entry.file);
  });
});

describe("render: chart files and Helm output", () => {
  const entry = CHART_LOCK.find((e) => e.chart === "vault")!;
  let root: string;
  let cache: string;
  beforeEach(() => {
    // A project root with no ../shared beside it and an empty cache folder.
    root = fs.mkdtempSync(path.join(os.tmpdir(), "render-test-"));
    cache = path.join(root, "cache");
    fs.mkdirSync(cache);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("reports a chart in no cache folder whose pull fails as unavailable, naming the file, the folders and the remedy", async () => {
    // `false` stands in for a Helm whose pull fails (no network).
    const err = await withChartCache(cache, () =>
      renderError(chartFile(root, "/bin/false", entry.chart, entry.version)),
    );
    assert.equal(err.kind, "unavailable");
    assert.equal(err.exitCode, 2);
    assert.equal(
      err.message.split(" — ")[0],
      `chart vault-0.34.1.tgz (vault 0.34.1) is in none of ${cache}, ${path.join(root, ".cache", "charts")} and helm pull failed: (no output)`,
    );
    assert.match(err.message, /— fill the chart cache: with network, `npm run render -- <stack>` pulls/);
  });

  it("refuses a chart file whose SHA-256 differs from the lock", async () => {
    fs.writeFileSync(path.join(cache, entry.file), "not the chart");
    const err = await withChartCache(cache, () =>
      renderError(chartFile(root, "/bin/false", entry.chart, entry.version)),
    );
    assert.equal(err.kind, "integrity");
    assert.match(
      err.message,
      new RegExp(`differs from the chart lock's ${entry.sha256} for vault 0\\.34\\.1`),
    );
  });

  it("refuses a chart version the lock does not hold", async () => {
    const err = await renderError(chartFile(root, "/bin/false", "vault", "0.34.0"));
    assert.equal(err.kind, "integrity");
    assert.match(
      err.message,
      /^chart vault 0\.34\.0: not in the chart lock components\/src\/catalog\/charts\.lock\.json/,
    );
  });

  it("lists group/version and group/version/Kind of every served CRD version", () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Widget" },
        versions: [
          { name: "v1", served: true },
          { name: "v1beta1", served: false },
        ],
      },
    } as KubernetesObject;
    assert.deepEqual(crdApiVersions([crd]), ["example.com/v1", "example.com/v1/Widget"]);
  });

  it("parses Helm's multi-document output, dropping empty documents", () => {
    const objects = parseRendered(
      "x",
      "---\n# Source: x/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\n",
    );
    assert.deepEqual(objects, [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }]);
  });
});

describe("render CLI arguments", () => {
  it("takes one stack and an optional --out", () => {
    assert.deepEqual(parseArgs(["dev", "--out", "x"]), { stack: "dev", outDir: "x" });
  });
  it("rejects a missing stack, an unknown option and --out without a folder", () => {
    assert.throws(() => parseArgs([]), /^UsageError: stack: \(missing\) — exactly one stack name/);
    assert.throws(() => parseArgs(["dev", "--bogus"]), /--bogus: unknown option — allowed: --out <dir>/);
    assert.throws(() => parseArgs(["dev", "--out"]), /--out: \(missing\) — needs a directory/);
  });
});

describe("render: every release of every stack", function () {
  this.timeout(300_000);
  for (const stack of STACKS) {
    it(`${stack}: renders each Helm Release the program declares, with its chart, version and namespace`, async function () {
      const result = await renderedStack(this, stack);
      const declared = result.synth.resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => r.inputs as { name: string; chart: string; version: string; namespace: string });
      assert.deepEqual(
        result.releases.map(({ name, chart, version, namespace }) => ({ name, chart, version, namespace })),
        declared.map(({ name, chart, version, namespace }) => ({ name, chart, version, namespace })),
      );
      for (const r of result.releases) assert.ok(r.objects.length > 0, `${r.name} rendered nothing`);
      assert.equal(result.kubeVersion, "1.35");
      assert.ok(result.apiVersions.includes("monitoring.coreos.com/v1/ServiceMonitor"));
    });
  }
});

describe("render: what the releases install", function () {
  this.timeout(300_000);
  for (const stack of STACKS) {
    describe(stack, () => {
      it("validates every rendered object and every object of manifests.yaml: custom resources against the rendered CRDs, core kinds with kubernetes-models", async function () {
        const result = await renderedStack(this, stack);
        const rendered = result.releases.flatMap((r) => r.objects);
        const validators = crdValidators(rendered);
        const problems: string[] = [];
        for (const obj of [...rendered, ...result.synth.manifests]) {
          problems.push(...(await manifestProblems(obj, validators)));
        }
        assert.deepEqual(problems, []);
      });

      it("declares every custom resource after the release that renders its CRD (dependsOn, directly, through others or a parent)", async function () {
        const { releases, synth } = await renderedStack(this, stack);
        const crdRelease = new Map<string, string>();
        for (const r of releases) {
          for (const crd of r.objects.filter((o) => o.kind === "CustomResourceDefinition")) {
            const spec = crd.spec as { group: string; names: { kind: string } };
            crdRelease.set(`${spec.group}/${spec.names.kind}`, r.name);
          }
        }
        const byUrn = new Map(synth.resources.map((r) => [r.urn, r]));
        const releaseUrn = new Map(
          synth.resources
            .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
            .map((r) => [(r.inputs as { name: string }).name, r.urn]),
        );
        /** Every resource `urn` waits for: its dependsOn and its ancestors', transitively. */
        const waitsFor = (urn: string): Set<string> => {
          const seen = new Set<string>();
          const queue = [urn];
          while (queue.length > 0) {
            const r = byUrn.get(queue.pop()!);
            if (!r) continue;
            for (const next of [...r.dependsOn, ...(r.parent ? [r.parent] : [])]) {
              if (!seen.has(next)) {
                seen.add(next);
                queue.push(next);
              }
            }
          }
          return seen;
        };
        const problems: string[] = [];
        let checked = 0;
        for (const r of synth.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"))) {
          const { apiVersion, kind } = r.inputs as { apiVersion?: string; kind?: string };
          if (!apiVersion?.includes("/")) continue;
          const release = crdRelease.get(`${apiVersion.split("/")[0]!}/${kind!}`);
          if (release === undefined) continue;
          checked++;
          if (!waitsFor(r.urn).has(releaseUrn.get(release)!)) {
            problems.push(`${kind!} ${r.name}: does not wait for release ${release}, which installs its CRD`);
          }
        }
        assert.ok(checked >= 10, `only ${checked} custom resources checked`);
        assert.deepEqual(problems, []);
      });
    });
  }

  for (const stack of STACKS) {
    it(`${stack}: every platform container has a read-only root filesystem, except those listed with a reason`, async function () {
      const { releases } = await renderedStack(this, stack);
      const writable: string[] = [];
      for (const r of releases) {
        for (const o of r.objects) {
          const spec = podSpec(o);
          for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
            if (c.securityContext?.readOnlyRootFilesystem !== true) writable.push(`${r.name}/${c.name}`);
          }
        }
      }
      const expected = Object.keys(WRITABLE_ROOT).filter((k) =>
        releases.some((r) => r.name === k.split("/")[0]),
      );
      assert.deepEqual([...new Set(writable)].sort(), expected.sort());
    });

    it(`${stack}: installs no helm test hook; those the values cannot disable are listed with a reason`, async function () {
      const { releases } = await renderedStack(this, stack);
      for (const r of releases) assert.ok(!r.objects.some(isTestHook), r.name);
      assert.deepEqual(
        releases.flatMap((r) => r.testHooks.map((o) => `${r.name}/${o.kind}/${o.metadata.name!}`)),
        Object.keys(UNAVOIDABLE_TEST_HOOKS),
      );
    });
  }

  it("the CRD schema check can fail: an unknown field and a wrong type in a Prometheus; volumeClaimTemplate passes", async function () {
    const { releases } = await renderedStack(this, "prod");
    const validators = crdValidators(releases.flatMap((r) => r.objects));
    const prometheus = (spec: Record<string, unknown>) =>
      ({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Prometheus",
        metadata: { name: "p", namespace: "monitoring" },
        spec,
      }) as KubernetesObject;
    const storage = { volumeClaimTemplate: { spec: { resources: { requests: { storage: "10Gi" } } } } };
    assert.deepEqual(await manifestProblems(prometheus({ storage }), validators), []);
    assert.deepEqual(await manifestProblems(prometheus({ replicas: "two", retentionn: "1d" }), validators), [
      `Prometheus/monitoring/p (monitoring.coreos.com/v1): /spec must NOT have additional properties {"additionalProperty":"retentionn"}`,
      `Prometheus/monitoring/p (monitoring.coreos.com/v1): /spec/replicas must be integer {"type":"integer"}`,
    ]);
  });
});

describe("render: Vault HA", function () {
  this.timeout(300_000);
  for (const stack of STACKS) {
    it(`${stack}: every raft retry_join target is a server pod whose name the Vault certificate covers`, async function () {
      const { releases, synth } = await renderedStack(this, stack);
      const vault = releases.find((r) => r.name === "vault")!;
      const config = vault.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "vault-config")!;
      const hcl = Object.values(config.data as Record<string, string>).join("\n");
      const statefulSet = vault.objects.find((o) => o.kind === "StatefulSet")!;
      const { serviceName, replicas } = statefulSet.spec as { serviceName: string; replicas: number };
      const cert = synth.manifests.find(
        (m) => m.kind === "Certificate" && m.metadata.name === "vault-server-tls",
      )!;
      const dnsNames = (cert.spec as { dnsNames: string[] }).dnsNames;
      // RFC 6125 §6.4.3: a wildcard stands for exactly one leftmost label.
      const covered = (host: string) =>
        dnsNames.some((n) =>
          n.startsWith("*.") ? host.slice(host.indexOf(".") + 1) === n.slice(2) : host === n,
        );
      const joins = [...hcl.matchAll(/retry_join\s*\{([^}]*)\}/g)].map((m) => m[1]!);
      const ha = stack !== "dev";
      assert.equal(
        joins.length,
        ha ? replicas : 0,
        `${joins.length} retry_join blocks for ${replicas} replicas`,
      );
      assert.doesNotMatch(hcl, /auto_join/, "auto_join dials pod IPs, which the certificate cannot name");
      const pods = Array.from(
        { length: replicas },
        (_, i) => `${statefulSet.metadata.name!}-${i}.${serviceName}`,
      );
      const targets = joins.map((block) => {
        const addr = /leader_api_addr\s*=\s*"([^"]+)"/.exec(block)?.[1];
        const serverName = /leader_tls_servername\s*=\s*"([^"]+)"/.exec(block)?.[1];
        assert.ok(addr, `retry_join without leader_api_addr: ${block}`);
        assert.match(block, /leader_ca_cert_file\s*=\s*"\/vault\/userconfig\/vault-server-tls\/ca\.crt"/);
        const url = new URL(addr);
        assert.equal(url.protocol, "https:");
        assert.ok(
          covered(serverName ?? url.hostname),
          `${serverName ?? url.hostname} is not in ${dnsNames.join(", ")}`,
        );
        return url.hostname;
      });
      assert.deepEqual(targets, ha ? pods : []);
    });
  }
});
