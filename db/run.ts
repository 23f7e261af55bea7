import { sql, type SQL } from "drizzle-orm";
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

/**
 * A list of ids as an array for `column = any(...)`, passed as one jsonb parameter. PostgreSQL answers
 * `= any(array)` on an indexed column with index probes; `in (select … from jsonb_array_elements_text(…))`
 * it plans for a hundred rows and often answers by scanning the whole table, whatever the list's length.
 */
export const uuidArray = (ids: string[]) => sql`array(select value::uuid from jsonb_array_elements_text(${jsonParam(ids)}::jsonb) as value)`;

/** Strings, lowercased, as an array for `lower(column) = any(...)`; see uuidArray. */
export const lowerTextArray = (values: string[]) => sql`array(select lower(value) from jsonb_array_elements_text(${jsonParam(values)}::jsonb) as value)`;

/** Only well-formed ids go into a uuid cast (anything else names no row anyway). */
export const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** A built drizzle prepared query: `execute` takes the values of its placeholders. */
type Reusable = { execute: (values?: Record<string, unknown>) => Promise<unknown> };
const builtByHandle = new WeakMap<object, Map<string, Reusable>>();

/**
 * A drizzle query built once per database handle and then only executed: turning the query builder into SQL
 * costs more CPU than sending it, and the hot reads would pay it on every request. `build` must give the same
 * SQL every time, with `sql.placeholder`s for what varies. A transaction is a handle of its own, so only reads on
 * the shared handle gain (which is where the same statements come again and again).
 */
export function reusable<Q extends Reusable>(db: DbOrTx, name: string, build: (db: DbOrTx) => Q): Q {
  let byName = builtByHandle.get(db);
  if (!byName) builtByHandle.set(db, (byName = new Map()));
  let query = byName.get(name) as Q | undefined;
  if (!query) byName.set(name, (query = build(db)));
  return query;
}
