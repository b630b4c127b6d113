/**
 * The local Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
 * from the toolchain, as plain processes on 127.0.0.1 with free ports, everything in one state folder:
 *
 *   <state>/state.json     ports, process ids, the toolchain used
 *   <state>/pki/           keys and certificates (pki.ts)
 *   <state>/kubeconfig     the admin kubeconfig (system:masters); one more per component
 *   <state>/etcd/          etcd's data (--unsafe-no-fsync: throwaway)
 *   <state>/logs/<name>.log
 *
 * `<state>` is `AGENTOPS_CLUSTER_DIR` when set, else `<os.tmpdir()>/agentops-cluster-<12 hex of the checkout's
 * path>`, so two clones never share a cluster. `down` stops the processes (by the ids it started, after
 * checking each still runs the binary it started) and removes the folder.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { elapsed, ToolError } from "../lib/cli";
import { KubeClient, poll, sleep } from "../kube/client";
import type { Toolchain } from "../toolchain/toolchain";
import { CLIENTS, kubeconfig, makePki, type ClientName } from "./pki";
import { stagesYaml } from "./stages";

export const CLUSTER_DIR_ENV = "AGENTOPS_CLUSTER_DIR";
/** The Service CIDR (`--service-cluster-ip-range`); its first address is in the serving certificate. */
export const SERVICE_CIDR = "10.96.0.0/16";
/** Pod addresses kwok hands out. */
export const POD_CIDR = "10.244.0.0/16";
/** The admission plugins switched off, and why: no pod runs, so no webhook server can answer. */
export const DISABLED_ADMISSION = ["MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"] as const;
/**
 * Admission plugins switched on beside Kubernetes 1.35's defaults, because EKS runs them (Amazon EKS user guide,
 * "View Amazon EKS platform versions for each Kubernetes version": NodeRestriction and ExtendedResourceToleration
 * are in its list and not in the upstream defaults). ExtendedResourceToleration matters here: it gives a pod
 * that requests `nvidia.com/gpu` the toleration of the GPU nodes' `nvidia.com/gpu` taint.
 */
export const EXTRA_ADMISSION = ["NodeRestriction", "ExtendedResourceToleration"] as const;

/** The components, in start order. */
export const COMPONENTS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
] as const;
export type Component = (typeof COMPONENTS)[number];

export interface ClusterState {
  /** The state folder. */
  dir: string;
  /** `<cache>/<key>` of the toolchain the processes run from. */
  toolchainDir: string;
  ports: { etcdClient: number; etcdPeer: number } & Record<Exclude<Component, "etcd">, number>;
  /** Process id per component (of its own process group). */
  pids: Partial<Record<Component, number>>;
  /** ISO time of the last start. */
  started: string;
}

/** The state folder of this checkout (see the file comment). */
export function defaultStateDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env[CLUSTER_DIR_ENV]) return path.resolve(env[CLUSTER_DIR_ENV]);
  const real = fs.realpathSync(root);
  return path.join(
    os.tmpdir(),
    `agentops-cluster-${createHash("sha256").update(real).digest("hex").slice(0, 12)}`,
  );
}

export function readState(dir: string): ClusterState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")) as ClusterState;
  } catch {
    return undefined;
  }
}

function writeState(state: ClusterState): void {
  fs.writeFileSync(path.join(state.dir, "state.json"), JSON.stringify(state, null, 2) + "\n");
}

/** The admin kubeconfig's path. */
export const kubeconfigPath = (dir: string) => path.join(dir, "kubeconfig");

/** A port no one listens on now (the kernel's choice for port 0 on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Whether `pid` is alive and runs `binary` (so a reused process id is never signalled). */
export function runs(pid: number | undefined, binary: string): boolean {
  if (!pid) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie (state Z) has exited; it only waits for its parent to reap it.
    if (/^\d+ \(.*\) Z/.test(stat)) return false;
    return cmdline[0] === binary;
  } catch {
    return false;
  }
}

const binaryOf = (state: ClusterState, c: Component) => path.join(state.toolchainDir, "bin", c);

