import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { emailKindEnum, outboxStatusEnum } from "./enums";
import { seatPurchases, tenants } from "./tenants";

/**
 * Email content many emails share: a rendering that is the same for every email of its kind and inputs (an
 * invitation to a tenant, in a language, for a role and a license) but for one link, which stands in it as a
 * placeholder (lib/email/templates/link.ts). Stored once, by a hash of the tenant and the content (`id`, so a row
 * never changes), and referenced by the outbox rows that deliver it with their own links: a sync that invites
 * 10,000 people writes a few renderings rather than 10,000. Rows go with their tenant; there are as many as
 * distinct renderings, so nothing else prunes them.
 */
export const emailContents = pgTable("email_contents", {
  id: text("id").primaryKey(),
  tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
  subject: text("subject").notNull(),
  text: text("text").notNull(),
  html: text("html").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/**
 * Transactional outbox: a row is inserted in the same transaction as the change that causes the email and is
 * delivered after commit by lib/email/outbox.ts, with retries. `idempotencyKey` makes an email exactly-once:
 * a second enqueue with the same key is a no-op, and the provider gets the key too. A seat purchase's receipts are
 * queued by the drain after the purchase committed, with only their `purchaseId`, and rendered from that purchase
 * when first delivered (subject, text and html are stored then): neither happens under the purchase's seats lock.
 */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    kind: emailKindEnum("kind").notNull(),
    to: text("to").notNull(),
    subject: text("subject"),
    text: text("text"),
    html: text("html"),
    /** Shared content (emailContents) the email is, with `link` in place of its placeholder. */
    contentId: text("content_id").references(() => emailContents.id),
    link: text("link"),
    /** The purchase a receipt queued unrendered is rendered from. */
    purchaseId: uuid("purchase_id").references(() => seatPurchases.id, { onDelete: "cascade" }),
    idempotencyKey: text("idempotency_key").notNull(),
    status: outboxStatusEnum("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastError: text("last_error"),
    providerMessageId: text("provider_message_id"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    uniqueIndex("email_outbox_idempotency_key").on(t.idempotencyKey),
    index("email_outbox_due_idx").on(t.status, t.nextAttemptAt),
    // Retention (lib/retention.ts) deletes delivered and failed messages by age; pending ones are never pruned.
    index("email_outbox_done_created_idx").on(t.createdAt).where(sql`${t.status} <> 'pending'`),
    check(
      "email_outbox_rendered_or_purchase",
      sql`(${t.subject} is not null and ${t.text} is not null and ${t.html} is not null) or (${t.contentId} is not null and ${t.link} is not null) or ${t.purchaseId} is not null`,
    ),
  ],
);

/**
 * The local mailbox: where emails are delivered when no RESEND_API_KEY is set. Shown at /dev/mailbox. An email
 * made of a shared rendering (emailContents) is kept as that rendering's id and its link, as in the outbox;
 * listMailbox puts the two together.
 */
export const mailbox = pgTable(
  "mailbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    kind: emailKindEnum("kind").notNull(),
    to: text("to").notNull(),
    subject: text("subject"),
    text: text("text"),
    html: text("html"),
    contentId: text("content_id").references(() => emailContents.id),
    link: text("link"),
    links: jsonb("links").$type<string[]>().notNull().default([]),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("mailbox_idempotency_key").on(t.idempotencyKey),
    index("mailbox_to_idx").on(t.to),
    index("mailbox_created_idx").on(t.createdAt),
    check(
      "mailbox_content",
      sql`(${t.subject} is not null and ${t.text} is not null and ${t.html} is not null) or (${t.contentId} is not null and ${t.link} is not null)`,
    ),
  ],
);
