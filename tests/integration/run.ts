/**
 * The integration test (`npm run test:integration`): the `local` stack (Pulumi.local.yaml: dev's tenants and
 * agents on a cluster made elsewhere) driven by the real Pulumi engine against the local Kubernetes 1.35 control
 * plane, both built from Go modules by `npm run toolchain`:
 *
 * 1. `pulumi preview` with the policy pack run by the engine (no mandatory violation), and a preview with an
 *    agent whose budget is over its tier's ceiling, which the pack must fail;
 * 2. `pulumi up`, with the engine's waits (releases, Deployments, StatefulSets, a Job run) passing under kwok;
 * 3. a second `up` for each everyday edit, after a preview whose steps are compared with `npm run diff`'s report
 *    of the same edit (synthesized offline): any difference fails the test;
 * 4. `pulumi refresh` (no drift), `pulumi destroy` (no namespace of the stack left).
 *
 * The program runs as an Automation API inline program: the Node.js language host (module
 * github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served by the module proxy, so the
 * SDK's own in-process language runtime serves the CLI (`--client`); the pack runs through the engine's
 * executable-analyzer path (tools/engine/policy-analyzer, which starts `@pulumi/pulumi/cmd/run-policy-pack` as the
 * language host would). Without the toolchain it prints one line and exits 0; with
 * AGENTOPS_REQUIRE_CONTROL_PLANE=1 (CI) that is a failure.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  LocalWorkspace,
  PulumiCommand,
  type EngineEvent,
  type Stack,
  type OpType,
} from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { agentOpsStack, loadStackConfig } from "@agentops/components";
import { synthesize } from "@agentops/components/testing";
import { type ChangeReport } from "../../tools/diff";
import { down, kubeconfigPath, up } from "../../tools/cluster/control-plane";
import { applyExistingClusterObjects, applyFakeNodes, fakeNodes } from "../../tools/cluster/nodes";
import { describeObject, KubeClient, poll } from "../../tools/kube/client";
import { jobFromCronJob } from "../../tools/verify/schedule";
import { fillChartFolder } from "../../tools/render/charts";
import { RenderError } from "../../tools/render/errors";
import { findHelm } from "../../tools/render/helm";
import { findToolchain, pulumiEnv, type Toolchain } from "../../tools/toolchain/toolchain";
import { ENGINE_EDITS, type Config } from "./edits";

const ROOT = path.resolve(__dirname, "..", "..");
const STACK = "local";
const REQUIRE_ENV = "AGENTOPS_REQUIRE_CONTROL_PLANE";
/** Namespaces every cluster has; the stack's are all the others. */
const CLUSTER_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

const timings: [string, number][] = [];
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  console.log(`integration: ${name} …`);
  try {
    return await run();
  } finally {
    const seconds = (Date.now() - started) / 1000;
    timings.push([name, seconds]);
    console.log(`integration: ${name} (${seconds.toFixed(1)} s)`);
  }
}

/** Why the test cannot run here, or undefined when it can. */
function missing(): { why: string; toolchain?: undefined } | { why?: undefined; toolchain: Toolchain } {
  const toolchain = findToolchain();
  if (!toolchain) return { why: "the toolchain is not built (npm run toolchain)" };
  for (const bin of ["pulumi", "pulumi-resource-kubernetes"]) {
    if (!fs.existsSync(toolchain.bin(bin))) return { why: `the toolchain has no ${bin} (npm run toolchain)` };
  }
  return { toolchain };
}

/** The engine's view of one resource's step: what it does to which Kubernetes object. */
interface Step {
  op: OpType;
  type: string;
  name: string;
}

/** `create`, `update`, `replace`, `delete` as npm run diff names them; undefined for no change. */
function engineAction(op: OpType): "create" | "update" | "replace" | "delete" | undefined {
  switch (op) {
    case "create":
      return "create";
    case "update":
      return "update";
    case "delete":
      return "delete";
    case "replace":
    case "create-replacement":
    case "delete-replaced":
    case "discard-replaced":
      return "replace";
    default:
      return undefined;
  }
}

/** `type name → action` of the engine's steps, custom resources only (components have no step of their own). */
function engineChanges(steps: readonly Step[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of steps) {
    const action = engineAction(s.op);
    if (!action || s.type.startsWith("agentops:") || s.type.startsWith("pulumi:")) continue;
    out.set(`${s.type} ${s.name}`, action);
  }
  return out;
}

