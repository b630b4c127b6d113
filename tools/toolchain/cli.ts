/**
 * `npm run toolchain [-- build|bin-dir|probe] [--force]`: builds the local control plane's binaries from the
 * wrapper Go modules of tools/toolchain/ into the toolchain cache (see toolchain.ts), or prints where they are.
 */
import { elapsed, runTool, ToolError } from "../lib/cli";
import { TOOLCHAIN_BINARIES } from "./binaries";
import { cacheRoot, ensureToolchain, findToolchain, probe, TOOLCHAIN_DIR_ENV } from "./toolchain";

export const USAGE = `usage: npm run toolchain [-- <command>] [--force]

commands:
  build     (default) build what is missing or stale: ${TOOLCHAIN_BINARIES.map((b) => b.name).join(", ")}
            a warm run builds nothing; --force rebuilds every binary
  bin-dir   print the folder of the built binaries (npm run --silent toolchain -- bin-dir); exit 2 if not built
  probe     download the modules the wrapper go.mod files pin, nothing else

Binaries go to <cache>/<key>/bin, <cache> = $${TOOLCHAIN_DIR_ENV}, else $XDG_CACHE_HOME/agentops/toolchain,
else ~/.cache/agentops/toolchain (now: ${cacheRoot()}). Needs Go 1.26+ and the Go module proxy.
exit: 0 ok; 2 no Go, a module the proxy refused, a failed build, or a bad argument (one line)`;

const COMMANDS = ["build", "bin-dir", "probe"] as const;
type Command = (typeof COMMANDS)[number];

/** The command and flags. @throws ToolError naming the bad argument. */
export function parseArgs(argv: readonly string[]): { command: Command | "help"; force: boolean } {
  let command: Command | "help" | undefined;
  let force = false;
  for (const arg of argv) {
    if (arg === "--help" || arg === "-h" || arg === "help") return { command: "help", force };
    if (arg === "--force") force = true;
    else if ((COMMANDS as readonly string[]).includes(arg) && command === undefined) command = arg as Command;
    else {
      throw new ToolError(
        `${JSON.stringify(arg)}: ${arg.startsWith("-") ? "unknown option — allowed: --force, --help" : `unknown or second command — allowed: ${COMMANDS.join(", ")}`}\n${USAGE.split("\n")[0]}`,
      );
    }
  }
  return { command: command ?? "build", force };
}

async function main(): Promise<number> {
  const { command, force } = parseArgs(process.argv.slice(2));
  if (command === "help") {
    console.log(USAGE);
    return 0;
  }
  if (command === "bin-dir") {
    const found = findToolchain();
    if (!found) throw new ToolError(`toolchain: not built under ${cacheRoot()} — run \`npm run toolchain\``);
    console.log(found.binDir);
    return 0;
  }
  if (command === "probe") {
    await probe(TOOLCHAIN_BINARIES, (l) => console.log(l));
    return 0;
  }
  const started = process.hrtime.bigint();
  const result = await ensureToolchain({ force });
  console.log(
    result.built.length === 0
      ? `toolchain up to date: ${result.binDir} (${TOOLCHAIN_BINARIES.length} binaries, nothing built, ${elapsed(started)})`
      : `toolchain ready: ${result.binDir} (${elapsed(started)})`,
  );
  return 0;
}

if (require.main === module) runTool(main);
