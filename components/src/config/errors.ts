import type { z } from "zod";
import { MAPPING, UNKNOWN_KEY } from "./schema";

/** One problem in the stack configuration: where it is, what was there and what is allowed. */
export interface ConfigIssue {
  /** Key path below the `agentops:` namespace, e.g. `agents[2].tier`. */
  path: string;
  /** The value found there, `undefined` when it is missing. */
  value: unknown;
  /** What is allowed, e.g. `must be 1, 2, 3 or 4`. */
  allowed: string;
}

/** Renders a bad value for an error line: strings quoted, missing values named as such, long values cut. */
export function renderValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  // YAML's .inf and .nan, which JSON would write as null.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // A YAML alias inside the value its anchor marks: the value contains itself.
    text = "(a value that contains itself)";
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `agents[2].tier` from `["agents", 2, "tier"]`. */
export function renderPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${renderValue(issue.value)} — ${issue.allowed}`;
}

/**
 * A mistake in what the user wrote, which the Pulumi CLI prints without a stack trace. The CLI recognises
 * Pulumi's `RunError` by a brand (`RunError.isInstance`, built to work across copies of the SDK), which this
 * class carries, so the configuration floor raises one without loading the Pulumi SDK.
 */
export abstract class UserError extends Error {
  /** The brand `RunError.isInstance` of @pulumi/pulumi reads. */
  public readonly __pulumiRunError = true;
}

/**
 * Invalid stack configuration. A {@link UserError} (Pulumi's `RunError`), so the Pulumi CLI prints the message
 * without a stack trace; the message is one line per problem.
 */
export class ConfigError extends UserError {
  public readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      `invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map(formatIssue).join("\n"),
    );
    this.name = "ConfigError";
    this.issues = issues;
  }

  /** The problems, one line each, in the `<key path>: <bad value> — <what is allowed>` format. */
  get lines(): string[] {
    return this.issues.map(formatIssue);
  }
}

/** What a value of each type zod checks must be, in the configuration's terms (YAML's). */
const EXPECTED: Readonly<Record<string, string | undefined>> = {
  object: MAPPING,
  array: "must be a list (YAML `- item` lines)",
  record: MAPPING,
  string: "must be text",
  number: "must be a number",
  int: "must be a whole number",
  boolean: "must be true or false",
};

/** Converts zod's issues into config issues, prefixing the key path with the config key they came from. */
export function fromZodIssues(prefix: string, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const path = [prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      // PARSE_OPTIONS (config/schema.ts) adds the keys the object knows; other parses say less.
      const allowed = issue.message.startsWith(UNKNOWN_KEY) ? issue.message : UNKNOWN_KEY;
      return issue.keys.map((key) => ({
        path: renderPath([...path, key]),
        value: (issue.input as Record<string, unknown> | undefined)?.[key],
        allowed,
      }));
    }
    if (
      issue.code === "invalid_union" &&
      "discriminator" in issue &&
      typeof issue.discriminator === "string"
    ) {
      // A discriminated union names the discriminator's path but carries the whole object as input.
      const input = issue.input as Record<string, unknown> | undefined;
      return [{ path: renderPath(path), value: input?.[issue.discriminator], allowed: issue.message }];
    }
    const expected = issue.code === "invalid_type" ? EXPECTED[issue.expected] : undefined;
    if (expected !== undefined && issue.message.startsWith("Invalid input")) {
      // zod's own words ("Invalid input: expected object, received number") where a schema says nothing better.
      return [{ path: renderPath(path), value: issue.input, allowed: expected }];
    }
    if (issue.code === "invalid_key") {
      // A record's key failed its schema: zod says "Invalid key in record"; the key schema's own message says
      // what is allowed.
      return [
        { path: renderPath(path), value: issue.input, allowed: issue.issues[0]?.message ?? issue.message },
      ];
    }
    return [{ path: renderPath(path), value: issue.input, allowed: issue.message }];
  });
}

/**
 * Issues whose paths start at an entry of `agents` or `tenants`, with the entry's name beside its index:
 * `agents[0] (security-agent).schedule`, so a reader finds the entry without counting. Entries without a
 * string name keep the bare index.
 */
export function withEntryNames(
  issues: readonly ConfigIssue[],
  config: Record<string, unknown>,
): ConfigIssue[] {
  return issues.map((issue) => {
    const m = /^(agents|tenants)\[(\d+)\]/.exec(issue.path);
    if (!m) return issue;
    const list = config[m[1]!];
    const entry = Array.isArray(list) ? (list[Number(m[2])] as unknown) : undefined;
    const name = typeof entry === "object" && entry !== null ? (entry as { name?: unknown }).name : undefined;
    if (typeof name !== "string" || name === "") return issue;
    return { ...issue, path: `${m[0]} (${name})${issue.path.slice(m[0].length)}` };
  });
}

/**
 * Why a file could not be read, in a few words for `<file>: <words> — <what is needed>`: `(missing)`, `a folder,
 * not a file`, `cannot be read (permission denied)`, else Node's error code.
 */
export function unreadableFile(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "EISDIR"
    ? "a folder, not a file"
    : code === "EACCES"
      ? "cannot be read (permission denied)"
      : code === "ENOENT"
        ? "(missing)"
        : `cannot be read (${code ?? (err as Error).message})`;
}

/**
 * A bad command-line argument or file (a stack file that is not YAML, a folder that cannot be written): reported
 * as one line, without a stack trace. Here, below everything that loads the Pulumi SDK, so a command can name a
 * bad argument without loading it.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
