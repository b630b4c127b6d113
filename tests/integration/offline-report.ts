/**
 * `npm run diff`'s report of one edit of the local stack, in a process of its own: reads
 * `{ "before": {<config key>: <value>}, "after": {…} }` (the engine's config values) on stdin, synthesizes the
 * local stack with each under Pulumi's mocks and prints the change report as JSON. The integration test runs it
 * apart because the mock runtime is process-wide: set in the test's own process, it would answer the engine's
 * next inline program in place of the engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { synthesize } from "@agentops/components/testing";
import { changeReport } from "../../tools/diff";

const ROOT = path.resolve(__dirname, "..", "..");

async function main(): Promise<void> {
  const { before, after } = JSON.parse(fs.readFileSync(0, "utf8")) as {
    before: Record<string, string>;
    after: Record<string, string>;
  };
  const base = await synthesize({ root: ROOT, stack: "local", config: before });
  const head = await synthesize({ root: ROOT, stack: "local", config: after });
  process.stdout.write(JSON.stringify(changeReport(base.resources, head.resources)));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
