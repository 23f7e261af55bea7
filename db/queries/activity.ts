import { and, desc, eq, gte, isNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { activityLog } from "@/db/schema";

export type ActivityEntry = typeof activityLog.$inferInsert;

/** Appends entries in one statement. */
export async function insertActivity(db: DbOrTx, entries: ActivityEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (entries.length === 1) {
    await db.insert(activityLog).values(entries[0]).prepare("insert_activity").execute();
    return;
  }
  await db.insert(activityLog).values(entries);
}

const columns = {
  id: activityLog.id,
  at: activityLog.at,
  actor: activityLog.actor,
  method: activityLog.method,
  path: activityLog.path,
  status: activityLog.status,
  durationMs: activityLog.durationMs,
  summary: activityLog.summary,
};

/** A tenant's activity, newest first. */
export async function listActivity(db: DbOrTx, tenantId: string, limit = 50) {
  return (await listActivityPage(db, tenantId, { limit })).rows;
}

export type ActivityCursor = { at: Date; id: number };
export type ActivityRow = Awaited<ReturnType<typeof listScimRequests>>[number];

/**
 * One page of a tenant's activity, newest first, by keyset on (at, id) (the index tenant_id, at, id): any page
 * costs the same as the first. `before` is the last row of the previous page; `outcome` keeps successes (no
 * status, or below 400) or failures (400 and above). `next` is the cursor of the following page, if any.
 */
export async function listActivityPage(
  db: DbOrTx,
  tenantId: string,
  options: { before?: ActivityCursor; outcome?: "success" | "failure"; limit: number },
) {
  const { before, outcome, limit } = options;
  const rows = await db
    .select(columns)
    .from(activityLog)
    .where(
      and(
        eq(activityLog.tenantId, tenantId),
        before ? sql`(${activityLog.at}, ${activityLog.id}) < (${before.at.toISOString()}::timestamptz, ${before.id})` : undefined,
        outcome === "failure" ? gte(activityLog.status, 400) : undefined,
        outcome === "success" ? or(isNull(activityLog.status), lt(activityLog.status, 400)) : undefined,
      ),
    )
    .orderBy(desc(activityLog.at), desc(activityLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next: ActivityCursor | null = rows.length > limit && last ? { at: last.at, id: last.id } : null;
  return { rows: page, next };
}

/** The latest requests an IdP sent to this tenant (any outcome), newest first. */
export async function listScimRequests(db: DbOrTx, tenantId: string, limit: number) {
  return db
    .select(columns)
    .from(activityLog)
    .where(and(eq(activityLog.tenantId, tenantId), eq(activityLog.actor, "scim")))
    .orderBy(desc(activityLog.at), desc(activityLog.id))
    .limit(limit);
}
