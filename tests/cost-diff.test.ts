import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CostReport } from "../components/src/model/cost/report";
import { costDiff } from "../tools/cost-diff/diff";
import { ROOT } from "./harness";

type Agent = CostReport["agents"][number];

function agent(name: string, monthlyUsd: number, tier = 3, budgetUsd = 300): Agent {
  return {
    name,
    tenant: "governance",
    tier,
    computeMonthlyUsd: monthlyUsd - 50,
    llmMonthlyUsd: 50,
    monthlyUsd,
    maxMonthlyUsd: monthlyUsd + 10,
    budgetUsd,
    tierCeilingUsd: 1000,
    nodeGroups: ["spot"],
  };
}

function report(agents: Agent[], systemNodesUsd = 147.17): CostReport {
  const infrastructure = [
    { name: "EKS control plane", detail: "1 × standard support", monthlyUsd: 73, maxMonthlyUsd: 73 },
    {
      name: "node group system",
      detail: "2 × m7i.large (on-demand)",
      monthlyUsd: systemNodesUsd,
      maxMonthlyUsd: systemNodesUsd,
    },
  ];
  const total = [...infrastructure, ...agents].reduce((s, l) => s + l.monthlyUsd, 0);
  return {
    stack: null,
    environment: null,
    currency: "USD",
    region: "us-east-1",
    pricesAsOf: "2026-11-23",
    totalMonthlyUsd: Math.round(total * 100) / 100,
    maxMonthlyUsd: Math.round(total * 100) / 100,
    environmentBudgetUsd: null,
    marginUsd: null,
    infrastructure,
    agents,
  };
}

const base = new Map([["dev", report([agent("it-ops-agent", 110), agent("old-agent", 40, 1, 50)])]]);
const head = new Map([["dev", report([agent("it-ops-agent", 132), agent("new-agent", 60, 2, 100)], 294.34)]]);

