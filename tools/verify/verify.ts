/**
 * `verify`: a stack's objects judged by a real Kubernetes 1.35 API server and scheduler (the local control plane
 * of tools/cluster): synth and render outputs (reused when fresh), the cluster emptied, fake nodes shaped like
 * the stack's node groups, every object applied in dependency order, then the scheduler's check of the capacity
 * plan. See the README section "Local control plane".
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { elapsed, ToolError } from "../lib/cli";
import { describeObject, KubeClient, type KubeObject } from "../kube/client";
import { hasSnapshot, kubeconfigPath, reset, saveSnapshot, status } from "../cluster/control-plane";
import {
  applyExistingClusterObjects,
  EXISTING_CLUSTER_STORAGE_CLASS,
  applyFakeNodes,
  eksAddonStandIns,
  fakeNodes,
  operatedStandIns,
  readStackOutput,
} from "../cluster/nodes";
import { requireToolchain } from "../toolchain/toolchain";
import { loadAllCore } from "./core-yaml";
import { applyCrds, applyPlanTo, emptyReport, type ApplyReport, type Refusal } from "./apply";
import { applyPlan, RELEASE_TYPE, type PlannedObject, type ResourceRecord } from "./plan";
import { checkScheduling, jobFromCronJob, type ScheduleReport } from "./schedule";

/** What decides a stack's synth and render outputs: newer outputs than all of these are fresh. */
export function inputFiles(root: string, stack: string): string[] {
  const walk = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          const full = path.join(dir, e.name);
          return e.isDirectory() ? walk(full) : [full];
        })
      : [];
  return [
    path.join(root, "Pulumi.yaml"),
    path.join(root, `Pulumi.${stack}.yaml`),
    path.join(root, "index.ts"),
    path.join(root, "package-lock.json"),
    path.join(root, "components", "package.json"),
    ...walk(path.join(root, "components", "src")),
  ].filter((f) => fs.existsSync(f));
}

const SYNTH_FILES = ["resources.json", "manifests.yaml", "capacity.json"];

/**
 * Whether `out/<stack>/` is fresh: every synth file (and, for `rendered`, a file per Helm Release of
 * resources.json) exists and is newer than every input file ({@link inputFiles}). Reads mtimes only.
 */
export function freshness(
  root: string,
  stack: string,
  out = path.join(root, "out", stack),
): { synth: boolean; rendered: boolean } {
  const newestInput = Math.max(...inputFiles(root, stack).map((f) => fs.statSync(f).mtimeMs));
  const fresh = (files: string[]) =>
    files.length > 0 && files.every((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs > newestInput);
  const synth = fresh(SYNTH_FILES.map((f) => path.join(out, f)));
  if (!synth) return { synth, rendered: false };
  const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as ResourceRecord[];
  const releases = resources
    .filter((r) => r.type === RELEASE_TYPE)
    .map((r) => String(r.inputs.name ?? r.name));
  return { synth, rendered: fresh(releases.map((r) => path.join(out, "rendered", `${r}.yaml`))) };
}

/** Runs `npm run --silent <script> -- <stack>`; resolves with its exit code and output. */
function npmRun(
  root: string,
  script: string,
  args: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], { cwd: root, env: process.env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, out, err }));
  });
}

/**
 * The rendered objects per release, from `out/<stack>/rendered/<release>.yaml`. Read with js-yaml and exactly
 * the YAML 1.2 core schema render writes them in (./core-yaml.ts; no timestamps, no merge keys), which reads the
 * 15 MB of a stack's charts 5× faster than `yaml`'s document parser (0.5 s against 2.7 s; the same objects,
 * tests/verify-files.test.ts).
 */
export function readRendered(outDir: string): Map<string, KubeObject[]> {
  const dir = path.join(outDir, "rendered");
  const map = new Map<string, KubeObject[]>();
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!name.endsWith(".yaml")) continue;
    const file = path.join(dir, name);
    const docs = loadAllCore(fs.readFileSync(file, "utf8"), file).filter(
      (o): o is KubeObject => o !== null && typeof o === "object",
    );
    map.set(name.replace(/\.yaml$/, ""), docs);
  }
  return map;
}

/**
 * Empties the cluster of `stateDir` and applies `crds` (until Established). The CRDs of the pinned charts hold
 * megabytes of schemas that take the API server half a minute to take in, so after the first time a set of
 * CRDs is applied to an empty cluster without a refusal, etcd's data is saved (`snapshots/crds-<hash of the
 * CRDs>` in the state folder) and the next run with the same CRDs starts from it: same objects, applied the same
 * way, to the same empty cluster.
 */
