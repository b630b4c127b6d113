/**
 * The render cache (tools/render/cache.ts): an entry is used only for its own key, well formed and younger than
 * a week; anything else — a hand-edited file, a folder where a file should be, a file where the folder should
 * be — renders afresh and never fails the render.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { KubernetesObject } from "@agentops/components/testing";
import {
  cachedRender,
  RENDER_CACHE_ENV,
  RENDER_CACHE_MAX_AGE_MS,
  renderCacheDir,
  type RenderKey,
} from "../tools/render/cache";

const key = (values: unknown = { replicas: 1 }): RenderKey => ({
  helm: "h".repeat(64),
  chart: "c".repeat(64),
  release: "loki",
  namespace: "monitoring",
  kubeVersion: "1.35",
  apiVersions: ["monitoring.coreos.com/v1"],
  values,
  flags: ["--include-crds"],
});
const CONFIG_MAP: KubernetesObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } };

describe("render cache", () => {
  let dir: string;
  let renders: number;
  const render = async () => {
    renders++;
    return [structuredClone(CONFIG_MAP)];
  };
  const entries = () => fs.readdirSync(dir).map((f) => path.join(dir, f));
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "agentops-render-cache-")), "render");
    renders = 0;
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it("renders once per key, keeps the entry owner-only, and renders again for other values", async () => {
    assert.deepEqual(await cachedRender(dir, key(), render), [CONFIG_MAP]);
    assert.deepEqual(await cachedRender(dir, key(), render), [CONFIG_MAP]);
    assert.equal(renders, 1);
    assert.equal(fs.statSync(entries()[0]!).mode & 0o777, 0o600);
    await cachedRender(dir, key({ replicas: 2 }), render);
    assert.equal(renders, 2);
  });

  for (const [what, text] of [
    ["an empty list", "[]"],
    ["an object", "{}"],
    ["null", "null"],
    ["truncated JSON", '{"format":'],
  ] as const) {
    it(`an entry overwritten with ${what} is rendered afresh`, async () => {
      await cachedRender(dir, key(), render);
      fs.writeFileSync(entries()[0]!, text);
      assert.deepEqual(await cachedRender(dir, key(), render), [CONFIG_MAP]);
      assert.equal(renders, 2);
    });
  }

  it("an entry whose objects are not Kubernetes objects, or whose key differs, is rendered afresh", async () => {
    await cachedRender(dir, key(), render);
    const file = entries()[0]!;
    const entry = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(file, JSON.stringify({ ...entry, objects: [{ kind: "ConfigMap" }] }));
    await cachedRender(dir, key(), render);
    fs.writeFileSync(file, JSON.stringify({ ...entry, key: key({ replicas: 9 }) }));
    await cachedRender(dir, key(), render);
    assert.equal(renders, 3);
  });

  it("an entry older than a week is rendered afresh (charts generate certificates at render time)", async () => {
    await cachedRender(dir, key(), render);
    const file = entries()[0]!;
    const entry = JSON.parse(fs.readFileSync(file, "utf8")) as { renderedAt: number };
    fs.writeFileSync(
      file,
      JSON.stringify({ ...entry, renderedAt: Date.now() - RENDER_CACHE_MAX_AGE_MS - 1 }),
    );
    await cachedRender(dir, key(), render);
    assert.equal(renders, 2);
  });

  it("a folder where the entry should be, or a file where the cache folder should be: rendered, not kept", async () => {
    await cachedRender(dir, key(), render);
    const file = entries()[0]!;
    fs.rmSync(file);
    fs.mkdirSync(file);
    assert.deepEqual(await cachedRender(dir, key(), render), [CONFIG_MAP]);
    assert.deepEqual(
      entries().filter((f) => f.endsWith(".tmp")),
      [],
    );
    fs.rmSync(dir, { recursive: true });
    fs.writeFileSync(dir, "not a folder");
    assert.deepEqual(await cachedRender(dir, key(), render), [CONFIG_MAP]);
    assert.equal(renders, 3);
  });

  it(`${RENDER_CACHE_ENV}=off, in any case, turns it off`, () => {
    const was = process.env[RENDER_CACHE_ENV];
    try {
      for (const value of ["off", "OFF", "Off"]) {
        process.env[RENDER_CACHE_ENV] = value;
        assert.equal(renderCacheDir("/r"), undefined);
      }
      process.env[RENDER_CACHE_ENV] = "on";
      assert.equal(renderCacheDir("/r"), path.join("/r", ".cache", "render"));
    } finally {
      if (was === undefined) Reflect.deleteProperty(process.env, RENDER_CACHE_ENV);
      else process.env[RENDER_CACHE_ENV] = was;
    }
  });
});
