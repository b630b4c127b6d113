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
 * Step 4 is answered here by the IANA database built into Node.js (ICU): `Intl.DateTimeFormat` accepts every
 * zone and link the database has. ICU matches case-insensitively and Go does not, so a name ICU resolves to a
 * zone whose name differs from it only in case (`america/new_york`) is refused with the right spelling.
 * Known edge cases, documented rather than hidden:
 * - a backward link spelt in the wrong case (`us/pacific`) passes here: ICU resolves links to their target
 *   zone and does not expose the link's own spelling; the API server refuses it;
 * - Node's and the API server's tzdata releases may differ by a release: a zone added or removed in the
 *   newest release can be judged differently (zones are rarely removed; links stay for compatibility).
 */

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
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return `is not a time zone of the IANA database (e.g. America/New_York, Europe/Berlin, Etc/UTC)`;
  }
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) {
    return `is not a time zone of the IANA database: names are case-sensitive; did you mean ${resolved}?`;
  }
  return undefined;
}
