import { entityKind, is, Param, Placeholder, SQL, sql, type Query } from "drizzle-orm";
import { PgDialect, type PgSession } from "drizzle-orm/pg-core";
import { wellFormed } from "@/lib/unicode";
import type { DbOrTx } from "./index";

type Internals = { session: PgSession & { client: unknown } };

/** Both drivers write SQL with the same default dialect; a statement's text is built by this one. */
const dialect = new PgDialect();

/** A hand-written statement, run by its name with values for its placeholders (see `statement`). */
export type Statement<Row, P extends string> = (db: DbOrTx, values: Record<P, unknown>) => Promise<Row[]>;

/**
 * A hand-written statement with named placeholders: `build` gets one placeholder per name and returns the SQL,
 * typed with the row it returns (`sql<Row>\`…\``). The text is built once per process (drizzle's SQL builder
 * costs more CPU than sending the statement), and each run is a named prepared statement: on postgres.js an
 * unnamed statement with parameters costs two round trips (it is described first); a prepared one is described
 * once per connection and costs one round trip after that. Lists travel as one jsonb parameter (`jsonParam`),
 * so the text is the same whatever their length. Rows come back as objects, column names as the SQL aliases
 * them; timestamps may be strings on one driver and Dates on the other: wrap them in `new Date()`.
 */
export function statement<Row, const P extends string = never>(
  name: string,
  params: readonly P[],
  build: (p: Record<P, Placeholder<P>>) => SQL<Row>,
): Statement<Row, P> {
  let query: Query | undefined;
  return async (db, values) => {
    query ??= dialect.sqlToQuery(build(placeholders(...params)));
    const prepared = (db as unknown as Internals).session.prepareQuery(query, undefined, name, false);
    const result = (await prepared.execute(values)) as Row[] | { rows: Row[] };
    return Array.isArray(result) ? result : result.rows;
  };
}

/** JSON.stringify writes a lone surrogate as an escape (`\ud800`), which PostgreSQL's jsonb refuses. */
const wellFormedStrings = (_key: string, value: unknown) => (typeof value === "string" ? wellFormed(value) : value);

/**
 * A list as one jsonb parameter: the statement text stays the same whatever the list's length. A string with a
 * lone surrogate (a client can send one as a JSON escape) gets U+FFFD in its place, as it would as a text parameter.
 */
export function jsonParam(value: unknown): string {
  const json = JSON.stringify(value);
  // Only a lone surrogate is written as a \ud8xx–\udfff escape; the check may also match an escaped backslash
  // followed by such text, which merely takes the careful path.
  return /\\ud[89a-f]/i.test(json) ? JSON.stringify(value, wellFormedStrings) : json;
}

/**
 * A list of ids as an array for `column = any(...)`, passed as one jsonb parameter. PostgreSQL answers
 * `= any(array)` on an indexed column with index probes; `in (select … from jsonb_array_elements_text(…))`
 * it plans for a hundred rows and often answers by scanning the whole table, whatever the list's length.
 */
export const uuidArray = (json: Placeholder | SQL) => sql`array(select value::uuid from jsonb_array_elements_text(${json}::jsonb) as value)`;

/** Strings, lowercased, as an array for `lower(column) = any(...)`; see uuidArray. */
export const lowerTextArray = (json: Placeholder | SQL) => sql`array(select lower(value) from jsonb_array_elements_text(${json}::jsonb) as value)`;

/** Only well-formed ids go into a uuid cast (anything else names no row anyway). */
export const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** A built drizzle prepared query: `execute` takes the values of its placeholders; `client` is the connection it runs on. */
type Reusable = { execute: (values?: Record<string, unknown>) => Promise<unknown> };
const builtByDriver = new WeakMap<object, Map<string, Reusable & { client: unknown }>>();

/**
 * A drizzle query-builder query built once per driver and then only executed, on any handle of that driver (the
 * shared one or a transaction): turning the query builder into SQL costs more CPU than sending the statement.
 * `build` must give the same SQL every time, with `sql.placeholder`s for everything that varies.
 * Both drivers' prepared queries (drizzle-orm 0.45, postgres-js and PGlite) run on the `client` they were
 * built with; on another handle a copy runs on that handle's client. `build` is checked to give such a query, so
 * a drizzle upgrade that changes this fails at the first call, in every test, rather than running elsewhere.
 */
export function reusable<Q extends Reusable>(db: DbOrTx, name: string, build: (db: DbOrTx) => Q): Q {
  return builtFor(db, builtByDriver, name, () => build(db));
}

/** Statements built per shape (see reusableShaped): the most recently used, per driver. */
const shapedByDriver = new WeakMap<object, Map<string, Reusable & { client: unknown }>>();
export const SHAPES_KEPT = 256;

/**
 * `reusable` for a query with dynamic parts (a compiled SCIM filter, a sort key; see `shapeOf`): built once per
 * driver and combination of the parts' shapes, and run with the parts' values. The most recently used 256
 * combinations are kept: an IdP sends a handful, and a client sending ever new shapes cannot fill the memory.
 * `build` gets each part's template (undefined for an absent part).
 */
export function reusableShaped<Q extends Reusable>(
  db: DbOrTx,
  name: string,
  parts: Shape[],
  build: (db: DbOrTx, templates: (SQL | undefined)[]) => Q,
): { query: Q; values: Record<string, unknown> } {
  const key = [name, ...parts.map((part) => part.key)].join("\u0000");
  const query = builtFor(db, shapedByDriver, key, () => build(db, parts.map((part) => part.template())), SHAPES_KEPT);
  return { query, values: Object.assign({}, ...parts.map((part) => part.values)) as Record<string, unknown> };
}

