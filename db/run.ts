import type { SQL } from "drizzle-orm";
import type { PgDialect, PgSession } from "drizzle-orm/pg-core";
import type { DbOrTx } from "./index";

type Internals = { dialect: PgDialect; session: PgSession };

/**
 * Runs one hand-written statement as a named prepared statement and returns its rows as objects (column names
 * as the SQL aliases them). On postgres.js an unnamed statement with parameters costs two round trips (it is
 * described first); a prepared one is described once per connection and costs one round trip after that.
 * Only fixed SQL text belongs here (lists travel as one jsonb parameter), so the statements stay few.
 * Timestamps may come back as strings on one driver and Dates on the other: wrap them in `new Date()`.
 */
export async function runPrepared<T>(db: DbOrTx, name: string, query: SQL): Promise<T[]> {
  const { dialect, session } = db as unknown as Internals;
  const prepared = session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false);
  const result = (await prepared.execute()) as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/** A list as one jsonb parameter: the statement text stays the same whatever the list's length. */
export const jsonParam = (value: unknown) => JSON.stringify(value);

/** Only well-formed ids go into a uuid cast (anything else names no row anyway). */
export const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
