/**
 * The README's tables in step with what they describe (issue 22): the configuration keys with the schemas, the
 * platform's releases with the registry, `out/<stack>/` with what synth writes (and the fields of `cost.json` and
 * `capacity.json` with the files themselves), the commands with package.json, and the capacity chart with dev's.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { ADDONS } from "@agentops/components";
import { STACK_KEYS } from "../components/src/stack/config";
import { hybridAgentSchema, scheduledAgentSchema, serviceAgentSchema } from "../components/src/config/agents";
import { eksClusterSchema } from "../components/src/config/cluster";
import { platformSchema } from "../components/src/config/platform";
import { tenantSchema } from "../components/src/config/tenants";
import { capacityCharts } from "../tools/synth/charts";
import { OUT_FOLDER_FILES } from "../tools/synth/cli";
import { capacityJson, costAndPlan } from "../tools/synth/outputs";
import { ROOT, synthStack } from "./harness";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The cells of each row of the first table after `heading`, header and separator left out. */
function table(heading: string): string[][] {
  const at = README.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `no heading ${heading}`);
  const lines = README.slice(at + heading.length + 2).split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** `name` from "`name`", every backticked word of a cell. */
const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
/** The first backticked word of the first cell of each row. */
const keysOf = (rows: string[][]) => rows.map((r) => ticked(r[0]!)[0] ?? r[0]!);
/** `budget.monthlyUsd` → `budget`, `nodeGroups.{system,spot,gpu}` → `nodeGroups`. */
const head = (key: string) => key.split(".")[0]!;

