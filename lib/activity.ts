import type { Db, DbOrTx } from "@/db";
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

const cleanEntry = (entry: ActivityEntry): ActivityEntry => ({
  ...entry,
  path: entry.path == null ? entry.path : clean(entry.path, MAX_PATH),
  summary: clean(entry.summary, MAX_SUMMARY),
});

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

/** Reads are logged in batches: at most this many wait in memory (past it, the logging request waits for a flush). */
const MAX_BUFFERED = 5_000;
/** A batch goes out once it has this many entries, or after FLUSH_EVERY_MS. */
const BATCH = 200;
const FLUSH_EVERY_MS = 1_000;

type Buffer = { entries: ActivityEntry[]; flushing: Promise<void> | null };
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
 */
export function bufferActivity(db: Db, entry: ActivityEntry): Promise<void> | void {
  // Once the process is stopping, requests still in flight log directly: a buffer might not be written again.
  if (state.stopping) return insertActivity(db, [cleanEntry(entry)]);
  let buffer = state.buffers.get(db);
  if (!buffer) state.buffers.set(db, (buffer = { entries: [], flushing: null }));
  buffer.entries.push(cleanEntry(entry));
  state.timer ??= setInterval(() => void flushActivity(), FLUSH_EVERY_MS).unref();
  if (buffer.entries.length >= MAX_BUFFERED) return flushBuffer(db, buffer);
  if (buffer.entries.length >= BATCH) void flushBuffer(db, buffer);
}

async function flushBuffer(db: Db, buffer: Buffer): Promise<void> {
  while (buffer.flushing) await buffer.flushing;
  const entries = buffer.entries.splice(0, buffer.entries.length);
  if (entries.length === 0) return;
  buffer.flushing = (async () => {
    for (let i = 0; i < entries.length; i += 1_000) {
      await insertActivity(db, entries.slice(i, i + 1_000)).catch((error: unknown) => {
        console.error(`activity log: ${entries.length - i} entries could not be written:`, error);
      });
    }
  })();
  try {
    await buffer.flushing;
  } finally {
    buffer.flushing = null;
  }
}

/** Writes every buffered entry now: call it on graceful shutdown (SIGTERM) and before reading the log in tests. */
export async function flushActivity(): Promise<void> {
  await Promise.all([...state.buffers.entries()].map(([db, buffer]) => flushBuffer(db, buffer)));
}

/** On graceful shutdown: writes what is buffered, and from now on every entry is written as it comes. */
export async function stopBufferingActivity(): Promise<void> {
  state.stopping = true;
  await flushActivity();
}
