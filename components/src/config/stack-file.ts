/**
 * Reads a stack's configuration from `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands it
 * to a program: full keys (`agentops:agents`) to strings, structured values as JSON, project defaults applied.
 * Loads no Pulumi SDK (YAML and the error classes only), so a command names an unknown stack or a broken stack
 * file before it loads the program (`@agentops/components/model` and `/testing` export it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { renderValue, unreadableFile, UsageError } from "./errors";

export interface StackFileConfig {
  project: string;
  config: Record<string, string>;
  secretKeys: string[];
}

export { UsageError };

/**
 * What a secret reads as offline: a stack file's secure value, a secret output in `outputs.json`. Here, not
 * beside the mocks, so that reading a stack file loads no Pulumi SDK (a command names an unknown stack at once).
 */
export const SECRET_PLACEHOLDER = "[secret]";

/** The stacks that have a `Pulumi.<stack>.yaml` file in `root` (a folder, or a link to nothing, is none). */
export function listStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .filter((f) => fs.statSync(path.join(root, f), { throwIfNoEntry: false })?.isFile())
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * How many copies of anchored values a stack file's aliases may expand to (the `yaml` library's count): far
 * above what a hand-written file uses (its default, 100, refused a list of a hundred `*name`), far below an
 * expansion attack's.
 */
export const MAX_ALIAS_COUNT = 10_000;

function readYaml(file: string): Record<string, unknown> {
  const name = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`${name}: ${unreadableFile(err)} — must be a YAML file`);
  }
  // Warnings too (an unknown tag such as `!custom`): the Pulumi CLI refuses what YAML cannot resolve, and Node
  // would print them as process warnings of several lines.
  // Merge keys (`<<: *base`) as the Pulumi CLI reads them (YAML 1.1's, which Go's yaml.v3 keeps).
  const parsed = parseDocument(text, { logLevel: "silent", merge: true });
  const problem = parsed.errors[0] ?? parsed.warnings[0];
  if (problem) {
    throw new UsageError(`${name}: not valid YAML — ${problem.message.split("\n")[0]!.replace(/:$/, "")}`);
  }
  let doc: unknown;
  try {
    doc = parsed.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // Aliases that expand without end (a "billion laughs" file): refused before they take the memory.
    if (!(err instanceof ReferenceError)) throw err;
    throw new UsageError(
      `${name}: not valid YAML here — its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies of their anchors' values`,
    );
  }
  const cycle = circularPath(doc);
  if (cycle !== undefined) {
    throw new UsageError(
      `${name}: ${cycle || "the document"}: an alias (*name) inside the value its anchor (&name) marks — the value would never end; write it out, or anchor a value outside it`,
    );
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new UsageError(`${name}: ${renderValue(doc)} — must be a YAML mapping`);
  }
  return doc as Record<string, unknown>;
}

/**
 * The path (`config.agentops:tenants[0].quota`) of the first value that contains itself, as a YAML alias to an
 * enclosing anchor makes (`tenants: &t [ { quota: *t } ]`); `undefined` when there is none.
 */
function circularPath(value: unknown, path = "", open = new Set<object>()): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (open.has(value)) return path;
  open.add(value);
  const entries = Array.isArray(value)
    ? value.map((v, i) => [`${path}[${i}]`, v] as const)
    : Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v] as const);
  for (const [at, v] of entries) {
    const found = circularPath(v, at, open);
    if (found !== undefined) return found;
  }
  open.delete(value);
  return undefined;
}

/**
 * A stack's configuration from `<root>/Pulumi.yaml` and `<root>/Pulumi.<stack>.yaml`.
 * @throws {UsageError} (one line) for a stack name that is not one, a stack without a file, a file that cannot
 * be read or is not a YAML mapping, and a `config` that is not a mapping.
 */
export function readStackConfig(root: string, stack: string): StackFileConfig {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || /^\.+$/.test(stack)) {
    throw new UsageError(
      `stack: ${JSON.stringify(stack)} — must be a stack name of letters, digits, '-', '_' or '.' (not dots alone)`,
    );
  }
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    const known = listStacks(root);
    const link = fs.lstatSync(stackFile, { throwIfNoEntry: false })?.isSymbolicLink();
    throw new UsageError(
      `stack: ${JSON.stringify(stack)} — ${link ? `Pulumi.${stack}.yaml links to a file that is not there` : `no Pulumi.${stack}.yaml`} in ${root} (stacks here: ${known.join(", ") || "none"})`,
    );
  }
  const project = readYaml(path.join(root, "Pulumi.yaml"));
  const projectName = typeof project.name === "string" ? project.name : "project";
  const stackDoc = readYaml(stackFile);
  const stackConfig = (stackDoc.config ?? {}) as Record<string, unknown>;
  if (typeof stackConfig !== "object" || stackConfig === null || Array.isArray(stackConfig)) {
    throw new UsageError(
      `Pulumi.${stack}.yaml: config: ${renderValue(stackConfig)} — must be a YAML mapping of config keys`,
    );
  }

  // As the Pulumi CLI parses a key: `<name>` is the project's, `<namespace>:<name>` as written, and the old
  // `<namespace>:config:<name>` is `<namespace>:<name>`; any other key with colons is refused, as the CLI does.
  const fullKey = (key: string, file = `Pulumi.${stack}.yaml`) => {
    const parts = key.split(":");
    if (parts.length === 1) return `${projectName}:${key}`;
    if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") return key;
    if (parts.length === 3 && parts[1] === "config" && parts[0] !== "" && parts[2] !== "")
      return `${parts[0]}:${parts[2]}`;
    throw new UsageError(
      `${file}: config: ${JSON.stringify(key)} — not a configuration key: keys are <namespace>:<name> (e.g. agentops:environment), as the Pulumi CLI requires`,
    );
  };
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
      if ("default" in d) set(fullKey(key, "Pulumi.yaml"), d.default);
      else if ("value" in d) set(fullKey(key, "Pulumi.yaml"), d.value);
    } else {
      set(fullKey(key, "Pulumi.yaml"), decl);
    }
  }
  for (const [key, value] of Object.entries(stackConfig)) set(fullKey(key), value);
  return { project: projectName, config, secretKeys };
}
