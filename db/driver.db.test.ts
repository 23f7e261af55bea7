import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { testDrivers, useTestDatabase } from "@/db/testing";

/**
 * postgres.js 3.4.9, as patched by patches/postgres+3.4.9.patch: when PostgreSQL ends a connection in the middle of
 * a statement (a restart, a failover, `pg_terminate_backend`), it first sends a FATAL error (57P01) and maybe some
 * of the rows. Unpatched, the connection kept that error and the row count past the close: the next statement on
 * the reconnected connection failed with the old error, and the one after it got the old rows' places as holes
 * in its result. One connection in the client, so the statements after the close must run on that connection.
 */
describe.runIf(testDrivers.includes("postgres"))("postgres.js after PostgreSQL ends a connection mid-statement", () => {
  const t = useTestDatabase("postgres");
  const clients: postgres.Sql[] = [];
  const client = () => {
    const sql = postgres(t.url!, { max: 1, onnotice: () => {} });
    clients.push(sql);
    return sql;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((sql) => sql.end()));
  });

  /** Starts `statement` on the client's one connection, ends that connection's backend meanwhile: its error code. */
  const endedDuring = async (sql: postgres.Sql, statement: postgres.PendingQuery<postgres.Row[]>, after: number) => {
    const [{ pid }] = await sql`select pg_backend_pid() as pid`;
    const failed = statement.then(
      () => "answered",
      (error: { code?: string }) => error.code,
    );
    await new Promise((resolve) => setTimeout(resolve, after));
    await client()`select pg_terminate_backend(${pid})`;
    return failed;
  };
  const answers = async (sql: postgres.Sql) => {
    const seen = [];
    for (let n = 1; n <= 3; n++) seen.push(await sql`select ${n}::int as n`);
    return seen.map((rows) => [...rows]);
  };

  it("the statements after one ended by a FATAL error are answered, not failed with that error", async () => {
    const sql = client();
    await expect(endedDuring(sql, sql`select pg_sleep(30)`, 200)).resolves.toBe("CONNECTION_CLOSED");
    expect(await answers(sql)).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
  });

  it("a result cut off after some rows leaves nothing in the next results", async () => {
    const sql = client();
    // Rows larger than PostgreSQL's 8 kB send buffer, one every 20 ms: each reaches the client as it is made.
    const cut = sql`select repeat('x', 20000) as x, pg_sleep(0.02) from generate_series(1, 500)`;
    await expect(endedDuring(sql, cut, 300)).resolves.toBe("CONNECTION_CLOSED");
    expect(await answers(sql)).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
  });
});
