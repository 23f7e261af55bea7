import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit";

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("RateLimiter", () => {
  it("lets a full minute's worth through at once, then answers with a wait", () => {
    const time = clock();
    const limiter = new RateLimiter(60, time.now);
    for (let i = 0; i < 60; i++) expect(limiter.take("tenant")).toBe(0);
    expect(limiter.take("tenant")).toBe(1);
  });

  it("keeps one bucket per key", () => {
    const time = clock();
    const limiter = new RateLimiter(2, time.now);
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBeGreaterThan(0);
    expect(limiter.take("b")).toBe(0);
  });

  it("refills continuously at the per-minute rate", () => {
    const time = clock();
    const limiter = new RateLimiter(60, time.now);
    for (let i = 0; i < 60; i++) limiter.take("t");
    expect(limiter.take("t")).toBe(1);
    time.advance(999);
    expect(limiter.take("t")).toBe(1);
    time.advance(1);
    // 1000 ms at 1 request/s refills exactly one token.
    expect(limiter.take("t")).toBe(0);
    expect(limiter.take("t")).toBe(1);
    time.advance(5_000);
    for (let i = 0; i < 5; i++) expect(limiter.take("t")).toBe(0);
    expect(limiter.take("t")).toBe(1);
  });

  it("never refills above the burst size", () => {
    const time = clock();
    const limiter = new RateLimiter(3, time.now);
    limiter.take("t");
    time.advance(60 * 60_000);
    for (let i = 0; i < 3; i++) expect(limiter.take("t")).toBe(0);
    expect(limiter.take("t")).toBeGreaterThan(0);
  });

  it.each([
    { perMinute: 1, expected: 60 },
    { perMinute: 6, expected: 10 },
    { perMinute: 7, expected: 9 },
    { perMinute: 60, expected: 1 },
    { perMinute: 6000, expected: 1 },
    { perMinute: 600_000, expected: 1 },
  ])("with $perMinute/min an empty bucket asks for a whole-second Retry-After of $expected", ({ perMinute, expected }) => {
    const time = clock();
    const limiter = new RateLimiter(perMinute, time.now);
    for (let i = 0; i < perMinute; i++) limiter.take("t");
    const wait = limiter.take("t");
    expect(Number.isInteger(wait)).toBe(true);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBe(expected);
  });

  it("shortens the wait as time passes, never below one second", () => {
    const time = clock();
    const limiter = new RateLimiter(2, time.now);
    limiter.take("t");
    limiter.take("t");
    expect(limiter.take("t")).toBe(30);
    time.advance(20_000);
    expect(limiter.take("t")).toBe(10);
    time.advance(9_990);
    const wait = limiter.take("t");
    expect(Number.isInteger(wait)).toBe(true);
    expect(wait).toBe(1);
  });

  it("does not charge a refused request", () => {
    const time = clock();
    const limiter = new RateLimiter(60, time.now);
    for (let i = 0; i < 60; i++) limiter.take("t");
    for (let i = 0; i < 100; i++) expect(limiter.take("t")).toBe(1);
    time.advance(1_000);
    expect(limiter.take("t")).toBe(0);
  });
});
