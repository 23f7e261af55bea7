import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { MIGRATIONS_FOLDER } from "../migrate-lock";
import { PGLITE_TEMPLATE } from "./paths";

/**
 * Builds one migrated PGlite data directory for the whole run; every db test file starts from a copy of it
 * instead of paying initdb + migrations (seconds) per file.
 */
export default async function setup() {
  const client = await PGlite.create("memory://");
  await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  const dump = await client.dumpDataDir("none");
  fs.mkdirSync(path.dirname(PGLITE_TEMPLATE), { recursive: true });
  fs.writeFileSync(PGLITE_TEMPLATE, Buffer.from(await dump.arrayBuffer()));
  await client.close();
}
