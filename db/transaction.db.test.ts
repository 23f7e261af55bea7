import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { tenants } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { alongsideCommit } from "./transaction";

/**
 * Transactions on both drivers: on postgres.js BEGIN goes out with the first statement and `alongsideCommit`'s
 * statement with COMMIT (db/transaction.ts); on PGlite they are drizzle's own. Either way all or nothing.
 */
describe.each(testDrivers)("transactions on %s", (driver) => {
  const t = useTestDatabase(driver);
  const slugs = async (prefix: string) =>
    (await t.db.select({ slug: tenants.slug }).from(tenants).where(inArray(tenants.slug, [`${prefix}-1`, `${prefix}-2`, `${prefix}-3`])))
      .map((r) => r.slug)
      .sort();
  const tenant = (slug: string) => ({ name: slug, slug });

  it("commits the statements and the one sent with COMMIT, in the order they were made", async () => {
    const result = await t.db.transaction(async (tx) => {
      await tx.insert(tenants).values(tenant("ok-1"));
      // The second statement sees the first; the third is sent with COMMIT and sees both.
      const n = await tx.$count(tenants, inArray(tenants.slug, ["ok-1"]));
      await alongsideCommit(tx, () => tx.insert(tenants).values(tenant(`ok-${n + 1}`)));
      return n;
    });
    expect(result).toBe(1);
    expect(await slugs("ok")).toEqual(["ok-1", "ok-2"]);
  });

  it("commits nothing when the statement sent with COMMIT fails, and rejects with its error", async () => {
    await t.db.insert(tenants).values(tenant("late-3"));
    const failed = t.db.transaction(async (tx) => {
      await tx.insert(tenants).values(tenant("late-1"));
      await alongsideCommit(tx, () => tx.insert(tenants).values(tenant("late-3")));
      return "returned";
    });
    await expect(failed).rejects.toMatchObject({ cause: { code: "23505" } }); // unique_violation
    expect(await slugs("late")).toEqual(["late-3"]);
  });

  it("waits for a statement made after an await (it cannot go with COMMIT), so it stays inside the transaction", async () => {
    await t.db.insert(tenants).values(tenant("slow-3"));
    const failed = t.db.transaction(async (tx) => {
      await tx.insert(tenants).values(tenant("slow-1"));
      await alongsideCommit(tx, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await tx.insert(tenants).values(tenant("slow-3"));
      });
    });
    // Had its insert gone out after COMMIT, slow-1 would be committed.
    await expect(failed).rejects.toMatchObject({ cause: { code: "23505" } }); // unique_violation
    expect(await slugs("slow")).toEqual(["slow-3"]);
  });

  it("rolls back everything when the work throws after a statement was sent to go with COMMIT", async () => {
    const failed = t.db.transaction(async (tx) => {
      await tx.insert(tenants).values(tenant("boom-1"));
      await alongsideCommit(tx, () => tx.insert(tenants).values(tenant("boom-2")));
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    expect(await slugs("boom")).toEqual([]);
  });

  it("rejects with the error of a statement sent to go with COMMIT, not with what the work met after it", async () => {
    await t.db.insert(tenants).values(tenant("first-3"));
    const failed = t.db.transaction(async (tx) => {
      await alongsideCommit(tx, () => tx.insert(tenants).values(tenant("first-3")));
      // On PostgreSQL this statement runs after the failed insert, in the aborted transaction (25P02).
      await tx.insert(tenants).values(tenant("first-1"));
    });
    await expect(failed).rejects.toMatchObject({ cause: { code: "23505" } }); // unique_violation
    expect(await slugs("first")).toEqual(["first-3"]);
  });

  it("rolls a nested transaction back to its savepoint and keeps the rest", async () => {
    await t.db.transaction(async (tx) => {
      await tx.insert(tenants).values(tenant("nest-1"));
      await tx
        .transaction(async (inner) => {
          await inner.insert(tenants).values(tenant("nest-2"));
          throw new Error("inner");
        })
        .catch(() => {});
      await tx.transaction(async (inner) => {
        await inner.insert(tenants).values(tenant("nest-3"));
      });
    });
    expect(await slugs("nest")).toEqual(["nest-1", "nest-3"]);
  });

  it("gives the connection back: more transactions than connections, one after another and side by side", async () => {
    const run = (i: number) =>
      t.db.transaction(async (tx) => {
        await tx.insert(tenants).values(tenant(`pool-${i}`));
        await alongsideCommit(tx, () => tx.delete(tenants).where(inArray(tenants.slug, [`pool-${i}`])));
      });
    for (let i = 0; i < 12; i++) await run(i);
    await Promise.all(Array.from({ length: 30 }, (_, i) => run(100 + i)));
    expect(await t.db.$count(tenants, inArray(tenants.slug, ["pool-0", "pool-100"]))).toBe(0);
  });
});
