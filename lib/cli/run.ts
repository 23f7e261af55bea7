import { AppError } from "@/lib/errors";

/**
 * Runs a command-line entry point: expected failures (bad input, bad configuration) print one line and exit 1;
 * anything else prints its stack, because that is a bug.
 */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof AppError) {
        console.error(`error: ${error.message}`);
      } else {
        console.error(error);
      }
      process.exit(1);
    },
  );
}