/** The command line of each component. */
export function commandLines(state: ClusterState): Record<Component, string[]> {
  const d = state.dir;
  const pki = (f: string) => path.join(d, "pki", f);
  const kc = (name: ClientName) => path.join(d, `kubeconfig-${name}`);
  const p = state.ports;
  const etcdUrl = `http://127.0.0.1:${p.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${p.etcdPeer}`;
  return {
    etcd: [
      "--name=agentops",
      `--data-dir=${path.join(d, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=agentops=${peerUrl}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ],
    "kube-apiserver": [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${p["kube-apiserver"]}`,
      `--cert-dir=${path.join(d, "pki", "apiserver-generated")}`,
      `--tls-cert-file=${pki("apiserver.crt")}`,
      `--tls-private-key-file=${pki("apiserver.key")}`,
      `--client-ca-file=${pki("ca.crt")}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki("sa.pub")}`,
      `--service-account-signing-key-file=${pki("sa.key")}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      "--authorization-mode=Node,RBAC",
      "--allow-privileged=true",
      "--endpoint-reconciler-type=none",
      `--enable-admission-plugins=${EXTRA_ADMISSION.join(",")}`,
      `--disable-admission-plugins=${DISABLED_ADMISSION.join(",")}`,
      "--profiling=false",
      "--v=1",
    ],
    "kube-controller-manager": [
      `--kubeconfig=${kc("kube-controller-manager")}`,
      `--authentication-kubeconfig=${kc("kube-controller-manager")}`,
      `--authorization-kubeconfig=${kc("kube-controller-manager")}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${p["kube-controller-manager"]}`,
      `--cert-dir=${path.join(d, "pki", "kube-controller-manager-generated")}`,
      "--leader-elect=false",
      `--service-account-private-key-file=${pki("sa.key")}`,
      `--root-ca-file=${pki("ca.crt")}`,
      `--cluster-signing-cert-file=${pki("ca.crt")}`,
      `--cluster-signing-key-file=${pki("ca.key")}`,
      "--use-service-account-credentials=true",
      // A stack creates hundreds of pods at once; the default 20 requests/s would make that the slow part.
      "--kube-api-qps=200",
      "--kube-api-burst=400",
      "--concurrent-deployment-syncs=10",
      "--concurrent-replicaset-syncs=10",
      "--concurrent-statefulset-syncs=10",
      // An HPA raises a workload created at 1 replica to its minReplicas on its first sync: every 15 s by
      // default, so verify waited up to 15 s for it; every 2 s here.
      "--horizontal-pod-autoscaler-sync-period=2s",
      "--profiling=false",
      "--v=1",
    ],
    "kube-scheduler": [
      `--config=${path.join(d, "kube-scheduler.yaml")}`,
      `--authentication-kubeconfig=${kc("kube-scheduler")}`,
      `--authorization-kubeconfig=${kc("kube-scheduler")}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${p["kube-scheduler"]}`,
      `--cert-dir=${path.join(d, "pki", "kube-scheduler-generated")}`,
      "--v=1",
    ],
    kwok: [
      `--kubeconfig=${kc("kwok")}`,
      "--manage-all-nodes=false",
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      `--config=${path.join(d, "kwok-stages.yaml")}`,
      `--cidr=${POD_CIDR}`,
      "--node-ip=127.0.0.1",
      "--node-lease-duration-seconds=40",
      `--server-address=127.0.0.1:${p.kwok}`,
    ],
  };
}

/** The scheduler's configuration: its kubeconfig, no leader election, a client fast enough for a stack. */
function schedulerConfig(dir: string): string {
  return stringify({
    apiVersion: "kubescheduler.config.k8s.io/v1",
    kind: "KubeSchedulerConfiguration",
    clientConnection: { kubeconfig: path.join(dir, "kubeconfig-kube-scheduler"), qps: 200, burst: 400 },
    leaderElection: { leaderElect: false },
  });
}

/** Last non-empty lines of a component's log, for an error message. */
function logTail(dir: string, c: Component, lines = 1): string {
  try {
    const text = fs
      .readFileSync(path.join(dir, "logs", `${c}.log`), "utf8")
      .trim()
      .split("\n");
    return text.slice(-lines).join(" | ");
  } catch {
    return "(no log)";
  }
}

function start(state: ClusterState, c: Component): number {
  const log = fs.openSync(path.join(state.dir, "logs", `${c}.log`), "a");
  const child = spawn(binaryOf(state, c), commandLines(state)[c], {
    cwd: state.dir,
    detached: true,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  child.unref();
  if (!child.pid) throw new ToolError(`cluster: ${c} did not start: ${logTail(state.dir, c)}`);
  state.pids[c] = child.pid;
  writeState(state);
  return child.pid;
}

/** Waits until `ready` holds, failing early with the log's last line when the component's process ends. */
async function waitFor(
  state: ClusterState,
  c: Component,
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await ready()) return;
    } catch {
      // not yet
    }
    if (!runs(state.pids[c], binaryOf(state, c))) {
      throw new ToolError(
        `cluster: ${c} exited before ${what}: ${logTail(state.dir, c, 2)} (log: ${path.join(state.dir, "logs", `${c}.log`)})`,
      );
    }
    if (Date.now() > deadline) {
      throw new ToolError(
        `cluster: ${c}: no ${what} after ${timeoutMs / 1000}s (log: ${path.join(state.dir, "logs", `${c}.log`)})`,
      );
    }
    await sleep(200);
  }
}

async function httpOk(url: string): Promise<boolean> {
  const http = await import("node:http");
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

/** Starts every component of `state` (its folder already holds the PKI and kubeconfigs) and waits until ready. */
async function startAll(state: ClusterState, log: (line: string) => void): Promise<void> {
  fs.mkdirSync(path.join(state.dir, "etcd"), { recursive: true, mode: 0o700 });
  const client = KubeClient.fromKubeconfig(kubeconfigPath(state.dir));
  try {
    const t0 = process.hrtime.bigint();
    start(state, "etcd");
    await waitFor(
      state,
      "etcd",
      "/health",
      () => httpOk(`http://127.0.0.1:${state.ports.etcdClient}/health`),
      30_000,
    );
    start(state, "kube-apiserver");
    await waitFor(
      state,
      "kube-apiserver",
      "/readyz",
      async () => (await client.request("GET", "/readyz")).status === 200,
      180_000,
    );
    log(`  etcd, kube-apiserver ready (${elapsed(t0)})`);
    start(state, "kube-controller-manager");
    start(state, "kube-scheduler");
    start(state, "kwok");
    await waitFor(
      state,
      "kube-controller-manager",
      "ServiceAccount default/default",
      async () => (await client.get("/api/v1/namespaces/default/serviceaccounts/default")) !== undefined,
      120_000,
    );
    await waitFor(state, "kube-scheduler", "/healthz", () => portOpen(state.ports["kube-scheduler"]), 30_000);
    await waitFor(
      state,
      "kwok",
      "/healthz",
      () => httpOk(`http://127.0.0.1:${state.ports.kwok}/healthz`),
      30_000,
    );
    log(`  controller-manager, scheduler, kwok ready (${elapsed(t0)})`);
  } finally {
    client.close();
  }
}

