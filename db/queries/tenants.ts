import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { licenseTiers, seats, tenants } from "@/db/schema";
import type { SeatOffer } from "@/lib/provisioning/preview";

export type Tenant = typeof tenants.$inferSelect;

export async function getTenantBySlug(db: DbOrTx, slug: string): Promise<Tenant | undefined> {
  const [row] = await db.select().from(tenants).where(sql`lower(${tenants.slug}) = lower(${slug})`);
  return row;
}

export async function getTenantById(db: DbOrTx, id: string): Promise<Tenant | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, id));
  return row;
}

export async function listTenants(db: DbOrTx): Promise<Tenant[]> {
  return db.select().from(tenants).orderBy(tenants.slug);
}

export async function listSeats(db: DbOrTx, tenantId: string) {
  return db.select().from(seats).where(eq(seats.tenantId, tenantId)).orderBy(seats.tier);
}

/** Seats owned and the price of one more, per tier (a tier without a row owns none). */
export async function getSeatOffer(db: DbOrTx, tenantId: string): Promise<SeatOffer> {
  const rows = await listSeats(db, tenantId);
  return Object.fromEntries(
    licenseTiers.map((tier) => {
      const row = rows.find((s) => s.tier === tier);
      return [tier, { quantity: row?.quantity ?? 0, unitPriceCents: row?.unitPriceCents ?? 0 }];
    }),
  ) as SeatOffer;
}

/**
 * Serialises an admin's changes of one tenant (mapping save, connect, rotate, disconnect, removal) for the rest
 * of the transaction. NO KEY UPDATE: SCIM requests inserting rows that reference the tenant (their foreign-key
 * checks take KEY SHARE) do not wait for it. Returns the tenant as of the lock.
 */
export async function lockTenant(tx: DbOrTx, tenantId: string): Promise<Tenant> {
  const [row] = await tx.select().from(tenants).where(eq(tenants.id, tenantId)).for("no key update");
  return row;
}
