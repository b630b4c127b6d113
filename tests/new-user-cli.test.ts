/**
 * Issue 22, the commands' side: a schedule that never fires (2), an invalid policy pack configuration and stale
 * files in the output folder (5), an output folder on the kernel's file systems (12), `--help` on every command,
 * and the README's Day-2 recipe run as written.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeOutputs } from "../tools/synth/outputs";
import { ROOT, synthStack } from "./harness";
import { scratchStack } from "./fixtures/scratch-project";

/** Runs one of the project's commands as `npm run <command> -- <args>` would, from `cwd`. */
function run(
  command: string,
  args: readonly string[],
  cwd = ROOT,
  timeout = 120_000,
  env: NodeJS.ProcessEnv = process.env,
) {
  const cli = {
    synth: "tools/synth/cli.ts",
    render: "tools/render/cli.ts",
    policy: "tools/policy/cli.ts",
    diff: "tools/diff/cli.ts",
    "cost:diff": "tools/cost-diff/cli.ts",
    "ci:stacks": "tools/ci-stacks/cli.ts",
  }[command]!;
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, cli), ...args], {
    cwd,
    encoding: "utf8",
    timeout,
    env,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** A stack file made from dev's with `edit` applied to its text, in this process's scratch project. */
const tempStack = scratchStack;

/** A {@link tempStack} for the tests of one `describe`: written before them, removed after. */
function stackFor(
  name: string,
  edit: (text: string) => string,
): { readonly stack: string; readonly root: string } {
  let made: ReturnType<typeof tempStack> | undefined;
  before(() => (made = tempStack(name, edit)));
  after(() => made?.remove());
  return {
    get stack() {
      return made!.stack;
    },
    get root() {
      return made!.root;
    },
  };
}

/** Every file under `dir`, relative, with its modification time (ms). */
function files(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return out;
}

describe("issue 22: the commands a new user ran", function () {
  this.timeout(300_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-new-user-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe("defect 1: a tenant in kube-system or monitoring", () => {
    for (const name of ["kube-system", "monitoring"]) {
      it(`synth and policy exit 2 naming tenants[0].name: ${name}, nothing written`, () => {
        const owned = tempStack(`test-ns-${name}`, (t) =>
          t
            .replace("    - name: governance\n", `    - name: ${name}\n`)
            .replaceAll("tenant: governance", `tenant: ${name}`),
        );
        try {
          const out = path.join(tmp, `ns-${name}`);
          for (const r of [
            run("synth", [owned.stack, "--out", out], owned.root),
            run("policy", [owned.stack], owned.root),
          ]) {
            assert.equal(r.status, 2, r.stdout);
            assert.match(
              r.stderr,
              new RegExp(`^tenants\\[0\\] \\(${name}\\)\\.name: "${name}" — must not be a namespace`, "m"),
            );
            assert.doesNotMatch(r.stderr, /\n\s+at /);
          }
          assert.equal(fs.existsSync(out), false);
        } finally {
          owned.remove();
        }
      });
    }
  });

  describe("defect 2: schedules that never fire", () => {
    const never = stackFor("test-never", (t) =>
      t
        .replace('schedule: "0 2 * * *"', 'schedule: "0 0 30 2 *"')
        .replace('schedule: "0 3 * * 6"', 'schedule: "0 0 31 4 *"'),
    );

    it("synth exits 0, no stack trace, one warning per agent, and prices their runs at 0", () => {
      const out = path.join(tmp, "never");
      const r = run("synth", [never.stack, "--out", out], never.root);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stderr.trim().split("\n"), [
        'warning: agents[0] (security-agent).schedule: "0 0 30 2 *" — never fires (February has no day 30): Kubernetes accepts the CronJob but never starts a Job; the cost model counts 0 runs',
        'warning: agents[2] (ai-agent).schedule: "0 0 31 4 *" — never fires (April has no day 31): Kubernetes accepts the CronJob but never starts a Job; the cost model counts 0 runs',
      ]);
      assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
    });

    it("the policy runner evaluates the same stack without a stack trace", () => {
      const r = run("policy", [never.stack], never.root);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  });

  describe("defect 3: every-minute runs under concurrencyPolicy Forbid", () => {
    const minutely = stackFor("test-minutely", (t) =>
      t.replace('schedule: "0 2 * * *"', 'schedule: "* * * * *"'),
    );

    it("synth prices one pod-month (not 45), and the pack does not fail the environment budget", () => {
      const out = path.join(tmp, "minutely");
      const r = run("synth", [minutely.stack, "--out", out], minutely.root);
      assert.equal(r.status, 0, r.stderr);
      const cost = JSON.parse(fs.readFileSync(path.join(out, "cost.json"), "utf8")) as {
        maxMonthlyUsd: number;
        environmentBudgetUsd: number;
        agents: { name: string; computeMonthlyUsd: number }[];
      };
      // security-agent: 1 spot replica + claims, and its job pod (500m, 1Gi on spot) for 730 h: about $20, not $350.
      assert.ok(cost.agents.find((a) => a.name === "security-agent")!.computeMonthlyUsd < 30);
      assert.ok(cost.maxMonthlyUsd < cost.environmentBudgetUsd);
      const policy = run("policy", [minutely.stack], minutely.root);
      assert.equal(policy.status, 0, policy.stdout + policy.stderr);
    });
  });

  describe("defect 5: the output folder never mixes runs", () => {
    /** A copy of the project's files synth reads, in a folder of its own under the root (modules resolve). */
    const project = path.join(ROOT, `.test-project-${process.pid}`);
    before(() => {
      fs.mkdirSync(path.join(project, "policy", "config"), { recursive: true });
      for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "index.ts"]) {
        fs.copyFileSync(path.join(ROOT, f), path.join(project, f));
      }
      const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/config/dev.json"), "utf8"));
      config["agent-budgets"].environmentBudgetUsd = "lots";
      config["pod-security"].level = "restriced";
      fs.writeFileSync(path.join(project, "policy/config/dev.json"), JSON.stringify(config));
    });
    after(() => fs.rmSync(project, { recursive: true, force: true }));

    it("an invalid policy pack configuration: exit 2 naming it, and the folder of the earlier run untouched", () => {
      const out = path.join(tmp, "earlier");
      fs.mkdirSync(out, { recursive: true });
      for (const f of ["resources.json", "cost.json", "capacity.json"])
        fs.writeFileSync(path.join(out, f), "earlier\n");
      const before = files(out);
      const r = run("synth", ["dev", "--out", out], project);
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr,
        [
          'policy/config/dev.json: pod-security.level: "restriced" — must be one of baseline, restricted',
          'policy/config/dev.json: agent-budgets.environmentBudgetUsd: "lots" — must be a number',
          "",
        ].join("\n"),
      );
      assert.deepEqual(files(out), before);
      assert.equal(fs.readFileSync(path.join(out, "cost.json"), "utf8"), "earlier\n");
    });

    it("a run leaves no file older than itself: earlier outputs and render's folder are replaced", () => {
      const out = path.join(tmp, "stale");
      fs.mkdirSync(path.join(out, "rendered"), { recursive: true });
      for (const f of ["resources.json", "cost.json", "capacity.json", "capacity.md", "rendered/loki.yaml"]) {
        fs.writeFileSync(path.join(out, f), "earlier\n");
      }
      const old = Date.now() - 60_000;
      for (const f of files(out).keys()) fs.utimesSync(path.join(out, f), old / 1000, old / 1000);
      const started = Date.now() - 1000;
      const r = run("synth", ["dev", "--out", out]);
      assert.equal(r.status, 0, r.stderr);
      const after = files(out);
      assert.deepEqual([...after.keys()].sort(), [
        "capacity.json",
        "capacity.md",
        "cost.json",
        "manifests.yaml",
        "outputs.json",
        "resources.json",
      ]);
      for (const [f, mtime] of after) assert.ok(mtime >= started, `${f} is older than the run`);
    });

    it("a stack without node groups leaves no capacity plan of an earlier EKS run behind", () => {
      const out = path.join(tmp, "existing");
      assert.equal(run("synth", ["dev", "--out", out]).status, 0);
      assert.ok(fs.existsSync(path.join(out, "capacity.json")));
      // The local stack's file (existing-cluster mode), pulling its charts instead of reading .cache/charts.
      const existing = tempStack(
        "test-existing",
        (t) => t.replace(/^ {4}charts: \{ directory: \.cache\/charts \}\n/m, ""),
        "local",
      );
      try {
        const r = run("synth", [existing.stack, "--out", out], existing.root);
        assert.equal(r.status, 0, r.stderr);
        // The local stack names no aws:region, so it has no cost estimate either: dev's cost.json goes too.
        assert.deepEqual([...files(out).keys()].sort(), ["manifests.yaml", "outputs.json", "resources.json"]);
      } finally {
        existing.remove();
      }
    });

    it("refuses a folder holding files synth does not write, before any work", () => {
      const out = path.join(tmp, "mine");
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, "notes.txt"), "mine\n");
      const r = run("synth", ["dev", "--out", out]);
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr.trim(),
        `--out: ${JSON.stringify(out)} — must be a new or empty folder, or one this command wrote (it holds "notes.txt", which it does not write)`,
      );
      assert.equal(r.stdout, "");
      assert.deepEqual([...files(out).keys()], ["notes.txt"]);
    });
  });

  describe("render: the configuration before Helm, and nothing left behind", () => {
    it("a stack whose configuration is broken is named as such, not as a missing Helm", () => {
      const broken = tempStack("test-broken-render", (t) => t.replace(/^(\s+)tier: 2$/m, "$1tier: 9"));
      try {
        const r = run("render", [broken.stack, "--out", path.join(tmp, "broken")], broken.root, 120_000, {
          ...process.env,
          HELM: path.join(tmp, "no-helm-here"),
        });
        assert.equal(r.status, 2, r.stderr);
        assert.match(
          r.stderr,
          /^invalid stack configuration \(1 problem\):\nagents\[\d\] \([a-z-]+\)\.tier: 9 — /,
        );
        assert.doesNotMatch(r.stderr, /HELM/);
      } finally {
        broken.remove();
      }
    });

    it("charts that cannot be had (no cache, no network): one line, exit 2, no download folder left", function () {
      this.timeout(300_000);
      const own = fs.mkdtempSync(path.join(tmp, "tmpdir-"));
      const empty = fs.mkdtempSync(path.join(tmp, "charts-"));
      // A scratch project has no .cache/charts of its own: with an empty cache given, every chart is pulled.
      const pulled = tempStack("test-pull", (t) => t);
      try {
        const r = run("render", [pulled.stack, "--out", path.join(tmp, "pulled")], pulled.root, 240_000, {
          ...process.env,
          TMPDIR: own,
          AGENTOPS_CHART_CACHE: empty,
          AGENTOPS_RENDER_CACHE: "off",
        });
        if (r.status === 0) this.skip(); // a network that serves the chart repositories: nothing fails here
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        assert.deepEqual(
          fs.readdirSync(own).filter((f) => f.startsWith("agentops-")),
          [],
        );
      } finally {
        pulled.remove();
      }
    });
  });

  describe("render interrupted (Ctrl-C) while Helm runs", () => {
    it("ends by the signal, without a stack trace, and leaves no folder of its own and no helm running", async function () {
      this.timeout(180_000);
      const own = fs.mkdtempSync(path.join(tmp, "tmpdir-"));
      // A Helm that takes its time (the real one renders the stack in ~10 s of CPU): the signal comes while it runs.
      const slowHelm = path.join(own, "slow-helm");
      fs.writeFileSync(slowHelm, "#!/bin/sh\nexec sleep 60\n", { mode: 0o755 });
      // Its own process group, as a terminal's Ctrl-C reaches the command and the helm processes it started.
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(ROOT, "tools/render/cli.ts"),
          "dev",
          "--out",
          path.join(tmp, "interrupted"),
        ],
        {
          cwd: ROOT,
          detached: true,
          env: { ...process.env, TMPDIR: own, HELM: slowHelm, AGENTOPS_RENDER_CACHE: "off" },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal })),
      );
      const ownFolders = () => fs.readdirSync(own).filter((f) => f.startsWith("agentops-"));
      // The slow Helm runs (exec'd into sleep) in the command's process group.
      const helmRunning = () => spawnSync("pgrep", ["-g", String(child.pid), "-x", "sleep"]).status === 0;
      // Until Helm renders: the values folder is there.
      for (
        let i = 0;
        i < 600 && child.exitCode === null && (ownFolders().length === 0 || !helmRunning());
        i++
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      if (child.exitCode !== null) {
        // The charts cannot be had here (one line, exit 2): nothing to interrupt.
        assert.equal(child.exitCode, 2, stderr);
        this.skip();
      }
      process.kill(-child.pid!, "SIGINT");
      assert.deepEqual(await exited, { code: null, signal: "SIGINT" });
      assert.doesNotMatch(stderr, /\n\s+at /);
      assert.deepEqual(ownFolders(), []);
      // The helm processes end by the same Ctrl-C (a few seconds at most, when their parent is gone).
      const alive = () => {
        try {
          process.kill(-child.pid!, 0);
          return true;
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(alive(), false, "a process of the group is still running after 10 s");
    });
  });

  describe("defect 12: an output folder on the kernel's file systems", () => {
    for (const [command, dir] of [
      ["synth", "/proc/forbidden"],
      ["synth", "/sys/forbidden/deeper"],
      ["render", "/proc/forbidden"],
    ] as const) {
      it(`${command} --out ${dir}: one line, exit 2, at once`, function () {
        if (!fs.existsSync(dir.startsWith("/proc") ? "/proc" : "/sys")) this.skip();
        const r = run(command, ["dev", "--out", dir], ROOT, 60_000);
        assert.equal(r.signal, null, "it did not finish within a minute");
        assert.equal(r.status, 2);
        const fsName = dir.startsWith("/proc") ? "proc" : "sysfs";
        const at = dir.startsWith("/proc") ? "/proc" : "/sys";
        assert.equal(
          r.stderr.trim(),
          // Named as given, render's too (not its rendered/ folder inside).
          `--out: ${JSON.stringify(dir)} — must be a directory this user can write (${at} is on the kernel's ${fsName} file system, not an ordinary directory)`,
        );
      });
    }
  });

  describe("--help on every command", () => {
    for (const [command, usage] of [
      ["synth", "usage: npm run synth -- <stack> [--out <dir>]"],
      ["render", "usage: npm run render -- <stack> [--out <dir>]"],
      ["policy", "usage: npm run policy -- <stack> [--config <file>]"],
      ["diff", "usage: npm run diff -- <base> <head> [--format text|markdown]"],
      ["cost:diff", "usage: npm run cost:diff -- <base> <head> [--threshold <file.json>]"],
      ["ci:stacks", "usage: npm run --silent ci:stacks -- <stack>..."],
    ] as const) {
      it(`${command} --help: its usage and what it does, exit 0, nothing else done`, () => {
        for (const flag of ["--help", "-h"]) {
          const r = run(command, [flag]);
          assert.equal(r.status, 0, r.stderr);
          assert.ok(r.stdout.startsWith(usage), r.stdout);
          assert.match(r.stdout, /\n {2}--help +this text\n/);
          assert.match(r.stdout, /^Exit 0 /m);
          assert.equal(r.stderr, "");
        }
      });
    }
  });

  describe("the README's Day-2 recipe, as written", () => {
    it("synth dev --out /tmp/base and /tmp/head, then diff and cost:diff of the two folders", () => {
      const [base, head] = [path.join(tmp, "base"), path.join(tmp, "head")];
      for (const dir of [base, head]) assert.equal(run("synth", ["dev", "--out", dir]).status, 0);
      const diff = run("diff", [base, head]);
      assert.equal(diff.status, 0, diff.stderr);
      assert.match(
        diff.stdout,
        /^Change report for stack dev: 0 to create, 0 to update, 0 to replace, 0 to delete/,
      );
      const cost = run("cost:diff", [base, head]);
      assert.equal(cost.status, 0, cost.stderr);
      assert.match(cost.stdout, /^\| dev \| (\d+\.\d\d) \| \1 \| 0\.00 \|/m);
      const markdown = run("diff", [base, head, "--format", "markdown"]);
      assert.equal(markdown.status, 0, markdown.stderr);
    });
  });

  describe("output into a pipe its reader empties slowly (| less, | tee)", () => {
    it("diff prints all of a change report past the pipe's 64 KiB, with its exit code", async () => {
      const [base, head] = [path.join(tmp, "pipe-base"), path.join(tmp, "pipe-head")];
      fs.mkdirSync(base);
      writeOutputs(await synthStack("dev"), base);
      fs.cpSync(base, head, { recursive: true });
      // Every resource renamed: a report of ~330 creations and ~330 deletions.
      const resources = JSON.parse(fs.readFileSync(path.join(head, "resources.json"), "utf8")) as {
        urn: string;
      }[];
      for (const r of resources) r.urn += "-renamed";
      fs.writeFileSync(path.join(head, "resources.json"), JSON.stringify(resources));
      const expected = run("diff", [base, head]);
      assert.ok(expected.stdout.length > 65_536, `${expected.stdout.length} bytes`);

      // A shell's pipe (Node's own child pipes are socket pairs, with larger buffers), read after 1.5 s: the
      // command fills it and finishes its work meanwhile. pipefail: the status is the command's.
      const piped = spawnSync(
        "bash",
        [
          "-o",
          "pipefail",
          "-c",
          `"${process.execPath}" --import tsx tools/diff/cli.ts "${base}" "${head}" | (sleep 1.5; cat)`,
        ],
        { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      );
      assert.equal(piped.stdout, expected.stdout);
      assert.equal(piped.status, expected.status, piped.stderr);
    });
  });
});