/** What {@link status} reports per component. */
export interface ComponentStatus {
  component: Component;
  pid: number | undefined;
  running: boolean;
  port: number;
}

/** Each component's process and port, and whether the API server answers /readyz. */
export async function status(
  dir: string,
): Promise<{ state: ClusterState; components: ComponentStatus[]; ready: boolean } | undefined> {
  const state = readState(dir);
  if (!state) return undefined;
  const components = COMPONENTS.map((c) => ({
    component: c,
    pid: state.pids[c],
    running: runs(state.pids[c], binaryOf(state, c)),
    port: c === "etcd" ? state.ports.etcdClient : state.ports[c],
  }));
  let ready = false;
  if (components.every((c) => c.running)) {
    const client = KubeClient.fromKubeconfig(kubeconfigPath(dir));
    try {
      ready = (await client.request("GET", "/readyz", { timeoutMs: 3000 })).status === 200;
    } catch {
      ready = false;
    } finally {
      client.close();
    }
  }
  return { state, components, ready };
}

/**
 * Starts a control plane in `dir` from `toolchain` and waits until it serves: /readyz, the `default`
 * ServiceAccount of namespace `default` (the controller manager works), the scheduler's port and kwok's
 * /healthz. A healthy control plane already there is kept; a partial one is stopped and started afresh.
 * @throws ToolError when a component exits or is not ready in time (its log's last line in the message)
 */
export async function up(
  dir: string,
  toolchain: Toolchain,
  log: (line: string) => void = () => undefined,
): Promise<{ state: ClusterState; reused: boolean }> {
  const now = await status(dir);
  if (now?.ready && now.state.toolchainDir === toolchain.dir) return { state: now.state, reused: true };
  if (now) await down(dir);
  fs.mkdirSync(path.join(dir, "logs"), { recursive: true, mode: 0o700 });
  const t0 = process.hrtime.bigint();
  makePki(path.join(dir, "pki"));
  const ports = {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    "kube-apiserver": await freePort(),
    "kube-controller-manager": await freePort(),
    "kube-scheduler": await freePort(),
    kwok: await freePort(),
  };
  const state: ClusterState = {
    dir,
    toolchainDir: toolchain.dir,
    ports,
    pids: {},
    started: new Date().toISOString(),
  };
  const server = `https://127.0.0.1:${ports["kube-apiserver"]}`;
  fs.writeFileSync(kubeconfigPath(dir), kubeconfig(path.join(dir, "pki"), "admin", server), { mode: 0o600 });
  for (const name of Object.keys(CLIENTS) as ClientName[]) {
    fs.writeFileSync(path.join(dir, `kubeconfig-${name}`), kubeconfig(path.join(dir, "pki"), name, server), {
      mode: 0o600,
    });
  }
  fs.writeFileSync(path.join(dir, "kube-scheduler.yaml"), schedulerConfig(dir));
  fs.writeFileSync(path.join(dir, "kwok-stages.yaml"), stagesYaml(toolchain.dir));
  writeState(state);
  log(`  certificates and configuration (${elapsed(t0)})`);
  try {
    await startAll(state, log);
  } catch (err) {
    // Leave nothing running behind a failed start; keep the logs for the message's pointer.
    await stopAll(state);
    throw err;
  }
  return { state, reused: false };
}

