import { and, eq, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tenants } from "@/db/schema";
import { createTenant } from "@/lib/tenants/create-tenant";
import { jsonParam, reusable, reusableShaped, shapeOf, SHAPES_KEPT, statement } from "./run";
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

describe.each(testDrivers)("statements built per shape of their dynamic part on %s", (driver) => {
  const test = useTestDatabase(driver);
  type Handle = Parameters<typeof reusable>[0];
  const build = vi.fn((handle: Handle, [where]: (SQL | undefined)[]) =>
    handle.select({ slug: tenants.slug }).from(tenants).where(where).orderBy(tenants.slug).prepare("test_tenants_where"),
  );
  const slugsWhere = async (db: Handle, where: SQL) => {
    const { query, values } = reusableShaped(db, "test_tenants_where", [shapeOf(where, "w")], build);
    return (await query.execute(values)).map((row) => row.slug);
  };
  afterEach(() => build.mockClear());

  it("builds a statement once per shape and runs it with each part's own values", async () => {
    for (const slug of ["shape-a", "shape-b", "shape-c"]) await createTenant(test.db, { name: slug, slug, adminEmail: `a@${slug}.example` });
    expect(await slugsWhere(test.db, eq(tenants.slug, "shape-a"))).toEqual(["shape-a"]);
    expect(await slugsWhere(test.db, eq(tenants.slug, "shape-b"))).toEqual(["shape-b"]);
    expect(build).toHaveBeenCalledTimes(1);
    // Another shape, built once too; a list of the same length is the same shape.
    expect(await slugsWhere(test.db, or(eq(tenants.slug, "shape-a"), eq(tenants.slug, "shape-c"))!)).toEqual(["shape-a", "shape-c"]);
    expect(await slugsWhere(test.db, inArray(tenants.slug, ["shape-a", "shape-b"]))).toEqual(["shape-a", "shape-b"]);
    expect(await slugsWhere(test.db, inArray(tenants.slug, ["shape-c", "nothing"]))).toEqual(["shape-c"]);
    expect(build).toHaveBeenCalledTimes(3);
    // Values as drizzle sends them: raw, null, and encoded by their column (a Date for a timestamp).
    const before = (slug: string, time: Date) => and(eq(tenants.slug, slug), lt(tenants.createdAt, time))!;
    expect(await slugsWhere(test.db, before("shape-b", new Date(Date.now() + 60_000)))).toEqual(["shape-b"]);
    expect(await slugsWhere(test.db, before("shape-b", new Date(0)))).toEqual([]);
    expect(await slugsWhere(test.db, sql`coalesce(${null}::text, ${tenants.slug}) = ${"shape-c"}`)).toEqual(["shape-c"]);
  });

  it("refuses a part whose template would keep a value (a subquery's) or that has a placeholder of its own", async () => {
    const subquery = test.db.select({ slug: tenants.slug }).from(tenants).where(eq(tenants.slug, "shape-a"));
    await expect(slugsWhere(test.db, inArray(tenants.slug, subquery))).rejects.toThrow(/renders differently as a template/);
    // Its text is that of a shape built before (`eq(tenants.slug, …)`): refused all the same.
    await slugsWhere(test.db, eq(tenants.slug, "shape-a"));
    await expect(slugsWhere(test.db, sql`${tenants.slug} = ${sql.placeholder("own")}`)).rejects.toThrow(/placeholder of its own/);
    expect(shapeOf(eq(tenants.slug, "x"), "w").values).toEqual({ w0: "x" });
  });

  it(`keeps the ${SHAPES_KEPT} most recently used shapes, so ever new shapes cannot fill the memory`, async () => {
    await createTenant(test.db, { name: "Kept", slug: "kept", adminEmail: "a@kept.example" });
    const shape = (n: number) => sql`${tenants.slug} = ${"kept"} and ${sql.raw(String(n))} = ${sql.raw(String(n))}`;
    expect(await slugsWhere(test.db, shape(0))).toEqual(["kept"]);
    for (let n = 1; n <= SHAPES_KEPT; n++) await slugsWhere(test.db, shape(n));
    expect(build).toHaveBeenCalledTimes(SHAPES_KEPT + 1);
    // The most recent one is still built; the first was dropped when the 257th came, and is built again.
    await slugsWhere(test.db, shape(SHAPES_KEPT));
    expect(build).toHaveBeenCalledTimes(SHAPES_KEPT + 1);
    expect(await slugsWhere(test.db, shape(0))).toEqual(["kept"]);
    expect(build).toHaveBeenCalledTimes(SHAPES_KEPT + 2);
  });
});
