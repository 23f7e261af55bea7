import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { jsonParam, statement } from "@/db/run";
import { mailbox, type EmailKind } from "@/db/schema";

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

/** A message for the local mailbox, keyed like the outbox row it delivers. */
export type MailboxDelivery = {
  tenantId: string | null;
  kind: EmailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
  links: string[];
  idempotencyKey: string;
};

// A key delivered before keeps its message (the no-op update makes RETURNING give its id): exactly once per key.
const deliverStatement = statement(
  "mailbox_deliver",
  ["rows"],
  (p) => sql<{ id: string; idempotencyKey: string }>`insert into mailbox (tenant_id, kind, "to", subject, text, html, links, idempotency_key)
    select v."tenantId", v.kind, v."to", v.subject, v.text, v.html, coalesce(v.links, '[]'::jsonb), v."idempotencyKey"
    from jsonb_to_recordset(${p.rows}::jsonb)
      as v("tenantId" uuid, kind email_kind, "to" text, subject text, text text, html text, links jsonb, "idempotencyKey" text)
    on conflict (idempotency_key) do update set idempotency_key = excluded.idempotency_key
    returning id, idempotency_key as "idempotencyKey"`,
);

/**
 * Puts messages in the local mailbox in one statement, at most one per idempotency key; returns each key's
 * message id (the earlier message's, for a key delivered before).
 */
export async function deliverToMailbox(db: DbOrTx, messages: MailboxDelivery[]): Promise<Map<string, string>> {
  const unique = [...new Map(messages.map((m) => [m.idempotencyKey, m])).values()];
  if (unique.length === 0) return new Map();
  const rows = await deliverStatement(db, { rows: jsonParam(unique) });
  return new Map(rows.map((r) => [r.idempotencyKey, r.id]));
}
