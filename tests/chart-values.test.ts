import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { parse } from "yaml";
import { ADDONS } from "@agentops/components";
import { ROOT, STACKS, synthStack } from "./harness";

const CHARTS = path.resolve(ROOT, "..", "shared", "charts");

/**
 * Key paths the project may set although the chart's values.yaml does not define them, each with its reason.
 * A path here also covers everything below it.
 */
const ALLOWED: Record<string, Record<string, string>> = {
  "opentelemetry-collector": {
    config: "the collector's own configuration, merged over the chart's",
    "podDisruptionBudget.maxUnavailable":
      "documented in a comment (`# maxUnavailable: 1`); the schema leaves the object open",
  },
  jaeger: { userconfig: "the whole Jaeger v2 configuration; the chart only shows it in comments" },
  "loki-community": {
    "loki.storage.bucketNames": "documented in a comment of values.yaml (`# bucketNames: chunks, ruler`)",
    "loki.limits_config": "Loki's limits_config, passed through (`@schema additionalProperties:true`)",
    "loki.commonConfig": "Loki's common config, passed through (`@schema additionalProperties:true`)",
  },
  "cluster-autoscaler": { extraArgs: "free-form map of autoscaler flags" },
  vault: {
    "server.readinessProbe.path":
      "documented in a comment (`# path: /v1/sys/health?standbyok=true`); the template uses it instead of exec",
  },
};

/** kube-prometheus-stack's subcharts, whose keys are checked against their own values.yaml. */
const SUBCHARTS: Record<string, string[]> = {
  "kube-prometheus-stack": [
    "crds",
    "grafana",
    "kube-state-metrics",
    "prometheus-node-exporter",
    "prometheus-windows-exporter",
  ],
};

/**
 * Values that charts hand to Kubernetes as they are (resources, security contexts, affinity, …): their fields
 * are the Kubernetes API's, validated by the API server, so the check stops at them.
 */
const KUBERNETES_TYPES = new Set([
  "resources",
  "securityContext",
  "podSecurityContext",
  "containerSecurityContext",
  "affinity",
  "nodeSelector",
  "tolerations",
]);

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function load(file: string): Record<string, unknown> {
  return (parse(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
}

/** Every key path a chart's values.schema.json defines (`$ref`s resolved), for options values.yaml only comments. */
function schemaPaths(folder: string): Set<string> {
  const file = path.join(CHARTS, folder, "values.schema.json");
  const paths = new Set<string>();
  if (!fs.existsSync(file)) return paths;
  const schema = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const resolve = (node: unknown): Record<string, unknown> => {
    let n = node as Record<string, unknown>;
    for (let i = 0; i < 20 && typeof n.$ref === "string"; i++) {
      n = (n.$ref.slice(2).split("/") as string[]).reduce<unknown>(
        (o, k) => (o as Record<string, unknown>)[k],
        schema,
      ) as Record<string, unknown>;
    }
    return n;
  };
  const walk = (node: unknown, prefix: string, depth: number) => {
    const props = resolve(node).properties;
    if (!isMap(props) || depth > 8) return;
    for (const [key, child] of Object.entries(props)) {
      const at = prefix ? `${prefix}.${key}` : key;
      paths.add(at);
      walk(child, at, depth + 1);
    }
  };
  walk(schema, "", 0);
  return paths;
}

/** Key paths of `values` that `defaults` does not define; an empty map in the defaults is free-form. */
function unknownKeys(
  values: unknown,
  defaults: unknown,
  prefix: string,
  allowed: Record<string, string>,
  schema: Set<string> = new Set(),
): string[] {
  if (!isMap(values)) return [];
  return Object.entries(values).flatMap(([key, value]) => {
    const at = prefix ? `${prefix}.${key}` : key;
    if (at in allowed || KUBERNETES_TYPES.has(key)) return [];
    if (!isMap(defaults) || !(key in defaults)) return schema.has(at) ? [] : [at];
    const def = defaults[key];
    if (isMap(value) && isMap(def) && Object.keys(def).length > 0)
      return unknownKeys(value, def, at, allowed, schema);
    return [];
  });
}

/** Unknown keys of one release's values against its pinned chart (and subcharts). */
export function checkRelease(folder: string, values: Record<string, unknown>): string[] {
  const defaults = load(path.join(CHARTS, folder, "values.yaml"));
  const allowed = ALLOWED[folder] ?? {};
  const subcharts = SUBCHARTS[folder] ?? [];
  const top = Object.fromEntries(Object.entries(values).filter(([k]) => !subcharts.includes(k)));
  const problems = unknownKeys(top, defaults, "", allowed, schemaPaths(folder));
  for (const sub of subcharts.filter((s) => s in values)) {
    const subDefaults = {
      ...load(path.join(CHARTS, "_subcharts", folder, sub, "values.yaml")),
      ...(isMap(defaults[sub]) ? defaults[sub] : {}),
    };
    problems.push(...unknownKeys(values[sub], subDefaults, "", allowed).map((p) => `${sub}.${p}`));
  }
  return problems;
}

/** Helm's merge of user values over a chart's defaults: maps merge key by key, anything else replaces. */
function coalesce(defaults: unknown, values: unknown): unknown {
  if (!isMap(defaults) || !isMap(values)) return values === undefined ? defaults : values;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(values)) out[k] = coalesce(defaults[k], v);
  return out;
}

type Validate = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params: unknown }[];
};
type AjvClass = new (opts: Record<string, unknown>) => { compile(schema: unknown): Validate };

