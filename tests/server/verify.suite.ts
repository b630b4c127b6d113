/**
 * `npm run verify` for every stack, on the shared local control plane: every object of manifests.yaml and of
 * each rendered release is applied (the aggregated APIService validated by dry run), and every pod of the
 * capacity plan at minimum replicas is created, bound and Ready.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLUSTER_DIR_ENV } from "../../tools/cluster/control-plane";
import { verifyStack } from "../../tools/verify/verify";
import { renderedStack, ROOT, STACKS, writeStackOut } from "../harness";
import { controlPlane, describeServer } from "./fixture";

describeServer("npm run verify on the local Kubernetes 1.35 control plane", function () {
  this.timeout(600_000);
  let outRoot: string;
  before(() => {
    outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-verify-"));
  });
  after(() => fs.rmSync(outRoot, { recursive: true, force: true }));

  for (const stack of STACKS) {
    // dev's outputs are made by verify itself (`npm run synth` and `npm run render` into an empty folder); the
    // other stacks' are written first from this run's synth and render, which verify must find fresh and reuse.
    const made = stack === "dev";
    it(`${stack}: every object is applied and every pod of the capacity plan is scheduled (synth and render ${made ? "run by verify" : "reused"})`, async function () {
      // Needs the rendered charts: skips with one line where the chart cache cannot be filled.
      const rendered = await renderedStack(this, stack);
      const { stateDir } = await controlPlane();
      const outDir = path.join(outRoot, stack);
      if (!made) await writeStackOut(this, stack, outDir);
      const result = await verifyStack({ root: ROOT, stack, stateDir, outDir });
      assert.deepEqual(result.problems, []);
      assert.match(
        result.outputs,
        made ? /^synth ran \([\d.]+s\), render ran \([\d.]+s\)$/ : /^synth reused, render reused$/,
      );

      const capacity = JSON.parse(fs.readFileSync(path.join(outDir, "capacity.json"), "utf8")) as {
        nodeGroups: { min: { nodes: number } }[];
      };
      assert.equal(
        result.nodes,
        capacity.nodeGroups.reduce((n, g) => n + g.min.nodes, 0),
      );
      // Every object of the files verify read (dev's written by its own synth and render processes) counted from
      // this process's synth and render of the stack, which write the same (not parsed again: 15 MB of YAML).
      assert.equal(result.appliedBySource["manifests.yaml"], rendered.synth.manifests.length);
      assert.deepEqual(
        fs.readdirSync(path.join(outDir, "rendered")).sort(),
        rendered.releases.map((r) => `${r.name}.yaml`).sort(),
      );
      for (const release of rendered.releases) {
        const source = `rendered/${release.name}.yaml`;
        const dryRun = result.apply.dryRunOnly.filter((d) => d.source === source).length;
        assert.equal((result.appliedBySource[source] ?? 0) + dryRun, release.objects.length, source);
      }
      // Only the aggregated APIServices (metrics-server's, KEDA's metrics server's) are validated without being
      // stored: their servers cannot run here.
      assert.deepEqual(result.apply.dryRunOnly.map((d) => d.object).sort(), [
        "APIService v1beta1.external.metrics.k8s.io",
        "APIService v1beta1.metrics.k8s.io",
      ]);
      assert.ok(result.schedule.podsBound > 0);
    });
  }

  it("npm run cluster -- status | head -1: the reader closes the pipe early; exit 0, no EPIPE stack trace", async () => {
    const { stateDir } = await controlPlane();
    const child = spawn(process.execPath, ["--import", "tsx", "tools/cluster/cli.ts", "status"], {
      cwd: ROOT,
      env: { ...process.env, [CLUSTER_DIR_ENV]: stateDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.deepEqual({ code, stderr }, { code: 0, stderr: "" });
  });
});
