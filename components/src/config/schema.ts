/**
 * Schema building blocks with the error messages users see. Every message states what is allowed;
 * the key path and the bad value are added by {@link ./errors}.
 */
import { z } from "zod";
import { parseQuantity } from "../lib/quantity";
import { parseKubernetesCron } from "../lib/cron";
import { DNS1123_LABEL, DNS_LABEL, LABEL_VALUE } from "../lib/names";
import { timeZoneProblem } from "../lib/time-zone";

/**
 * A DNS-1123 label as Kubernetes checks a namespace name (apimachinery `IsDNS1123Label`): at most 63
 * characters, lowercase letters, digits and '-', starting and ending with a letter or digit.
 */
export const dns1123Label = () =>
  z
    .string({ error: "must be a DNS-1123 label of at most 63 characters" })
    .refine(
      (v) => v.length <= 63 && DNS1123_LABEL.test(v),
      "must be a DNS-1123 label of at most 63 characters: lowercase letters, digits and '-', starting and ending with a letter or digit",
    );

/**
 * A DNS-1035 label as Kubernetes checks a Service name (apimachinery `IsDNS1035Label`): at most 63 characters,
 * lowercase letters, digits and '-', starting with a letter and ending with a letter or digit.
 */
export const dns1035Label = () =>
  z
    .string({ error: "must be a DNS-1035 label of at most 63 characters" })
    .refine(
      (v) => v.length <= 63 && DNS_LABEL.test(v),
      "must be a DNS-1035 label of at most 63 characters: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
    );

/**
 * A DNS-1123 subdomain as Kubernetes checks most object names (apimachinery `IsDNS1123Subdomain`): at most 253
 * characters, dot-separated DNS-1123 labels.
 */
