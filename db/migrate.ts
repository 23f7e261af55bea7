// `npm run db:migrate`: applies db/migrations to DATABASE_URL or the PGlite folder, then exits.
import { openDatabase } from "./index";
import { env } from "@/lib/env";
import { runCli } from "@/lib/cli/run";

runCli(async () => {
  const { databaseUrl, pgliteDir } = env();
  const database = await openDatabase({ databaseUrl, pgliteDir });
  await database.close();
  console.log(`Migrated (${database.driver}).`);
});
