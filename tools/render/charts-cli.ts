/**
 * `npm run charts`: every pinned chart file in `.cache/charts/`, checked against the chart lock — what a stack
 * with `platform.charts.directory: .cache/charts` (the local stack) installs from.
 */
import { chartFolders, fillChartFolder } from "./charts";
import { RenderError } from "./errors";
import { findHelm } from "./helm";
import { repoRoot, runTool, ToolError } from "../lib/cli";

const USAGE = "usage: npm run charts   (fills .cache/charts/ with every chart of the chart lock)";

runTool(async () => {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  if (args.length > 0) throw new ToolError(`${args[0]}: unknown argument — charts takes none\n${USAGE}`);
  const root = repoRoot();
  try {
    const lines = await fillChartFolder(root, await findHelm(root));
    for (const line of lines) console.log(`  ${line}`);
    console.log(`charts: ${lines.length} chart files in ${chartFolders(root).pullInto}`);
    return 0;
  } catch (err) {
    if (err instanceof RenderError) throw new ToolError(err.message);
    throw err;
  }
});
