/**
 * CronJob schedules in Kubernetes' own dialect. The API server validates `spec.schedule` with
 * `cron.ParseStandard` of github.com/robfig/cron/v3 and then rejects any schedule containing `TZ`
 * (k8s.io/kubernetes pkg/apis/batch/validation/validation.go, `validateScheduleFormat`, since 1.27:
 * "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"); the CronJob controller parses it the
 * same way. This module re-implements exactly that grammar (robfig/cron v3 parser.go and spec.go), so a
 * schedule is accepted here if and only if the API server accepts it:
 *
 * - five fields separated by whitespace: minute 0–59, hour 0–23, day of month 1–31, month 1–12,
 *   day of week 0–6 (Sunday is 0; 7 is rejected, unlike Vixie cron);
 * - each field a comma-separated list of `*`, `?` (same as `*`), `n`, `a-b`, each optionally `/step`
 *   (`n/step` means `n-max/step`); month names `jan`…`dec` and day names `sun`…`sat`, any case;
 * - or a whole-spec descriptor: `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`,
 *   `@hourly`, or `@every <Go duration>` (e.g. `@every 1h30m`; under one second counts as one second).
 *
 * Quirks kept on purpose because the API server has them: empty list items are skipped (`1,,2`), the part
 * after `*-` is ignored (`*-5` is `*`), and numbers may carry a `+` sign (Go's `strconv.Atoi`).
 */

/** Allowed values of one field, with robfig/cron's names. */
interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** One parsed field: the values it matches and whether it was written as `*` or `?` (robfig's star bit). */
export interface CronField {
  values: number[];
  star: boolean;
}

/** A parsed schedule: five fields, or a constant interval (`@every`). */
export type CronSchedule =
  | {
      kind: "fields";
      minute: CronField;
      hour: CronField;
      dayOfMonth: CronField;
      month: CronField;
      dayOfWeek: CronField;
    }
  | { kind: "every"; seconds: number };

/** The result of parsing: the schedule, or the error the API server would give (robfig/cron's text). */
export type CronParse = { ok: true; schedule: CronSchedule } | { ok: false; error: string };

class CronSyntaxError extends Error {}

/**
 * Parses a CronJob `spec.schedule` as the Kubernetes 1.35 API server does.
 * Never throws: an invalid schedule gives `{ ok: false, error }` with the API server's message.
 */
export function parseKubernetesCron(spec: string): CronParse {
  // pkg/apis/batch/validation refuses any "TZ" in a new CronJob's schedule (robfig/cron would take a
  // `TZ=<zone>` or `CRON_TZ=<zone>` prefix): the zone belongs in `timeZone`.
  if (spec.includes("TZ")) {
    return { ok: false, error: "cannot use TZ or CRON_TZ in schedule, use timeZone field instead" };
  }
  try {
    return { ok: true, schedule: parseStandard(spec) };
  } catch (err) {
    if (err instanceof CronSyntaxError) return { ok: false, error: err.message };
    throw err;
  }
}

function fail(message: string): never {
  throw new CronSyntaxError(message);
}

/** robfig/cron v3 `ParseStandard` (Minute | Hour | Dom | Month | Dow | Descriptor). */
function parseStandard(spec: string): CronSchedule {
  if (spec.length === 0) fail("empty spec string");
  if (spec.startsWith("@")) return parseDescriptor(spec);
  const fields = spec.split(/\s+/).filter((f) => f !== "");
  if (fields.length !== 5) {
    fail(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
  }
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  return {
    kind: "fields",
    minute: getField(minute, MINUTES),
    hour: getField(hour, HOURS),
    dayOfMonth: getField(dom, DOM),
    month: getField(month, MONTHS),
    dayOfWeek: getField(dow, DOW),
  };
}

function getField(field: string, bounds: Bounds): CronField {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(",").filter((r) => r !== "")) {
    const range = getRange(expr, bounds);
    range.values.forEach((v) => values.add(v));
    star ||= range.star;
  }
  return { values: [...values].sort((a, b) => a - b), star };
}

function getRange(expr: string, bounds: Bounds): CronField {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0]!.split("-");
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, bounds.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, bounds.names);
    else fail(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (singleDigit) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    fail(`too many slashes: ${expr}`);
  }
  if (start < bounds.min) fail(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) fail(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) fail(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) fail(`step of range should be a positive number: ${expr}`);
  const values: number[] = [];
  for (let v = start; v <= end; v += step) values.push(v);
  return { values, star };
}

