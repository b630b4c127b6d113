/**
 * The toolchain cache: the binaries of {@link TOOLCHAIN_BINARIES}, built from the wrapper Go modules beside this
 * file into `<cache>/<key>/bin`, where
 * - `<cache>` is `AGENTOPS_TOOLCHAIN_DIR` when set, else `$XDG_CACHE_HOME/agentops/toolchain`, else
 *   `~/.cache/agentops/toolchain` (never inside the repository; Go's own caches stay where `go env` puts them);
 * - `<key>` is the first 16 hex digits of a SHA-256 over the wrapper folders' files (go.mod, go.sum, any .go),
 *   the binaries table, the build flags, and the Go version, OS and architecture.
 *
 * `<key>/stamp.json` records what was built (size of each binary, the assets copied, the hash of the sources
 * without the Go version). A run whose binaries and stamp match builds nothing and starts no `go build`; and
 * {@link findToolchain} finds a built toolchain by that sources hash without running Go at all, so the cluster
 * needs no Go once the toolchain is built.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { elapsed, ToolError } from "../lib/cli";
import { TOOLCHAIN_BINARIES, type ToolchainBinary } from "./binaries";

/** The folder of the wrapper modules. */
export const WRAPPERS_DIR = __dirname;
/** The environment variable that moves the cache. */
export const TOOLCHAIN_DIR_ENV = "AGENTOPS_TOOLCHAIN_DIR";
/**
 * How every binary is built (issue 20): static (no cgo), paths trimmed, symbols stripped. `GOTOOLCHAIN=local`:
 * a wrapper asking for a newer Go is an error here, not a toolchain download.
 */
export const BUILD_ENV = { CGO_ENABLED: "0", GOFLAGS: "-trimpath", GOTOOLCHAIN: "local" } as const;
export const BASE_LDFLAGS = ["-s", "-w"] as const;

/** A wrapper go.mod, as far as the toolchain reads it. */
export interface GoMod {
  /** The `go` line. */
  go: string;
  /** `require` lines: module path → version. */
  requires: Map<string, string>;
  /** `replace` lines with a version on the right: module path → the module and version used instead. */
  replaces: Map<string, { path: string; version: string }>;
}

/** Parses the `go`, `require` and `replace` lines of a go.mod (block and single-line forms). Pure. */
export function parseGoMod(text: string): GoMod {
  const mod: GoMod = { go: "", requires: new Map(), replaces: new Map() };
  let block: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (line === "") continue;
    if (block) {
      if (line === ")") block = undefined;
      else directive(block, line);
      continue;
    }
    const m = /^(\w+)\s*\($/.exec(line);
    if (m) block = m[1];
    else {
      const [verb, ...rest] = line.split(/\s+/);
      directive(verb!, rest.join(" "));
    }
  }
  return mod;

  function directive(verb: string, args: string): void {
    const words = args.split(/\s+/);
    if (verb === "go") mod.go = words[0]!;
    else if (verb === "require" && words.length >= 2) mod.requires.set(words[0]!, words[1]!);
    else if (verb === "replace") {
      const arrow = words.indexOf("=>");
      const target = words.slice(arrow + 1);
      if (arrow > 0 && target.length === 2)
        mod.replaces.set(words[0]!, { path: target[0]!, version: target[1]! });
    }
  }
}

/** Compares Go versions (`1.26.8`, `go1.26.0`, `1.25`): negative, zero or positive. Pure. */
export function compareGoVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^go/, "")
      .split(/[^0-9]+/)
      .filter(Boolean)
      .slice(0, 3)
      .map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The module of the build list that provides `pkg` (the longest `require` path that is a prefix of it), with
 * its version, after the wrapper's `replace` lines. Pure.
 * @throws ToolError when no required module provides it
 */
export function moduleOf(mod: GoMod, pkg: string, wrapper: string): { path: string; version: string } {
  const owner = [...mod.requires.keys()]
    .filter((p) => pkg === p || pkg.startsWith(`${p}/`))
    .sort((a, b) => b.length - a.length)[0];
  if (!owner) {
    throw new ToolError(
      `toolchain: ${JSON.stringify(pkg)} — no module of tools/toolchain/${wrapper}/go.mod provides it`,
    );
  }
  return mod.replaces.get(owner) ?? { path: owner, version: mod.requires.get(owner)! };
}

