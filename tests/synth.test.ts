import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { scratchStack } from "./fixtures/scratch-project";
import { ROOT } from "./harness";

const CLI = path.join(ROOT, "tools", "synth", "cli.ts");

/** Runs `npm run synth -- <args>` as a user would, without npm's own output. */
/** `npm run synth -- <args>` from the root, or from `at.cwd` (a scratch project) when the last argument gives one. */
function synth(...args: (string | { cwd: string })[]) {
  const last = args.at(-1);
  const cwd = typeof last === "object" ? last.cwd : ROOT;
  const argv = args.filter((a): a is string => typeof a === "string");
  const run = spawnSync(process.execPath, ["--import", "tsx", CLI, ...argv], { cwd, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("synth CLI", function () {
  this.timeout(120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-synth-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("writes resources.json, manifests.yaml and outputs.json for a stack and prints a summary", () => {
    const out = path.join(tmp, "dev");
    const run = synth("dev", "--out", out);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /^stack dev: \d+ resources \(\d+ custom, \d+ components\), \d+ Kubernetes objects, [\d.]+s$/m,
    );
    const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as Record<
      string,
      unknown
    >[];
    for (const r of resources)
      assert.deepEqual(Object.keys(r), [
        "urn",
        "type",
        "name",
        "parent",
        "custom",
        "protect",
        "dependsOn",
        "provider",
        "ignoreChanges",
        "replaceOnChanges",
        "inputs",
      ]);
    // An agent's workload waits for its ConfigMap and Secret (explicit), and for the stores whose addresses its
    // settings carry (the config hash of its pod template): dependencies are written as URNs.
    const byName = (name: string) => resources.find((r) => r.name === name)!;
    assert.deepEqual(byName("security-agent-statefulset").dependsOn, [
      byName("security-agent-config").urn,
      byName("security-agent-external-secret").urn,
      byName("stores-audit-db").urn,
      byName("stores-evidence-bucket").urn,
    ]);
    const manifests = fs.readFileSync(path.join(out, "manifests.yaml"), "utf8");
    for (const doc of manifests.split(/^---$/m).filter((d) => d.trim())) {
      const obj = parse(doc) as Record<string, unknown>;
      assert.ok(
        typeof obj.apiVersion === "string" &&
          typeof obj.kind === "string" &&
          typeof obj.metadata === "object",
      );
    }
    assert.deepEqual(
      Object.keys(JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8")) as object).includes(
        "environment",
      ),
      true,
    );
  });

  describe("with a broken stack file", () => {
    let made: ReturnType<typeof scratchStack>;
    before(() => {
      made = scratchStack("test-broken", (dev) =>
        dev.replace("tier: 4", "tier: 7").replace("mode: service", "mode: daemon"),
      );
    });
    after(() => made.remove());

    it("exits 2 with every problem on its own line, no stack trace, and writes nothing", () => {
      const out = path.join(tmp, made.stack);
      const run = synth(made.stack, "--out", out, { cwd: made.root });
      assert.equal(run.status, 2);
      assert.equal(
        run.stderr,
        [
          "invalid stack configuration (2 problems):",
          `agents[1] (it-ops-agent).mode: "daemon" — must be one of service, scheduled, hybrid`,
          "agents[3] (architect-agent).tier: 7 — must be 1, 2, 3 or 4",
          "",
        ].join("\n"),
      );
      assert.equal(fs.existsSync(out), false);
    });

    it("names the configuration before a bad --out, as render does", () => {
      const expected = [
        "invalid stack configuration (2 problems):",
        `agents[1] (it-ops-agent).mode: "daemon" — must be one of service, scheduled, hybrid`,
        "agents[3] (architect-agent).tier: 7 — must be 1, 2, 3 or 4",
        "",
      ].join("\n");
      for (const cli of [CLI, path.join(ROOT, "tools/render/cli.ts")]) {
        const r = spawnSync(
          process.execPath,
          ["--import", "tsx", cli, made.stack, "--out", "/proc/forbidden"],
          {
            cwd: made.root,
            encoding: "utf8",
          },
        );
        assert.deepEqual({ status: r.status, stderr: r.stderr }, { status: 2, stderr: expected }, cli);
      }
    });
  });

  describe("with a time zone Kubernetes does not know (issue 14)", () => {
    let made: ReturnType<typeof scratchStack>;
    before(() => {
      made = scratchStack("test-zone", (dev) => {
        assert.match(dev, /schedule: "0 2 \* \* \*"\n/);
        return dev.replace(
          /( +)schedule: "0 2 \* \* \*"\n/,
          '$1schedule: "0 2 * * *"\n$1timeZone: America/NewYork\n',
        );
      });
    });
    after(() => made.remove());

    it("exits 2 naming timeZone, not schedule, without a stack trace", () => {
      const run = synth(made.stack, "--out", path.join(tmp, made.stack), { cwd: made.root });
      assert.equal(run.status, 2);
      assert.equal(
        run.stderr,
        [
          "invalid stack configuration (1 problem):",
          `agents[0] (security-agent).timeZone: "America/NewYork" — is not a time zone of the IANA database (e.g. America/New_York, Europe/Berlin, Etc/UTC)`,
          "",
        ].join("\n"),
      );
    });
  });

  it("names the stacks there are when the stack has no file", () => {
    const run = synth("qa");
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      /^stack: "qa" — no Pulumi\.qa\.yaml in .* \(stacks here: dev, local, prod, staging\)$/m,
    );
  });

  it("rejects an unknown option", () => {
    const run = synth("dev", "--outdir", "x");
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^--outdir: unknown option — allowed: --out <dir>$/m);
  });

  it("refuses an --out that is a file before doing any work, naming it", () => {
    const file = path.join(tmp, "a-file");
    fs.writeFileSync(file, "");
    const run = synth("dev", "--out", file);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr.trim(),
      `--out: ${JSON.stringify(file)} — must be a directory this user can write (it is a file)`,
    );
    assert.equal(run.stdout, "");
  });

  it("refuses an --out below a file, naming the file", () => {
    const file = path.join(tmp, "another-file");
    fs.writeFileSync(file, "");
    const run = synth("dev", "--out", path.join(file, "dev"));
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr.trim(),
      `--out: ${JSON.stringify(path.join(file, "dev"))} — must be a directory this user can write (${file} is a file)`,
    );
  });

  it("rejects a missing stack argument", () => {
    const run = synth();
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^stack: \(missing\) — exactly one stack name$/m);
  });
});