function parseIntOrName(expr: string, names: Record<string, number> | undefined): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

/** Go's `strconv.Atoi` (optional sign, decimal digits), then robfig's non-negative check. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) {
    fail(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  }
  const num = Number(expr);
  if (!Number.isSafeInteger(num)) {
    fail(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`,
    );
  }
  if (num < 0) fail(`negative number (${num}) not allowed: ${expr}`);
  return num;
}

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

function parseDescriptor(descriptor: string): CronSchedule {
  const fields = DESCRIPTORS[descriptor];
  if (fields !== undefined) return parseStandard(fields);
  const every = "@every ";
  if (descriptor.startsWith(every)) {
    const seconds = parseGoDuration(descriptor.slice(every.length));
    if (seconds === undefined) fail(`failed to parse duration ${descriptor}`);
    // robfig/cron `Every`: rounded down to whole seconds, at least one second.
    return { kind: "every", seconds: Math.max(1, Math.floor(seconds)) };
  }
  fail(`unrecognized descriptor: ${descriptor}`);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** Go's `time.ParseDuration` in seconds (`1h30m`, `90s`, `1.5h`, `-1h`, `0`), or `undefined`. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([-+]?)(.*)$/s.exec(text)!;
  const sign = m[1] === "-" ? -1 : 1;
  const body = m[2]!;
  if (body === "0") return 0;
  if (body === "") return undefined;
  const part = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < body.length) {
    part.lastIndex = at;
    const p = part.exec(body);
    if (!p || (p[1] === "" && (p[2] ?? "") === "")) return undefined;
    total += Number(`${p[1] || "0"}.${p[2] ?? ""}0`) * DURATION_UNITS[p[3]!]!;
    at = part.lastIndex;
  }
  return sign * total;
}

const MINUTE_MS = 60_000;
const DAY_MS = 1440 * MINUTE_MS;

type FieldsSchedule = Extract<CronSchedule, { kind: "fields" }>;

/**
 * Whether a five-field schedule fires on the UTC day of `day`, as robfig/cron's `SpecSchedule.Next` decides:
 * day of month and day of week are ANDed when either was written as `*`/`?`, ORed otherwise.
 */
function firesOnDay(s: FieldsSchedule, day: Date): boolean {
  if (!s.month.values.includes(day.getUTCMonth() + 1)) return false;
  const dom = s.dayOfMonth.values.includes(day.getUTCDate());
  const dow = s.dayOfWeek.values.includes(day.getUTCDay());
  return s.dayOfMonth.star || s.dayOfWeek.star ? dom && dow : dom || dow;
}

/** The firing times (ms since the epoch) of a schedule on the UTC day starting at `dayStart`, ascending. */
function firingsOnDay(s: FieldsSchedule, dayStart: number): number[] {
  if (!firesOnDay(s, new Date(dayStart))) return [];
  return s.hour.values.flatMap((h) => s.minute.values.map((m) => dayStart + (h * 60 + m) * MINUTE_MS));
}

/**
 * The newest time at or before `at` (UTC, whole minutes) that a five-field schedule fires, searching back at
 * most `withinDays` days; `undefined` when it does not fire in that span, or for `@every` schedules (whose
 * times depend on when the controller started).
 */
export function newestFiringAtOrBefore(spec: string, at: Date, withinDays = 366): Date | undefined {
  const parsed = parseKubernetesCron(spec);
  if (!parsed.ok || parsed.schedule.kind !== "fields") return undefined;
  const limit = at.getTime();
  const firstDay = Math.floor(limit / DAY_MS) * DAY_MS;
  for (let day = firstDay; day >= firstDay - withinDays * DAY_MS; day -= DAY_MS) {
    const times = firingsOnDay(parsed.schedule, day).filter((t) => t <= limit);
    if (times.length > 0) return new Date(times[times.length - 1]!);
  }
  return undefined;
}

