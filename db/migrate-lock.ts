import path from "node:path";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/** An arbitrary constant: the advisory lock every Sally process takes while migrating. */
const MIGRATION_LOCK_ID = 727274;

/**
 * drizzle's migrate() takes no lock, so instances starting together on an empty database collide
 * (duplicate pg_type rows). One dedicated connection holds an advisory lock around it.
 */
export async function migrateWithLock(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