/**
 * The modules a wrapper pins, which the probe downloads first: the modules providing its binaries' packages
 * and every `replace` target (`path@version`, sorted, distinct). Pure.
 */
export function pinnedModules(mod: GoMod, binaries: readonly ToolchainBinary[]): string[] {
  const pins = new Set<string>();
  for (const b of binaries) {
    const m = moduleOf(mod, b.source ?? b.package, b.wrapper);
    pins.add(`${m.path}@${m.version}`);
  }
  for (const r of mod.replaces.values()) pins.add(`${r.path}@${r.version}`);
  return [...pins].sort();
}

/** One object of `go mod download -json` output. */
export interface DownloadResult {
  Path: string;
  Version?: string;
  Error?: string;
}

/** Splits the concatenated JSON objects `go mod download -json` prints. Pure. */
export function parseDownloadOutput(text: string): DownloadResult[] {
  const out: DownloadResult[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) {
      out.push(JSON.parse(text.slice(start, i + 1)) as DownloadResult);
    }
  }
  return out;
}

/** The line the probe prints for the first refused module, or `undefined` when all downloaded. Pure. */
export function probeFailure(results: readonly DownloadResult[]): string | undefined {
  const bad = results.find((r) => r.Error);
  if (!bad) return undefined;
  const firstLine = bad.Error!.split("\n").find((l) => l.trim() !== "") ?? bad.Error!;
  return `toolchain: the Go module proxy refused ${bad.Path}@${bad.Version ?? "?"}: ${firstLine.trim()}`;
}

/** The wrappers `binaries` use, sorted. */
function wrappersOf(binaries: readonly ToolchainBinary[]): string[] {
  return [...new Set(binaries.map((b) => b.wrapper))].sort();
}

/**
 * SHA-256 (hex) over what decides the binaries apart from Go itself: every file of each wrapper folder the
 * table uses, the table, and the build flags. Reads files only; needs no Go.
 */
export function sourcesHash(binaries: readonly ToolchainBinary[] = TOOLCHAIN_BINARIES): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ binaries, env: BUILD_ENV, ldflags: BASE_LDFLAGS }));
  for (const wrapper of wrappersOf(binaries)) {
    const dir = path.join(WRAPPERS_DIR, wrapper);
    for (const file of fs.readdirSync(dir).sort()) {
      if (!/^(go\.mod|go\.sum|.*\.go)$/.test(file)) continue;
      h.update(`\0${wrapper}/${file}\0`);
      h.update(fs.readFileSync(path.join(dir, file)));
    }
  }
  return h.digest("hex");
}

/** The cache key: 16 hex digits over the sources hash and the Go version, OS and architecture. Pure. */
export function toolchainKey(sources: string, go: GoEnv): string {
  return createHash("sha256")
    .update(`${sources}\0${go.GOVERSION}\0${go.GOOS}\0${go.GOARCH}`)
    .digest("hex")
    .slice(0, 16);
}

/** The folder holding one folder per key (see the file's doc comment for the order of precedence). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[TOOLCHAIN_DIR_ENV];
  if (override) return path.resolve(override);
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), ".cache");
  return path.join(base, "agentops", "toolchain");
}

/** What `stamp.json` records. */
export interface ToolchainStamp {
  sources: string;
  goVersion: string;
  /** Each binary built: its size in bytes and how long its build took, seconds. */
  binaries: Record<string, { size: number; seconds: number }>;
  /** Asset folders copied (their `to`), with the number of files in each. */
  assets: Record<string, number>;
  /** Pulumi plugins installed into `<key>/pulumi-home`: `<kind>-<name>` → the version installed as. */
  plugins?: Record<string, string>;
  /** ISO time of the last change. */
  updated: string;
}

function readStamp(dir: string): ToolchainStamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "stamp.json"), "utf8")) as ToolchainStamp;
  } catch {
    return undefined;
  }
}

