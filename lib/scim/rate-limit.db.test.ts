import { describe, expect, it } from "vitest";
import { openDatabase } from "@/db";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { createTenant } from "@/lib/tenants/create-tenant";
import { askBucket, retryAfterSeconds, takeRateLimitToken } from "./rate-limit";

/** A clock the test moves by hand. */
function clock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

describe.each(testDrivers)("the shared SCIM rate limit on %s", (driver) => {
  const t = useTestDatabase(driver);
  let n = 0;
  const tenant = async () => (await createTenant(t.db, { name: `rl ${++n}`, slug: `rl-${driver}-${n}`, adminEmail: `a@rl${n}.example` })).id;

  it("lets a full minute's worth through at once, then answers with a wait", async () => {
    const [id, time] = [await tenant(), clock()];
    for (let i = 0; i < 60; i++) expect(await takeRateLimitToken(t.db, id, 60, time.now())).toBe(0);
    expect(await takeRateLimitToken(t.db, id, 60, time.now())).toBe(1);
  });

  it("keeps one bucket per tenant", async () => {
    const [a, b, time] = [await tenant(), await tenant(), clock()];
    expect(await takeRateLimitToken(t.db, a, 2, time.now())).toBe(0);
    expect(await takeRateLimitToken(t.db, a, 2, time.now())).toBe(0);
    expect(await takeRateLimitToken(t.db, a, 2, time.now())).toBeGreaterThan(0);
    expect(await takeRateLimitToken(t.db, b, 2, time.now())).toBe(0);
  });

  it("refills continuously at the per-minute rate, never above the burst, and does not charge refusals", async () => {
    const [id, time] = [await tenant(), clock()];
    for (let i = 0; i < 60; i++) await takeRateLimitToken(t.db, id, 60, time.now());
    for (let i = 0; i < 5; i++) expect(await takeRateLimitToken(t.db, id, 60, time.now())).toBe(1);
    time.advance(999);
    expect(await takeRateLimitToken(t.db, id, 60, time.now())).toBe(1);
    time.advance(1);
    // 1000 ms at 1 request/s refills exactly one token.
    expect(await takeRateLimitToken(t.db, id, 60, time.now())).toBe(0);
    expect(await takeRateLimitToken(t.db, id, 60, time.now())).toBe(1);
    time.advance(60 * 60_000);
    for (let i = 0; i < 60; i++) expect(await takeRateLimitToken(t.db, id, 60, time.now())).toBe(0);
    expect(await takeRateLimitToken(t.db, id, 60, time.now())).toBe(1);
  });

  it("shortens the wait as time passes, in whole seconds", async () => {
    const [id, time] = [await tenant(), clock()];
    await takeRateLimitToken(t.db, id, 2, time.now());
    await takeRateLimitToken(t.db, id, 2, time.now());
    expect(await takeRateLimitToken(t.db, id, 2, time.now())).toBe(30);
    time.advance(20_000);
    expect(await takeRateLimitToken(t.db, id, 2, time.now())).toBe(10);
    time.advance(9_990);
    expect(await takeRateLimitToken(t.db, id, 2, time.now())).toBe(1);
  });

  it("grants up to the tokens asked for at once (an instance's lease), and what is left when fewer remain", async () => {
    const [id, time] = [await tenant(), clock()];
    expect(await askBucket(t.db, id, 60, { want: 25, giveBack: 0 }, time.now())).toEqual({ granted: 25, tokens: 35 });
    expect(await askBucket(t.db, id, 60, { want: 30, giveBack: 0 }, time.now())).toEqual({ granted: 30, tokens: 5 });
    expect(await askBucket(t.db, id, 60, { want: 8, giveBack: 0 }, time.now())).toEqual({ granted: 5, tokens: 0 });
    expect(await askBucket(t.db, id, 60, { want: 8, giveBack: 0 }, time.now())).toEqual({ granted: 0, tokens: 0 });
    time.advance(2_500);
    // 2.5 s at 1 request/s: two whole tokens granted, the half stays.
    expect(await askBucket(t.db, id, 60, { want: 8, giveBack: 0 }, time.now())).toEqual({ granted: 2, tokens: 0.5 });
  });

  it("takes back unspent tokens before granting, never above the burst; an ask is never for fewer than one", async () => {
    const [id, time] = [await tenant(), clock()];
    expect(await askBucket(t.db, id, 60, { want: 60, giveBack: 0 }, time.now())).toEqual({ granted: 60, tokens: 0 });
    expect(await askBucket(t.db, id, 60, { want: 1, giveBack: 20 }, time.now())).toEqual({ granted: 1, tokens: 19 });
    expect(await askBucket(t.db, id, 60, { want: 0, giveBack: 100 }, time.now())).toEqual({ granted: 1, tokens: 59 });
    // A refused ask charges nothing.
    expect(await askBucket(t.db, id, 60, { want: 59, giveBack: 0 }, time.now())).toEqual({ granted: 59, tokens: 0 });
    expect(await askBucket(t.db, id, 60, { want: 5, giveBack: 0 }, time.now())).toEqual({ granted: 0, tokens: 0 });
    expect(await takeRateLimitToken(t.db, id, 60, time.now())).toBe(1);
  });

  it("lets exactly the burst through when many requests race on two connections (two instances)", async () => {
    const id = await tenant();
    // A second pool on the same database stands for a second instance; on PGlite the one handle serialises.
    const other = t.url ? await openDatabase({ databaseUrl: t.url, pgliteDir: "memory://" }) : t.database;
    try {
      const time = clock();
      const results = await Promise.all(
        Array.from({ length: 80 }, (_, i) => takeRateLimitToken(i % 2 ? other.db : t.db, id, 30, time.now())),
      );
      expect(results.filter((wait) => wait === 0)).toHaveLength(30);
      expect(results.filter((wait) => wait > 0).every((wait) => Number.isInteger(wait) && wait >= 1)).toBe(true);
    } finally {
      if (other !== t.database) await other.close();
    }
  });
});

describe("retryAfterSeconds", () => {
  it.each([
    { perMinute: 1, tokens: 0, expected: 60 },
    { perMinute: 6, tokens: 0, expected: 10 },
    { perMinute: 7, tokens: 0, expected: 9 },
    { perMinute: 60, tokens: 0, expected: 1 },
    { perMinute: 60, tokens: 0.999, expected: 1 },
    { perMinute: 6000, tokens: 0, expected: 1 },
    { perMinute: 2, tokens: 2 / 3, expected: 10 },
  ])("with $perMinute/min and $tokens tokens left: $expected s", ({ perMinute, tokens, expected }) => {
    const wait = retryAfterSeconds(tokens, perMinute);
    expect(Number.isInteger(wait)).toBe(true);
    expect(wait).toBe(expected);
  });
});