/**
 * The longest time between two consecutive firings of a schedule in UTC, in minutes, over the non-leap year
 * 2025 (and into 2026, so the gap across the new year counts); `@every d` gives d. `undefined` for a schedule
 * that does not parse or never fires.
 */
export function longestGapMinutes(spec: string): number | undefined {
  const parsed = parseKubernetesCron(spec);
  if (!parsed.ok) return undefined;
  if (parsed.schedule.kind === "every") return parsed.schedule.seconds / 60;
  let previous: number | undefined;
  let longest = 0;
  for (let day = Date.UTC(2025, 0, 1); day < Date.UTC(2026, 0, 8); day += DAY_MS) {
    for (const t of firingsOnDay(parsed.schedule, day)) {
      if (previous !== undefined) longest = Math.max(longest, (t - previous) / MINUTE_MS);
      previous = t;
    }
  }
  return previous === undefined ? undefined : longest;
}

/**
 * A five-field schedule as an AWS `cron()` schedule expression (six fields: minutes hours day-of-month month
 * day-of-week year; day of week 1–7 from Sunday; one of the two day fields must be `?`), as AWS Backup plans
 * take it (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRule.html, ScheduleExpression).
 * Refused, with what to write instead: `@every`, a schedule restricting both day fields (AWS cannot AND or OR
 * them) and more than one minute value (AWS Backup runs a plan's rule at most hourly).
 */
export function awsCronExpression(
  spec: string,
): { ok: true; expression: string } | { ok: false; error: string } {
  const parsed = parseKubernetesCron(spec);
  if (!parsed.ok) return parsed;
  const s = parsed.schedule;
  if (s.kind === "every") {
    return { ok: false, error: "AWS Backup takes no @every schedule; write minute hour day month weekday" };
  }
  if (s.minute.values.length !== 1) {
    return {
      ok: false,
      error: "AWS Backup runs a rule at most hourly: give the minute field one value, e.g. 0",
    };
  }
  if (!s.dayOfMonth.star && !s.dayOfWeek.star) {
    return {
      ok: false,
      error: "AWS cron cannot restrict both day of month and day of week: leave one of them *",
    };
  }
  const list = (f: CronField) => (f.star ? "*" : f.values.join(","));
  const dom = s.dayOfWeek.star ? list(s.dayOfMonth) : "?";
  const dow = s.dayOfWeek.star ? "?" : s.dayOfWeek.values.map((d) => d + 1).join(",");
  return { ok: true, expression: `cron(${list(s.minute)} ${list(s.hour)} ${dom} ${list(s.month)} ${dow} *)` };
}

/** Days of each month in a leap year: a day that exists in some year is a day a schedule can fire on. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * Why a schedule the API server accepts never fires, or `undefined` when it fires. robfig/cron `dayMatches`:
 * when day of month or day of week is `*` (or `?`), a day must match both; otherwise either. So a schedule
 * never fires when a field lists no value (`,`), or when day of week is `*` and none of its days of month
 * exists in any of its months (`0 0 30 2 *`, `0 0 31 4,6 *`); February 29 exists (in leap years). The CronJob
 * controller then never starts a Job (robfig's `Next` finds no time within five years).
 */
export function neverFiresReason(schedule: CronSchedule): string | undefined {
  if (schedule.kind === "every") return undefined;
  const fields = [schedule.minute, schedule.hour, schedule.dayOfMonth, schedule.month, schedule.dayOfWeek];
  if (fields.some((f) => f.values.length === 0)) return "a field lists no value";
  if (!schedule.dayOfWeek.star || schedule.dayOfMonth.star) return undefined;
  const { month, dayOfMonth } = schedule;
  if (month.values.some((m) => dayOfMonth.values.some((d) => d <= DAYS_IN_MONTH[m - 1]!))) return undefined;
  const days = dayOfMonth.values.join(", ");
  const months = month.values.map((m) => MONTH_NAMES[m - 1]!);
  const list = months.length === 1 ? months[0]! : `${months.slice(0, -1).join(", ")} or ${months.at(-1)!}`;
  return `${list} ${months.length === 1 ? "has" : "have"} no day ${days}`;
}