describe("cost diff", () => {
  it("renders added, removed and changed agents and infrastructure, before → after", () => {
    assert.equal(
      costDiff(base, head).markdown,
      [
        "## Cost diff (USD per month: expected, and at max with every agent at its maximum replicas)",
        "",
        "| environment | before | after | change | at max before | at max after | at max change |",
        "|:--|--:|--:|--:|--:|--:|--:|",
        "| dev | 370.17 | 559.34 | +189.17 (+51.1%) | 370.17 | 559.34 | +189.17 (+51.1%) |",
        "",
        "### dev",
        "",
        "| agent | tier | budget | before | after | change | at max before | at max after | at max change |",
        "|:--|--:|--:|--:|--:|--:|--:|--:|--:|",
        "| it-ops-agent | 3 | 300.00 | 110.00 | 132.00 | +22.00 (+20.0%) | 120.00 | 142.00 | +22.00 (+18.3%) |",
        "| old-agent | 1 | 50.00 | 40.00 | — | removed | 50.00 | — | removed |",
        "| new-agent | 2 | 100.00 | — | 60.00 | added | — | 70.00 | added |",
        "",
        "| infrastructure | before | after | change | at max before | at max after | at max change |",
        "|:--|--:|--:|--:|--:|--:|--:|",
        "| node group system | 147.17 | 294.34 | +147.17 (+100.0%) | 147.17 | 294.34 | +147.17 (+100.0%) |",
        "",
        // Every line of the environment, base beside head: two bar series, each 0 where the other is drawn.
        "```mermaid",
        "xychart-beta horizontal",
        '  title "dev: monthly cost by line, USD (base, head)"',
        '  x-axis ["EKS control plane (base)", "EKS control plane (head)", "node group system (base)", "node group system (head)", "agent it-ops-agent (base)", "agent it-ops-agent (head)", "agent old-agent (base)", "agent old-agent (head)", "agent new-agent (base)", "agent new-agent (head)"]',
        '  y-axis "USD per month" 0 --> 400',
        "  bar [73, 0, 147.17, 0, 110, 0, 40, 0, 0, 0]",
        "  bar [0, 73, 0, 294.34, 0, 132, 0, 0, 0, 60]",
        "```",
        "",
        "Within the threshold (none set).",
        "",
      ].join("\n"),
    );
  });

  it("leaves unchanged environments out of the detail and shows decreases with a minus sign", () => {
    const cheaper = new Map([["dev", report([agent("it-ops-agent", 100), agent("old-agent", 40, 1, 50)])]]);
    const { markdown } = costDiff(
      new Map([...base, ["prod", report([])]]),
      new Map([...cheaper, ["prod", report([])]]),
    );
    assert.match(
      markdown,
      /^\| dev \| 370\.17 \| 360\.17 \| −10\.00 \(−2\.7%\) \| 370\.17 \| 360\.17 \| −10\.00 \(−2\.7%\) \|$/m,
    );
    assert.match(markdown, /^\| prod \| 220\.17 \| 220\.17 \| 0\.00 \| 220\.17 \| 220\.17 \| 0\.00 \|$/m);
    assert.doesNotMatch(markdown, /### prod/);
  });

  it("shows a change at max alone (a replicas.max edit) and keeps the threshold on the expected total", () => {
    const before = report([agent("it-ops-agent", 110)]);
    const after = report([{ ...agent("it-ops-agent", 110), maxMonthlyUsd: 240 }]);
    after.maxMonthlyUsd = before.maxMonthlyUsd + 120;
    const { markdown, exceeded } = costDiff(new Map([["dev", before]]), new Map([["dev", after]]), {
      maxIncreaseUsd: 1,
    });
    assert.match(
      markdown,
      /^\| dev \| 330\.17 \| 330\.17 \| 0\.00 \| 330\.17 \| 450\.17 \| \+120\.00 \(\+36\.3%\) \|$/m,
    );
    assert.match(
      markdown,
      /^\| it-ops-agent \| 3 \| 300\.00 \| 110\.00 \| 110\.00 \| 0\.00 \| 120\.00 \| 240\.00 \| \+120\.00 \(\+100\.0%\) \|$/m,
    );
    assert.deepEqual(exceeded, []);
  });

  it("fails the threshold on an absolute increase, naming the environment", () => {
    const result = costDiff(base, head, { maxIncreaseUsd: 100 });
    assert.deepEqual(result.exceeded, ["dev: +189.17 USD/month is over the limit of 100.00"]);
    assert.match(
      result.markdown,
      /\*\*Threshold exceeded\*\* \(\+100\.00 USD per environment\):\n- dev: \+189\.17 USD\/month is over the limit of 100\.00\n$/,
    );
  });

  it("fails the threshold on a relative increase", () => {
    assert.deepEqual(costDiff(base, head, { maxIncreasePercent: 25 }).exceeded, [
      "dev: +51.1% is over the limit of 25%",
    ]);
  });

  it("passes when the increase is within both limits", () => {
    const result = costDiff(base, head, { maxIncreaseUsd: 200, maxIncreasePercent: 60 });
    assert.deepEqual(result.exceeded, []);
    assert.match(result.markdown, /Within the threshold \(\+200\.00 USD or \+60% per environment\)\.\n$/);
  });

  describe("CLI", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-costdiff-"));
    const write = (dir: string, reports: Map<string, CostReport>) => {
      for (const [stack, r] of reports) {
        fs.mkdirSync(path.join(tmp, dir, stack), { recursive: true });
        fs.writeFileSync(path.join(tmp, dir, stack, "cost.json"), JSON.stringify(r));
      }
    };
    before(() => {
      write("base", base);
      write("head", head);
      fs.writeFileSync(path.join(tmp, "threshold.json"), JSON.stringify({ maxIncreaseUsd: 50 }));
      fs.writeFileSync(path.join(tmp, "bad.json"), JSON.stringify({ maxIncrease: 50 }));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(ROOT, "tools/cost-diff/cli.ts"),
          ...args.map((a) => (a.startsWith("--") ? a : path.join(tmp, a))),
        ],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      );

    it("exits 1 and prints the comment when the threshold is exceeded", () => {
      const r = run("base", "head", "--threshold", "threshold.json");
      assert.equal(r.status, 1);
      assert.equal(r.stdout, costDiff(base, head, { maxIncreaseUsd: 50 }).markdown);
    });

    it("exits 2 naming an unknown threshold key", () => {
      const r = run("base", "head", "--threshold", "bad.json");
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr.trim(),
        `${path.join(tmp, "bad.json")}: maxIncrease — is not a known key (allowed: maxIncreaseUsd, maxIncreasePercent)`,
      );
    });

    it("exits 2 naming a missing directory", () => {
      const r = run("base", "nope");
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr.trim(),
        `${path.join(tmp, "nope")}: (missing) — must be a synth output folder (out/<stack>, or the --out <dir> of npm run synth) or an out/ root holding <stack>/cost.json`,
      );
    });

    it("takes two stack folders, as npm run diff does (the README's Day-2 recipe), keyed by the stack they name", () => {
      // `npm run synth -- dev --out /tmp/base` and `--out /tmp/head`: folders named base and head, stack dev.
      for (const [dir, r] of [
        ["one-base", base.get("dev")!],
        ["one-head", head.get("dev")!],
      ] as const) {
        fs.mkdirSync(path.join(tmp, dir), { recursive: true });
        fs.writeFileSync(path.join(tmp, dir, "cost.json"), JSON.stringify({ ...r, stack: "dev" }));
      }
      const r = run("one-base", "one-head");
      assert.equal(r.status, 0, r.stderr);
      const pair = (x: CostReport) => new Map([["dev", { ...x, stack: "dev" }]]);
      assert.equal(r.stdout, costDiff(pair(base.get("dev")!), pair(head.get("dev")!)).markdown);
    });

    it("pairs a stack folder of an older synth (its cost.json names no stack) by the other side's stack", () => {
      fs.mkdirSync(path.join(tmp, "old-base"), { recursive: true });
      fs.writeFileSync(path.join(tmp, "old-base", "cost.json"), JSON.stringify(base.get("dev")));
      const r = run("old-base", "one-head");
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^\| dev \| 370\.17 \| 559\.34 \|/m);
    });

    it("exits 2 on two folders of different stacks", () => {
      fs.mkdirSync(path.join(tmp, "prod-head"), { recursive: true });
      fs.writeFileSync(
        path.join(tmp, "prod-head", "cost.json"),
        JSON.stringify({ ...head.get("dev")!, stack: "prod" }),
      );
      const r = run("one-base", "prod-head");
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr.trim(),
        `${path.join(tmp, "prod-head")}: is stack "prod", base ${path.join(tmp, "one-base")} is stack "dev" — compare two outputs of the same stack`,
      );
    });

    it("exits 2 on a stack folder against an out/ root, naming both", () => {
      const stack = [...base.keys()][0]!;
      const r = run(`base/${stack}`, "head");
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr.trim(),
        `${path.join(tmp, "head")}: is an out/ root, base ${path.join(tmp, "base", stack)} is a stack's synth output folder — give two of the same kind (two out/ roots, or two folders of one stack)`,
      );
    });

    it("exits 2 naming a cost.json that is not JSON", () => {
      fs.mkdirSync(path.join(tmp, "corrupt", "dev"), { recursive: true });
      fs.writeFileSync(path.join(tmp, "corrupt", "dev", "cost.json"), "{ nope");
      const r = run("corrupt", "head");
      assert.equal(r.status, 2);
      assert.match(
        r.stderr.trim(),
        new RegExp(
          `^${path.join(tmp, "corrupt", "dev", "cost.json")}: .+ — must be a cost\\.json written by npm run synth$`,
        ),
      );
    });
  });
});