export const dns1123Subdomain = () =>
  z
    .string({ error: "must be a DNS-1123 subdomain of at most 253 characters" })
    .refine(
      (v) => v.length <= 253 && v.split(".").every((part) => DNS1123_LABEL.test(part)),
      "must be a DNS-1123 subdomain of at most 253 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    );

/**
 * A label value as Kubernetes checks it (apimachinery `IsValidLabelValue`), empty excluded: at most 63
 * characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
 */
export const labelValue = (what: string) =>
  z
    .string({ error: `must be ${what} usable as a Kubernetes label value` })
    .refine(
      (v) => v.length <= 63 && LABEL_VALUE.test(v),
      `must be ${what} usable as a Kubernetes label value: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    );

/**
 * A Kubernetes quantity ("500m", "2", "4Gi"), kept as the string Kubernetes will see. Memory and storage are
 * bytes: a value that is not a whole number of bytes is refused (`512m` is 0.512 bytes — a container with it
 * cannot start, and quota and cost count it as nothing), with a hint when `m` stands where `Mi` was meant.
 * `min` (bytes, or cores for CPU) is a floor with its reason; see {@link QUANTITY_MINIMUMS}.
 */
export const quantity = (what: "cpu" | "memory" | "storage", min?: { value: string; why: string }) => {
  const example = what === "cpu" ? `"500m" or "2"` : `"512Mi" or "4Gi"`;
  const allowed = `must be a Kubernetes ${what} quantity greater than 0, e.g. ${example}`;
  return z
    .union([z.string(), z.number()], { error: allowed })
    .superRefine((v, ctx) => {
      const problem = quantityProblem(what, v, min);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    })
    .transform((v) => String(v));
};

/**
 * Floors below which a quantity is refused, with their sources.
 * - Container memory 6Mi: runc needs about 6 MiB to start a container; below it the kubelet reports
 *   CreateContainerError (kubernetes/kubernetes#124841; Docker's floor, moby/moby#41168).
 * - Volume size 1Gi: the smallest EBS gp3 volume is 1 GiB, and the EBS CSI driver rounds every claim up to
 *   whole GiB (AWS EBS User Guide, "Amazon EBS volume types"); a smaller claim is billed and sized as 1 GiB.
 */
export const QUANTITY_MINIMUMS = {
  containerMemory: { value: "6Mi", why: "a container needs about 6Mi to start (runc)" },
  volume: { value: "1Gi", why: "the smallest EBS gp3 volume is 1Gi" },
} as const;

/** What is wrong with a quantity for a resource, or `undefined` when Kubernetes and the project accept it. */
export function quantityProblem(
  what: "cpu" | "memory" | "storage",
  v: string | number,
  min?: { value: string; why: string },
): string | undefined {
  const example = what === "cpu" ? `"500m" or "2"` : `"512Mi" or "4Gi"`;
  const value = parseQuantity(v);
  if (value === undefined || !(value > 0)) {
    return `must be a Kubernetes ${what} quantity greater than 0, e.g. ${example}`;
  }
  if (what !== "cpu" && !isWholeNumber(value)) {
    const milli = typeof v === "string" ? /^(\d+(?:\.\d+)?)m$/.exec(v) : null;
    const hint = milli ? `; did you mean ${milli[1]}Mi?` : `, e.g. ${example}`;
    return `must be a whole number of bytes (${what} is counted in bytes; "m" means thousandths)${hint}`;
  }
  if (min && value < parseQuantity(min.value)!) {
    return `must be at least ${min.value} (${min.why})`;
  }
  return undefined;
}

/** Whole within floating-point error: "1.5Gi" is 1610612736 bytes, "0.1Gi" is not whole. */
function isWholeNumber(value: number): boolean {
  return Math.abs(value - Math.round(value)) <= Math.max(1e-9, value * 1e-15);
}

/** A whole number within bounds, with one message for every way of missing them. */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const allowed =
    max === Number.MAX_SAFE_INTEGER
      ? `must be a whole number >= ${min}`
      : `must be a whole number from ${min} to ${max}`;
  return z.number({ error: allowed }).int(allowed).min(min, allowed).max(max, allowed);
};

/** An amount of US dollars per month. */
export const usd = (opts: { positive: boolean }) => {
  const allowed = opts.positive
    ? "must be a number of US dollars > 0"
    : "must be a number of US dollars >= 0";
  return z
    .number({ error: allowed })
    .refine((v) => Number.isFinite(v) && (opts.positive ? v > 0 : v >= 0), allowed);
};

/** One of a fixed set of strings. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(", ")}` });

export const bool = () => z.boolean({ error: "must be true or false" });

export const text = (what = "a non-empty string") =>
  z.string({ error: `must be ${what}` }).refine((v) => v.trim().length > 0, `must be ${what}`);

/**
 * A CronJob schedule exactly as the Kubernetes API server accepts it (see {@link parseKubernetesCron}):
 * five fields with day of week 0–6, month and day names, `*`, `?`, ranges, steps, the `@` descriptors and
 * `@every <duration>`; no `TZ=`/`CRON_TZ=` prefix (use `timeZone`).
 */
export const cron = (missing?: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined && missing !== undefined
          ? missing
          : `must be a CronJob schedule, e.g. "0 2 * * *"`,
    })
    .superRefine((value, ctx) => {
      const parsed = parseKubernetesCron(value);
      if (parsed.ok) return;
      ctx.addIssue({
        code: "custom",
        message: `must be a schedule Kubernetes' CronJob accepts: ${parsed.error}${cronHint(parsed.error)}`,
      });
    });

/** What to write instead, for the errors people run into most. */
function cronHint(error: string): string {
  if (error.includes("above maximum (6)")) return " (day of week is 0-6 or sun-sat; Sunday is 0, not 7)";
  if (error.startsWith("expected exactly 5 fields")) {
    return " (minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>)";
  }
  if (error.startsWith("unrecognized descriptor")) {
    return " (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>)";
  }
  return "";
}

