/**
 * One local control plane per test process, shared by every test under tests/server/ that runs there: started by
 * the first test that asks for it (in a temporary state folder of its own, so a developer's `npm run cluster --
 * up` is left alone) and stopped by the root hook of tests/server/hooks.ts after the last file, or — in a mocha
 * worker process (parallel mode), which runs several files — when the worker exits.
 *
 * Without a built toolchain (a laptop without Go) the server tests are not defined and one line says so;
 * `AGENTOPS_REQUIRE_CONTROL_PLANE=1` (CI) turns that into a failing test.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { down, kubeconfigPath, readState, up } from "../../tools/cluster/control-plane";
import { KubeClient } from "../../tools/kube/client";
import { cacheRoot, findToolchain } from "../../tools/toolchain/toolchain";
import { printOnce } from "../once";

export const REQUIRE_ENV = "AGENTOPS_REQUIRE_CONTROL_PLANE";

/** `describe` when the toolchain is built; otherwise one line (or, with {@link REQUIRE_ENV}=1, a failure). */
export function describeServer(title: string, fn: (this: Mocha.Suite) => void): void {
  if (findToolchain()) {
    describe(title, fn);
    return;
  }
  const why = `the toolchain is not built under ${cacheRoot()} (npm run toolchain)`;
  if (process.env[REQUIRE_ENV] === "1") {
    describe(title, () => {
      it("needs the local control plane", () => {
        throw new Error(`${REQUIRE_ENV}=1 but ${why}`);
      });
    });
    return;
  }
  printOnce("server-skipped", `server tests skipped: ${why}`);
}

export interface ControlPlane {
  stateDir: string;
  client: KubeClient;
}

let started: Promise<ControlPlane> | undefined;

/** The shared control plane, started on first use (about 6 s); the same for every later file of this process. */
export function controlPlane(): Promise<ControlPlane> {
  started ??= (async () => {
    const toolchain = findToolchain();
    if (!toolchain) throw new Error("no toolchain");
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentops-test-cluster-"));
    // A worker that exits, a run that is interrupted or killed, must not leave its processes behind.
    process.once("exit", () => killSync(stateDir));
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(signal, () => {
        killSync(stateDir);
        process.kill(process.pid, signal);
      });
    }
    await up(stateDir, toolchain);
    return { stateDir, client: KubeClient.fromKubeconfig(kubeconfigPath(stateDir)) };
  })();
  return started;
}

function killSync(stateDir: string): void {
  const state = readState(stateDir);
  for (const pid of Object.values(state?.pids ?? {})) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
}

/** Stops the shared control plane if a test started it: no process, port or file is left. */
export async function stopControlPlane(): Promise<void> {
  if (!started) return;
  const cp = await started.catch(() => undefined);
  started = undefined;
  if (!cp) return;
  cp.client.close();
  await down(cp.stateDir);
}
