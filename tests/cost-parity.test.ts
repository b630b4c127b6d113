import { strict as assert } from "node:assert";
import * as path from "node:path";
import { environmentMonthly } from "@agentops/components/model";
import { readPackConfig } from "../components/src/model/cost/pack-config";
import { LABELS, ANNOTATIONS } from "../components/src/lib/contract";
import { costAndPlan } from "../tools/synth/outputs";
import { agentBudgets, estimateOfStack, type AgentBudgetsConfig } from "../policy/budgets";
import { withDefaults } from "../policy/define";
import { ROOT, STACKS, stackConfig, synthStack } from "./harness";

const cents = (n: number) => Math.round(n * 100) / 100;

describe("one cost model: synth's report and the policy pack agree to the cent", function () {
  this.timeout(120_000);
  for (const stack of STACKS) {
    it(`${stack}: infrastructure, every agent and the environment total`, async () => {
      const synth = await synthStack(stack);
      const { report } = costAndPlan(ROOT, synth);
      // The pack's view: the same resources as the runner hands them over, its config with schema defaults.
      const config = withDefaults<AgentBudgetsConfig>(
        agentBudgets.configSchema,
        readPackConfig(path.join(ROOT, "policy/config", `${stackConfig(stack).environment}.json`))[
          "agent-budgets"
        ] as object,
      );
      const resources = synth.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.inputs,
      }));
      const pack = estimateOfStack(resources, config);

      assert.deepEqual(
        pack.infrastructure.map((l) => [l.name, cents(l.monthlyUsd), cents(l.maxMonthlyUsd)]),
        report.infrastructure.map((l) => [l.name, l.monthlyUsd, l.maxMonthlyUsd]),
      );
      assert.deepEqual(
        [...pack.agents]
          .sort((x, y) => x.agent.localeCompare(y.agent))
          .map((a) => [
            a.agent,
            a.namespace,
            cents(a.cost.expectedComputeUsd + a.cost.storageUsd),
            cents(a.cost.llmUsd),
            cents(a.cost.maxMonthlyUsd),
            a.budgetUsd,
          ]),
        [...report.agents]
          .sort((x, y) => x.name.localeCompare(y.name))
          .map((a) => [a.name, a.tenant, a.computeMonthlyUsd, a.llmMonthlyUsd, a.maxMonthlyUsd, a.budgetUsd]),
      );
      const env = environmentMonthly(pack);
      assert.deepEqual(
        [cents(env.expectedUsd), cents(env.maxUsd)],
        [report.totalMonthlyUsd, report.maxMonthlyUsd],
      );
      assert.equal(config.environmentBudgetUsd, report.environmentBudgetUsd);
    });

    it(`${stack}: each agent's estimated-cost annotation is the report's figure at max`, async () => {
      const synth = await synthStack(stack);
      const { report } = costAndPlan(ROOT, synth);
      const annotated = new Map<string, string>();
      for (const m of synth.manifests) {
        const value = m.metadata.annotations?.[ANNOTATIONS.estimatedMonthlyUsd];
        const agent = m.metadata.labels?.[LABELS.agent];
        if (value !== undefined && agent !== undefined) annotated.set(agent, value);
      }
      assert.deepEqual(
        report.agents.map((a) => [a.name, annotated.get(a.name)]),
        report.agents.map((a) => [a.name, a.maxMonthlyUsd.toFixed(2)]),
      );
    });
  }
});
