import { describe, expect, it } from "vitest";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { bufferActivity, flushActivity, recordActivity } from "@/lib/activity";
import { createTenant } from "@/lib/tenants/create-tenant";
import { listActivityPage } from "./activity";

let n = 0;

describe.each(testDrivers)("the activity log on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("buffers reads until a flush, and pages newest first by (at, id) with an outcome filter", async () => {
    const slug = `act-${process.pid}-${++n}`;
    const tenant = await createTenant(t.db, { name: "Act", slug, adminEmail: `owner@${slug}.example` });
    const base = Date.now() + 3_600_000;
    const at = (s: number) => new Date(base + s * 1000);
    for (let i = 0; i < 4; i++) {
      bufferActivity(t.db, { tenantId: tenant.id, at: at(i), actor: "scim", method: "GET", path: `/Users/${i}`, status: i === 2 ? 404 : 200, summary: `read ${i}` });
    }
    // Two entries in the same millisecond: id breaks the tie.
    await recordActivity(
      t.db,
      { tenantId: tenant.id, at: at(10), actor: "scim", method: "POST", path: "/Users", status: 201, summary: "write a" },
      { tenantId: tenant.id, at: at(10), actor: "scim", method: "POST", path: "/Users", summary: "Warning: b" },
    );
    const scim = async (page: Awaited<ReturnType<typeof listActivityPage>>) => page.rows.filter((r) => r.actor === "scim").map((r) => r.summary);
    expect(await scim(await listActivityPage(t.db, tenant.id, { limit: 10 }))).toEqual(["Warning: b", "write a"]);

    await flushActivity();
    const first = await listActivityPage(t.db, tenant.id, { limit: 3 });
    expect(first.rows.map((r) => r.summary)).toEqual(["Warning: b", "write a", "read 3"]);
    const second = await listActivityPage(t.db, tenant.id, { limit: 3, before: first.next! });
    expect(second.rows.map((r) => r.summary)).toEqual(["read 2", "read 1", "read 0"]);
    const rest = await listActivityPage(t.db, tenant.id, { limit: 3, before: second.next! });
    expect(rest.rows.map((r) => r.summary)).toEqual([expect.stringContaining("Tenant created")]);
    expect(rest.next).toBeNull();

    expect((await listActivityPage(t.db, tenant.id, { limit: 10, outcome: "failure" })).rows.map((r) => r.summary)).toEqual(["read 2"]);
    expect((await listActivityPage(t.db, tenant.id, { limit: 10, outcome: "success" })).rows).toHaveLength(6);
  });
});
