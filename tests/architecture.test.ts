/**
 * The floors of the house (README "Architecture", .dependency-cruiser.cjs): each imports only floors below it,
 * nothing imports in a circle, the library and the pack import no tool, the pack reads the model entry only.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "./harness";

const RULES = path.join(ROOT, ".dependency-cruiser.cjs");

function cruise(cwd: string, targets: string[]) {
  const run = spawnSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs"),
      "--config",
      RULES,
      ...targets,
    ],
    { cwd, encoding: "utf8" },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("architecture: the floors", () => {
  it("every import of the library, the tools, the pack and the program stands on a lower floor", () => {
    const r = cruise(ROOT, ["components/src", "tools", "policy", "index.ts"]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /no dependency violations found/);
  });

  it("refuses an import that runs back up, and a circle, naming the rule and the files", () => {
    const r = cruise(path.join(ROOT, "tests/fixtures/floors"), ["components/src"]);
    assert.notEqual(r.status, 0, r.output);
    assert.match(
      r.output,
      /error config-stands-on-catalog: components\/src\/config\/schema\.ts → components\/src\/agents\/agent\.ts/,
    );
    assert.match(r.output, /error no-circular: /);
  });
});
