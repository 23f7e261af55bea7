import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes SQL migrations that both drivers (PGlite and postgres.js) apply unchanged.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
});
