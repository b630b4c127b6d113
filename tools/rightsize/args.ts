/** What the rightsize command's arguments, help and sizing share, without loading the library. */

/** A change smaller than this share of the current request is not worth an edit (and a rollout). */
export const SIGNIFICANT_CHANGE = 0.1;

/** The command line, parsed (./cli.ts `parseRightsizeArgs`). */
export interface RightsizeArgs {
  stack: string;
  from: string | undefined;
  context: string | undefined;
  outDir: string | undefined;
}
