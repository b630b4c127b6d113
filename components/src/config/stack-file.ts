/**
 * Reads a stack's configuration from `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands it
 * to a program: full keys (`agentops:agents`) to strings, structured values as JSON, project defaults applied.
 * Loads no Pulumi SDK (YAML and the error classes only), so a command names an unknown stack or a broken stack
 * file before it loads the program (`@agentops/components/model` and `/testing` export it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { UsageError } from "./errors";

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
