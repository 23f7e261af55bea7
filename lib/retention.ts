import { and, inArray, lt, ne } from "drizzle-orm";
import type { Db } from "@/db";
import { activityLog, emailOutbox, mailbox } from "@/db/schema";

/** Rows deleted per statement: small enough that no delete holds locks or bloats a transaction for long. */
export const PRUNE_BATCH = 1000;

export type RetentionPolicy = { activityDays: number; outboxDays: number };
export type PruneResult = { activity: number; outbox: number; mailbox: number };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps the database bounded under a busy IdP: deletes activity-log entries older than `activityDays`, and
 * delivered or failed emails (outbox and local mailbox) older than `outboxDays`. A pending email is never
 * deleted, however old. 0 days keeps a table forever. Deletes go in batches of PRUNE_BATCH rows, each its own
 * statement, along the indexes made for it, so several instances pruning at once only share the work.
 */
export async function pruneOldRows(db: Db, policy: RetentionPolicy, now = new Date()): Promise<PruneResult> {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const result: PruneResult = { activity: 0, outbox: 0, mailbox: 0 };
  if (policy.activityDays > 0) {
    const cutoff = before(policy.activityDays);
    result.activity = await inBatches(() =>
      db
        .delete(activityLog)
        .where(inArray(activityLog.id, db.select({ id: activityLog.id }).from(activityLog).where(lt(activityLog.at, cutoff)).limit(PRUNE_BATCH)))
        .returning({ id: activityLog.id }),
    );
  }
  if (policy.outboxDays > 0) {
    const cutoff = before(policy.outboxDays);
    const done = and(ne(emailOutbox.status, "pending"), lt(emailOutbox.createdAt, cutoff));
    result.outbox = await inBatches(() =>
      db
        .delete(emailOutbox)
        .where(inArray(emailOutbox.id, db.select({ id: emailOutbox.id }).from(emailOutbox).where(done).limit(PRUNE_BATCH)))
        .returning({ id: emailOutbox.id }),
    );
    result.mailbox = await inBatches(() =>
      db
        .delete(mailbox)
        .where(inArray(mailbox.id, db.select({ id: mailbox.id }).from(mailbox).where(lt(mailbox.createdAt, cutoff)).limit(PRUNE_BATCH)))
        .returning({ id: mailbox.id }),
    );
  }
  return result;
}

async function inBatches(deleteBatch: () => Promise<unknown[]>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = (await deleteBatch()).length;
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}