export async function emptyClusterWithCrds(
  stateDir: string,
  crds: readonly PlannedObject[],
): Promise<{ report: ApplyReport; snapshot: "restored" | "saved" | "none" }> {
  const name = `crds-${createHash("sha256")
    .update(JSON.stringify(crds.map((c) => c.object)))
    .digest("hex")
    .slice(0, 16)}`;
  const report = emptyReport();
  if (crds.length > 0 && hasSnapshot(stateDir, name)) {
    await reset(stateDir, () => undefined, name);
    report.applied += crds.length;
    return { report, snapshot: "restored" };
  }
  await reset(stateDir);
  const client = KubeClient.fromKubeconfig(kubeconfigPath(stateDir));
  try {
    await applyCrds(client, crds, report);
  } finally {
    client.close();
  }
  if (crds.length === 0 || report.refusals.length > 0) return { report, snapshot: "none" };
  await saveSnapshot(stateDir, name);
  return { report, snapshot: "saved" };
}

export interface VerifyOptions {
  root: string;
  stack: string;
  /** The control plane's state folder. */
  stateDir: string;
  /** Where synth and render write (their `--out`). @default `<root>/out/<stack>` */
  outDir?: string;
  /** Progress lines. @default nothing */
  log?: (line: string) => void;
}

export interface VerifyResult {
  stack: string;
  /** Synth and render: reused or remade, with seconds. */
  outputs: string;
  nodes: number;
  standIns: number;
  /** Operator-made workloads stood in for. */
  operated: string[];
  apply: ApplyReport;
  /** Objects applied per source file (`manifests.yaml`, `rendered/<release>.yaml`). */
  appliedBySource: Record<string, number>;
  /** Jobs started from CronJobs. */
  cronJobRuns: number;
  schedule: ScheduleReport;
  /** Every problem, one line each; empty when the stack passes. */
  problems: string[];
  seconds: number;
}

/**
 * Verifies one stack on the control plane of `stateDir` (which must run). Empties the cluster first.
 * @throws ToolError (exit 2) when the stack does not exist, the toolchain or control plane is missing, or synth
 * or render fails (their own last line)
 */