function writeStamp(dir: string, stamp: ToolchainStamp): void {
  const file = path.join(dir, "stamp.json");
  fs.writeFileSync(
    `${file}.${process.pid}`,
    JSON.stringify({ ...stamp, updated: new Date().toISOString() }, null, 2),
  );
  fs.renameSync(`${file}.${process.pid}`, file);
}

/** Whether `b` is built in `dir` as its stamp says (file present, same size). */
function binaryWarm(dir: string, stamp: ToolchainStamp | undefined, b: ToolchainBinary): boolean {
  const recorded = stamp?.binaries[b.name];
  if (!recorded) return false;
  try {
    return fs.statSync(path.join(dir, "bin", b.name)).size === recorded.size;
  } catch {
    return false;
  }
}

function assetsWarm(dir: string, stamp: ToolchainStamp | undefined, b: ToolchainBinary): boolean {
  return (
    (b.assets ?? []).every((a) => stamp?.assets[a.to] !== undefined && fs.existsSync(path.join(dir, a.to))) &&
    pluginWarm(dir, stamp, b)
  );
}

/** The version a Pulumi plugin is installed as: the version of its npm SDK in this checkout. */
export function pluginVersion(npmPackage: string): string {
  const file = require.resolve(`${npmPackage}/package.json`);
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

/** Whether `b`, if it is a Pulumi plugin, is installed in the toolchain's Pulumi home at its SDK's version. */
function pluginWarm(dir: string, stamp: ToolchainStamp | undefined, b: ToolchainBinary): boolean {
  const plugin = b.pulumiPlugin;
  if (!plugin) return true;
  const version = pluginVersion(plugin.npmPackage);
  return (
    stamp?.plugins?.[`${plugin.kind}-${plugin.name}`] === version &&
    fs.existsSync(path.join(dir, "pulumi-home", "plugins", `${plugin.kind}-${plugin.name}-v${version}`))
  );
}

/** A built toolchain: where its binaries and assets are. */
export interface Toolchain {
  /** `<cache>/<key>`. */
  dir: string;
  /** `<cache>/<key>/bin`. */
  binDir: string;
  /** `<cache>/<key>/pulumi-home`: `PULUMI_HOME` of the engine, with its plugins installed. */
  pulumiHome: string;
  /** Path of a binary by name. */
  bin: (name: string) => string;
}

function toolchainAt(dir: string): Toolchain {
  return {
    dir,
    binDir: path.join(dir, "bin"),
    pulumiHome: path.join(dir, "pulumi-home"),
    bin: (name) => path.join(dir, "bin", name),
  };
}

/**
 * The built toolchain for this checkout's wrapper modules, found without running Go: the newest
 * `<cache>/<key>/stamp.json` with this checkout's sources hash whose binaries are all present.
 * @returns `undefined` when none is built
 */
export function findToolchain(
  binaries: readonly ToolchainBinary[] = TOOLCHAIN_BINARIES,
  env: NodeJS.ProcessEnv = process.env,
): Toolchain | undefined {
  const root = cacheRoot(env);
  const sources = sourcesHash(binaries);
  let best: { dir: string; updated: string } | undefined;
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return undefined;
  }
  for (const key of entries) {
    const dir = path.join(root, key);
    const stamp = readStamp(dir);
    if (stamp?.sources !== sources) continue;
    if (!binaries.every((b) => binaryWarm(dir, stamp, b) && assetsWarm(dir, stamp, b))) continue;
    if (!best || stamp.updated > best.updated) best = { dir, updated: stamp.updated };
  }
  return best && toolchainAt(best.dir);
}

/** `go env` values the key needs. */
export interface GoEnv {
  GOVERSION: string;
  GOOS: string;
  GOARCH: string;
}

const NO_GO =
  "go: not found on PATH — the toolchain is built from Go modules: install Go 1.26 or newer (https://go.dev/dl/)";

/** `go env GOVERSION GOOS GOARCH`. @throws ToolError (exit 2) when `go` is missing or fails. */
export function goEnv(): GoEnv {
  const r = spawnSync("go", ["env", "-json", "GOVERSION", "GOOS", "GOARCH"], {
    encoding: "utf8",
    env: { ...process.env, ...BUILD_ENV },
  });
  if (r.error) throw new ToolError(NO_GO);
  if (r.status !== 0) throw new ToolError(`go env: ${firstLine(r.stderr) || `exit ${r.status}`}`);
  return JSON.parse(r.stdout) as GoEnv;
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? ""
  );
}

