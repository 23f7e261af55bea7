import { activityLog } from "@/db/schema";
import type { DbOrTx } from "@/db";

export type ActivityEntry = typeof activityLog.$inferInsert;

/** Longer paths and summaries are cut: an entry names what happened, it never carries what was sent. */
const MAX_PATH = 1000;
const MAX_SUMMARY = 500;

/** PostgreSQL text cannot hold U+0000, and a request may put one in its path or in an echoed value. */
const clean = (text: string, max: number) => {
  const safe = text.replace(/\u0000/g, "\uFFFD");
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
};

/** Appends one entry to a tenant's activity log. Callers pass summaries only: never tokens or request bodies. */
export async function recordActivity(db: DbOrTx, entry: ActivityEntry): Promise<void> {
  await db.insert(activityLog).values({
    ...entry,
    path: entry.path == null ? entry.path : clean(entry.path, MAX_PATH),
    summary: clean(entry.summary, MAX_SUMMARY),
  });
}
