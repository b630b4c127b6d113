/**
 * `npm run render -- <stack> [--out <dir>]`: synthesizes the stack, renders every Helm Release with
 * `helm template` and writes `out/<stack>/rendered/<release>.yaml` (or `<dir>/rendered/`).
 */
import * as path from "node:path";
import { ConfigError, UsageError } from "@agentops/components/model";
import { runCli } from "../lib/cli";
import { checkOutDir, parseStackArgs, wantsHelp } from "../lib/cli";
import { RenderError } from "./errors";
import type { RenderResult } from "./render";

const USAGE = "usage: npm run render -- <stack> [--out <dir>]   (stack: the name of a Pulumi.<stack>.yaml)";

export const HELP = `${USAGE}

Synthesizes the stack, then renders every Helm Release it declares with helm template (its chart, version,
namespace and values; the chart checked against components/src/catalog/charts.lock.json) into
out/<stack>/rendered/<release>.yaml (or <dir>/rendered/), replacing what an earlier render wrote there, and prints
the objects per release and the wall time. Helm: HELM, else helm on PATH, else the one the npm package brings;
charts: AGENTOPS_CHART_CACHE, ../shared/helm-cache, .cache/charts, else helm pull.

  --out <dir>   write <dir>/rendered/ instead
  --help        this text

Exit 0 ok; 2 bad arguments or stack, no Helm, a chart missing offline or differing from the lock, a Helm
failure (one line, nothing written).`;

/** The stack and output folder from the command line. @throws UsageError naming the bad argument. */
export function parseArgs(argv: readonly string[]): { stack: string; outDir: string | undefined } {
  return parseStackArgs(argv, USAGE);
}

/** Objects per release and in all, and the wall time. */
export function renderSummary(result: RenderResult, seconds: number): string {
  const width = Math.max(...result.releases.map((r) => r.name.length));
  const total = result.releases.reduce((n, r) => n + r.objects.length, 0);
  return [
    `stack ${result.stack}: ${result.releases.length} Helm releases, ${total} objects rendered (Kubernetes ${result.kubeVersion}, ${result.apiVersions.filter((a) => a.split("/").length === 2).length} CRD API versions), ${seconds.toFixed(1)}s`,
    "",
    ...result.releases.map(
      (r) =>
        `  ${String(r.objects.length).padStart(4)}  ${r.name.padEnd(width)}  ${r.chart} ${r.version} (${r.namespace})`,
    ),
  ].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return 0;
  }
  const root = process.cwd();
  const { stack, outDir } = parseArgs(argv);
  // A stack that does not exist, or whose configuration the program would refuse, is reported before anything
  // runs or loads (the reader and the checks load no Pulumi SDK).
  const { checkedStack } = await import("../lib/stack-config.js");
  checkedStack(root, stack);
  const dir = path.join(outDir ?? path.join(root, "out", stack), "rendered");
  // --out as given first (a file, /proc, …: named as the user wrote it), then its rendered/ folder, which is
  // render's alone: it holds one <release>.yaml per release, replaced as a whole.
  if (outDir !== undefined) checkOutDir(outDir);
  checkOutDir(dir, (name) => name.endsWith(".yaml"));
  // Loaded once the arguments, the stack and the folder are good: a mistake is named without the program's SDKs.
  const { renderStack } = await import("./render.js");
  const started = process.hrtime.bigint();
  const result = await renderStack({ root, stack, outDir: dir });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(renderSummary(result, seconds));
  console.log(`\nwrote ${path.relative(root, dir) || "."}/<release>.yaml`);
  return 0;
}

if (require.main === module)
  runCli(() => main(process.argv.slice(2)), [ConfigError, UsageError, RenderError]);
