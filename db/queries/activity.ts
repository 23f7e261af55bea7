import { and, desc, eq, gte, isNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { runPrepared } from "@/db/run";
import { activityLog, scimRateLimits } from "@/db/schema";

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

/**
 * Appends the entry of a rejected request attributed to its tenant (lib/scim/rejected-token.ts), unless one was
 * appended for that tenant less than a minute ago: the claim on the tenant's rate-limit row (created full when
 * missing) and the insert are one statement, and concurrent claims serialise on that row, so a flood of wrong
 * tokens writes at most one entry a minute. Returns whether the entry was written.
 */
export async function insertRejectedCallOncePerMinute(db: DbOrTx, entry: ActivityEntry & { at: Date }, perMinute: number): Promise<boolean> {
  const rows = await runPrepared<{ id: number }>(
    db,
    "insert_rejected_call",
    sql`with claimed as (
      insert into ${scimRateLimits} as b (tenant_id, tokens, at, granted, rejection_logged_at)
      values (${entry.tenantId}::uuid, ${perMinute}::float8, clock_timestamp(), true, clock_timestamp())
      on conflict (tenant_id) do update set rejection_logged_at = excluded.rejection_logged_at
        where b.rejection_logged_at is null or b.rejection_logged_at <= excluded.rejection_logged_at - interval '1 minute'
      returning b.tenant_id
    )
    insert into ${activityLog} (tenant_id, at, actor, method, path, status, duration_ms, summary, reason)
    select tenant_id, ${entry.at.toISOString()}::timestamptz, ${entry.actor}, ${entry.method ?? null}, ${entry.path ?? null},
           ${entry.status ?? null}::int, ${entry.durationMs ?? null}::int, ${entry.summary}, ${entry.reason ?? null}
    from claimed
    returning id`,
  );
  return rows.length > 0;
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
  reason: activityLog.reason,
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
