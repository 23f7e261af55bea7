import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { jsonParam, statement } from "@/db/run";
import { emailContents, mailbox, type EmailKind } from "@/db/schema";
import { withLink } from "@/lib/email/templates/link";

/** A message of the local mailbox as delivered: its content whole, whether stored so or as a shared rendering. */
export type MailboxMessage = Omit<typeof mailbox.$inferSelect, "subject" | "text" | "html" | "contentId" | "link"> & {
  subject: string;
  text: string;
  html: string;
};

/** The local mailbox, newest first; optionally one tenant's, one recipient's or one email domain's messages. */
export async function listMailbox(
  db: DbOrTx,
  filter: { tenantId?: string; to?: string; domain?: string; limit?: number } = {},
): Promise<MailboxMessage[]> {
  const rows = await db
    .select({ message: mailbox, shared: { subject: emailContents.subject, text: emailContents.text, html: emailContents.html } })
    .from(mailbox)
    .leftJoin(emailContents, eq(emailContents.id, mailbox.contentId))
    .where(
      and(
        filter.tenantId ? eq(mailbox.tenantId, filter.tenantId) : undefined,
        filter.to ? sql`lower(${mailbox.to}) = lower(${filter.to})` : undefined,
        filter.domain ? sql`split_part(lower(${mailbox.to}), '@', 2) = lower(${filter.domain})` : undefined,
      ),
    )
    .orderBy(desc(mailbox.createdAt))
    .limit(filter.limit ?? 100);
  return rows.map(({ message: { subject, text, html, contentId, link, ...message }, shared }) => {
    const content =
      subject !== null && text !== null && html !== null
        ? { subject, text, html }
        : withLink({ content: shared ?? { subject: "", text: "", html: "" }, link: link ?? "" });
    return { ...message, ...content };
  });
}

/** A message for the local mailbox, keyed like the outbox row it delivers. */
export type MailboxDelivery = {
  tenantId: string | null;
  kind: EmailKind;
  to: string;
  links: string[];
  idempotencyKey: string;
} & ({ subject: string; text: string; html: string } | { contentId: string; link: string });

// A key delivered before keeps its message (the no-op update makes RETURNING give its id): exactly once per key.
const deliverStatement = statement(
  "mailbox_deliver",
  ["rows"],
  (p) => sql<{ id: string; idempotencyKey: string }>`insert into mailbox (tenant_id, kind, "to", subject, text, html, content_id, link, links, idempotency_key)
    select v."tenantId", v.kind, v."to", v.subject, v.text, v.html, v."contentId", v.link, coalesce(v.links, '[]'::jsonb), v."idempotencyKey"
    from jsonb_to_recordset(${p.rows}::jsonb)
      as v("tenantId" uuid, kind email_kind, "to" text, subject text, text text, html text, "contentId" text, link text, links jsonb, "idempotencyKey" text)
    on conflict (idempotency_key) do update set idempotency_key = excluded.idempotency_key
    returning id, idempotency_key as "idempotencyKey"`,
);

/**
 * Puts messages in the local mailbox in one statement (one made of a shared rendering as its id and link), at most
 * one per idempotency key; returns each key's message id (the earlier message's, for a key delivered before).
 */
export async function deliverToMailbox(db: DbOrTx, messages: MailboxDelivery[]): Promise<Map<string, string>> {
  const unique = [...new Map(messages.map((m) => [m.idempotencyKey, m])).values()];
  if (unique.length === 0) return new Map();
  const rows = await deliverStatement(db, { rows: jsonParam(unique) });
  return new Map(rows.map((r) => [r.idempotencyKey, r.id]));
}
