import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailOutbox, licenseTiers, seatPurchases, seats } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { shortfallCases } from "@/lib/provisioning/seats.cases";
import { createTenant } from "@/lib/tenants/create-tenant";
import { buySeatsShort } from "./access";

/**
 * The purchase statement computes the shortfall in SQL, under the seats lock; it must buy what the rule's own
 * function, resolveSeatShortfall, says for every example of the rule (lib/provisioning/seats.cases.ts).
 */
describe.each(testDrivers)("buySeatsShort on %s", (driver) => {
  const t = useTestDatabase(driver);
  let n = 0;

  it.each(shortfallCases)("held %j, owned %j: buys %j, raises the seats by it and queues a receipt per purchase", async (held, owned, short) => {
    const slug = `short-${++n}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example`, seats: owned });
    // The held counts as the users trigger keeps them, set directly: this tests the statement, not the trigger.
    for (const tier of licenseTiers) {
      await t.db.update(seats).set({ held: held[tier] }).where(and(eq(seats.tenantId, tenant.id), eq(seats.tier, tier)));
    }
    const bought = await t.db.transaction((tx) => buySeatsShort(tx, tenant.id, [...licenseTiers], "test"));

    const recorded = await t.db.select().from(seatPurchases).where(eq(seatPurchases.tenantId, tenant.id));
    const perTier = Object.fromEntries(licenseTiers.map((tier) => [tier, recorded.find((p) => p.tier === tier)?.quantity ?? 0]));
    expect(perTier).toEqual(short);
    expect(recorded.every((p) => p.quantity > 0 && p.totalCents === p.quantity * p.unitPriceCents && p.reason === "test")).toBe(true);
    expect(bought.purchases).toBe(recorded.length);
    const after = await t.db.select().from(seats).where(eq(seats.tenantId, tenant.id));
    expect(Object.fromEntries(after.map((row) => [row.tier, row.quantity]))).toEqual(
      Object.fromEntries(licenseTiers.map((tier) => [tier, owned[tier] + short[tier]])),
    );
    // One receipt per purchase for the admin, queued unrendered with its purchase (rendered when delivered).
    const receipts = await t.db.select().from(emailOutbox).where(eq(emailOutbox.tenantId, tenant.id));
    expect(bought.receipts).toBe(recorded.length);
    expect(receipts.map((r) => [r.kind, r.to, r.purchaseId, r.html, r.idempotencyKey]).sort()).toEqual(
      recorded.map((p) => ["receipt", `owner@${slug}.example`, p.id, null, `receipt:${p.id}:owner@${slug}.example`]).sort(),
    );
  });
});
