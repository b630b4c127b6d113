/**
 * Reads a stack's configuration from `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands it
 * to a program: full keys (`agentops:agents`) to strings, structured values as JSON, project defaults applied.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SECRET_PLACEHOLDER } from "./mocks";

export interface StackFileConfig {
  project: string;
  config: Record<string, string>;
  secretKeys: string[];
}

/** A bad argument or file: reported as one line, without a stack trace. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * `<stack> [--out <dir>]`, the arguments of the commands that work on one stack (synth, render).
 * @param usage the command's usage line, printed under every error
 * @throws {UsageError} naming the bad argument
 */
export function parseStackArgs(
  argv: readonly string[],
  usage: string,
): { stack: string; outDir: string | undefined } {
  const positional: string[] = [];
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--out") {
      outDir = argv[++i];
      if (!outDir) throw new UsageError(`--out: (missing) — needs a directory\n${usage}`);
    } else if (arg.startsWith("-")) {
      throw new UsageError(`${arg}: unknown option — allowed: --out <dir>\n${usage}`);
    } else positional.push(arg);
  }
  if (positional.length !== 1) {
    throw new UsageError(
      `stack: ${positional.length === 0 ? "(missing)" : JSON.stringify(positional)} — exactly one stack name\n${usage}`,
    );
  }
  return { stack: positional[0]!, outDir };
}

/**
 * Checks, before any work, that `--out <dir>` can be written: `dir` is a directory or can be made as one under
 * its nearest existing ancestor. Creates nothing.
 * @throws {UsageError} naming `--out`, the value and why not
 */
export function checkOutDir(dir: string): void {
  const bad = (why: string) =>
    new UsageError(`--out: ${JSON.stringify(dir)} — must be a directory this user can write (${why})`);
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) {
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  if (!fs.statSync(at).isDirectory()) {
    throw bad(at === path.resolve(dir) ? "it is a file" : `${at} is a file`);
  }
  try {
    fs.accessSync(at, fs.constants.W_OK);
  } catch {
    throw bad(`${at} is not writable`);
  }
}

/**
 * Runs `write`, turning a file-system refusal (a read-only or special file system, a full disk) into a
 * UsageError naming `--out`, so even a late failure is one line, not a stack trace.
 */
export function writingTo<T>(dir: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== "string") throw err;
    throw new UsageError(
      `--out: ${JSON.stringify(dir)} — must be a directory this user can write (${code}: ${(err as Error).message})`,
    );
  }
}

/** The stacks that have a `Pulumi.<stack>.yaml` in `root`. */
export function listStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function readYaml(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${path.basename(file)}: not valid YAML — ${(err as Error).message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new UsageError(`${path.basename(file)}: ${JSON.stringify(doc)} — must be a YAML mapping`);
  }
  return doc as Record<string, unknown>;
}

export function readStackConfig(root: string, stack: string): StackFileConfig {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new UsageError(
      `stack: ${JSON.stringify(stack)} — must be a stack name of letters, digits, '-', '_' or '.'`,
    );
  }
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    const known = listStacks(root);
    throw new UsageError(
      `stack: ${JSON.stringify(stack)} — no Pulumi.${stack}.yaml in ${root} (stacks here: ${known.join(", ") || "none"})`,
    );
  }
  const project = readYaml(path.join(root, "Pulumi.yaml"));
  const projectName = typeof project.name === "string" ? project.name : "project";
  const stackDoc = readYaml(stackFile);
  const stackConfig = (stackDoc.config ?? {}) as Record<string, unknown>;
  if (typeof stackConfig !== "object" || Array.isArray(stackConfig)) {
    throw new UsageError(`Pulumi.${stack}.yaml: config — must be a YAML mapping of config keys`);
  }

  const fullKey = (key: string) => (key.includes(":") ? key : `${projectName}:${key}`);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const set = (key: string, value: unknown) => {
    if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
      // Encrypted values cannot be read offline; the program sees a placeholder, marked secret.
      config[key] = SECRET_PLACEHOLDER;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  };

  // Project-level declarations: `key: value`, or `key: { type, description, default | value }`.
  for (const [key, decl] of Object.entries((project.config ?? {}) as Record<string, unknown>)) {
    if (decl && typeof decl === "object" && !Array.isArray(decl)) {
      const d = decl as Record<string, unknown>;
      if ("default" in d) set(fullKey(key), d.default);
      else if ("value" in d) set(fullKey(key), d.value);
    } else {
      set(fullKey(key), decl);
    }
  }
  for (const [key, value] of Object.entries(stackConfig)) set(fullKey(key), value);
  return { project: projectName, config, secretKeys };
}
