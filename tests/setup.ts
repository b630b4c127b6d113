import * as fs from "node:fs";
import { onceDir } from "./once";

/**
 * Tests run @agentops/components from its TypeScript source: the `agentops-source` export condition (see
 * components/package.json) is on for mocha (.mocharc.json `node-option`) and, through NODE_OPTIONS, for every
 * process a test starts (the synth and policy CLIs), so no test depends on a prior `npm run build`.
 */
const flag = "--conditions=agentops-source";
if (!(process.env.NODE_OPTIONS ?? "").includes(flag)) {
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, flag].filter(Boolean).join(" ");
}

/** After the run (in the main mocha process, in parallel mode too): the run's once-markers go. */
export function mochaGlobalTeardown(): void {
  fs.rmSync(onceDir, { recursive: true, force: true });
}