/** The keys of an object schema that are not refused outright (`z.never()`: a key of another mode). */
function shapeKeys(schema: z.ZodType): string[] {
  let def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  while (def.type === "default" || def.type === "optional" || def.type === "pipe") {
    const inner = (def.innerType ?? def.in) as { _zod: { def: Record<string, unknown> } };
    def = inner._zod.def;
  }
  const shape = def.shape as Record<
    string,
    { _zod: { def: { type: string; innerType?: { _zod: { def: { type: string } } } } } }
  >;
  return Object.entries(shape)
    .filter(([, s]) => !(s._zod.def.type === "optional" && s._zod.def.innerType?._zod.def.type === "never"))
    .map(([k]) => k);
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

describe("README: its tables are in step with the schemas, the registry and the outputs", function () {
  this.timeout(120_000);

  it("the top-level keys are the schema's, plus aws:region", () => {
    const keys = keysOf(table("## Configuration reference"));
    assert.deepEqual(
      sorted(keys),
      sorted(["aws:region", ...Object.keys(STACK_KEYS).map((k) => `agentops:${k}`)]),
    );
  });

  it("agentops:agents[] lists every key of every mode", () => {
    const keys = keysOf(table("### `agentops:agents[]`"));
    const schema = [serviceAgentSchema, scheduledAgentSchema, hybridAgentSchema].flatMap(shapeKeys);
    assert.deepEqual(sorted(keys.map(head)), sorted(schema));
  });

  it("agentops:tenants[] lists every key", () => {
    assert.deepEqual(sorted(keysOf(table("### `agentops:tenants[]`"))), sorted(shapeKeys(tenantSchema)));
  });

  it("agentops:cluster (mode eks) lists every key, and every key of access", () => {
    const keys = keysOf(
      table("`mode: eks` (a new cluster, in a new VPC or in the subnets of an existing one):"),
    );
    assert.deepEqual(sorted(keys.map(head)), sorted(shapeKeys(eksClusterSchema).filter((k) => k !== "mode")));
    const access = eksClusterSchema.shape.access as unknown as z.ZodType;
    assert.deepEqual(
      sorted(keys.filter((k) => k.startsWith("access.")).map((k) => k.slice("access.".length))),
      sorted(shapeKeys(access)),
    );
  });

  it("agentops:platform lists every key", () => {
    assert.deepEqual(
      sorted(keysOf(table("### `agentops:platform`")).map(head)),
      sorted(shapeKeys(platformSchema)),
    );
  });

  it("the platform's table is the registry: release, chart, version, namespace", () => {
    const rows = table("## The platform");
    assert.deepEqual(
      rows.map((r) => [r[0], r[1], r[2], r[3]!.split(" ")[0]]),
      ADDONS.map((a) => [a.name, a.chart, a.version, a.namespace]),
    );
    // A release that also runs pods in other namespaces says which.
    for (const a of ADDONS.filter((x) => x.otherNamespaces?.length)) {
      const row = rows.find((r) => r[0] === a.name)!;
      for (const ns of a.otherNamespaces!) assert.ok(row[3]!.includes(ns), `${a.name}: ${ns}`);
    }
  });

  it("out/<stack>/ lists every file synth, render and rightsize write, and only those", () => {
    const files = keysOf(table("### `out/<stack>/`")).map((f) => f.split("/")[0]!);
    assert.deepEqual(sorted(files), sorted(OUT_FOLDER_FILES));
  });

  it("the fields of cost.json and capacity.json are those the files have", async () => {
    const { report, plan } = costAndPlan(ROOT, await synthStack("dev"));
    const rows = table("### `out/<stack>/`");
    const describe = (file: string) => rows.find((r) => r[0] === `\`${file}\``)![1]!;
    const fields = (text: string) => [...text.matchAll(/(\w+)(?=[,:}\s]*)/g)].map((m) => m[1]!);
    const cost = ticked(describe("cost.json"))[0]!;
    const top = cost.replace(/\[\{[^\]]*\}\]/g, "").replace(/:\s*/g, "");
    assert.deepEqual(sorted(fields(top)), sorted(Object.keys(report)));
    assert.deepEqual(
      sorted(fields(/agents: \[\{([^\]]*)\}\]/.exec(cost)![1]!)),
      sorted(Object.keys(report.agents[0]!)),
    );
    assert.deepEqual(
      sorted(fields(/infrastructure: \[\{([^\]]*)\}\]/.exec(cost)![1]!)),
      sorted(Object.keys(report.infrastructure[0]!)),
    );
    const capacity = ticked(describe("capacity.json"))[0]!;
    const groups = /nodeGroups: \[\{(.*)\}\], placements/.exec(capacity)![1]!.replace(/\{[^}]*\}/g, "");
    const json = capacityJson(plan!) as { nodeGroups: Record<string, unknown>[] };
    assert.deepEqual(sorted(fields(groups)), sorted(Object.keys(json.nodeGroups[0]!)));
  });

  it("the commands table has every command of package.json, and says --help", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const commands = keysOf(table("## Commands (public interfaces)")).map(
      (c) =>
        c
          .replace(/^npm run (--silent )?/, "")
          .replace(/^npm /, "")
          .split(" ")[0]!,
    );
    for (const script of [
      "synth",
      "render",
      "policy",
      "diff",
      "cost:diff",
      "ci:stacks",
      "build",
      "pack",
      "test",
      "format",
    ]) {
      assert.ok(commands.includes(script) && script in scripts.scripts, script);
    }
    assert.match(README, /answers\n?\s*`--help` \(or `-h`\) with its usage/);
  });

  it("the capacity chart is dev's, as synth draws it", async () => {
    const { plan } = costAndPlan(ROOT, await synthStack("dev"));
    const { cpu, memory } = capacityCharts(plan!);
    const block = /<!-- capacity:dev -->\n([\s\S]*?)\n<!-- \/capacity:dev -->/.exec(README)![1]!;
    // Prettier sets the blocks apart from the comments that mark them with blank lines.
    assert.equal(block.trim(), `${cpu}\n\n${memory}`);
  });

  it("names no file of the repository that does not exist", () => {
    const missing = [...README.matchAll(/(?:components\/src|tools|tests|policy)\/[\w./-]+\.(?:ts|json)/g)]
      .map((m) => m[0])
      .filter((p) => !fs.existsSync(path.join(ROOT, p)));
    assert.deepEqual(sorted(missing), []);
  });
});
