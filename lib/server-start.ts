import { getDatabase } from "@/db";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { flushActivity } from "@/lib/activity";
import { drainOutbox } from "@/lib/email/outbox";

/** Backstop for emails whose after-response drain failed or was cut off (a retry, a crash). */
const DRAIN_INTERVAL_MS = 15_000;

/**
 * Validates the environment and opens (and migrates) the database when the server starts. A configuration
 * problem prints one line and stops the process instead of failing on the first request with a stack trace.
 */
export async function startServer(): Promise<void> {
  try {
    env();
    const { db } = await getDatabase();
    const timer = setInterval(() => {
      drainOutbox(db).catch((error: unknown) => console.error("outbox drain failed:", error));
    }, DRAIN_INTERVAL_MS);
    timer.unref();
    // Buffered activity entries (reads) go out before the process ends; prepended so it runs before the
    // handlers that exit.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.prependOnceListener(signal, () => void flushActivity());
    }
    process.once("beforeExit", () => void flushActivity());
  } catch (error) {
    console.error(`Sally cannot start: ${error instanceof AppError ? error.message : String(error)}`);
    process.exit(1);
  }
}
