import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes SQL migrations that both drivers (PGlite and postgres.js) apply unchanged.
// `npm run db:studio` browses DATABASE_URL, or the embedded PGlite folder (stop the dev server first:
// PGlite allows one process per folder).
const databaseUrl = process.env.DATABASE_URL;

export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  ...(databaseUrl
    ? { dbCredentials: { url: databaseUrl } }
    : { driver: "pglite", dbCredentials: { url: process.env.PGLITE_DIR ?? ".data/pglite" } }),
});
