import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The fuzz files first: they take minutes each, and a fresh checkout has no timings from an earlier run to
 * order files by (without them, the smallest files go last, and the fuzz files are small).
 */
class FuzzFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const fuzz = (file: TestSpecification) => file.moduleId.includes(".fuzz.");
    return [...sorted.filter(fuzz), ...sorted.filter((file) => !fuzz(file))];
  }
}

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    environment: "node",
    include: ["**/*.test.ts"],
    // e2e/ is Playwright's, except the pure, unit-tested parts of the benchmark and the IdP simulator.
    exclude: ["node_modules/**", "e2e/!(bench|idp)/**", "e2e/*.*", ".next/**", ".data/**"],
    globalSetup: ["./db/testing/global-setup.ts"],
    // Vitest's default on two cores is one worker; the db tests wait on PostgreSQL and PGlite as much as they
    // compute, so two run side by side (each file has its own database: PGlite in memory, or one created on
    // PostgreSQL per file).
    maxWorkers: 2,
    sequence: { sequencer: FuzzFirst },
    // PGlite boots in seconds, not milliseconds; db tests on PostgreSQL create a database per file.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { NODE_ENV: "test", SEED_DEMO: "0", PGLITE_DIR: "memory://" },
  },
});
