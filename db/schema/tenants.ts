import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { licenseTierEnum, localeEnum } from "./enums";

/** A customer organisation. Every other row hangs off a tenant; tenants never see each other's rows. */
export const tenants = pgTable(
  "tenants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    locale: localeEnum("locale").notNull().default("en"),
    /** Send an invitation email to users who gain access for the first time. */
    inviteOnProvision: boolean("invite_on_provision").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("tenants_slug_key").on(sql`lower(${t.slug})`)],
);

/** Seats a tenant owns per license tier, and what one more costs. Raised by purchases, never lowered. */
export const seats = pgTable(
  "seats",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    tier: licenseTierEnum("tier").notNull(),
    quantity: integer("quantity").notNull().default(0),
    /**
     * Users holding a seat of this tier now (role other than none, license this tier), kept by delta by a
     * trigger on users (migration 0001_seat_holders): exact whichever code writes a user, and the row lock its
     * update takes is the one lock that makes a seat purchase exactly-once.
     */
    held: integer("held").notNull().default(0),
    unitPriceCents: integer("unit_price_cents").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.tier] })],
);

/**
 * The ledger of automatic seat purchases. One row is one charge: written in the same transaction that raised
 * `seats.quantity`, so a purchase is never lost and never doubled.
 */
export const seatPurchases = pgTable("seat_purchases", {
  id: uuid("id").primaryKey().defaultRandom(),
  tenantId: uuid("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" }),
  tier: licenseTierEnum("tier").notNull(),
  quantity: integer("quantity").notNull(),
  unitPriceCents: integer("unit_price_cents").notNull(),
  totalCents: integer("total_cents").notNull(),
  /** What caused it, e.g. `SCIM PATCH /Groups/…` or `admin save by ada@acme.example`. */
  reason: text("reason").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  /**
   * When its receipts (one per active admin) were put in the outbox; null until then. The purchase commits under
   * the seats lock without them, and the next outbox drain queues them (db/queries/purchases.ts queueReceipts).
   */
  receiptsQueuedAt: timestamp("receipts_queued_at", { withTimezone: true, precision: 3 }),
}, (t) => [
  // The purchases whose receipts are still to be queued: what every drain asks first, found without a scan.
  index("seat_purchases_receipts_due_idx").on(t.createdAt).where(sql`${t.receiptsQueuedAt} is null`),
]);
