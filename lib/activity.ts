import type { Db, DbOrTx } from "@/db";
import { isDatabaseUnavailable } from "@/db/errors";
import { insertActivity, insertRejectedCallOncePerMinute, type ActivityEntry } from "@/db/queries/activity";

export type { ActivityEntry };

/** Longer paths and summaries are cut: an entry names what happened, it never carries what was sent. */
const MAX_PATH = 1000;
const MAX_SUMMARY = 500;

/** PostgreSQL text cannot hold U+0000, and a request may put one in its path or in an echoed value. */
const clean = (text: string, max: number) => {
  const safe = text.replace(/\u0000/g, "\uFFFD");
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
};

/** An entry as it may be stored: what every way of writing one (recordActivity, a write's own statement) stores. */
export const cleanEntry = (entry: ActivityEntry): ActivityEntry => ({
  ...entry,
  path: entry.path == null ? entry.path : clean(entry.path, MAX_PATH),
  summary: clean(entry.summary, MAX_SUMMARY),
  summaryValues: entry.summaryValues && cleanValues(entry.summaryValues),
});

/** A summary's values are cut like its text (jsonb cannot hold U+0000 either). */
const cleanValues = (values: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, typeof value === "string" ? clean(value, MAX_SUMMARY) : value]));

/** Appends entries to a tenant's activity log in the caller's transaction. Summaries only: never tokens or bodies. */
export async function recordActivity(db: DbOrTx, ...entries: ActivityEntry[]): Promise<void> {
  await insertActivity(db, entries.map(cleanEntry));
}

/**
 * Logs a SCIM request whose token was refused but named one of the tenant's key ids (lib/scim/rejected-token.ts),
 * at most once a minute per tenant, so wrong tokens cannot flood the log. Written at once, not buffered: the
 * once-a-minute claim and the entry are one statement. Returns whether it was written.
 */
export async function recordRejectedCall(db: DbOrTx, entry: ActivityEntry & { at: Date }, perMinute: number): Promise<boolean> {
  return insertRejectedCallOncePerMinute(db, { ...cleanEntry(entry), at: entry.at }, perMinute);
}

/**
 * Reads are logged in batches: at most this many wait in memory (past it, the logging request waits for a flush).
 * While the database is unavailable, entries wait for it up to this bound too, and newer ones are dropped (and
 * counted on the console) rather than making requests wait on a database that is down.
 */
export const MAX_BUFFERED = 5_000;
/** A batch goes out once it has this many entries, or after FLUSH_EVERY_MS. */
const BATCH = 200;
const FLUSH_EVERY_MS = 1_000;
/** Rows per insert statement. */
const INSERT_ROWS = 1_000;

type Buffer = {
  entries: ActivityEntry[];
  flushing: Promise<void> | null;
  /** Since when the database has been unavailable to this buffer's flushes (null while they succeed). */
  unavailableSince: Date | null;
  /** Entries dropped because the buffer was full while the database was unavailable, not yet reported. */
  dropped: number;
};
type State = { buffers: Map<Db, Buffer>; timer: NodeJS.Timeout | null; stopping: boolean };
const state: State = ((globalThis as { __sallyActivity?: State }).__sallyActivity ??= {
  buffers: new Map(),
  timer: null,
  stopping: false,
});

/**
 * Logs a request that changed nothing (a read, a refused write) without a commit of its own: the entry waits in a
 * bounded in-process buffer and goes out with others in one multi-row insert, at least once a second and on
 * graceful shutdown (flushActivity). Writes log inside their own transaction with recordActivity instead.
 * Entries a flush could not write because the database was unavailable stay buffered, in order, for the next one;
 * until one succeeds, only the timer tries again.
 */
