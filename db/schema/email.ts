import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { emailKindEnum, outboxStatusEnum } from "./enums";
import { seatPurchases, tenants } from "./tenants";

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
    check("email_outbox_rendered_or_purchase", sql`(${t.subject} is not null and ${t.text} is not null and ${t.html} is not null) or ${t.purchaseId} is not null`),
  ],
);

/** The local mailbox: where emails are delivered when no RESEND_API_KEY is set. Shown at /dev/mailbox. */
export const mailbox = pgTable(
  "mailbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    kind: emailKindEnum("kind").notNull(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    links: jsonb("links").$type<string[]>().notNull().default([]),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("mailbox_idempotency_key").on(t.idempotencyKey),
    index("mailbox_to_idx").on(t.to),
    index("mailbox_created_idx").on(t.createdAt),
  ],
);
