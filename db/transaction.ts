import type { Sql } from "postgres";
import type { TablesRelationalConfig } from "drizzle-orm";
import type { PgDialect } from "drizzle-orm/pg-core";
import { PostgresJsSession, PostgresJsTransaction } from "drizzle-orm/postgres-js";
import type { DbOrTx } from "./index";
import { isConnectionLost } from "./errors";
import { settleInOrder } from "./run";

type Tx = PostgresJsTransaction<Record<string, unknown>, TablesRelationalConfig>;
/** The session's fields drizzle's own transaction passes on (private in its types). */
type SessionFields = { dialect: PgDialect; schema: ConstructorParameters<typeof PostgresJsSession>[2]; options: ConstructorParameters<typeof PostgresJsSession>[3] };
type Query = ReturnType<Sql["unsafe"]>;
type ReservedSql = Awaited<ReturnType<Sql["reserve"]>>;
/** A postgres.js statement can be failed from outside (its `reject`, not in its types). */
type Rejectable = { reject: (error: Error) => void };
/** What drizzle's postgres-js transaction and its prepared queries use of their client. */
type TxClient = {
  unsafe: Sql["unsafe"];
  savepoint: <T>(fn: (client: TxClient) => Promise<T>) => Promise<T>;
  /** How many statements have been started on it. */
  started: () => number;
  /** Gives the connection back to the pool; a connection that closed meanwhile is the pool's already. */
  release: () => void;
};

/**
 * The statements `alongsideCommit` registered, and the client, of each pipelined transaction handle. Kept on
 * globalThis, as the database is (db/index.ts): Next.js puts a copy of this module in several server chunks (the
 * instrumentation's, each route's), and the copy whose session opened a transaction is often not the one whose
 * `alongsideCommit` a handler calls. With a map per copy, every statement meant to go with COMMIT would wait
 * for its own answer instead, locks held meanwhile.
 */
const pipelined: WeakMap<object, { pending: Promise<unknown>[]; client: TxClient }> = ((
  globalThis as { __sallyPipelined?: WeakMap<object, { pending: Promise<unknown>[]; client: TxClient }> }
).__sallyPipelined ??= new WeakMap());

/**
 * drizzle's postgres-js session, but a transaction costs two round trips fewer: postgres.js's own `begin` waits for
 * the answer to BEGIN before the first statement is sent, and for the last statement's before COMMIT. Here a
 * transaction reserves a connection and sends BEGIN without waiting, so it goes out with the first statement in
 * one write; the statements `alongsideCommit` registers go out with COMMIT the same way. Every statement is handed
 * to the connection when it is created, so the connection runs them in the order the code made them, BEGIN first
 * and COMMIT last (PostgreSQL protocol, "Pipelining": statements sent without waiting run in order, each with its
 * own Sync, and an error aborts the transaction, after which COMMIT only rolls back). BEGIN itself cannot fail on a
 * live connection, and on a dead one the statements after it fail too.
 */
export class PipelinedPostgresJsSession extends PostgresJsSession<Sql, Record<string, unknown>, TablesRelationalConfig> {
  override async transaction<T>(fn: (tx: Tx) => Promise<T>, config?: Parameters<Tx["setTransaction"]>[0]): Promise<T> {
    const client = transactionClient(await this.client.reserve());
    const tx = this.handleOn(client, (this as unknown as SessionFields).schema);
    const pending: Promise<unknown>[] = [];
    pipelined.set(tx, { pending, client });
    try {
      const begun = client.unsafe("begin");
      begun.catch(() => {}); // reported by settleInOrder below
      if (config) await tx.setTransaction(config);
      const result = await fn(tx);
      await settleInOrder([begun, ...pending, client.unsafe("commit")]);
      return result;
    } catch (error) {
      // ROLLBACK goes after whatever is still in flight (the connection runs statements in order); after a failed
      // COMMIT there is no transaction left, and ROLLBACK only draws a warning.
      const settled = await Promise.allSettled(pending);
      await client.unsafe("rollback").catch(() => {});
      // A statement registered to go with COMMIT that failed came before anything the work did after it, which then
      // only met the aborted transaction (25P02): its error is the transaction's (and decides a retry).
      const first = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
      throw first ? first.reason : error;
    } finally {
      pipelined.delete(tx);
      client.release();
    }
  }

  /** A drizzle handle whose statements run on `client` (one reserved connection). */
  private handleOn(client: TxClient, schema: SessionFields["schema"]): Tx {
    const { dialect, options } = this as unknown as SessionFields;
    const session = new PostgresJsSession(client as unknown as Sql, dialect, schema, options);
    return new PostgresJsTransaction(dialect, session as never, schema);
  }
}

/** postgres.js's connection, as a statement's `onexecute` option is handed it (not in its types). */
type Connection = { reserved: unknown };

/**
 * What a statement on a reserved connection that has closed is rejected with, like postgres.js's own error for a
 * statement in flight when its connection closed.
 */
export class ConnectionClosedError extends Error {
  readonly code = "CONNECTION_CLOSED";
  constructor() {
    super("The database connection closed while it was reserved for this work (the server restarted or ended it)");
    this.name = "ConnectionClosedError";
  }
}

