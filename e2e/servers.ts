// The production servers the e2e suite runs against: always one on embedded PGlite, and one on PostgreSQL
// when DATABASE_URL is set. Both are built once (`npm run build`) and seeded with the demo tenant.

export const E2E_AUTH_SECRET = "e2e-only-secret-not-for-production-0123456789";

export type E2EServer = { name: "pglite" | "postgres"; port: number; databaseUrl: string; pgliteDir: string };

// Several checkouts may run their suites on one machine at once: E2E_PORT_BASE moves the ports (PGlite on the
// base, PostgreSQL on base + 10) and E2E_DB_SUFFIX the PostgreSQL database name.
const portBase = Number(process.env.E2E_PORT_BASE ?? 4320);
const dbSuffix = (process.env.E2E_DB_SUFFIX ?? "").replace(/\W/g, "");

function e2eDatabaseUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `/sally_e2e${dbSuffix}`;
  return url.toString();
}

export const servers: E2EServer[] = [
  { name: "pglite", port: portBase, databaseUrl: "", pgliteDir: ".data/e2e/pglite" },
  ...(process.env.DATABASE_URL
    ? [{ name: "postgres" as const, port: portBase + 10, databaseUrl: e2eDatabaseUrl(process.env.DATABASE_URL), pgliteDir: ".data/e2e/unused" }]
    : []),
];

/**
 * What `npm start` gives `next start` besides the port (package.json's start script; e2e/keep-alive.spec.ts keeps
 * the two equal): specs that must signal the server's own process start `next` directly, with these.
 */
export const NEXT_START_OPTIONS = ["--keepAliveTimeout", "65000"] as const;

export const baseUrl = (server: E2EServer) => `http://localhost:${server.port}`;

/** The environment of a server and of CLI calls made against it. */
export function serverEnv(server: E2EServer): Record<string, string> {
  return {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: server.databaseUrl,
    PGLITE_DIR: server.pgliteDir,
    APP_URL: baseUrl(server),
    AUTH_SECRET: E2E_AUTH_SECRET,
    MAILBOX_ENABLED: "1",
    SEED_DEMO: "1",
    RESEND_API_KEY: "",
  };
}
