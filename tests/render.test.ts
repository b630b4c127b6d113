import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ADDONS } from "@agentops/components";
import {
  CHART_CACHE_ENV,
  CHART_LOCK,
  RenderError,
  chartFile,
  crdApiVersions,
  parseRendered,
} from "@agentops/components/render";
import type { KubernetesObject } from "@agentops/components/testing";
import { parseArgs } from "../components/src/render/cli";
import { renderedStack, STACKS } from "./harness";

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
      /^chart vault 0\.34\.0: not in the chart lock components\/src\/platform\/charts\.lock\.json/,
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
