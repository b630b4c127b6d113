/**
 * Schema building blocks with the error messages users see. Every message states what is allowed;
 * the key path and the bad value are added by {@link ./errors}.
 */
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { parseQuantity } from "../lib/quantity";
import { DNS_LABEL } from "../lib/names";

/** A DNS-1123 label no longer than `max`. */
export const dnsLabel = (max = 63) =>
  z
    .string({ error: `must be a DNS-1123 label of at most ${max} characters` })
    .refine(
      (v) => v.length <= max && DNS_LABEL.test(v),
      `must be a DNS-1123 label of at most ${max} characters: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
    );

/** A Kubernetes quantity ("500m", "2", "4Gi"), kept as the string Kubernetes will see. */
export const quantity = (what: "cpu" | "memory" | "storage") => {
  const example = what === "cpu" ? `"500m" or "2"` : `"512Mi" or "4Gi"`;
  const allowed = `must be a Kubernetes ${what} quantity greater than 0, e.g. ${example}`;
  return z
    .union([z.string(), z.number()], { error: allowed })
    .refine((v) => (parseQuantity(v) ?? 0) > 0, allowed)
    .transform((v) => String(v));
};

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

/** A standard five-field cron expression, as Kubernetes CronJobs take it, parsed by cron-parser. */
export const cron = () =>
  z.string({ error: `must be a five-field cron expression, e.g. "0 2 * * *"` }).superRefine((value, ctx) => {
    const fields = value.trim().split(/\s+/);
    const predefined = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(value.trim());
    if (!predefined && fields.length !== 5) {
      ctx.addIssue({
        code: "custom",
        message: `must be a five-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"; got ${fields.length} fields`,
      });
      return;
    }
    try {
      CronExpressionParser.parse(value);
    } catch (err) {
      ctx.addIssue({
        code: "custom",
        message: `must be a valid cron expression, e.g. "0 2 * * *" (${(err as Error).message})`,
      });
    }
  });

/** A CIDR block such as 10.0.0.0/16. */
export const cidr = () =>
  z.string({ error: "must be an IPv4 CIDR block, e.g. 10.0.0.0/16" }).refine((v) => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
    return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  }, "must be an IPv4 CIDR block, e.g. 10.0.0.0/16");

/** CPU and memory quantities. */
export const cpuMemory = () => z.strictObject({ cpu: quantity("cpu"), memory: quantity("memory") });
