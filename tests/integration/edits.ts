/**
 * The everyday edits the integration test applies to the local stack one after the other (each `up` on top of
 * the previous): those of tests/fixtures/day2-edits.ts that a cluster made elsewhere has, plus the LLM budget,
 * the tier and the cost center one at a time.
 */
import { agentNamed, DAY2_EDITS, type Config } from "../fixtures/day2-edits";

export type { Config };

export const ENGINE_EDITS = {
  image: DAY2_EDITS.imageBump,
  replicas: DAY2_EDITS.replicasMax,
  env: DAY2_EDITS.env,
  secrets: DAY2_EDITS.secrets,
  schedule: DAY2_EDITS.schedule,
  budget: DAY2_EDITS.budget,
  llm: (c: Config) => {
    agentNamed(c, "security-agent").llm.monthlyUsd = 60;
  },
  tier: (c: Config) => {
    agentNamed(c, "security-agent").tier = 4;
  },
  costCenter: (c: Config) => {
    (c.tenants as { costCenter: string }[])[0]!.costCenter = "platform-security";
  },
  addAgent: DAY2_EDITS.addAgent,
  addTenant: DAY2_EDITS.addTenant,
} satisfies Record<string, (c: Config) => void>;
