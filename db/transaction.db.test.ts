import { inArray, like, sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { openDatabase, type DbOrTx } from "@/db";
import { tenants } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { DEFAULT_DATABASE_POOL_SIZE } from "@/lib/env";
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

/**
 * A connection PostgreSQL ends while a transaction or a read holds it (a restart, a failover, an administrator's
 * pg_terminate_backend): the work fails with the connection's error, nothing of it is committed, the process lives
 * on, and the pool serves what comes next on its other or new connections. (postgres.js 3.4.9 on its own crashes
 * the process here: see transactionClient in db/transaction.ts.)
 */
describe.runIf(testDrivers.includes("postgres"))("a reserved connection PostgreSQL closes", () => {
  const t = useTestDatabase("postgres");
  const tenant = (slug: string) => ({ name: slug, slug });
  /** A postgres.js statement's rows (the handle's type also covers PGlite's result). */
  const rows = async <R>(statement: PromiseLike<unknown>) => (await statement) as R[];
  const backendPid = async (handle: DbOrTx) => (await rows<{ pid: number }>(handle.execute(sql`select pg_backend_pid() as pid`)))[0].pid;
  /** Ends the backend from another connection and waits until it has gone and its socket's close has been seen. */
  const terminate = async (pid: number) => {
    await t.db.execute(sql`select pg_terminate_backend(${pid})`);
    while ((await rows<{ n: number }>(t.db.execute(sql`select count(*)::int as n from pg_stat_activity where pid = ${pid}`)))[0].n > 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  const codeOf = (error: unknown) => {
    for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code) return e.code;
  };
  /** More transactions than the pool has connections, side by side, then as many reads on the pool: all served. */
  const poolServes = async (prefix: string) => {
    await Promise.all(Array.from({ length: 24 }, (_, i) => t.db.transaction((tx) => tx.insert(tenants).values(tenant(`${prefix}-${i}`)))));
    const counts = await Promise.all(Array.from({ length: 24 }, () => t.db.$count(tenants, like(tenants.slug, `${prefix}-%`))));
    expect(counts).toEqual(Array(24).fill(24));
  };

  it("a statement after the connection closed between two statements is refused, the transaction rolled back", async () => {
    const failed = t.db.transaction(async (tx) => {
      await tx.insert(tenants).values(tenant("between-1"));
      await terminate(await backendPid(tx));
      await tx.insert(tenants).values(tenant("between-2"));
    });
    await expect(failed.catch(codeOf)).resolves.toBe("CONNECTION_CLOSED");
    expect(await t.db.$count(tenants, like(tenants.slug, "between-%"))).toBe(0);
    await poolServes("after-between");
  });

  it("a statement in flight when the connection closes fails with it, and the rollback after it is not sent", async () => {
    const failed = t.db.transaction(async (tx) => {
      await tx.insert(tenants).values(tenant("inflight-1"));
      const pid = await backendPid(tx);
      const sleeping = tx.execute(sql`select pg_sleep(30)`);
      await terminate(pid);
      await sleeping;
    });
    await expect(failed.catch(codeOf)).resolves.toMatch(/^(CONNECTION_CLOSED|57P01)$/); // 57P01: admin_shutdown, PostgreSQL's own word
    expect(await t.db.$count(tenants, like(tenants.slug, "inflight-%"))).toBe(0);
    await poolServes("after-inflight");
  });

  it("a statement waiting behind one the connection is describing fails with it, rather than waiting forever", async () => {
    let outcomes: unknown[] = [];
    const failed = t.db.transaction(async (tx) => {
      const pid = await backendPid(tx);
      // With a parameter and unnamed, the first is described before it runs; the second waits its turn meanwhile.
      const sleeping = tx.execute(sql`select pg_sleep(${30}::float)`);
      const waiting = tx.execute(sql`select ${1}::int as one`);
      const both = Promise.allSettled([sleeping, waiting]);
      await terminate(pid);
      outcomes = (await both).map((outcome) => (outcome.status === "rejected" ? codeOf(outcome.reason) : "answered"));
    });
    await expect(failed.catch(codeOf)).resolves.toBe("CONNECTION_CLOSED");
    // The one being described may also meet the closed socket first: postgres.js answers PostgreSQL's error during
    // a describe with a Sync, whose write then fails (ECONNRESET, EPIPE).
    expect(outcomes[0]).toMatch(/^(CONNECTION_CLOSED|57P01|ECONNRESET|EPIPE)$/);
    expect(outcomes[1]).toBe("CONNECTION_CLOSED");
    await poolServes("after-waiting");
  });

  it("keeps at most the pool size's connections: a transaction beyond them waits for one, then runs", async () => {
    const small = await openDatabase({ databaseUrl: t.url!, pgliteDir: "memory://", poolSize: 2 });
    try {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const pids: number[] = [];
      const held = Array.from({ length: 3 }, () =>
        small.db.transaction(async (tx) => {
          pids.push(await backendPid(tx));
          await gate;
        }),
      );
      while (pids.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(pids).toHaveLength(2);
      open();
      await Promise.all(held);
      // The third ran once one of the two was given back, on one of the same two backends.
      expect(pids).toHaveLength(3);
      expect(new Set(pids).size).toBe(2);
    } finally {
      await small.close();
    }
  });

  it("work waiting for a connection when one closes gets one (postgres.js alone would forget it)", async () => {
    // Every connection of the pool held; the backends are ended from a connection of another pool.
    const admin = postgres(t.url!, { max: 1, onnotice: () => {} });
    try {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const pids: number[] = [];
      const holders = Array.from({ length: DEFAULT_DATABASE_POOL_SIZE }, () =>
        t.db.transaction(async (tx) => {
          pids.push(await backendPid(tx));
          await gate;
        }),
      );
      while (pids.length < DEFAULT_DATABASE_POOL_SIZE) await new Promise((resolve) => setTimeout(resolve, 10));
      const waiting = t.db.transaction((tx) => tx.insert(tenants).values(tenant("waited-1")));
      await admin`select pg_terminate_backend(${pids[0]})`;
      await waiting;
      open();
      // The holder whose backend was ended cannot commit; the others do.
      const held = await Promise.allSettled(holders);
      expect(held.flatMap((h) => (h.status === "rejected" ? [codeOf(h.reason)] : []))).toEqual(["CONNECTION_CLOSED"]);
      expect(await t.db.$count(tenants, like(tenants.slug, "waited-%"))).toBe(1);
      await poolServes("after-waited");
    } finally {
      await admin.end();
    }
  });
});