/** The last non-empty line of a failed `go` command's output: the error, without the package list before it. */
function lastLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "")
      .pop() ?? ""
  );
}

/** Runs `go` in `cwd`, collecting output; resolves with exit code, stdout and stderr. */
function runGo(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("go", args, { cwd, env: { ...process.env, ...BUILD_ENV } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "ENOENT" ? new ToolError(NO_GO) : err),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** What {@link ensureToolchain} reports. */
export interface EnsureOptions {
  /** Progress lines (one per step). @default console.log */
  log?: (line: string) => void;
  /** Build even when the stamp matches. @default false */
  force?: boolean;
  binaries?: readonly ToolchainBinary[];
}

function readWrapper(wrapper: string): GoMod {
  return parseGoMod(fs.readFileSync(path.join(WRAPPERS_DIR, wrapper, "go.mod"), "utf8"));
}

/**
 * Checks Go against every wrapper's `go` line. @throws ToolError naming the wrapper and both versions.
 */
function checkGoVersion(go: GoEnv, binaries: readonly ToolchainBinary[]): void {
  for (const wrapper of wrappersOf(binaries)) {
    const need = readWrapper(wrapper).go;
    if (compareGoVersions(go.GOVERSION, need) < 0) {
      throw new ToolError(
        `go: ${go.GOVERSION} — tools/toolchain/${wrapper}/go.mod needs go ${need} or newer (GOTOOLCHAIN=local: no toolchain is downloaded)`,
      );
    }
  }
}

/**
 * Downloads the modules each wrapper pins (`go mod download -json`), all wrappers at once.
 * @throws ToolError (exit 2) with one line naming the first module the proxy refused
 */
export async function probe(
  binaries: readonly ToolchainBinary[],
  log: (line: string) => void,
): Promise<void> {
  const started = process.hrtime.bigint();
  const runs = wrappersOf(binaries).map(async (wrapper) => {
    const mods = pinnedModules(
      readWrapper(wrapper),
      binaries.filter((b) => b.wrapper === wrapper),
    );
    const r = await runGo(["mod", "download", "-json", ...mods], path.join(WRAPPERS_DIR, wrapper));
    const failure = probeFailure(parseDownloadOutput(r.stdout));
    if (failure) throw new ToolError(failure);
    if (r.code !== 0)
      throw new ToolError(`toolchain: go mod download in tools/toolchain/${wrapper}: ${lastLine(r.stderr)}`);
    return mods.length;
  });
  const counts = await Promise.all(runs);
  log(`probe: ${counts.reduce((a, b) => a + b, 0)} pinned modules downloadable (${elapsed(started)})`);
}

/** Fills `{version:m}`, `{major:m}`, `{minor:m}` and `{time:m}` in a binary's stamps from `go list -m -json`. */
async function ldflagsOf(b: ToolchainBinary): Promise<string> {
  const stamps = b.stamps ?? [];
  const modules = [...new Set(stamps.flatMap((s) => [...s.matchAll(/\{\w+:([^}]+)\}/g)].map((m) => m[1]!)))];
  const info = new Map<string, { Version: string; Time?: string }>();
  if (modules.length > 0) {
    const r = await runGo(["list", "-m", "-json", ...modules], path.join(WRAPPERS_DIR, b.wrapper));
    if (r.code !== 0)
      throw new ToolError(`toolchain: go list -m in tools/toolchain/${b.wrapper}: ${lastLine(r.stderr)}`);
    for (const m of parseDownloadOutput(r.stdout) as unknown as {
      Path: string;
      Version: string;
      Time?: string;
    }[]) {
      info.set(m.Path, m);
    }
  }
  const filled = stamps.map((s) =>
    s.replace(/\{(\w+):([^}]+)\}/g, (_, what: string, mod: string) => {
      const m = info.get(mod);
      if (!m)
        throw new ToolError(
          `toolchain: ${b.name}: module ${mod} is not in tools/toolchain/${b.wrapper}'s build list`,
        );
      const [major, minor] = m.Version.replace(/^v/, "").split(".");
      if (what === "version") return m.Version;
      if (what === "major") return major!;
      if (what === "minor") return minor!;
      if (what === "time") return (m.Time ?? "1970-01-01T00:00:00Z").replace(/\.\d+Z$/, "Z");
      throw new ToolError(`toolchain: ${b.name}: unknown stamp placeholder {${what}:${mod}}`);
    }),
  );
  return [...BASE_LDFLAGS, ...filled.map((s) => `-X=${s}`)].join(" ");
}

