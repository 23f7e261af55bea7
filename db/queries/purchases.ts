import { desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { jsonParam, statement, uuidArray } from "@/db/run";
import { seatPurchases, type LicenseTier, type Locale } from "@/db/schema";

/** A tenant's seat purchases, newest first. */
export async function listPurchases(db: DbOrTx, tenantId: string) {
  return db.select().from(seatPurchases).where(eq(seatPurchases.tenantId, tenantId)).orderBy(desc(seatPurchases.createdAt), desc(seatPurchases.id));
}

/** What a receipt queued unrendered shows: its purchase, the tenant's name, and the language of its admin. */
export type ReceiptFacts = {
  outboxId: string;
  tier: LicenseTier;
  quantity: number;
  unitPriceCents: number;
  totalCents: number;
  reason: string;
  tenantName: string;
  locale: Locale;
};

const receiptFactsStatement = statement(
  "receipt_facts",
  ["ids"],
  (p) => sql<ReceiptFacts>`select o.id as "outboxId", p.tier, p.quantity, p.unit_price_cents as "unitPriceCents",
      p.total_cents as "totalCents", p.reason, t.name as "tenantName",
      -- The admin's own language, else the tenant's (an email may also be another user's, kept from access).
      coalesce((select u.locale from users u where u.tenant_id = o.tenant_id and lower(u.email) = lower(o."to")
                order by u.role = 'admin' desc, u.locale is null limit 1), t.locale) as locale
    from email_outbox o join seat_purchases p on p.id = o.purchase_id join tenants t on t.id = p.tenant_id
    where o.id = any(${uuidArray(p.ids)})`,
);

/** The facts of the given outbox rows' receipts (rows without a purchase are left out). */
export async function receiptFacts(db: DbOrTx, outboxIds: string[]): Promise<ReceiptFacts[]> {
  if (outboxIds.length === 0) return [];
  return receiptFactsStatement(db, { ids: jsonParam(outboxIds) });
}

const queueReceiptsStatement = statement(
  "queue_receipts",
  ["limit"],
  (p) => sql<{ purchases: number; receipts: number }>`with
    due as (
      select id, tenant_id from seat_purchases where receipts_queued_at is null
      order by created_at limit ${p.limit}::int
      for update skip locked
    ),
    -- A receipt per purchase for every active admin, rendered when delivered (lib/email/outbox.ts); one per key, ever.
    queued as (
      insert into email_outbox (tenant_id, kind, "to", idempotency_key, purchase_id)
      select d.tenant_id, 'receipt', u.email, 'receipt:' || d.id || ':' || lower(u.email), d.id
      from due d join users u on u.tenant_id = d.tenant_id and u.role = 'admin' and u.status <> 'deactivated'
      on conflict (idempotency_key) do nothing
      returning 1
    ),
    marked as (update seat_purchases set receipts_queued_at = now() where id in (select id from due) returning 1)
    select (select count(*) from marked)::int as "purchases", (select count(*) from queued)::int as "receipts"`,
);

/**
 * Puts the receipts of up to `limit` purchases that have none queued yet in the outbox, one per active admin of
 * the purchase's tenant, and marks those purchases, in one statement. Drains on several instances take disjoint
 * purchases (SKIP LOCKED); a receipt's idempotency key (purchase and address) keeps it to one per admin, ever.
 */
export async function queueReceipts(db: DbOrTx, limit = 100): Promise<{ purchases: number; receipts: number }> {
  const [row] = await queueReceiptsStatement(db, { limit });
  return row;
}
