import net from "node:net";
import postgres from "postgres";
import { afterEach, describe, expect, it, vi } from "vitest";
import { reconnectDelay } from "@/db";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { startOutageProxy } from "@/db/testing/outage-proxy";

/** postgres.js clients of one connection each (to `url` unless given another), all ended after every case. */
function oneConnectionClients(url: () => string) {
  const clients: postgres.Sql[] = [];
  const endAll = () => Promise.all(clients.splice(0).map((sql) => sql.end()));
  afterEach(endAll);
  const client = (at = url()) => {
    const sql = postgres(at, { max: 1, onnotice: () => {} });
    clients.push(sql);
    return sql;
  };
  return { client, endAll };
}

/**
 * A socket to host:port whose `close` event comes `ms` later than Node.js emits it (for postgres.js's `socket`
 * option, not in its types): the time between a failed socket's error and its close, widened.
 */
function socketClosingLate(host: string, port: number, ms: number): net.Socket {
  const socket = net.connect({ host, port });
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = ((event: string | symbol, ...args: unknown[]) =>
    event === "close" ? (setTimeout(() => emit(event, ...args), ms), true) : emit(event, ...args)) as typeof socket.emit;
  return socket;
}

/**
 * postgres.js 3.4.9, as patched by patches/postgres+3.4.9.patch: when PostgreSQL ends a connection in the middle of
 * a statement (a restart, a failover, `pg_terminate_backend`), it first sends a FATAL error (57P01) and maybe some
 * of the rows. Unpatched, the connection kept that error and the row count past the close: the next statement on
 * the reconnected connection failed with the old error, and the one after it got the old rows' places as holes
 * in its result. One connection in the client, so the statements after the close must run on that connection.
 */