/**
 * Ajv 8, if one is installed (no package is added for this test): @kubernetes-models/validate brings it. The
 * top-level `ajv` is 6, which does not know `$defs`.
 */
function findAjv(): AjvClass | undefined {
  // Resolved as that package would resolve it; its exports map hides package.json, so start from its folder.
  const req = createRequire(path.join(ROOT, "node_modules", "@kubernetes-models", "validate", "index.js"));
  try {
    const mod = req("ajv") as { default?: AjvClass };
    return mod.default;
  } catch {
    return undefined;
  }
}

/** Charts whose values.schema.json is closed (additionalProperties: false): Helm itself rejects unknown keys. */
const STRICT_SCHEMAS = ["cert-manager", "opentelemetry-collector"];

/** Schema violations of `values` merged over the chart's defaults, as `helm install` would report them. */
function schemaProblems(Ajv: AjvClass, folder: string, values: Record<string, unknown>): string[] {
  const schema = JSON.parse(
    fs.readFileSync(path.join(CHARTS, folder, "values.schema.json"), "utf8"),
  ) as Record<string, unknown>;
  // Ajv knows the draft by its own meta-schema; the charts name it in forms it does not register.
  delete schema.$schema;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const merged = coalesce(load(path.join(CHARTS, folder, "values.yaml")), values);
  if (validate(merged)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}

describe("Helm values against the pinned charts' defaults", function () {
  this.timeout(120_000);

  it("pins every chart at the version recorded in ../shared/charts", () => {
    for (const addon of ADDONS.filter((a) => a.defaults !== undefined)) {
      const chart = load(path.join(CHARTS, addon.defaults!, "Chart.yaml")) as { version: string };
      const source = fs.readFileSync(path.join(CHARTS, addon.defaults!, "SOURCE.txt"), "utf8");
      const published = /PUBLISHED chart version\/appVersion[^\n]*?(v?\d+\.\d+\.\d+)/.exec(source)?.[1];
      assert.equal(addon.version, published ?? chart.version, `${addon.name}: pinned ${addon.version}`);
    }
  });

  it("finds a values key the chart does not define (the check itself can fail)", () => {
    assert.deepEqual(
      checkRelease("metrics-server", {
        replicas: 2,
        replica: 2,
        podDisruptionBudget: { enabld: true },
        resources: { limits: {} },
      }),
      ["replica", "podDisruptionBudget.enabld"],
    );
    assert.deepEqual(checkRelease("kube-prometheus-stack", { grafana: { adminPasword: "x" } }), [
      "grafana.adminPasword",
    ]);
    assert.deepEqual(
      checkRelease("cert-manager", { podDisruptionBudget: { maxUnavailable: 1, maxUnavalable: 1 } }),
      ["podDisruptionBudget.maxUnavalable"],
    );
  });

  it("finds values a strict chart schema rejects (the schema check itself can fail)", function () {
    const Ajv = findAjv();
    if (!Ajv) this.skip();
    assert.deepEqual(schemaProblems(Ajv!, "cert-manager", { replicaCount: 2 }), []);
    assert.deepEqual(schemaProblems(Ajv!, "cert-manager", { replicaCount: "two" }), [
      `/replicaCount must be number {"type":"number"}`,
    ]);
    assert.ok(
      schemaProblems(Ajv!, "opentelemetry-collector", { mode: "sidecar" }).some((p) => p.startsWith("/mode")),
    );
  });

  for (const stack of STACKS) {
    it(`${stack}: every key each release sets exists in its chart`, async () => {
      const { resources } = await synthStack(stack);
      const releases = resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => r.inputs as { name: string; values: Record<string, unknown> });
      const checked = releases.filter((r) => ADDONS.find((a) => a.name === r.name)?.defaults !== undefined);
      // Envoy Gateway and the DCGM exporter are the releases without defaults in ../shared/charts.
      assert.deepEqual(
        releases
          .filter((r) => !checked.includes(r))
          .map((r) => r.name)
          .sort(),
        ["dcgm-exporter", "envoy-gateway"],
      );
      const problems = checked.flatMap((r) =>
        checkRelease(ADDONS.find((a) => a.name === r.name)!.defaults!, r.values).map(
          (p) => `${r.name}: ${p}`,
        ),
      );
      assert.deepEqual(problems, []);
    });

    it(`${stack}: the releases of charts with a strict schema pass it`, async function () {
      const Ajv = findAjv();
      if (!Ajv) this.skip();
      const { resources } = await synthStack(stack);
      const releases = resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => r.inputs as { name: string; values: Record<string, unknown> })
        .map((r) => ({ ...r, folder: ADDONS.find((a) => a.name === r.name)!.defaults }))
        .filter((r) => r.folder !== undefined && STRICT_SCHEMAS.includes(r.folder));
      assert.deepEqual(releases.map((r) => r.name).sort(), ["cert-manager", "otel-collector", "otel-logs"]);
      const problems = releases.flatMap((r) =>
        schemaProblems(Ajv!, r.folder!, r.values).map((p) => `${r.name}: ${p}`),
      );
      assert.deepEqual(problems, []);
    });
  }
});
