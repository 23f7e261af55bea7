import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";

/** Per table: how many rows, and an MD5 over every row's text form in a fixed order (so equal digests mean equal contents). */
export type Digest = Record<string, { rows: number; md5: string }>;

type Row = Record<string, unknown>;

/** drizzle's execute() answers `{ rows }` on PGlite and a row array on postgres.js. */
async function rowsOf(db: DbOrTx, query: ReturnType<typeof sql.raw>): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Digests every table of the public schema, or with `tenantId` only one tenant's rows (its `tenants` row and the
 * rows of every table with a tenant_id column). Tables in `except` are left out; callers name why.
 * One round trip for the table list, one for all the digests.
 */
export async function digestTables(db: DbOrTx, options: { except?: string[]; tenantId?: string } = {}): Promise<Digest> {
  const key = JSON.stringify(options);
  let query = plans.get(db)?.get(key);
  if (!query) {
    query = await plan(db, options);
    plans.set(db, (plans.get(db) ?? new Map()).set(key, query));
  }
  const digests = await rowsOf(db, sql.raw(query));
  return Object.fromEntries(digests.map((d) => [String(d.name), { rows: Number(d.rows), md5: String(d.md5) }]));
}

/** The digest query per database and options: the schema does not change while a test runs. */
const plans = new WeakMap<object, Map<string, string>>();

async function plan(db: DbOrTx, options: { except?: string[]; tenantId?: string }): Promise<string> {
  const columns = await rowsOf(
    db,
    sql.raw(`select table_name, column_name from information_schema.columns where table_schema = 'public' order by table_name`),
  );
  const tables = new Map<string, Set<string>>();
  for (const { table_name, column_name } of columns) {
    const set = tables.get(String(table_name)) ?? new Set<string>();
    set.add(String(column_name));
    tables.set(String(table_name), set);
  }
  const parts: string[] = [];
  for (const [table, cols] of [...tables].sort(([a], [b]) => a.localeCompare(b))) {
    if (options.except?.includes(table)) continue;
    let where = "";
    if (options.tenantId !== undefined) {
      const tenant = `'${options.tenantId.replace(/'/g, "''")}'`;
      if (table === "tenants") where = ` where x.id = ${tenant}`;
      else if (cols.has("tenant_id")) where = ` where x.tenant_id = ${tenant}`;
      else continue;
    }
    parts.push(
      `select '${table}' as name, count(*)::int as rows, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as md5 from ${ident(table)} x${where}`,
    );
  }
  return parts.join(" union all ");
}

/** Every row of every public table as text, for scanning the stored data for a secret. */
export async function dumpTables(db: DbOrTx): Promise<string> {
  const names = await rowsOf(db, sql.raw(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`));
  const parts = names.map(({ table_name }) => `select '${String(table_name)}' as name, x::text as row from ${ident(String(table_name))} x`);
  const rows = await rowsOf(db, sql.raw(parts.join(" union all ")));
  return rows.map((r) => `${String(r.name)}\t${String(r.row)}`).join("\n");
}
