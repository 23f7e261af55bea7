import { getDatabase } from "@/db";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
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
  } catch (error) {
    console.error(`Sally cannot start: ${error instanceof AppError ? error.message : String(error)}`);
    process.exit(1);
  }
}
