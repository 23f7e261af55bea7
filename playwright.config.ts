import { defineConfig } from "@playwright/test";
import { baseUrl, serverEnv, servers } from "./e2e/servers";

// Playwright cannot download its own browser on these machines: use Debian's chromium (see .ci/run).
const chromium = "/usr/bin/chromium";

export default defineConfig({
  testDir: "./e2e",
  // e2e/bench and e2e/idp also hold vitest unit tests (*.test.ts); Playwright runs the specs only.
  testMatch: "**/*.spec.ts",
  // Bundles the CLI and the IdP simulator the specs run (e2e/bin.ts).
  globalSetup: "./e2e/bin.ts",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: servers.map((server) => ({
    name: server.name,
    use: { baseURL: baseUrl(server) },
    metadata: { server },
  })),
  webServer: servers.map((server) => ({
    command: [
      server.databaseUrl ? "tsx e2e/reset-database.mts" : `rm -rf ${server.pgliteDir} ${server.pgliteDir}.lock`,
      // The product's own start script (seed, then `next start` with its options).
      `npm run -s start -- -p ${server.port}`,
    ].join(" && "),
    // A route that touches the database, so tests start after migrations and the first open.
    url: `${baseUrl(server)}/api/health`,
    env: serverEnv(server),
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
  })),
});