export async function verifyStack(opts: VerifyOptions): Promise<VerifyResult> {
  const log = opts.log ?? (() => undefined);
  const { root, stack } = opts;
  const started = process.hrtime.bigint();
  if (!fs.existsSync(path.join(root, `Pulumi.${stack}.yaml`))) {
    const stacks = fs
      .readdirSync(root)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter(Boolean);
    throw new ToolError(
      `stack: ${JSON.stringify(stack)} — no Pulumi.${stack}.yaml (stacks: ${stacks.join(", ")})`,
    );
  }
  requireToolchain();
  const now = await status(opts.stateDir);
  if (!now?.ready) {
    throw new ToolError(`cluster: not running (${opts.stateDir}) — run \`npm run cluster -- up\``);
  }

  // 1. synth and render, reused when fresh.
  const outDir = opts.outDir ?? path.join(root, "out", stack);
  const outArgs = opts.outDir ? ["--out", opts.outDir] : [];
  const fresh = freshness(root, stack, outDir);
  const steps: string[] = [];
  for (const [script, isFresh] of [
    ["synth", fresh.synth],
    ["render", fresh.rendered],
  ] as const) {
    if (isFresh) {
      steps.push(`${script} reused`);
      continue;
    }
    const t = process.hrtime.bigint();
    const r = await npmRun(root, script, [stack, ...outArgs]);
    if (r.code !== 0) {
      const line = (r.err.trim() || r.out.trim()).split("\n").filter(Boolean).pop() ?? `exit ${r.code}`;
      throw new ToolError(`${script}: ${line}`);
    }
    steps.push(`${script} ran (${elapsed(t)})`);
  }
  const outputs = steps.join(", ");
  log(`verify ${stack}: ${outputs}`);

  // 2. an empty cluster with the releases' CRDs, and the stack's nodes.
  let t = process.hrtime.bigint();
  const out = readStackOutput(root, stack, outDir);
  const plan = applyPlan(out.resources as ResourceRecord[], readRendered(outDir));
  const { report: apply, snapshot } = await emptyClusterWithCrds(opts.stateDir, plan.crds);
  log(
    `  cluster emptied, ${plan.crds.length} CRDs ${snapshot === "restored" ? "restored from the snapshot an earlier run saved after applying the same CRDs" : "applied and Established"} (${elapsed(t)})`,
  );
  t = process.hrtime.bigint();
  const nodes = fakeNodes(out);
  const standIns = eksAddonStandIns(out);
  const client = KubeClient.fromKubeconfig(kubeconfigPath(opts.stateDir));
  try {
    await applyFakeNodes(client, nodes);
    if ((await applyExistingClusterObjects(client, out)) > 0)
      log(`  a default StorageClass ${EXISTING_CLUSTER_STORAGE_CLASS}, as a cluster made elsewhere has one`);
    const groups = new Map<string, number>();
    for (const n of nodes) {
      const g = n.metadata.labels?.["agentops.io/node-group"] ?? "?";
      groups.set(g, (groups.get(g) ?? 0) + 1);
    }
    log(
      `  ${nodes.length} fake nodes (${[...groups].map(([g, c]) => `${c} ${g}`).join(", ")}) (${elapsed(t)})`,
    );

    // 3. the stack's objects.
    t = process.hrtime.bigint();
    await applyPlanTo(client, { ...plan, crds: [] }, apply);
    for (const s of standIns) {
      const r = await client.apply(s);
      if (!r.ok) {
        apply.refusals.push({
          object: describeObject(s),
          source: "EKS add-on stand-in",
          status: r.status,
          message: r.message,
        });
      }
    }
    const refused = new Set(apply.refusals.map((r) => r.object));
    const dryRun = new Set(apply.dryRunOnly.map((d) => d.object));
    const appliedBySource: Record<string, number> = {};
    for (const p of [...plan.namespaces, ...plan.crds, ...plan.waves.flat()]) {
      if (refused.has(describeObject(p.object)) || dryRun.has(describeObject(p.object))) continue;
      const file = p.source.startsWith("manifests.yaml")
        ? "manifests.yaml"
        : p.source.startsWith("rendered/")
          ? p.source
          : "namespaces";
      appliedBySource[file] = (appliedBySource[file] ?? 0) + 1;
    }
    log(
      `  applied ${apply.applied} objects (${plan.namespaces.length} namespaces, ${plan.crds.length} CRDs, ${plan.waves.length} waves) and ${standIns.length} EKS add-on stand-ins (${elapsed(t)})`,
    );

    // 4. one run of each CronJob, stand-ins for operator-made workloads, then the scheduler's check.
    const cronJobs = plan.waves
      .flat()
      .filter((p) => p.object.kind === "CronJob" && !refused.has(describeObject(p.object)));
    for (const c of cronJobs) {
      const job = jobFromCronJob(c.object);
      const r = await client.apply(job);
      if (!r.ok) {
        apply.refusals.push({
          object: describeObject(job),
          source: `run of ${c.source}`,
          status: r.status,
          message: r.message,
        });
      }
    }
    const existing = new Set<string>();
    for (const [kind, list] of [
      ["Deployment", "/apis/apps/v1/deployments"],
      ["StatefulSet", "/apis/apps/v1/statefulsets"],
      ["DaemonSet", "/apis/apps/v1/daemonsets"],
    ] as const) {
      for (const w of await client.list<KubeObject>(list)) existing.add(`${kind}/${w.metadata.name}`);
    }
    const operated = operatedStandIns(out, existing);
    for (const s of operated) {
      const r = await client.apply(s);
      if (!r.ok) {
        apply.refusals.push({
          object: describeObject(s),
          source: "operator-made workload stand-in",
          status: r.status,
          message: r.message,
        });
      }
    }
    if (operated.length > 0)
      log(`  stand-ins for operator-made workloads: ${operated.map(describeObject).join(", ")}`);
    const namespaces = new Set([...plan.namespaces.map((n) => n.object.metadata.name!), "kube-system"]);
    const schedule = await checkScheduling(client, namespaces);
    log(
      `  scheduling: ${schedule.workloads} workloads, ${schedule.podsBound} pods bound (${schedule.seconds.toFixed(1)}s)`,
    );

    const problems = [
      ...apply.refusals.map((r: Refusal) => `REFUSED ${r.object} (${r.source}): ${r.message}`),
      ...schedule.refusedPods.map((p) => `POD NOT CREATED by ${p.object}: ${p.message}`),
      ...schedule.pending.map((p) => `PENDING ${p.object}: ${p.message}`),
      ...schedule.short.map((p) => `SHORT ${p.object}: ${p.message}`),
      ...schedule.noStorageClass.map((p) => `NO STORAGECLASS for ${p.object}: ${p.message}`),
    ];
    return {
      stack,
      outputs,
      nodes: nodes.length,
      standIns: standIns.length,
      operated: operated.map(describeObject),
      apply,
      appliedBySource,
      cronJobRuns: cronJobs.length,
      schedule,
      problems,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    client.close();
  }
}
