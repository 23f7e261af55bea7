import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors";
import { HEAP_GROWTH_V8_FLAG, parseEnv } from "./env";

describe("parseEnv", () => {
  it("needs nothing for the embedded default", () => {
    const env = parseEnv({ NODE_ENV: "development", AUTH_SECRET: "x".repeat(32) });
    expect(env).toMatchObject({
      databaseUrl: undefined,
      pgliteDir: ".data/pglite",
      appUrl: "http://localhost:3000",
      mailboxEnabled: true,
      resendApiKey: undefined,
    });
  });

  it("treats empty variables as unset and trims a trailing slash off APP_URL", () => {
    const env = parseEnv({ AUTH_SECRET: "x".repeat(32), DATABASE_URL: "", RESEND_API_KEY: "", APP_URL: "https://sally.example/" });
    expect(env.databaseUrl).toBeUndefined();
    expect(env.resendApiKey).toBeUndefined();
    expect(env.appUrl).toBe("https://sally.example");
  });

  it("keeps the activity log 90 days and sent emails 30 by default; 0 keeps forever", () => {
    expect(parseEnv({ AUTH_SECRET: "x".repeat(32) }).retention).toEqual({ activityDays: 90, outboxDays: 30 });
    expect(parseEnv({ AUTH_SECRET: "x".repeat(32), ACTIVITY_RETENTION_DAYS: "0", OUTBOX_RETENTION_DAYS: "7" }).retention).toEqual({
      activityDays: 0,
      outboxDays: 7,
    });
  });

  it("keeps six connections to PostgreSQL per instance unless DATABASE_POOL_SIZE says otherwise", () => {
    expect(parseEnv({ AUTH_SECRET: "x".repeat(32) }).databasePoolSize).toBe(6);
    expect(parseEnv({ AUTH_SECRET: "x".repeat(32), DATABASE_POOL_SIZE: "20" }).databasePoolSize).toBe(20);
  });

  it("drains the email outbox in the background every 15 seconds unless OUTBOX_DRAIN_INTERVAL_SECONDS says otherwise", () => {
    expect(parseEnv({ AUTH_SECRET: "x".repeat(32) }).outboxDrainIntervalSeconds).toBe(15);
    expect(parseEnv({ AUTH_SECRET: "x".repeat(32), OUTBOX_DRAIN_INTERVAL_SECONDS: "60" }).outboxDrainIntervalSeconds).toBe(60);
  });

  it("asks V8 for a full collection at 150 % over the live heap unless HEAP_GROWTH_PERCENT says otherwise", () => {
    expect(parseEnv({ AUTH_SECRET: "x".repeat(32) }).heapGrowthPercent).toBe(150);
    expect(parseEnv({ AUTH_SECRET: "x".repeat(32), HEAP_GROWTH_PERCENT: "0" }).heapGrowthPercent).toBe(0);
    expect(parseEnv({ AUTH_SECRET: "x".repeat(32), HEAP_GROWTH_PERCENT: "300" }).heapGrowthPercent).toBe(300);
  });

  it("sets a V8 flag this Node.js knows: V8 would leave an unknown one unapplied, with a line on stderr", () => {
    const flags = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
    expect(flags).toContain(`  ${HEAP_GROWTH_V8_FLAG} (`);
  });

  it("keeps the dev mailbox off in production unless enabled", () => {
    const base = { NODE_ENV: "production", AUTH_SECRET: "x".repeat(32) } as const;
    expect(parseEnv(base).mailboxEnabled).toBe(false);
    expect(parseEnv({ ...base, MAILBOX_ENABLED: "1" }).mailboxEnabled).toBe(true);
  });

  it.each([
    [{ DATABASE_URL: "mysql://db/x" }, /DATABASE_URL must be a postgres/],
    [{ APP_URL: "localhost:3000" }, /APP_URL must be an http\(s\) URL/],
    [{ SCIM_MAX_PAGE_SIZE: "lots" }, /SCIM_MAX_PAGE_SIZE/],
    [{ DATABASE_POOL_SIZE: "0" }, /DATABASE_POOL_SIZE/],
    [{ MAILBOX_ENABLED: "maybe" }, /MAILBOX_ENABLED must be 1\/0/],
    [{ AUTH_SECRET: "short" }, /AUTH_SECRET must be at least 16/],
    [{ ACTIVITY_RETENTION_DAYS: "-1" }, /ACTIVITY_RETENTION_DAYS/],
    [{ OUTBOX_RETENTION_DAYS: "a month" }, /OUTBOX_RETENTION_DAYS/],
    [{ OUTBOX_DRAIN_INTERVAL_SECONDS: "0" }, /OUTBOX_DRAIN_INTERVAL_SECONDS/],
    [{ OUTBOX_DRAIN_INTERVAL_SECONDS: "86401" }, /OUTBOX_DRAIN_INTERVAL_SECONDS/],
    [{ HEAP_GROWTH_PERCENT: "-1" }, /HEAP_GROWTH_PERCENT/],
    [{ HEAP_GROWTH_PERCENT: "1001" }, /HEAP_GROWTH_PERCENT/],
  ])("rejects %o with one readable message", (vars, message) => {
    expect(() => parseEnv({ AUTH_SECRET: "x".repeat(32), ...vars })).toThrow(ConfigError);
    expect(() => parseEnv({ AUTH_SECRET: "x".repeat(32), ...vars })).toThrow(message);
  });
});