/** Copies a binary's asset folders from the module cache (`go list -m -f {{.Dir}}`) into `dir`. */
async function copyAssets(dir: string, b: ToolchainBinary, stamp: ToolchainStamp): Promise<void> {
  for (const a of b.assets ?? []) {
    const r = await runGo(["list", "-m", "-f", "{{.Dir}}", a.module], path.join(WRAPPERS_DIR, b.wrapper));
    if (r.code !== 0) throw new ToolError(`toolchain: go list -m ${a.module}: ${lastLine(r.stderr)}`);
    const from = path.join(r.stdout.trim(), a.folder);
    const to = path.join(dir, a.to);
    fs.rmSync(to, { recursive: true, force: true });
    fs.cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith(".go") });
    // The module cache is read-only; the copies need not be.
    let files = 0;
    const walk = (p: string) => {
      for (const e of fs.readdirSync(p, { withFileTypes: true })) {
        const full = path.join(p, e.name);
        fs.chmodSync(full, e.isDirectory() ? 0o755 : 0o644);
        if (e.isDirectory()) walk(full);
        else files++;
      }
    };
    fs.chmodSync(to, 0o755);
    walk(to);
    stamp.assets[a.to] = files;
  }
}

/**
 * A copy of `b`'s wrapper in `<dir>/src/<wrapper>` with its generated files written beside it (see
 * `ToolchainBinary.generated`), so the repository holds no build output. @returns the copy's folder
 */
async function generatedSources(dir: string, b: ToolchainBinary): Promise<string> {
  const src = path.join(dir, "src", b.wrapper);
  fs.rmSync(src, { recursive: true, force: true });
  fs.mkdirSync(src, { recursive: true });
  const wrapper = path.join(WRAPPERS_DIR, b.wrapper);
  for (const file of fs.readdirSync(wrapper)) {
    if (/^(go\.mod|go\.sum|.*\.go)$/.test(file))
      fs.copyFileSync(path.join(wrapper, file), path.join(src, file));
  }
  for (const g of b.generated ?? []) {
    const r = await runGo(["list", "-m", "-f", "{{.Dir}}", g.module], wrapper);
    if (r.code !== 0) throw new ToolError(`toolchain: go list -m ${g.module}: ${lastLine(r.stderr)}`);
    const json = JSON.parse(fs.readFileSync(path.join(r.stdout.trim(), g.from), "utf8")) as Record<
      string,
      unknown
    >;
    if (g.version !== undefined) json.version = g.version;
    fs.writeFileSync(path.join(src, g.to), JSON.stringify(json));
  }
  return src;
}

/**
 * Installs `b` into the toolchain's Pulumi home when it is a Pulumi plugin, with the CLI just built (it must come
 * earlier in the table), at its npm SDK's version. @throws ToolError naming the plugin when the install fails
 */
function installPlugin(dir: string, b: ToolchainBinary, stamp: ToolchainStamp): void {
  const plugin = b.pulumiPlugin;
  if (!plugin) return;
  const version = pluginVersion(plugin.npmPackage);
  const r = spawnSync(
    path.join(dir, "bin", "pulumi"),
    ["plugin", "install", plugin.kind, plugin.name, version, "--file", path.join(dir, "bin", b.name)],
    { encoding: "utf8", env: { ...process.env, ...pulumiEnv(toolchainAt(dir)) } },
  );
  if (r.error || r.status !== 0) {
    throw new ToolError(
      `toolchain: pulumi plugin install ${plugin.kind} ${plugin.name} ${version}: ${lastLine(r.stderr) || String(r.error)}`,
    );
  }
  stamp.plugins = { ...stamp.plugins, [`${plugin.kind}-${plugin.name}`]: version };
}

