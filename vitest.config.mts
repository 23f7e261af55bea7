import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    environment: "node",
    include: ["**/*.test.ts"],
    // e2e/ holds Playwright specs, except the IdP simulator's own unit tests.
    exclude: ["node_modules/**", "e2e/!(idp)/**", "e2e/*.*", ".next/**", ".data/**"],
    globalSetup: ["./db/testing/global-setup.ts"],
    // PGlite boots in seconds, not milliseconds; db tests on PostgreSQL create a database per file.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { NODE_ENV: "test", SEED_DEMO: "0", PGLITE_DIR: "memory://" },
  },
});
