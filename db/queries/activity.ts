import { and, desc, eq, gte, isNull, lt, or } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { activityLog } from "@/db/schema";

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
  const rows = await db
    .select(columns)
    .from(activityLog)
    .where(eq(activityLog.tenantId, tenantId))
    .orderBy(desc(activityLog.at), desc(activityLog.id))
    .limit(limit);
  return rows.map(({ id: _id, ...row }) => row);
}

export type ActivityOutcome = "success" | "failure";
export type ActivityCursor = { at: Date; id: number };
export type ActivityRow = Awaited<ReturnType<typeof listActivityPage>>[number];

/** A request failed when it was answered 4xx/5xx; admin changes (no status) count as successes. */
const failed = gte(activityLog.status, 400);

/**
 * One page of a tenant's activity, newest first, strictly before `before` (keyset paging on (at, id), read along
 * the (tenant_id, at) index, so page 1,000 costs what page 1 does); `outcome` keeps only failures or successes.
 */
export async function listActivityPage(
  db: DbOrTx,
  tenantId: string,
  options: { before?: ActivityCursor; outcome?: ActivityOutcome; limit: number },
) {
  const { before, outcome, limit } = options;
  return db
    .select(columns)
    .from(activityLog)
    .where(
      and(
        eq(activityLog.tenantId, tenantId),
        before
          ? or(lt(activityLog.at, before.at), and(eq(activityLog.at, before.at), lt(activityLog.id, before.id)))
          : undefined,
        outcome === "failure" ? failed : outcome === "success" ? or(isNull(activityLog.status), lt(activityLog.status, 400)) : undefined,
      ),
    )
    .orderBy(desc(activityLog.at), desc(activityLog.id))
    .limit(limit);
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
