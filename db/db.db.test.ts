import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { scimUsers, tenants } from "@/db/schema";
import { createTenant } from "@/lib/tenants/create-tenant";
import { getTenantBySlug, listSeats } from "@/db/queries/tenants";
import { testDrivers, useTestDatabase } from "@/db/testing";

describe.each(testDrivers)("database on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("creates a tenant with its admin and seats in one transaction", async () => {
    const tenant = await createTenant(t.db, {
      name: "Initech",
      slug: "initech",
      adminEmail: "Boss@Initech.example",
      seats: { team: 4, enterprise: { quantity: 1, unitPriceCents: 9900 } },
    });
    expect(await getTenantBySlug(t.db, "INITECH")).toMatchObject({ id: tenant.id, name: "Initech" });
    const seats = await listSeats(t.db, tenant.id);
    expect(seats.map((s) => [s.tier, s.quantity, s.unitPriceCents])).toEqual([
      ["starter", 0, 800],
      ["team", 4, 1500],
      ["enterprise", 1, 9900],
    ]);
  });

  it("refuses a second tenant with the same slug and leaves nothing half-written", async () => {
    await createTenant(t.db, { name: "Hooli", slug: "hooli", adminEmail: "a@hooli.example" });
    await expect(createTenant(t.db, { name: "Hooli 2", slug: "hooli", adminEmail: "b@hooli.example" })).rejects.toThrow(
      /already exists/,
    );
    const count = await t.db.select({ n: sql<number>`count(*)::int` }).from(tenants).where(sql`${tenants.name} like 'Hooli%'`);
    expect(count[0].n).toBe(1);
  });

  it("keeps userName unique per tenant, case-insensitively", async () => {
    const a = await createTenant(t.db, { name: "A", slug: "case-a", adminEmail: "a@a.example" });
    const b = await createTenant(t.db, { name: "B", slug: "case-b", adminEmail: "b@b.example" });
    const row = (tenantId: string, userName: string) => ({ tenantId, userName, resource: { userName } });
    await t.db.insert(scimUsers).values(row(a.id, "Ada@Example.com"));
    await t.db.insert(scimUsers).values(row(b.id, "ada@example.com"));
    await expect(t.db.insert(scimUsers).values(row(a.id, "ADA@example.COM"))).rejects.toThrow();
  });

  it("leaves room on scim_users' pages: a rename after a sync changes no index (heap-only, migration 0011)", async () => {
    const tenant = await createTenant(t.db, { name: "Room", slug: "room", adminEmail: "owner@room.example" });
    // A sync's worth of users, about ten to a page, then one rename in ten: about one a page.
    const padding = "x".repeat(500);
    await t.db.insert(scimUsers).values(
      Array.from({ length: 200 }, (_, i) => ({ tenantId: tenant.id, userName: `u${i}@room.example`, resource: { userName: `u${i}@room.example`, title: padding } })),
    );
    type Row = { updated: number; hot: number };
    const hot = await t.db.transaction(async (tx) => {
      await tx.execute(sql`update scim_users set display_name = 'Renamed', version = version + 1
        where tenant_id = ${tenant.id} and user_name like '%0@room.example'`);
      // The counts of this transaction, as of now (PostgreSQL docs, "Statistics Functions").
      const counted = (await tx.execute(sql`select pg_stat_get_xact_tuples_updated('scim_users'::regclass)::int as updated,
        pg_stat_get_xact_tuples_hot_updated('scim_users'::regclass)::int as hot`)) as unknown as Row[] | { rows: Row[] };
      return (Array.isArray(counted) ? counted : counted.rows)[0];
    });
    expect(hot).toEqual({ updated: 20, hot: 20 });
  });

  it("rolls a failed transaction back", async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await tx.insert(tenants).values({ name: "Ghost", slug: "ghost" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await getTenantBySlug(t.db, "ghost")).toBeUndefined();
  });
});
