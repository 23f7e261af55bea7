import { loadEnvConfig } from "@next/env";
import { AppError } from "@/lib/errors";

/**
 * Runs a command-line entry point: expected failures (bad input, bad configuration) print one line and exit 1;
 * anything else prints its stack, because that is a bug.
 */
export function runCli(main: () => Promise<void>): void {
  // The same .env files Next reads (.env.local, .env), so the CLI and the server see one configuration.
  loadEnvConfig(process.cwd(), process.env.NODE_ENV !== "production", { info: () => {}, error: console.error });
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
