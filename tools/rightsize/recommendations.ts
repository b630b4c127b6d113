/**
 * The first half of `npm run rightsize` (./cli.ts): where the output goes, and the VerticalPodAutoscalers'
 * recommendations (a `--from` file, or the cluster through kubectl) sized for the stack's agents. It loads no
 * Pulumi SDK, so a file that cannot be read, a cluster that cannot be reached or a list without recommendations
 * is named in well under a second; ./run.ts then prices the change.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { unreadableFile, UsageError, type StackConfig } from "@agentops/components/config";
import { checkOutDir } from "../lib/cli";
import type { RightsizeArgs } from "./args";
import { fetchVpas, findKubectl, type ClusterAccess } from "./kubectl";
import { parseVpaObjects, sizeAgents, type AgentSizing, type VpaObject } from "./rightsize";

/** What the recommendations say, and where the patch goes. */
export interface Recommendations {
  /** The output folder (`--out`, default `out/<stack>`), checked. */
  outDir: string;
  /** Where the recommendations came from, for messages: `--from: "<file>"` or `the cluster (…)`. */
  source: string;
  vpas: VpaObject[];
  /** One per agent of the stack. */
  sizings: AgentSizing[];
}

/**
 * Reads the recommendations for the stack's agents (`config`, validated).
 * @throws UsageError (one line, exit 2): an output folder that cannot be written, a `--from` file that cannot be
 * read or holds no VerticalPodAutoscaler, kubectl missing or refused by the cluster
 */
export async function readRecommendations(
  root: string,
  args: RightsizeArgs,
  config: StackConfig,
): Promise<Recommendations> {
  const outDir = args.outDir ?? path.join(root, "out", args.stack);
  checkOutDir(outDir);

  let text: string;
  let source: string;
  if (args.from !== undefined) {
    try {
      // A device or a pipe (/dev/zero) would be read without end.
      const stat = fs.statSync(args.from);
      if (!stat.isFile() && !stat.isDirectory()) {
        throw new UsageError(
          `--from: ${JSON.stringify(args.from)} — not a regular file: needs a file of VerticalPodAutoscalers (\`kubectl get vpa -A -o yaml\`)`,
        );
      }
      text = fs.readFileSync(args.from, "utf8");
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(
        `--from: ${JSON.stringify(args.from)} — ${unreadableFile(err)}: needs a file of VerticalPodAutoscalers (\`kubectl get vpa -A -o yaml\`)`,
      );
    }
    source = `--from: ${JSON.stringify(args.from)}`;
  } else {
    const access: ClusterAccess =
      config.cluster.mode === "existing"
        ? {
            context: args.context ?? config.cluster.context,
            kubeconfig: config.cluster.kubeconfig,
          }
        : { context: args.context };
    text = fetchVpas(await findKubectl(root), access);
    source = `the cluster (${access.context ? `context ${access.context}` : "current context"})`;
  }
  const vpas = parseVpaObjects(text, source);
  if (args.from !== undefined && vpas.length === 0) {
    // A file of other objects (or none) would read like a cluster without recommendations yet.
    throw new UsageError(
      `${source} — holds no VerticalPodAutoscaler (kind VerticalPodAutoscaler, autoscaling.k8s.io/v1): write the file with \`kubectl get vpa -A -o yaml\``,
    );
  }
  const sizings = sizeAgents(config, vpas);
  return { outDir, source, vpas, sizings };
}
