/**
 * Every way a render can fail for a reason the user can fix. One class, so callers (the CLI, the tests) catch
 * one type; `kind` says which reason.
 */

/**
 * - `usage`: a bad argument or stack name.
 * - `unavailable`: Helm or a pinned chart cannot be had on this machine (no Helm binary, a chart neither in a
 *   cache folder nor pullable). Tests skip on it; the CLI exits 2.
 * - `integrity`: a chart file differs from the chart lock, or a chart is not in the lock.
 * - `helm`: Helm ran and failed (its stderr is the message).
 */
export type RenderErrorKind = "usage" | "unavailable" | "integrity" | "helm";

/** A render failure: a one-line message (no stack trace for the user) and exit code 2. */
export class RenderError extends Error {
  override name = "RenderError";
  /** The CLI's exit code for every render failure. */
  readonly exitCode = 2;

  constructor(
    readonly kind: RenderErrorKind,
    message: string,
    /** For `unavailable`: how to make it available (fill the chart cache, install Helm). */
    readonly remedy?: string,
  ) {
    super(remedy ? `${message} — ${remedy}` : message);
  }
}
