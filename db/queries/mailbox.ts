import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { mailbox } from "@/db/schema";

export type MailboxMessage = typeof mailbox.$inferSelect;

/** The local mailbox, newest first; optionally one tenant's, one recipient's or one email domain's messages. */
export async function listMailbox(
  db: DbOrTx,
  filter: { tenantId?: string; to?: string; domain?: string; limit?: number } = {},
): Promise<MailboxMessage[]> {
  return db
    .select()
    .from(mailbox)
    .where(
      and(
        filter.tenantId ? eq(mailbox.tenantId, filter.tenantId) : undefined,
        filter.to ? sql`lower(${mailbox.to}) = lower(${filter.to})` : undefined,
        filter.domain ? sql`split_part(lower(${mailbox.to}), '@', 2) = lower(${filter.domain})` : undefined,
      ),
    )
    .orderBy(desc(mailbox.createdAt))
    .limit(filter.limit ?? 100);
}