/**
 * The environment the engine runs in: its own Pulumi home (plugins of the toolchain, nothing of the user's), no
 * plugin download, no update check.
 */
export function pulumiEnv(toolchain: Toolchain): Record<string, string> {
  return {
    PULUMI_HOME: toolchain.pulumiHome,
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
}

/**
 * Builds what is missing or stale and returns the toolchain. Warm (every binary and asset as the stamp says):
 * returns at once, runs no `go build`. Otherwise: probes the pinned modules, then builds each binary in turn
 * with `go build` (see {@link BUILD_ENV}), printing a line per binary with its elapsed time.
 * @throws ToolError (exit 2) for a missing or too old Go, a module the proxy refused, a failed build
 */
export async function ensureToolchain(options: EnsureOptions = {}): Promise<Toolchain & { built: string[] }> {
  const log = options.log ?? ((l: string) => console.log(l));
  const binaries = options.binaries ?? TOOLCHAIN_BINARIES;
  const go = goEnv();
  const sources = sourcesHash(binaries);
  const dir = path.join(cacheRoot(), toolchainKey(sources, go));
  const stamp: ToolchainStamp = readStamp(dir) ?? {
    sources,
    goVersion: go.GOVERSION,
    binaries: {},
    assets: {},
    updated: "",
  };
  const todo = binaries.filter(
    (b) => options.force || !binaryWarm(dir, stamp, b) || !assetsWarm(dir, stamp, b),
  );
  if (todo.length === 0) return { ...toolchainAt(dir), built: [] };

  checkGoVersion(go, binaries);
  log(`toolchain ${path.basename(dir)} (${go.GOVERSION} ${go.GOOS}/${go.GOARCH}) → ${dir}`);
  await probe(todo, log);
  fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
  const all = process.hrtime.bigint();
  for (const [i, b] of todo.entries()) {
    const started = process.hrtime.bigint();
    const mod = moduleOf(readWrapper(b.wrapper), b.source ?? b.package, b.wrapper);
    log(`[${i + 1}/${todo.length}] ${b.name}: building ${b.package} (${mod.path} ${mod.version})`);
    const out = path.join(dir, "bin", b.name);
    const partial = `${out}.${process.pid}.partial`;
    const cwd = b.generated ? await generatedSources(dir, b) : path.join(WRAPPERS_DIR, b.wrapper);
    const tags = b.tags && b.tags.length > 0 ? [`-tags=${b.tags.join(",")}`] : [];
    const r = await runGo(
      ["build", ...tags, `-ldflags=${await ldflagsOf(b)}`, "-o", partial, b.package],
      cwd,
    );
    if (r.code !== 0) {
      fs.rmSync(partial, { force: true });
      throw new ToolError(`toolchain: ${b.name}: go build failed: ${lastLine(r.stderr)}`);
    }
    fs.renameSync(partial, out);
    await copyAssets(dir, b, stamp);
    installPlugin(dir, b, stamp);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    stamp.binaries[b.name] = { size: fs.statSync(out).size, seconds: Math.round(seconds * 10) / 10 };
    writeStamp(dir, stamp);
    log(
      `[${i + 1}/${todo.length}] ${b.name}: built in ${seconds.toFixed(1)}s (${(stamp.binaries[b.name]!.size / 2 ** 20).toFixed(0)} MiB)`,
    );
  }
  log(`toolchain: ${todo.length} built in ${elapsed(all)}`);
  return { ...toolchainAt(dir), built: todo.map((b) => b.name) };
}

/**
 * The built toolchain, or a ToolError (exit 2) saying how to build it: what `cluster` and `verify` call first.
 */
export function requireToolchain(): Toolchain {
  const found = findToolchain();
  if (!found) {
    throw new ToolError(
      `toolchain: not built for this checkout under ${cacheRoot()} — run \`npm run toolchain\` (needs Go; the first build takes about 25 minutes)`,
    );
  }
  return found;
}
