import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// What an operator sees when the configuration cannot work: one line, exit code 1, no stack trace.
function runSeed(env: Record<string, string>) {
  const result = spawnSync("node_modules/.bin/tsx", ["db/seed.ts"], {
    env: { ...process.env, SEED_DEMO: "1", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr.trim() };
}

describe("startup with bad configuration", () => {
  it("names an unreachable DATABASE_URL in one line", () => {
    const { status, stderr } = runSeed({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/nowhere" });
    expect(status).toBe(1);
    expect(stderr).toBe("error: Cannot use the database at 127.0.0.1:1/nowhere: connection refused (is PostgreSQL running?)");
  });

  it("names a malformed variable in one line", () => {
    const { status, stderr } = runSeed({ APP_URL: "not a url" });
    expect(status).toBe(1);
    expect(stderr).toBe("error: Invalid environment: APP_URL must be an http(s) URL");
  });
});