export function bufferActivity(db: Db, entry: ActivityEntry): Promise<void> | void {
  // Once the process is stopping, requests still in flight log directly: a buffer might not be written again.
  if (state.stopping) return writeBuffered(db, null, [cleanEntry(entry)]);
  let buffer = state.buffers.get(db);
  if (!buffer) state.buffers.set(db, (buffer = { entries: [], flushing: null, unavailableSince: null, dropped: 0 }));
  state.timer ??= setInterval(flushWaiting, FLUSH_EVERY_MS).unref();
  if (buffer.entries.length >= MAX_BUFFERED && buffer.unavailableSince) {
    buffer.dropped++;
    return;
  }
  buffer.entries.push(cleanEntry(entry));
  if (buffer.unavailableSince) return;
  if (buffer.entries.length >= MAX_BUFFERED) return flushBuffer(db, buffer);
  if (buffer.entries.length >= BATCH && !buffer.flushing) void flushBuffer(db, buffer);
}

/** The timer's flush: buffers with a flush under way are left to it. */
function flushWaiting(): void {
  for (const [db, buffer] of state.buffers) if (!buffer.flushing) void flushBuffer(db, buffer);
}

async function flushBuffer(db: Db, buffer: Buffer): Promise<void> {
  while (buffer.flushing) await buffer.flushing;
  const entries = buffer.entries.splice(0, buffer.entries.length);
  if (entries.length === 0) return;
  buffer.flushing = writeBuffered(db, buffer, entries);
  try {
    await buffer.flushing;
  } finally {
    buffer.flushing = null;
  }
}

/**
 * Writes entries in statements of INSERT_ROWS; never throws (the requests they log were answered). With a buffer,
 * what the database was unavailable for goes back into it; without one (stopping), or for another error, the
 * entries are lost and counted on the console.
 */
async function writeBuffered(db: Db, buffer: Buffer | null, entries: ActivityEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += INSERT_ROWS) {
    try {
      await insertActivity(db, entries.slice(i, i + INSERT_ROWS));
    } catch (error) {
      if (buffer && isDatabaseUnavailable(error) && !state.stopping) {
        keepForLater(buffer, entries.slice(i));
        return;
      }
      const lost = Math.min(INSERT_ROWS, entries.length - i);
      console.error(`activity log: ${lost} entries could not be written:`, describe(error));
    }
  }
  if (buffer?.unavailableSince) {
    console.warn(`activity log: the database is back; entries kept since ${buffer.unavailableSince.toISOString()} are written`);
    buffer.unavailableSince = null;
  }
  if (buffer && buffer.dropped > 0) {
    console.error(`activity log: ${buffer.dropped} entries were dropped while the database was unavailable (more than ${MAX_BUFFERED} waited)`);
    buffer.dropped = 0;
  }
}

/** Puts entries a flush could not write back in front of those logged meanwhile, within the buffer's bound. */
function keepForLater(buffer: Buffer, unwritten: ActivityEntry[]): void {
  if (!buffer.unavailableSince) {
    buffer.unavailableSince = new Date();
    console.warn(`activity log: the database is unavailable; up to ${MAX_BUFFERED} entries wait for it`);
  }
  buffer.entries.unshift(...unwritten);
  const over = buffer.entries.length - MAX_BUFFERED;
  if (over > 0) {
    buffer.entries.splice(MAX_BUFFERED, over);
    buffer.dropped += over;
  }
}

/**
 * The driver's reason, first line only: drizzle's own message names the statement and its parameters (the
 * entries' paths), which stay out of the console.
 */
function describe(error: unknown): string {
  let reason = error;
  while (reason instanceof Error && reason.cause instanceof Error) reason = reason.cause;
  return reason instanceof Error ? reason.message.split("\n")[0] : "unknown error";
}

/** Writes every buffered entry now: call it on graceful shutdown (SIGTERM) and before reading the log in tests. */
export async function flushActivity(): Promise<void> {
  await Promise.all([...state.buffers.entries()].map(([db, buffer]) => flushBuffer(db, buffer)));
}

/**
 * On graceful shutdown: writes what is buffered, and from now on every entry is written as it comes. Entries the
 * database cannot take now are lost with the process, and counted on the console.
 */
export async function stopBufferingActivity(): Promise<void> {
  state.stopping = true;
  await flushActivity();
}
