/**
 * CronJob `spec.timeZone` as the Kubernetes API server validates it
 * (k8s.io/kubernetes pkg/apis/batch/validation/validation.go, `validateTimeZone`):
 *
 * 1. not empty;
 * 2. every `/`-separated part matches `^[A-Za-z.\-_0-9+]{1,14}$`, is not `.` or `..` and does not start with `-`
 *    (else "unknown time zone <name>");
 * 3. not `Local`, in any case ("timeZone must be an explicit time zone as defined in
 *    https://www.iana.org/time-zones");
 * 4. Go's `time.LoadLocation` finds it: the IANA database the API server embeds (zones and their backward
 *    links, e.g. `US/Pacific`, `Asia/Calcutta`, `UTC`, `EST5EDT`), matched case-sensitively.
 *
 * Step 4 is answered by the list of names in the database Go embeds (iana-zones.ts), matched exactly as Go
 * matches them: a name that differs from a zone or link only in case (`america/new_york`, `us/pacific`) is
 * refused with the right spelling. (This replaced a lookup through Node's ICU, which matches
 * case-insensitively and resolves links to their zones, so `us/pacific` passed here and the API server refused
 * it: found by the local API server, issue 20.) A zone added or removed in a tzdata release newer than the
 * list's can be judged differently until the list is regenerated.
 */

import { IANA_ZONE_NAMES } from "./iana-zones";

const PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** What is wrong with `name` as a CronJob `timeZone`, or `undefined` when the API server accepts it. */
export function timeZoneProblem(name: string): string | undefined {
  if (name.length === 0) return "must be an IANA time zone name, e.g. Europe/Berlin (not empty)";
  for (const part of name.split("/")) {
    if (part === "." || part === ".." || part.startsWith("-") || !PART.test(part)) {
      return `is not a time zone name: parts between "/" are 1-14 letters, digits, ".", "_", "+" or "-" (e.g. Europe/Berlin)`;
    }
  }
  if (name.toLowerCase() === "local") {
    return "must be an explicit IANA time zone, e.g. Etc/UTC or Europe/Berlin (Kubernetes refuses Local: it would be the controller's own zone)";
  }
  // Go's LoadLocation returns UTC for "UTC" without a lookup.
  if (name === "UTC") return undefined;
  if (IANA_ZONE_NAMES.has(name)) return undefined;
  const lower = name.toLowerCase();
  const spelt = [...IANA_ZONE_NAMES].find((z) => z.toLowerCase() === lower);
  if (spelt)
    return `is not a time zone of the IANA database: names are case-sensitive; did you mean ${spelt}?`;
  return `is not a time zone of the IANA database (e.g. America/New_York, Europe/Berlin, Etc/UTC)`;
}
