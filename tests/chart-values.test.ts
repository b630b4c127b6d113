import * as assert from "node:assert/strict";
import Ajv from "ajv";
import { parse } from "yaml";
import { ADDONS } from "@agentops/components";
import { pinnedChartFiles, STACKS, synthStack, type ChartFiles } from "./harness";

// Chart defaults come from the pinned chart packages (the locked .tgz in the chart cache), so the check needs
// nothing outside the repository: without a cache and network it skips with one line saying how to fill it.

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
  "gateway-helm": {
    "config.envoyGateway":
      "the EnvoyGateway API object (gateway.envoyproxy.io/v1alpha1), rendered whole into the controller's ConfigMap; values.yaml shows a few of its fields and points at the API reference for all options",
  },
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

/** A YAML file of the chart package, `{}` when absent or empty. */
function load(files: ChartFiles, file: string): Record<string, unknown> {
  return (parse(files.get(file) ?? "") ?? {}) as Record<string, unknown>;
}

/** Every key path a chart's values.schema.json defines (`$ref`s resolved), for options values.yaml only comments. */
function schemaPaths(files: ChartFiles): Set<string> {
  const text = files.get("values.schema.json");
  const paths = new Set<string>();
  if (text === undefined) return paths;
  const schema = JSON.parse(text) as Record<string, unknown>;
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

/** Unknown keys of one release's values against its pinned chart (`folder`: its key in ALLOWED, SUBCHARTS). */
export function checkRelease(files: ChartFiles, folder: string, values: Record<string, unknown>): string[] {
  const defaults = load(files, "values.yaml");
  const allowed = ALLOWED[folder] ?? {};
  const subcharts = SUBCHARTS[folder] ?? [];
  const top = Object.fromEntries(Object.entries(values).filter(([k]) => !subcharts.includes(k)));
  const problems = unknownKeys(top, defaults, "", allowed, schemaPaths(files));
  for (const sub of subcharts.filter((s) => s in values)) {
    const subDefaults = {
      ...load(files, `charts/${sub}/values.yaml`),
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

/** Charts whose values.schema.json is closed (additionalProperties: false): Helm itself rejects unknown keys. */
const STRICT_SCHEMAS = ["cert-manager", "opentelemetry-collector"];

/** Schema violations of `values` merged over the chart's defaults, as `helm install` would report them. */
function schemaProblems(files: ChartFiles, values: Record<string, unknown>): string[] {
  const schema = JSON.parse(files.get("values.schema.json")!) as Record<string, unknown>;
  // Ajv knows the draft by its own meta-schema; the charts name it in forms it does not register.
  delete schema.$schema;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const merged = coalesce(load(files, "values.yaml"), values);
  if (validate(merged)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}

/** The pinned chart package of an add-on, by add-on name. */
function chartOf(ctx: Mocha.Context, name: string): Promise<ChartFiles> {
  const addon = ADDONS.find((a) => a.name === name)!;
  return pinnedChartFiles(ctx, addon.chart, addon.version);
}

describe("Helm values against the pinned charts' defaults", function () {
  this.timeout(120_000);

  it("pins every chart at the version its locked package declares", async function () {
    for (const addon of ADDONS) {
      const chart = load(await chartOf(this, addon.name), "Chart.yaml") as { version: string };
      assert.equal(chart.version, addon.version, `${addon.name}: pinned ${addon.version}`);
    }
  });

  it("finds a values key the chart does not define (the check itself can fail)", async function () {
    assert.deepEqual(
      checkRelease(await chartOf(this, "metrics-server"), "metrics-server", {
        replicas: 2,
        replica: 2,
        podDisruptionBudget: { enabld: true },
        resources: { limits: {} },
      }),
      ["replica", "podDisruptionBudget.enabld"],
    );
    assert.deepEqual(
      checkRelease(await chartOf(this, "kube-prometheus-stack"), "kube-prometheus-stack", {
        grafana: { adminPasword: "x" },
      }),
      ["grafana.adminPasword"],
    );
    assert.deepEqual(
      checkRelease(await chartOf(this, "cert-manager"), "cert-manager", {
        podDisruptionBudget: { maxUnavailable: 1, maxUnavalable: 1 },
      }),
      ["podDisruptionBudget.maxUnavalable"],
    );
  });

  it("finds values a strict chart schema rejects (the schema check itself can fail)", async function () {
    const certManager = await chartOf(this, "cert-manager");
    assert.deepEqual(schemaProblems(certManager, { replicaCount: 2 }), []);
    assert.deepEqual(schemaProblems(certManager, { replicaCount: "two" }), [
      `/replicaCount must be number {"type":"number"}`,
    ]);
    assert.ok(
      schemaProblems(await chartOf(this, "otel-collector"), { mode: "sidecar" }).some((p) =>
        p.startsWith("/mode"),
      ),
    );
  });

  for (const stack of STACKS) {
    it(`${stack}: every key each release sets exists in its chart`, async function () {
      const { resources } = await synthStack(stack);
      const releases = resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => r.inputs as { name: string; values: Record<string, unknown> });
      const checked = releases.filter((r) => ADDONS.find((a) => a.name === r.name)?.defaults !== undefined);
      // Every release is checked: Envoy Gateway's and the DCGM exporter's defaults too (issue 22).
      assert.deepEqual(
        releases.filter((r) => !checked.includes(r)).map((r) => r.name),
        [],
      );
      const problems: string[] = [];
      for (const r of checked) {
        const folder = ADDONS.find((a) => a.name === r.name)!.defaults!;
        problems.push(
          ...checkRelease(await chartOf(this, r.name), folder, r.values).map((p) => `${r.name}: ${p}`),
        );
      }
      assert.deepEqual(problems, []);
    });

    it(`${stack}: the releases of charts with a strict schema pass it`, async function () {
      const { resources } = await synthStack(stack);
      const releases = resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => r.inputs as { name: string; values: Record<string, unknown> })
        .map((r) => ({ ...r, folder: ADDONS.find((a) => a.name === r.name)!.defaults }))
        .filter((r) => r.folder !== undefined && STRICT_SCHEMAS.includes(r.folder));
      assert.deepEqual(releases.map((r) => r.name).sort(), ["cert-manager", "otel-collector", "otel-logs"]);
      const problems: string[] = [];
      for (const r of releases) {
        problems.push(...schemaProblems(await chartOf(this, r.name), r.values).map((p) => `${r.name}: ${p}`));
      }
      assert.deepEqual(problems, []);
    });
  }
});