describe.runIf(testDrivers.includes("postgres"))("postgres.js after PostgreSQL ends a connection mid-statement", () => {
  const t = useTestDatabase("postgres");
  const { client, endAll } = oneConnectionClients(() => t.url!);

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

  it("a connection ended while it sets itself up is made again for its first statement, which is answered; nothing is left unhandled", async () => {
    // postgres.js reads the server's array types on every new connection before it sends the statement it was made
    // for. A proxy in front of PostgreSQL holds the first connection's types query and has the server end that
    // connection's backend meanwhile, as a restart or pg_terminate_backend would; unpatched, the statement then
    // failed with the ended connection's FATAL error, and the types query's rejection was left unhandled.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const admin = client();
    const target = new URL(t.url!);
    let terminated: Promise<postgres.Row[]> | undefined;
    const proxy = net.createServer((inbound) => {
      const outbound = net.connect({ host: target.hostname, port: Number(target.port || 5432) });
      outbound.on("data", (chunk: Buffer) => inbound.write(chunk));
      inbound.on("data", (chunk: Buffer) => {
        if (!terminated && chunk.includes("typarray")) {
          // The backend is the one whose client is this proxy's side of the connection.
          terminated = admin`select pg_terminate_backend(pid) as ended from pg_stat_activity where client_port = ${outbound.localPort!}`.execute();
          return;
        }
        outbound.write(chunk);
      });
      inbound.on("close", () => outbound.destroy()).on("error", () => outbound.destroy());
      outbound.on("close", () => inbound.end()).on("error", () => inbound.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const through = new URL(t.url!);
      through.hostname = "127.0.0.1";
      through.port = String((proxy.address() as net.AddressInfo).port);
      const sql = client(through.toString());
      expect([...(await sql`select 1::int as n`)]).toEqual([{ n: 1 }]);
      expect(terminated, "the proxy ended a connection while it set itself up").toBeDefined();
      expect([...(await terminated!)]).toEqual([{ ended: true }]);
      expect(await answers(sql)).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await endAll();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

/**
 * postgres.js 3.4.9, as patched: a socket that fails (ECONNRESET, EPIPE) reports its error first and its close
 * only a turn of the event loop later (Node.js closes the socket's handle in between). Until the close, postgres.js
 * keeps the connection among its open or busy ones and hands it new statements. Unpatched, the close forgot them
 * (it only fails what is in flight when the socket closed cleanly): they waited forever, and the reconnected
 * connection took the first of them for its statement in flight and waited for an answer PostgreSQL never owed,
 * so every statement given to it waited too. Under load, with PostgreSQL ending connections, requests went
 * unanswered until the IdP gave up.
 */
describe.runIf(testDrivers.includes("postgres"))("postgres.js between a socket's error and its close", () => {
  const t = useTestDatabase("postgres");

  it("a statement handed to the connection meanwhile fails with it, and the connection made again serves the next", async () => {
    const sockets: net.Socket[] = [];
    const target = new URL(t.url!);
    // One connection, whose socket's close comes 20 ms after its error.
    const options = {
      max: 1,
      onnotice: () => {},
      backoff: () => 0,
      socket: () => {
        const socket = socketClosingLate(target.hostname, Number(target.port || 5432), 20);
        sockets.push(socket);
        return socket;
      },
    };
    const sql = postgres(t.url!, options);
    try {
      await sql`select 1`;
      const inFlight = sql`select pg_sleep(5)`.execute().then(() => "answered", (error: { code?: string }) => error.code);
      await new Promise((resolve) => setTimeout(resolve, 50));
      sockets[0].destroy(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
      await new Promise((resolve) => setImmediate(resolve));
      expect(await inFlight).toBe("ECONNRESET");
      // The socket has failed and not closed yet: postgres.js still counts the connection among its busy ones.
      const meanwhile = sql`select 2::int as n`.execute().then(() => "answered", (error: { code?: string }) => error.code);
      const outcome = await Promise.race([meanwhile, new Promise((resolve) => setTimeout(() => resolve("no answer in 5 s"), 5_000))]);
      expect(outcome).toBe("CONNECTION_CLOSED");
      const after = await Promise.race([
        sql`select 3::int as n`.then((rows) => [...rows]),
        new Promise((resolve) => setTimeout(() => resolve("no answer in 5 s"), 5_000)),
      ]);
      expect(after).toEqual([{ n: 3 }]);
      expect(sockets.length, "the connection was made again").toBe(2);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});

/**
 * postgres.js 3.4.9, as patched: a reservation (a transaction's connection) waits in the pool's queue until a
 * connection is open for it; when one closes meanwhile, it is made again and serves the queue. When making it
 * fails (PostgreSQL refuses it, "too many clients", or ends it while it sets itself up) the reservation fails, and
 * the transaction with it (a 503). Unpatched it also stayed in the queue,
 * and the next connection to come free was handed to it: nobody took it, and the pool had one connection fewer
 * until that connection's lifetime ran out (30-60 minutes); a few such failures left every request waiting.
 */
describe.runIf(testDrivers.includes("postgres"))("postgres.js reservations when connections close or fail", () => {
  const t = useTestDatabase("postgres");

  it("a reservation waiting when the connection closes is served by the connection made again", async () => {
    // Unpatched, the pool made the closed connection again for the waiting reservation and took it out of its
    // queue; the new connection serves reservations only from that queue, so it waited for good.
    const sql = postgres(t.url!, { max: 1, onnotice: () => {}, backoff: () => 0 });
    const admin = postgres(t.url!, { max: 1, onnotice: () => {} });
    try {
      const holder = await sql.reserve();
      const [{ pid }] = await holder<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const waiting = sql.reserve();
      await admin`select pg_terminate_backend(${pid})`;
      const outcome = await Promise.race([waiting.then(() => "reserved"), new Promise((resolve) => setTimeout(() => resolve("still waiting after 5 s"), 5_000))]);
      expect(outcome).toBe("reserved");
      const reserved = await waiting;
      expect([...(await reserved`select 1::int as n`)]).toEqual([{ n: 1 }]);
      reserved.release();
    } finally {
      await Promise.all([sql.end({ timeout: 1 }), admin.end()]);
    }
  });

  it("the failed reservation leaves the queue: the connection given back next serves the one after it", async () => {
    // PostgreSQL's answer to a connection it refuses while it sets itself up: FATAL 53300.
    const fields = Buffer.from("SFATAL\0VFATAL\0C53300\0Msorry, too many clients already\0\0");
    const refusal = Buffer.concat([Buffer.from("E"), Buffer.alloc(4), fields]);
    refusal.writeInt32BE(fields.length + 4, 1);
    const target = new URL(t.url!);
    // The second connection made is refused; the others go through to PostgreSQL.
    const proxy = await startOutageProxy({ host: target.hostname, port: Number(target.port || 5432) }, (made) => (made === 2 ? refusal : null));
    // Two connections; the refused one's close comes a while after its error, as a socket's may (the window in
    // which a reservation given back met the failed one still queued).
    const options = {
      max: 2,
      onnotice: () => {},
      backoff: () => 0,
      socket: () => socketClosingLate("127.0.0.1", proxy.port, 200),
    };
    const sql = postgres(t.url!, options);
    try {
      const outcomes = await Promise.allSettled([sql.reserve(), sql.reserve()]);
      expect(outcomes.map((o) => (o.status === "fulfilled" ? "reserved" : (o.reason as { code?: string }).code))).toEqual(["reserved", "53300"]);
      (outcomes[0] as PromiseFulfilledResult<postgres.ReservedSql>).value.release();
      await new Promise((resolve) => setTimeout(resolve, 400));
      // Both connections serve: two reservations at once get one each.
      const both = Promise.all([sql.reserve(), sql.reserve()]);
      const outcome = await Promise.race([both.then(() => "both reserved"), new Promise((resolve) => setTimeout(() => resolve("one waits"), 5_000))]);
      expect(outcome).toBe("both reserved");
      for (const reserved of await both) reserved.release();
    } finally {
      await sql.end({ timeout: 1 });
      await proxy.close();
    }
  });
});

/**
 * postgres.js 3.4.9, as patched: a message waits to be written with the rest of the turn's messages, and they go
 * out once the turn has nothing left to run (its callback, the promise reactions after it, the process.nextTick
 * callbacks), not after every other callback ready in that turn (setImmediate, unpatched). On a busy server those
 * were other requests' work, run while a transaction held the locks its first statement took. Unpatched, a message
 * that made the gathered ones 1 KiB or more was written at once, a write (and a wakeup of PostgreSQL) of its own;
 * now only past 64 KiB.
 */
describe.runIf(testDrivers.includes("postgres"))("postgres.js writes a turn's statements before the next callback", () => {
  const t = useTestDatabase("postgres");
  const { client } = oneConnectionClients(() => t.url!);
  afterEach(() => vi.restoreAllMocks());
  const connected = async () => {
    const sql = client();
    await sql`select 1`;
    const port = Number(new URL(t.url!).port || 5432);
    const write = vi.spyOn(net.Socket.prototype, "write");
    return { sql, writes: () => write.mock.contexts.filter((socket) => (socket as net.Socket).remotePort === port).length };
  };
  /** Runs `turn` in a callback of its own, another queued behind it: the writes made before that one runs. */
  const writtenBeforeNextCallback = (writes: () => number, turn: () => Promise<unknown>) =>
    new Promise<{ writes: number; answered: Promise<unknown> }>((resolve) => {
      setImmediate(() => {
        const before = writes();
        setImmediate(() => resolve({ writes: writes() - before, answered }));
        const answered = turn();
      });
    });

  it("a small statement is written before a callback queued ahead of it runs", async () => {
    const { sql, writes } = await connected();
    const seen = await writtenBeforeNextCallback(writes, () => sql`select 2::int as n`.execute());
    expect(seen.writes).toBe(1);
    expect([...((await seen.answered) as postgres.Row[])]).toEqual([{ n: 2 }]);
  });

  it("statements made across awaits of one turn go out in one write", async () => {
    const { sql, writes } = await connected();
    const seen = await writtenBeforeNextCallback(writes, async () => {
      const first = sql`select 1::int as n`.execute();
      await Promise.resolve();
      const second = sql`select 2::int as n`.execute();
      return Promise.all([first, second]);
    });
    expect(seen.writes).toBe(1);
    expect(((await seen.answered) as postgres.Row[][]).map((rows) => [...rows])).toEqual([[{ n: 1 }], [{ n: 2 }]]);
  });

  it("a turn's statements go out in one write when some are 1 KiB or more, as a transaction's rows and resources are", async () => {
    const { sql, writes } = await connected();
    const large = "x".repeat(4_000);
    const seen = await writtenBeforeNextCallback(writes, () =>
      Promise.all([
        sql`select 1::int as n`.execute(),
        // Statements of that size as one message each (SQL text, no parameters: the rules' rows travel as parameters
        // of statements prepared earlier, which postgres.js does not describe first).
        sql.unsafe(`select length('${large}') as n`).execute(),
        sql.unsafe(`select length('${large + large}') as n`).execute(),
        sql`select 4::int as n`.execute(),
      ]),
    );
    // Unpatched: three writes (the first two statements when the second made them 1 KiB, the third, the last).
    expect(seen.writes).toBe(1);
    expect(((await seen.answered) as postgres.Row[][]).map((rows) => [...rows])).toEqual([[{ n: 1 }], [{ n: 4000 }], [{ n: 8000 }], [{ n: 4 }]]);
  });

  it("what a turn gathers is written at once past 64 KiB, and the rest of the turn after it", async () => {
    const { sql, writes } = await connected();
    const bulk = "y".repeat(70_000);
    const seen = await writtenBeforeNextCallback(writes, () =>
      Promise.all([sql`select 1::int as n`.execute(), sql.unsafe(`select length('${bulk}') as n`).execute(), sql`select 3::int as n`.execute()]),
    );
    expect(seen.writes).toBe(2);
    expect(((await seen.answered) as postgres.Row[][]).map((rows) => [...rows])).toEqual([[{ n: 1 }], [{ n: 70000 }], [{ n: 3 }]]);
  });
});

/**
 * postgres.js 3.4.9, as patched: a reservation (a transaction's connection, db/transaction.ts) that finds no idle
 * connection and none left to make takes one with other statements in flight and queues its own behind them.
 * Unpatched it waited until some connection had none in flight; under load the pool pipelines every statement
 * onto the busy connections, so that could take as long as the load lasted.
 */
describe.runIf(testDrivers.includes("postgres"))("postgres.js reserves a busy connection rather than wait for an idle one", () => {
  const t = useTestDatabase("postgres");
  const { client } = oneConnectionClients(() => t.url!);

  it("a reservation gets the one connection while statements stream onto it, and runs behind those in flight", async () => {
    const sql = client();
    await sql`select 1`;
    // The one connection is never idle while this runs: each statement is sent before the one before is answered.
    let answered = 0;
    const stream = (async () => {
      let previous = sql`select pg_sleep(0.005)`.execute();
      for (let i = 0; i < 100; i++) {
        const next = sql`select pg_sleep(0.005)`.execute();
        await previous;
        answered++;
        previous = next;
      }
      await previous;
      answered++;
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const reserved = await sql.reserve();
    const [{ n }] = await reserved`select ${answered}::int as n`;
    const answeredBeforeIt = answered;
    reserved.release();
    await stream;
    // Unpatched it got the connection only once the stream had ended (101 answered).
    expect(answeredBeforeIt).toBeLessThan(20);
    expect(n).toBeLessThan(20);
    expect(answered).toBe(101);
  });
});

describe("reconnectDelay", () => {
  // [connections failed, shortest delay, longest delay] in seconds; postgres.js's own grows to 20 s.
  const cases: [number, number, number][] = [
    [0, 0.025, 0.05],
    [1, 0.05, 0.1],
    [3, 0.2, 0.4],
    [4, 0.4, 0.8],
    [5, 0.5, 1],
    [10, 0.5, 1],
    [40, 0.5, 1],
  ];
  it.each(cases)("after %i failed connections it waits %f-%f s", (failures, shortest, longest) => {
    for (let draw = 0; draw < 100; draw++) {
      const delay = reconnectDelay(failures);
      expect(delay).toBeGreaterThanOrEqual(shortest);
      expect(delay).toBeLessThanOrEqual(longest);
    }
  });
});
