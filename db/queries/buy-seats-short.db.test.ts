import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailOutbox, licenseTiers, seatPurchases, seats, users } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { shortfallCases } from "@/lib/provisioning/seats.cases";
import { createTenant } from "@/lib/tenants/create-tenant";
import { buySeatsShort } from "./access";
import { queueReceipts } from "./purchases";

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
    // The purchase commits without its receipts; the next drain queues one per purchase for the admin, unrendered
    // with its purchase (rendered when delivered), and marks the purchase.
    expect(await t.db.select().from(emailOutbox).where(eq(emailOutbox.tenantId, tenant.id))).toEqual([]);
    expect(recorded.every((p) => p.receiptsQueuedAt === null)).toBe(true);
    await queueReceipts(t.db);
    const receipts = await t.db.select().from(emailOutbox).where(eq(emailOutbox.tenantId, tenant.id));
    expect(receipts.map((r) => [r.kind, r.to, r.purchaseId, r.html, r.idempotencyKey]).sort()).toEqual(
      recorded.map((p) => ["receipt", `owner@${slug}.example`, p.id, null, `receipt:${p.id}:owner@${slug}.example`]).sort(),
    );
    const marked = await t.db.select().from(seatPurchases).where(eq(seatPurchases.tenantId, tenant.id));
    expect(marked.every((p) => p.receiptsQueuedAt instanceof Date)).toBe(true);
  });

  it("queues a purchase's receipts once, for the admins active when it does, also with two drains at once", async () => {
    const slug = `fan-out-${driver}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example`, seats: { team: 1 } });
    const admin = (email: string, status: "active" | "deactivated") => ({ tenantId: tenant.id, email, role: "admin" as const, license: "none" as const, status, source: "manual" as const });
    await t.db.insert(users).values([
      admin(`ada@${slug}.example`, "active"),
      admin(`bob@${slug}.example`, "deactivated"),
      ...Array.from({ length: 30 }, (_, n) => admin(`a${n}@${slug}.example`, "active")),
    ]);
    for (let n = 0; n < 3; n++) {
      await t.db.update(seats).set({ held: sql`quantity + 2` }).where(and(eq(seats.tenantId, tenant.id), eq(seats.tier, "team")));
      expect(await t.db.transaction((tx) => buySeatsShort(tx, tenant.id, ["team"], `purchase ${n}`))).toEqual({ purchases: 1 });
    }
    // Ada leaves before the receipts are queued: she gets none.
    await t.db.update(users).set({ status: "deactivated" }).where(eq(users.email, `ada@${slug}.example`));

    await Promise.all([queueReceipts(t.db, 2), queueReceipts(t.db, 2), queueReceipts(t.db, 2)]);
    await queueReceipts(t.db);
    const purchases = await t.db.select().from(seatPurchases).where(eq(seatPurchases.tenantId, tenant.id));
    expect(purchases).toHaveLength(3);
    const receipts = await t.db.select().from(emailOutbox).where(eq(emailOutbox.tenantId, tenant.id));
    // 31 active admins (the owner and a0…a29) × 3 purchases, each exactly once.
    expect(receipts).toHaveLength(31 * 3);
    expect(new Set(receipts.map((r) => `${r.purchaseId} ${r.to}`)).size).toBe(31 * 3);
    expect(receipts.some((r) => r.to.startsWith("ada@") || r.to.startsWith("bob@"))).toBe(false);
    expect(await queueReceipts(t.db)).toEqual({ purchases: 0, receipts: 0 });
  });
});
