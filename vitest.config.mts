import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    environment: "node",
    include: ["**/*.test.ts"],
    // e2e/ is Playwright's, except the benchmark's pure parts (percentiles, ratios, workload), unit-tested here.
    exclude: ["node_modules/**", "e2e/!(bench)/**", "e2e/*.*", ".next/**", ".data/**"],
    globalSetup: ["./db/testing/global-setup.ts"],
    // PGlite boots in seconds, not milliseconds; db tests on PostgreSQL create a database per file.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { NODE_ENV: "test", SEED_DEMO: "0", PGLITE_DIR: "memory://" },
  },
});
