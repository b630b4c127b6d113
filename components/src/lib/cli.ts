/**
 * Runs a command-line entry point. A user's mistake (an error of one of `userErrors`) prints its message
 * alone and exits 2; anything else is a defect and prints its stack, exit 1.
 */
export function runCli(
  main: () => Promise<number> | number,
  userErrors: readonly (abstract new (...args: never[]) => Error)[],
): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => process.exit(code),
      (err: unknown) => {
        if (userErrors.some((E) => err instanceof E)) {
          console.error((err as Error).message);
          process.exit(2);
        }
        console.error(err);
        process.exit(1);
      },
    );
}
