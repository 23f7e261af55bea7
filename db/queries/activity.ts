import { and, desc, eq, gte, isNull, lt, or, sql, type Placeholder, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { jsonParam, statement } from "@/db/run";
import { activityLog, scimRateLimits } from "@/db/schema";

export type ActivityEntry = typeof activityLog.$inferInsert;

/** Appends entries in one statement (a write's own entry, or a batch of buffered ones). */
export async function insertActivity(db: DbOrTx, entries: ActivityEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await insertActivityStatement(db, { rows: activityRows(entries) });
}

/** Entries as the one jsonb parameter `insertActivityFrom` reads. */
export const activityRows = (entries: ActivityEntry[]): string => jsonParam(entries.map(storedValues));

/** An entry's values as the statements take them: every column given (null when absent), the time as ISO text. */
function storedValues(entry: ActivityEntry) {
  return {
    tenantId: entry.tenantId,
    // Callers give the time (a buffered entry sorts where it happened); without one, the database's.
    at: entry.at?.toISOString() ?? null,
    actor: entry.actor,
    method: entry.method ?? null,
    path: entry.path ?? null,
    status: entry.status ?? null,
    durationMs: entry.durationMs ?? null,
    summary: entry.summary,
    summaryKey: entry.summaryKey ?? null,
    summaryValues: entry.summaryValues ?? null,
    reason: entry.reason ?? null,
  };
}

/**
 * The insert of the entries in `rows` (activityRows) as a fragment of a statement; `when`, a condition, lets a
 * write's statement log itself only when it wrote (see updateScimUserProfile).
 */
export const insertActivityFrom = (rows: Placeholder | SQL, when: SQL = sql`true`) =>
  sql`insert into ${activityLog} (tenant_id, at, actor, method, path, status, duration_ms, summary, summary_key, summary_values, reason)
    select v."tenantId", coalesce(v.at, now()), v.actor, v.method, v.path, v.status, v."durationMs", v.summary, v."summaryKey",
      v."summaryValues", v.reason
    from jsonb_to_recordset(${rows}::jsonb)
      as v("tenantId" uuid, at timestamptz, actor text, method text, path text, status int, "durationMs" int, summary text,
        "summaryKey" text, "summaryValues" jsonb, reason text)
    where ${when}`;

const insertActivityStatement = statement("insert_activity", ["rows"], (p) => insertActivityFrom(p.rows));

/**
 * Appends the entry of a rejected request attributed to its tenant (lib/scim/rejected-token.ts), unless one was
 * appended for that tenant less than a minute ago: the claim on the tenant's rate-limit row (created full when
 * missing) and the insert are one statement, and concurrent claims serialise on that row, so a flood of wrong
 * tokens writes at most one entry a minute. Returns whether the entry was written.
 */
export async function insertRejectedCallOncePerMinute(db: DbOrTx, entry: ActivityEntry & { at: Date }, perMinute: number): Promise<boolean> {
  const rows = await rejectedCallStatement(db, { ...storedValues(entry), perMinute });
  return rows.length > 0;
}

const rejectedCallStatement = statement(
  "insert_rejected_call",
  ["tenantId", "perMinute", "at", "actor", "method", "path", "status", "durationMs", "summary", "reason"],
  (p) => sql<{ id: number }>`with claimed as (
      insert into ${scimRateLimits} as b (tenant_id, tokens, at, granted, rejection_logged_at)
      values (${p.tenantId}::uuid, ${p.perMinute}::float8, clock_timestamp(), 0, clock_timestamp())
      on conflict (tenant_id) do update set rejection_logged_at = excluded.rejection_logged_at
        where b.rejection_logged_at is null or b.rejection_logged_at <= excluded.rejection_logged_at - interval '1 minute'
      returning b.tenant_id
    )
    insert into ${activityLog} (tenant_id, at, actor, method, path, status, duration_ms, summary, reason)
    select tenant_id, ${p.at}::timestamptz, ${p.actor}, ${p.method}, ${p.path}, ${p.status}::int, ${p.durationMs}::int, ${p.summary}, ${p.reason}
    from claimed
    returning id`,
);

const columns = {
  id: activityLog.id,
  at: activityLog.at,
  actor: activityLog.actor,
  method: activityLog.method,
  path: activityLog.path,
  status: activityLog.status,
  durationMs: activityLog.durationMs,
  summary: activityLog.summary,
  summaryKey: activityLog.summaryKey,
  summaryValues: activityLog.summaryValues,
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
