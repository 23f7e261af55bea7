import { eq, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tenants } from "@/db/schema";
import { createTenant } from "@/lib/tenants/create-tenant";
import { jsonParam, reusable, statement } from "./run";
import { testDrivers, useTestDatabase } from "./testing";

/** A tenant's name by slug, both ways db/run.ts offers: a hand-written statement and a built query. */
const nameBySlug = statement("test_tenant_name_by_slug", ["slug"], (p) => sql<{ name: string }>`select name from tenants where slug = ${p.slug}`);
const builtNameBySlug = (db: Parameters<typeof reusable>[0]) =>
  reusable(db, "test_tenant_name_by_slug_built", (handle) =>
    handle.select({ name: tenants.name }).from(tenants).where(eq(tenants.slug, sql.placeholder("slug"))).prepare("test_tenant_name_by_slug_built"),
  );

describe.each(testDrivers)("statements built once on %s", (driver) => {
  const first = useTestDatabase(driver);
  const second = useTestDatabase(driver);
  afterEach(() => vi.restoreAllMocks());

  it("run on the handle they are given: shared, in a transaction (and see its writes), or another database's", async () => {
    await createTenant(first.db, { name: "First", slug: "built-first", adminEmail: "a@first.example" });
    await createTenant(second.db, { name: "Second", slug: "built-second", adminEmail: "a@second.example" });
    const read = async (db: Parameters<typeof reusable>[0], slug: string) => [
      (await nameBySlug(db, { slug }))[0]?.name,
      (await builtNameBySlug(db).execute({ slug }))[0]?.name,
    ];

    expect(await read(first.db, "built-first")).toEqual(["First", "First"]);
    const building = vi.spyOn(PgDialect.prototype, "sqlToQuery");
    // The other database answers from its own rows, not from the one the statements were built on.
    expect(await read(second.db, "built-second")).toEqual(["Second", "Second"]);
    expect(await read(second.db, "built-first")).toEqual([undefined, undefined]);
    // A transaction sees its own uncommitted write, so the statements ran on its connection.
    await first.db
      .transaction(async (tx) => {
        await tx.update(tenants).set({ name: "Renamed" }).where(eq(tenants.slug, "built-first"));
        const counted = building.mock.calls.length;
        expect(await read(tx, "built-first")).toEqual(["Renamed", "Renamed"]);
        expect(building.mock.calls.length).toBe(counted);
        throw new Error("roll back");
      })
      .catch((error: Error) => expect(error.message).toBe("roll back"));
    expect(await read(first.db, "built-first")).toEqual(["First", "First"]);
    // Only the transaction's own update was built; neither statement was built again.
    expect(building.mock.calls.length).toBe(1);
  });

  it("passes lists as jsonb, a lone surrogate as U+FFFD (as a text parameter would), everything else unchanged", async () => {
    const echo = statement("test_json_echo", ["values"], (p) => sql<{ value: string }>`select value from jsonb_array_elements_text(${p.values}::jsonb)`);
    const sent = ["\ud800", "a\udc00b", "\\ud800 as text", "😀", "\u0001 'quoted' \"double\""];
    const rows = await echo(first.db, { values: jsonParam(sent) });
    expect(rows.map((r) => r.value)).toEqual(["\uFFFD", "a\uFFFDb", "\\ud800 as text", "😀", "\u0001 'quoted' \"double\""]);
  });

  it("refuses to run without a value for a placeholder", async () => {
    await expect(nameBySlug(first.db, {} as { slug: string })).rejects.toThrow(/placeholder/i);
  });
});