/**
 * Stops every process of `state`, last started first (the API server shuts down cleanly only while etcd still
 * answers): SIGTERM to its process group, SIGKILL after 5 s; with `kill`, SIGKILL at once (for data that is
 * thrown away: a clean shutdown took 1.4 s of each reset). Then waits for its ports to close.
 */
async function stopAll(state: ClusterState, { kill = false } = {}): Promise<void> {
  for (const c of [...COMPONENTS].reverse()) {
    const pid = state.pids[c];
    const alive = () => runs(pid, binaryOf(state, c));
    if (!alive()) continue;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid!, s);
      } catch {
        // already gone
      }
    };
    if (!kill) signal("SIGTERM");
    if (kill || !(await poll(async () => (alive() ? undefined : true), 5000, 50))) {
      signal("SIGKILL");
      await poll(async () => (alive() ? undefined : true), 5000, 50);
    }
  }
  const ports = [
    state.ports.etcdClient,
    state.ports.etcdPeer,
    ...COMPONENTS.slice(1).map((c) => state.ports[c as Exclude<Component, "etcd">]),
  ];
  await poll(
    async () => ((await Promise.all(ports.map(portOpen))).some(Boolean) ? undefined : true),
    5000,
    100,
  );
  state.pids = {};
  if (fs.existsSync(state.dir)) writeState(state);
}

/**
 * Stops the control plane of `dir` and removes the folder. Nothing is left: no process, no open port, no file.
 * @returns whether there was one
 */
export async function down(dir: string): Promise<boolean> {
  const state = readState(dir);
  if (state) await stopAll(state);
  const existed = fs.existsSync(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return existed && state !== undefined;
}

/**
 * Where saved etcd data directories are kept: beside the toolchain's binaries (`<toolchain>/snapshots/<name>/`),
 * so every control plane built from the same binaries shares them and they outlive `cluster down` and the
 * test suite's temporary control planes. A snapshot is only ever the result of applying the same objects (its
 * name is their hash) to an empty cluster of the same build; what in it belongs to one control plane — the
 * root CA in each namespace's `kube-root-ca.crt`, the API server's own leases and configuration — the
 * controller-manager and the API server rewrite when they start.
 */
const snapshotDir = (state: ClusterState, name: string) => path.join(state.toolchainDir, "snapshots", name);

/** Whether snapshot `name` was saved for the binaries of the control plane in `dir`. */
export function hasSnapshot(dir: string, name: string): boolean {
  const state = readState(dir);
  return state !== undefined && fs.existsSync(path.join(snapshotDir(state, name), "member"));
}

/**
 * Saves etcd's data as snapshot `name` ({@link snapshotDir}): the processes stop, the data directory is copied
 * (to a temporary folder renamed into place, so a concurrent run never reads half a snapshot), the processes
 * start again. What verify keeps after applying a set of CRDs to an empty cluster, so the next stack with the
 * same CRDs — in this run or a later one — starts from there instead of paying for their schemas again.
 */
export async function saveSnapshot(dir: string, name: string): Promise<void> {
  const state = readState(dir);
  if (!state) throw new ToolError(`cluster: no control plane in ${dir} — run \`npm run cluster -- up\``);
  await stopAll(state);
  const to = snapshotDir(state, name);
  const tmp = `${to}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(path.join(dir, "etcd"), tmp, { recursive: true });
  fs.rmSync(to, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, to);
  } catch {
    // Another run saved the same snapshot first: keep theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  try {
    await startAll(state, () => undefined);
  } catch (err) {
    await stopAll(state);
    throw err;
  }
}

/**
 * Empties the cluster: stops the processes, replaces etcd's data (with nothing, or with snapshot `from`) and
 * starts them again on the same ports with the same certificates (so a kubeconfig stays valid). What `verify`
 * does before each stack.
 * @throws ToolError when no control plane runs in `dir`
 */
export async function reset(
  dir: string,
  log: (line: string) => void = () => undefined,
  from?: string,
): Promise<ClusterState> {
  const state = readState(dir);
  if (!state) throw new ToolError(`cluster: no control plane in ${dir} — run \`npm run cluster -- up\``);
  // Its data is replaced: nothing to shut down cleanly for.
  await stopAll(state, { kill: true });
  fs.rmSync(path.join(dir, "etcd"), { recursive: true, force: true });
  if (from !== undefined) {
    fs.cpSync(snapshotDir(state, from), path.join(dir, "etcd"), { recursive: true });
  }
  state.started = new Date().toISOString();
  try {
    await startAll(state, log);
  } catch (err) {
    await stopAll(state);
    throw err;
  }
  return state;
}
