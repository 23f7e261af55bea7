// Autovacuum's work, done by the bench when the server has autovacuum off.
import postgres from "postgres";

/**
 * PostgreSQL plans a prepared statement with the statistics it has and may keep that plan; autovacuum keeps the
 * statistics current as tables grow (by default it analyzes a table once 10 % of it plus 50 rows changed), and
 * vacuums tables after inserts and updates, which marks their pages all-visible: only then does an index-only
 * scan (a count, the ids a page skips) skip the table itself. With autovacuum off — as in this machine's CI
 * configuration — tables that grow from empty during a run keep "empty" statistics, cached plans scan where an
 * index would do, and every index-only scan visits the table too. So when the server has autovacuum off, the
 * bench does its job: VACUUM ANALYZE of the database under test every `seconds`, for the product and the
 * baselines alike. Returns the function that stops it.
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
    running = running.then(() => sql`vacuum analyze`).catch((error: unknown) => process.stderr.write(`bench: vacuum analyze failed: ${String(error)}\n`));
  }, seconds * 1000);
  return async () => {
    clearInterval(timer);
    await running;
    await sql.end();
  };
}