/** `type name → action` of `npm run diff`'s report. */
function reportChanges(report: ChangeReport): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of report.changes) {
    if (c.type.startsWith("agentops:") || c.type.startsWith("pulumi:")) continue;
    out.set(`${c.type} ${c.name}`, c.action);
  }
  return out;
}

/** `2 update, 1 create`: the changes of a step list or report by action; `no change` when none. */
function summary(changes: Map<string, string>): string {
  const counts = new Map<string, number>();
  for (const action of changes.values()) counts.set(action, (counts.get(action) ?? 0) + 1);
  return counts.size === 0 ? "no change" : [...counts].map(([a, n]) => `${n} ${a}`).join(", ");
}

/** The differences between the engine and the report, one line each. */
export function disagreements(engine: Map<string, string>, report: Map<string, string>): string[] {
  const keys = [...new Set([...engine.keys(), ...report.keys()])].sort();
  return keys
    .filter((k) => engine.get(k) !== report.get(k))
    .map((k) => `${k}: engine ${engine.get(k) ?? "no change"}, npm run diff ${report.get(k) ?? "no change"}`);
}

/** The stack file's `agentops:` keys, parsed, with `edit` applied; as config values for the engine. */
function editedConfig(base: Config, edit?: (c: Config) => void): Record<string, string> {
  const c = structuredClone(base);
  edit?.(c);
  return Object.fromEntries(
    Object.entries(c).map(([k, v]) => [`agentops:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

/**
 * `npm run diff`'s report between the local stack with `before` and with `after` config, synthesized offline in a
 * process of its own (offline-report.ts: the mock runtime is process-wide and would answer the engine's next run).
 */
function offlineReport(before: Record<string, string>, after: Record<string, string>): ChangeReport {
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
      "--conditions=agentops-source",
      path.join(__dirname, "offline-report.ts"),
    ],
    { cwd: ROOT, input: JSON.stringify({ before, after }), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`the offline report failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as ChangeReport;
}

async function main(): Promise<number> {
  const found = missing();
  if (found.why !== undefined) {
    if (process.env[REQUIRE_ENV] === "1") {
      console.error(`integration test: ${REQUIRE_ENV}=1 but ${found.why}`);
      return 1;
    }
    console.log(`integration test skipped: ${found.why}`);
    return 0;
  }
  const { toolchain } = found;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-it-"));
  const clusterDir = path.join(work, "cluster");
  let clusterUp = false;
  // Interrupted (Ctrl-C, a CI timeout): stop the control plane and remove the work folder all the same (a
  // second signal, as tsx relays the first, changes nothing while that runs).
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`integration: ${signal}: stopping the local control plane`);
    void (clusterUp ? down(clusterDir) : Promise.resolve()).finally(() => {
      fs.rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    const charts = await step("charts: every pinned chart in .cache/charts", async () => {
      try {
        await fillChartFolder(ROOT, await findHelm(ROOT));
        return undefined;
      } catch (err) {
        // No chart cache beside the checkout and no chart repository reachable (or no Helm): the local stack
        // cannot install its releases. A chart differing from the lock is a failure, never a skip.
        if (err instanceof RenderError && err.kind === "unavailable") return err.message.split("\n")[0]!;
        throw err;
      }
    });
    if (charts !== undefined) {
      if (process.env[REQUIRE_ENV] === "1") {
        console.error(`integration test: ${REQUIRE_ENV}=1 but ${charts}`);
        return 1;
      }
      console.log(`integration test skipped: ${charts}`);
      return 0;
    }
    await step("build the policy pack (policy/dist)", async () => {
      const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
    });
    const client = await step("local control plane up", async () => {
      fs.mkdirSync(clusterDir);
      await up(clusterDir, toolchain);
      clusterUp = true;
      return KubeClient.fromKubeconfig(kubeconfigPath(clusterDir));
    });
    await step("fake nodes for the local stack's capacity plan, a default StorageClass", async () => {
      const synth = await synthesize({ root: ROOT, stack: STACK });
      const out = { capacity: undefined, resources: synth.resources };
      await applyFakeNodes(client, fakeNodes(out));
      // A cluster made elsewhere has a default StorageClass (kind's standard); the local stack's claims name none.
      await applyExistingClusterObjects(client, out);
    });

    // The engine's workspace: the project and the local stack file in a folder of their own (config edits
    // write there, not into the repository), a file backend, the toolchain's Pulumi home.
    const workDir = path.join(work, "project");
    fs.mkdirSync(workDir);
    for (const f of ["Pulumi.yaml", `Pulumi.${STACK}.yaml`])
      fs.copyFileSync(path.join(ROOT, f), path.join(workDir, f));
    fs.mkdirSync(path.join(work, "state"));
    const envVars = {
      ...pulumiEnv(toolchain),
      PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "integration-test",
      KUBECONFIG: kubeconfigPath(clusterDir),
    };
    Object.assign(process.env, { KUBECONFIG: envVars.KUBECONFIG });
    const pulumiCommand = await PulumiCommand.get({
      root: path.dirname(toolchain.binDir),
      skipVersionCheck: true,
    });
    // The chart folder of Pulumi.local.yaml is relative to the project root, where `pulumi up` runs a program.
    process.chdir(ROOT);
    const program = async () => {
      const outputs = agentOpsStack(loadStackConfig());
      return { environment: outputs.environment };
    };
    const stack: Stack = await step("pulumi login (file backend) and stack init", () =>
      LocalWorkspace.createOrSelectStack(
        { stackName: STACK, projectName: "agentops", program },
        { workDir, pulumiCommand, envVars },
      ),
    );
    const base = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${STACK}.yaml`), "utf8")) as {
      config: Record<string, unknown>;
    };
    const baseConfig = Object.fromEntries(
      Object.entries(base.config)
        .filter(([k]) => k.startsWith("agentops:"))
        .map(([k, v]) => [k.slice("agentops:".length), v]),
    ) as Config;
    const setConfig = async (values: Record<string, string>) => {
      await stack.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }])));
    };
    const policy = {
      policyPacks: [path.join(ROOT, "tools", "engine", "policy-analyzer")],
      policyPackConfigs: [path.join(ROOT, "policy", "config", "dev.json")],
    };
    const out = (s: string) => process.stdout.write(s);

    await step(
      "pulumi preview --policy-pack (a budget over its tier's ceiling: refused by the pack)",
      async () => {
        const bad = editedConfig(baseConfig, (c) => {
          (c.agents as { name: string; budget: { monthlyUsd: number } }[])[0]!.budget.monthlyUsd = 5000;
        });
        await setConfig(bad);
        let refused = "";
        try {
          await stack.preview({ ...policy });
        } catch (err) {
          refused = String(err);
        }
        if (!/agent-budgets/.test(refused) || !/mandatory/.test(refused)) {
          throw new Error(
            `the pack did not refuse an agent over its tier's ceiling:\n${refused || "(preview passed)"}`,
          );
        }
        await setConfig(editedConfig(baseConfig));
      },
    );
    await step("pulumi preview --policy-pack", async () => {
      const r = await stack.preview({ ...policy, onOutput: out });
      console.log(`integration: preview ${JSON.stringify(r.changeSummary)}`);
    });
    await step("pulumi up --policy-pack", async () => {
      const r = await stack.up({ ...policy, onOutput: out });
      console.log(`integration: up ${JSON.stringify(r.summary.resourceChanges)}`);
    });

    await step("aggregated APIServices removed (their servers cannot run under kwok)", async () => {
      // metrics-server's v1beta1.metrics.k8s.io (and any other aggregated API a release installs) stays
      // unavailable here: discovery then fails for its group, and the namespace controller never finishes
      // deleting a namespace, so destroy would wait forever. npm run verify never stores them (README, Local
      // control plane); here Helm has, so they go, and the releases' state is unchanged for the engine.
      const aggregated = (await client.list("/apis/apiregistration.k8s.io/v1/apiservices")).filter(
        (a) => (a as { spec?: { service?: unknown } }).spec?.service,
      );
      for (const a of aggregated)
        await client.delete({ ...a, apiVersion: "apiregistration.k8s.io/v1", kind: "APIService" });
      console.log(`integration: removed ${aggregated.map((a) => a.metadata.name).join(", ") || "none"}`);
    });
    await step("a run of each CronJob completes (as kubectl create job --from=cronjob)", async () => {
      const cronJobs = (await client.list("/apis/batch/v1/cronjobs")).filter(
        (c) => !CLUSTER_NAMESPACES.includes(c.metadata.namespace ?? ""),
      );
      if (cronJobs.length === 0)
        throw new Error("the local stack declares no CronJob: dev's agents have three");
      for (const c of cronJobs) {
        const job = jobFromCronJob(c);
        const r = await client.apply(job);
        if (!r.ok) throw new Error(`${describeObject(job)}: ${r.message}`);
      }
      const done = await poll(
        async () => {
          const runs = await Promise.all(
            cronJobs.map((c) =>
              client.get<{ status?: { succeeded?: number } }>(
                `/apis/batch/v1/namespaces/${c.metadata.namespace}/jobs/${jobFromCronJob(c).metadata.name}`,
              ),
            ),
          );
          return runs.every((j) => (j?.status?.succeeded ?? 0) >= 1) ? true : undefined;
        },
        180_000,
        1000,
      );
      if (!done)
        throw new Error(
          `a Job run of ${cronJobs.map((c) => describeObject(c)).join(", ")} did not complete in 180 s`,
        );
      console.log(`integration: ${cronJobs.length} Job runs complete`);
      // The runs are the test's, not the stack's: they go (their pods with them, in the background), since a
      // Succeeded pod still holds its claim against deletion (the PVC protection controller), and destroy
      // would wait on the job's claim forever. A CronJob's own runs go with it when destroy deletes it.
      for (const c of cronJobs) await client.delete(jobFromCronJob(c));
    });

    const failures: string[] = [];
    let current = editedConfig(baseConfig);
    const applied: ((c: Config) => void)[] = [];
    for (const [name, edit] of Object.entries(ENGINE_EDITS)) {
      await step(`day 2: ${name} (preview compared with npm run diff, then up)`, async () => {
        applied.push(edit);
        const next = editedConfig(baseConfig, (c) => {
          for (const e of applied) e(c);
        });
        await setConfig(next);
        const steps: Step[] = [];
        const onEvent = (e: EngineEvent) => {
          const m = e.resourcePreEvent?.metadata;
          if (m) steps.push({ op: m.op, type: m.type, name: m.urn.split("::").pop()! });
        };
        await stack.preview({ ...policy, onEvent });
        const report = offlineReport(current, next);
        const differ = disagreements(engineChanges(steps), reportChanges(report));
        for (const d of differ) failures.push(`${name}: ${d}`);
        console.log(
          `integration: ${name}: the engine's preview ${differ.length === 0 ? `agrees with npm run diff (${summary(engineChanges(steps))})` : `differs from npm run diff:\n  ${differ.join("\n  ")}`}`,
        );
        const r = await stack.up({ ...policy, onOutput: out });
        const changes = r.summary.resourceChanges ?? {};
        if ((changes.replace ?? 0) > 0 || (changes["create-replacement"] ?? 0) > 0) {
          failures.push(
            `${name}: the engine replaced ${JSON.stringify(changes)} (an everyday edit must apply in place)`,
          );
        }
        current = next;
      });
    }
    await step("pulumi refresh (no drift)", async () => {
      const r = await stack.refresh({ onOutput: out });
      const changed = Object.entries(r.summary.resourceChanges ?? {}).filter(([op]) => op !== "same");
      if (changed.length > 0)
        failures.push(`refresh found drift: ${JSON.stringify(Object.fromEntries(changed))}`);
    });
    await step("pulumi destroy (no namespace left)", async () => {
      await stack.destroy({ onOutput: out });
      const stackNamespaces = async () =>
        (await client.list("/api/v1/namespaces"))
          .map((n) => n.metadata.name ?? "")
          .filter((n) => !CLUSTER_NAMESPACES.includes(n));
      await poll(async () => ((await stackNamespaces()).length === 0 ? true : undefined), 180_000, 1000);
      const left = await stackNamespaces();
      if (left.length > 0) failures.push(`destroy left namespaces: ${left.join(", ")}`);
    });

    console.log("integration: step times");
    for (const [name, seconds] of timings) console.log(`  ${seconds.toFixed(1).padStart(7)} s  ${name}`);
    if (failures.length > 0) {
      console.error(`integration: ${failures.length} problem${failures.length === 1 ? "" : "s"}`);
      for (const f of failures) console.error(`  ${f}`);
      return 1;
    }
    console.log(
      "integration: ok — preview, up, every day-2 up, refresh and destroy; the engine agreed with npm run diff",
    );
    return 0;
  } finally {
    if (clusterUp) await down(clusterDir);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(pulumi.RunError.isInstance(err) ? (err as Error).message : err);
    process.exit(1);
  },
);