/**
 * A CronJob `timeZone` as the API server accepts it (pkg/apis/batch/validation `validateTimeZone`): an IANA
 * name, each `/`-separated part 1–14 characters of `A-Za-z0-9._+-` not starting with `-` nor `.`/`..`; not
 * `Local` in any case; and a zone Go's `time.LoadLocation` finds (case-sensitive).
 */
export const timeZone = () =>
  z.string({ error: "must be an IANA time zone name, e.g. Europe/Berlin" }).superRefine((value, ctx) => {
    const problem = timeZoneProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

/** A CIDR block such as 10.0.0.0/16. */
export const cidr = () =>
  z.string({ error: "must be an IPv4 CIDR block, e.g. 10.0.0.0/16" }).refine((v) => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
    return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  }, "must be an IPv4 CIDR block, e.g. 10.0.0.0/16");

/**
 * CPU and memory quantities. `container: true` for what a container gets (resources, LimitRange), where
 * memory has the floor of {@link QUANTITY_MINIMUMS}; quotas are totals and have none.
 */
export const cpuMemory = (opts: { container: boolean }) =>
  z.strictObject({
    cpu: quantity("cpu"),
    memory: quantity("memory", opts.container ? QUANTITY_MINIMUMS.containerMemory : undefined),
  });

/** What a value must be where a mapping goes, in YAML's terms. */
export const MAPPING = "must be a mapping (YAML `key: value` lines)";

/**
 * The `error` of a discriminated union (`z.discriminatedUnion(tag, …, { error: taggedUnionError(allowed) })`):
 * `allowed` (the tag's values) for a mapping whose tag is missing or unknown, {@link MAPPING} for a value that is
 * no mapping at all (`- 5`), which has no tag to name.
 */
export function taggedUnionError(allowed: string): (issue: { input?: unknown }) => string {
  return (issue) =>
    typeof issue.input === "object" && issue.input !== null && !Array.isArray(issue.input)
      ? allowed
      : MAPPING;
}

/** The message of a key an object schema does not know; {@link PARSE_OPTIONS} appends the keys it does. */
export const UNKNOWN_KEY = "is not a known key here";

/** Whether `schema` is `z.never()` (optional or not): a key kept only to refuse it with its own message. */
function refusedKey(schema: unknown): boolean {
  let def = (schema as { _zod?: { def?: { type?: string; innerType?: unknown } } } | undefined)?._zod?.def;
  while (def?.type === "optional" || def?.type === "default") {
    def = (def.innerType as { _zod?: { def?: { type?: string; innerType?: unknown } } } | undefined)?._zod
      ?.def;
  }
  return def?.type === "never";
}

/**
 * Options of every parse of the stack file's parts: the bad input in each issue, and an unknown key reported
 * with the keys the object does know (`is not a known key here (known: cpu, memory)`), read from the schema
 * that refused it, at whatever depth.
 */
export const PARSE_OPTIONS = {
  reportInput: true,
  error: (issue: z.core.$ZodRawIssue): string | undefined => {
    if (issue.code !== "unrecognized_keys") return undefined;
    const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod
      ?.def?.shape;
    if (!shape) return undefined;
    const known = Object.entries(shape)
      .filter(([, s]) => !refusedKey(s))
      .map(([k]) => k);
    return `${UNKNOWN_KEY} (known: ${known.join(", ")})`;
  },
} as const;

/** Flags every repeated entry of a list, naming the first occurrence: `<key>[2]: "x" — must be unique (also <key>[0])`. */
export const unique =
  (what: string) =>
  (values: readonly string[], ctx: z.core.$RefinementCtx<readonly string[]>): void => {
    values.forEach((v, i) => {
      const first = values.indexOf(v);
      if (first !== i)
        ctx.addIssue({
          code: "custom",
          path: [i],
          input: v,
          message: `must be unique (also ${what}[${first}])`,
        });
    });
  };