/** A statement that was never sent: it rejects, however drizzle reads it (`values()`, awaited, `execute()`). */
function refusedStatement(error: Error): Query {
  const refused = Promise.reject(error);
  refused.catch(() => {}); // rejected for whoever awaits it, not reported as unhandled meanwhile
  const statement = Object.assign(refused, { values: () => statement, execute: () => statement });
  return statement as unknown as Query;
}

/**
 * The client a transaction's statements run on: each statement is started as it is created, so statements reach
 * the connection in the order they were made; savepoints for a nested transaction (a Bulk operation's).
 *
 * A reserved connection that closes (PostgreSQL restarted, `pg_terminate_backend`, a proxy ending it) must not see
 * another statement, nor be released: postgres.js 3.4.9 writes a statement's message once the turn of the event loop
 * that made it is done, and on a closed connection that write throws from a `process.nextTick` callback
 * (`setImmediate` unpatched), where nothing can catch it (a bare Node.js process exits; under Next.js the error is
 * logged and the request hangs; postgres.js issues #1208, #1154, #1066). The ROLLBACK after a statement failed
 * because its connection closed is such a statement; and a released closed connection goes back among the pool's
 * open ones, where the next statement meets the same. When postgres.js closes a connection it moves it to its
 * closed ones (to reconnect on demand) and clears its `reserved`: so the connection is taken from each statement's
 * `onexecute` (postgres.js calls it with the connection a statement is handed to, unless the statement must be
 * described first or the socket is full, so from the first statement without parameters, BEGIN, at the latest
 * from the first already prepared one), and once its `reserved` is cleared, or a statement failed because the
 * connection was lost, statements are refused here with a ConnectionClosedError and the connection is left to the
 * pool. A statement made while the connection was busy describing another waits in the reservation's own queue,
 * which postgres.js never empties once the connection has closed: the first statement that fails because the
 * connection was lost fails those with it, else they would wait forever.
 */
function transactionClient(reserved: ReservedSql): TxClient {
  let savepoints = 0;
  let started = 0;
  let connection: Connection | null = null;
  const onexecute = (handedTo: Connection) => {
    connection = handedTo;
    return true; // postgres.js reads a false answer as "the connection is full"
  };
  let lost = false;
  const closed = () => lost || (connection !== null && !connection.reserved);
  /** Statements started and not answered yet. */
  const unanswered = new Set<Query>();
  const settled = (statement: Query, error?: unknown) => {
    unanswered.delete(statement);
    if (lost || !isConnectionLost(error)) return;
    lost = true;
    for (const waiting of unanswered) (waiting as unknown as Rejectable).reject(new ConnectionClosedError());
    unanswered.clear();
  };
  const unsafe = ((query: string, parameters: Parameters<Sql["unsafe"]>[1] = [], options: Parameters<Sql["unsafe"]>[2] = {}) => {
    if (closed()) return refusedStatement(new ConnectionClosedError());
    // Once the connection is known, statements need not report it again.
    const statement = reserved.unsafe(query, parameters, (connection ? options : { ...options, onexecute }) as Parameters<Sql["unsafe"]>[2]) as Query;
    statement.execute();
    unanswered.add(statement);
    statement.then(
      () => settled(statement),
      (error: unknown) => settled(statement, error),
    );
    started++;
    return statement;
  }) as Sql["unsafe"];
  const client: TxClient = {
    unsafe,
    started: () => started,
    release: () => {
      if (!closed()) reserved.release();
    },
    async savepoint(fn) {
      const name = `s${savepoints++}`;
      await unsafe(`savepoint ${name}`);
      try {
        const result = await fn(client);
        await unsafe(`release savepoint ${name}`);
        return result;
      } catch (error) {
        await unsafe(`rollback to savepoint ${name}`);
        throw error;
      }
    },
  };
  return client;
}

/**
 * Runs the statements `start` makes on `tx` and has their answers come with the transaction's COMMIT instead of
 * waiting for them here: for writes whose answers nothing needs, such as the request's activity entry. They go
 * out at once, so later statements still run after them. Their error fails the transaction, which then commits
 * nothing, and is the one it rejects with. `start` must make its statements before its first await (checked for
 * the first: one that makes none, and a transaction that is not a pipelined postgres.js one, is simply awaited).
 * `answer` is what `start` resolves to, known once the transaction has committed.
 */
export async function alongsideCommit<T>(tx: DbOrTx, start: () => Promise<T>): Promise<{ answer: Promise<T> }> {
  const transaction = pipelined.get(tx);
  const before = transaction?.client.started();
  // Subscribed to at once: a drizzle query builder only runs when its `then` is called, and again at every call.
  const statement = new Promise<T>((resolve, reject) => void start().then(resolve, reject));
  if (!transaction || transaction.client.started() === before) {
    await statement;
    return { answer: statement };
  }
  // Answered with the COMMIT; its rejection is reported there, not as an unhandled one meanwhile.
  statement.catch(() => {});
  transaction.pending.push(statement);
  // Settled by the time the transaction has committed (or failed).
  return { answer: statement };
}
