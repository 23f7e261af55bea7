import { activityLog } from "@/db/schema";
import type { DbOrTx } from "@/db";

export type ActivityEntry = typeof activityLog.$inferInsert;

/** Appends one entry to a tenant's activity log. Callers pass summaries only: never tokens or request bodies. */
export async function recordActivity(db: DbOrTx, entry: ActivityEntry): Promise<void> {
  await db.insert(activityLog).values(entry);
}
