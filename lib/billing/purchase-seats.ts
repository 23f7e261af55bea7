import { and, eq, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { licenseTiers, seatPurchases, seats, users } from "@/db/schema";
import { getSeatOffer, lockTenant, type Tenant } from "@/db/queries/tenants";
import { enqueueEmail } from "@/lib/email/outbox";
import { receiptEmail } from "@/lib/email/templates";
import { env } from "@/lib/env";
import { countSeatsHeld, resolveSeatShortfall, zeroSeats, type SeatCounts } from "@/lib/provisioning/seats";

export type SeatPurchase = typeof seatPurchases.$inferSelect;

/** Seats held per tier, counted by the one rule in countSeatsHeld over (role, license) groups. */
async function seatsHeld(tx: DbOrTx, tenantId: string): Promise<SeatCounts> {
  const groups = await tx
    .select({ role: users.role, license: users.license, count: sql<number>`count(*)::int` })
    .from(users)
    .where(eq(users.tenantId, tenantId))
    .groupBy(users.role, users.license);
  return countSeatsHeld(groups);
}

/**
 * Buys the seats a tenant is short of and bills them at once: per tier one purchase row (the charge), the seat
 * count raised by exactly the shortfall, and a receipt to every admin through the outbox — all in the caller's
 * transaction. The tenant row lock makes concurrent requests (any instance) queue here, so each sees the seats
 * the previous one bought: a shortfall is bought once, never twice, and never left unbought.
 */
export async function buyMissingSeats(tx: DbOrTx, tenant: Tenant, reason: string): Promise<SeatPurchase[]> {
  await lockTenant(tx, tenant.id);
  const offer = await getSeatOffer(tx, tenant.id);
  const owned = zeroSeats();
  for (const tier of licenseTiers) owned[tier] = offer[tier].quantity;
  const short = resolveSeatShortfall(await seatsHeld(tx, tenant.id), owned);
  const purchases: SeatPurchase[] = [];
  for (const tier of licenseTiers) {
    if (short[tier] === 0) continue;
    const { unitPriceCents } = offer[tier];
    const [purchase] = await tx
      .insert(seatPurchases)
      .values({ tenantId: tenant.id, tier, quantity: short[tier], unitPriceCents, totalCents: unitPriceCents * short[tier], reason })
      .returning();
    await tx
      .insert(seats)
      .values({ tenantId: tenant.id, tier, quantity: short[tier], unitPriceCents })
      .onConflictDoUpdate({ target: [seats.tenantId, seats.tier], set: { quantity: sql`${seats.quantity} + ${short[tier]}` } });
    await sendReceipts(tx, tenant, purchase);
    purchases.push(purchase);
  }
  return purchases;
}

async function sendReceipts(tx: DbOrTx, tenant: Tenant, purchase: SeatPurchase): Promise<void> {
  const admins = await tx
    .select({ email: users.email, locale: users.locale })
    .from(users)
    .where(and(eq(users.tenantId, tenant.id), eq(users.role, "admin"), ne(users.status, "deactivated")));
  for (const admin of admins) {
    const locale = admin.locale ?? tenant.locale;
    const rendered = await receiptEmail(locale, { ...purchase, tenantName: tenant.name, url: `${env().appUrl}/settings/users` });
    await enqueueEmail(
      tx,
      { ...rendered, to: admin.email, kind: "receipt", tenantId: tenant.id },
      `receipt:${purchase.id}:${admin.email.toLowerCase()}`,
    );
  }
}
