import { setFlagsFromString } from "node:v8";
import { getDatabase, type Db } from "@/db";
import { AppError } from "@/lib/errors";
import { env, HEAP_GROWTH_V8_FLAG } from "@/lib/env";
import { flushActivity, stopBufferingActivity } from "@/lib/activity";
import { drainSoon } from "@/lib/email/outbox";
import { pruneOldRows } from "@/lib/retention";

/** Retention runs a minute after start, then hourly: old rows are few per run, and each run is batched. */
const PRUNE_FIRST_MS = 60_000;
const PRUNE_INTERVAL_MS = 60 * 60_000;
/**
 * How long an exit on SIGTERM or SIGINT waits for the last flush of the activity log's buffer: well within the
 * 30 s a container platform commonly allows between its SIGTERM and a SIGKILL.
 */
const LAST_FLUSH_MS = 10_000;

/**
 * Validates the environment, sets how far V8 lets the heap grow between full collections (HEAP_GROWTH_PERCENT) and
 * opens (and migrates) the database when the server starts. A configuration problem prints one line and stops the
 * process instead of failing on the first request with a stack trace.
 * Then keeps two background jobs going: the outbox drain and the retention pruning.
 */
export async function startServer(): Promise<void> {
  try {
    // V8 reads the growing factor at each full collection, so setting it now applies from the first one.
    const { heapGrowthPercent } = env();
    if (heapGrowthPercent > 0) setFlagsFromString(`${HEAP_GROWTH_V8_FLAG}=${heapGrowthPercent}`);
    const { db } = await getDatabase();
    // The backstop for emails whose drain after a response failed or was cut off (a retry, a crash).
    const drainEvery = env().outboxDrainIntervalSeconds * 1000;
    every(drainEvery, drainEvery, "outbox drain", () => drainSoon(db));
    every(PRUNE_FIRST_MS, PRUNE_INTERVAL_MS, "retention", () => prune(db));
    // Buffered activity entries (reads) go out before the process ends; prepended so it runs before the
    // handlers that exit.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.prependOnceListener(signal, () => exitAfter(stopBufferingActivity(), LAST_FLUSH_MS));
    }
    process.once("beforeExit", () => void flushActivity());
  } catch (error) {
    console.error(`Sally cannot start: ${error instanceof AppError ? error.message : String(error)}`);
    process.exit(1);
  }
}

async function prune(db: Db): Promise<void> {
  const pruned = await pruneOldRows(db, env().retention);
  if (pruned.activity + pruned.outbox + pruned.mailbox > 0) console.log("retention pruned:", JSON.stringify(pruned));
}

/**
 * Makes the process's exit wait for `work`, at most `capMs`. Next.js answers SIGTERM and SIGINT by closing its
 * server and calling `process.exit` once the requests in flight are answered, without waiting for anything of
 * ours: with nothing in flight it exits at once, and the last flush of the buffered activity entries was cut off
 * with it (their requests answered, their entries lost). An exit asked for meanwhile happens when `work` settles.
 */
function exitAfter(work: Promise<unknown>, capMs: number): void {
  const exit = process.exit.bind(process);
  const settled = Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, capMs).unref())]);
  process.exit = ((code?: number | string | null) => {
    void settled.then(() => exit(code));
  }) as typeof process.exit;
}

/** Runs `job` after `firstMs`, then every `intervalMs`, never overlapping itself; timers do not keep the process up. */
function every(firstMs: number, intervalMs: number, name: string, job: () => Promise<unknown>): void {
  const run = () => {
    job()
      .catch((error: unknown) => console.error(`${name} failed:`, error))
      .finally(() => setTimeout(run, intervalMs).unref());
  };
  setTimeout(run, firstMs).unref();
}
