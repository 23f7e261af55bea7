// Autovacuum's work, done by the bench when the server has autovacuum off.
import postgres from "postgres";

/**
 * PostgreSQL plans a prepared statement with the statistics it has and may keep that plan; autovacuum keeps the
 * statistics current as tables grow (by default it analyzes a table once 10 % of it plus 50 rows changed), and
 * vacuums tables after inserts and updates, which marks their pages all-visible: only then does an index-only
 * scan (a count, the ids a page skips) skip the table itself. With autovacuum off — as in this machine's CI
 * configuration — tables that grow from empty during a run keep "empty" statistics, cached plans scan where an
 * index would do, and every index-only scan visits the table too. So when the server has autovacuum off, the
 * bench does its job, for the product and the baselines alike: every `seconds` it looks at each table's counters
 * and runs VACUUM ANALYZE on the tables autovacuum would take up by its default thresholds (PostgreSQL's
 * "Automatic Vacuuming" settings: analyze after 50 rows plus 10 % of the table changed; vacuum after 50 plus 20 %
 * dead rows, or 1,000 plus 20 % inserted). A table nobody writes is left alone, as autovacuum leaves it: vacuuming
 * the whole database every time had the scale probe's 100,000-user tables vacuumed for over a second out of every
 * fifteen while its lookups were timed. Returns the function that stops it.
 */
export async function startAnalyzer(url: string, seconds = 15): Promise<() => Promise<void>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const [{ autovacuum }] = await sql<{ autovacuum: string }[]>`select current_setting('autovacuum') as autovacuum`;
  if (autovacuum === "on") {
    await sql.end();
    return async () => {};
  }
  process.stderr.write(`bench: autovacuum is off on this server; a VACUUM ANALYZE every ${seconds} s stands in for it\n`);
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        for (const { name } of await dueTables(sql)) await sql.unsafe(`vacuum analyze ${name}`);
      })
      .catch((error: unknown) => process.stderr.write(`bench: vacuum analyze failed: ${String(error)}\n`));
  }, seconds * 1000);
  return async () => {
    clearInterval(timer);
    await running;
    await sql.end();
  };
}

/** The tables autovacuum would vacuum or analyze now, by its default thresholds (see startAnalyzer). */
const dueTables = (sql: postgres.Sql) => sql<{ name: string }[]>`
  select quote_ident(s.schemaname) || '.' || quote_ident(s.relname) as name
  from pg_stat_user_tables s join pg_class c on c.oid = s.relid
  where s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
     or s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
     or s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0)`;
