import { desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { activityLog } from "@/db/schema";

/** A tenant's activity, newest first. */
export async function listActivity(db: DbOrTx, tenantId: string, limit = 50) {
  return db
    .select({
      at: activityLog.at,
      actor: activityLog.actor,
      method: activityLog.method,
      path: activityLog.path,
      status: activityLog.status,
      durationMs: activityLog.durationMs,
      summary: activityLog.summary,
    })
    .from(activityLog)
    .where(eq(activityLog.tenantId, tenantId))
    .orderBy(desc(activityLog.at), desc(activityLog.id))
    .limit(limit);
}
