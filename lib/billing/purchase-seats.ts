import type { DbOrTx } from "@/db";
import type { Locale } from "@/db/schema";
import { insertSeatPurchases, type LockedSeats, type PurchaseRow } from "@/db/queries/access";
import type { EmailMessage } from "@/lib/email/send-email";
import { receiptEmail } from "@/lib/email/templates";
import { env } from "@/lib/env";
import { resolveSeatShortfall, zeroSeats } from "@/lib/provisioning/seats";

export type SeatPurchase = PurchaseRow;

export type QueuedEmail = { message: EmailMessage; idempotencyKey: string };

/**
 * Buys the seats a tenant is short of in the tiers of `seats` and bills them at once: per tier one purchase row
 * (the charge) and the seat count raised by exactly the shortfall, in the caller's transaction; returns the
 * receipts for every admin, for the caller to queue with its other emails. `seats` are the rows lockSeats read
 * after the users write that changed who holds them (which locked them already), locked until commit, so
 * concurrent requests on any instance each see the seats the previous one bought: a shortfall is bought once,
 * never twice, and never left unbought.
 */
export async function buyMissingSeats(
  tx: DbOrTx,
  tenant: { id: string; name: string; locale: Locale },
  seats: LockedSeats,
  reason: string,
): Promise<{ purchases: SeatPurchase[]; receipts: QueuedEmail[] }> {
  const held = zeroSeats();
  const owned = zeroSeats();
  for (const row of seats) {
    held[row.tier] = row.held;
    owned[row.tier] = row.quantity;
  }
  const short = resolveSeatShortfall(held, owned);
  const wanted = seats.filter((r) => short[r.tier] > 0).map((r) => ({ tier: r.tier, quantity: short[r.tier], unitPriceCents: r.unitPriceCents }));
  if (wanted.length === 0) return { purchases: [], receipts: [] };
  const { purchases, admins } = await insertSeatPurchases(tx, tenant.id, wanted, reason);
  const receipts: QueuedEmail[] = [];
  for (const purchase of purchases) {
    for (const admin of admins) {
      const rendered = await receiptEmail(admin.locale ?? tenant.locale, { ...purchase, tenantName: tenant.name, url: `${env().appUrl}/settings/users` });
      receipts.push({
        message: { ...rendered, to: admin.email, kind: "receipt", tenantId: tenant.id },
        idempotencyKey: `receipt:${purchase.id}:${admin.email.toLowerCase()}`,
      });
    }
  }
  return { purchases, receipts };
}