function builtFor<Q extends Reusable>(
  db: DbOrTx,
  cache: WeakMap<object, Map<string, Reusable & { client: unknown }>>,
  key: string,
  build: () => Q,
  keep = Infinity,
): Q {
  const { session } = db as unknown as Internals;
  const driver = driverOf(session);
  let byKey = cache.get(driver);
  if (!byKey) cache.set(driver, (byKey = new Map()));
  let query = byKey.get(key);
  if (query && keep !== Infinity) {
    // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
    byKey.delete(key);
    byKey.set(key, query);
  }
  if (!query) {
    const built = build() as Q & { client?: unknown };
    if (built.client !== session.client) throw new Error(`reusable ${key}: the built query does not run on its handle's client`);
    byKey.set(key, (query = built as Q & { client: unknown }));
    if (byKey.size > keep) byKey.delete(byKey.keys().next().value!);
  }
  if (query.client === session.client) return query as unknown as Q;
  return Object.assign(Object.create(Object.getPrototypeOf(query)) as Q, query, { client: session.client });
}

/**
 * A dynamic part of a statement as its shape and its values. `key` is the text the part renders to, values
 * written as `$1, $2 …`, so `userName eq "a"` and `userName eq "b"` compiled give the same key; `values` are the
 * values that text takes, named `${prefix}0, ${prefix}1 …`; `template()` is the part with those placeholders in
 * place of the values, which renders to the same text (checked, so a part that would bake a value into a shared
 * statement fails instead). Rendering a small part costs a fraction of building the whole statement around it.
 */
export type Shape = { key: string; values: Record<string, unknown>; template: () => SQL | undefined };

export function shapeOf(part: SQL | undefined, prefix: string): Shape {
  if (!part) return { key: "", values: {}, template: () => undefined };
  const { sql: text, params } = dialect.sqlToQuery(part);
  const values: Record<string, unknown> = {};
  params.forEach((value, i) => {
    // A placeholder of the part's own would be sent as the value of the shape's.
    if (is(value, Placeholder)) throw new Error(`shapeOf: a part has a placeholder of its own: ${text}`);
    values[`${prefix}${i}`] = value;
  });
  return { key: text, values, template: () => templateOf(part, prefix, text, params.length) };
}

/** A part made with `.inlineParams()` has its values in its text (and so in its key). */
const inlinesValues = (part: SQL) => (part as unknown as { shouldInlineParams: boolean }).shouldInlineParams;

/** The part with a placeholder for each value, in the order drizzle numbers them (sql.js, buildQueryFromSourceParams). */
function templateOf(part: SQL, prefix: string, text: string, count: number): SQL {
  let next = 0;
  const placeholder = () => sql.placeholder(`${prefix}${next++}`);
  const isEntity = (chunk: object) => Object.hasOwn(chunk.constructor ?? {}, entityKind);
  const walk = (chunk: unknown): unknown => {
    if (is(chunk, SQL)) return inlinesValues(chunk) ? chunk : new SQL(chunk.queryChunks.map(walk) as SQL["queryChunks"]);
    if (Array.isArray(chunk)) return chunk.map(walk);
    if (is(chunk, Param)) {
      if (is(chunk.value, Placeholder)) return chunk;
      const mapped: unknown = chunk.value === null ? null : chunk.encoder.mapToDriverValue(chunk.value);
      return is(mapped, SQL) ? walk(mapped) : placeholder();
    }
    if (chunk === undefined || (typeof chunk === "object" && chunk !== null && isEntity(chunk))) return chunk;
    // Anything else drizzle writes as a value of its own ($n).
    return placeholder();
  };
  const template = walk(part) as SQL;
  const rendered = dialect.sqlToQuery(template);
  const exact =
    rendered.sql === text &&
    rendered.params.length === count &&
    rendered.params.every((param, i) => is(param, Placeholder) && param.name === `${prefix}${i}`);
  if (!exact) throw new Error(`shapeOf: a part renders differently as a template: ${text}`);
  return template;
}

/** A session's driver: the class whose `prepareQuery` it uses (a transaction's session may be a subclass or a base). */
function driverOf(session: PgSession): object {
  let proto = Object.getPrototypeOf(session) as object;
  while (!Object.hasOwn(proto, "prepareQuery")) proto = Object.getPrototypeOf(proto) as object;
  return proto;
}

/** `{ name: sql.placeholder(name) }` for each name: the values of an insert or update built by `reusable`. */
export function placeholders<const N extends string>(...names: N[]): Record<N, Placeholder<N>> {
  return Object.fromEntries(names.map((n) => [n, sql.placeholder(n)])) as Record<N, Placeholder<N>>;
}

/**
 * Statements that need nothing from each other, started together, run pipelined: postgres.js sends each on the
 * transaction's one connection without waiting for the answer to the one before (small ones in one write), so their
 * waits overlap, down to one round trip for all, and PostgreSQL runs them in the order they were started. Awaits
 * them all; when one failed (the ones after it then only report the aborted transaction), throws the error of the
 * first in the given order, else returns their values.
 */
export async function settleInOrder<T extends readonly Promise<unknown>[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises);
  for (const result of settled) if (result.status === "rejected") throw result.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
