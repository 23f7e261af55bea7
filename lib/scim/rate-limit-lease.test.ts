import { describe, expect, it } from "vitest";
import { leaseCap, RateLimitLeases } from "./rate-limit-lease";

/** Leases on a clock the test moves by hand, with a one-second window. */
function leasesAt(start = 0, options: { maxEntries?: number } = {}) {
  let now = start;
  const leases = new RateLimitLeases({ windowMs: 1_000, now: () => now, ...options });
  return { leases, advance: (ms: number) => void (now += ms) };
}

/** One request as authenticate() makes it: a held token, else an ask granted by a bucket holding `available`. */
function request(leases: RateLimitLeases, key: string, perMinute: number, bucket: { available: number; given: number[] }) {
  if (leases.spend(key)) return "lease";
  const { want, giveBack } = leases.ask(key, perMinute);
  bucket.available += giveBack;
  const granted = bucket.available >= 1 ? Math.min(want, Math.floor(bucket.available)) : 0;
  bucket.available -= granted;
  bucket.given.push(granted);
  leases.took(key, granted);
  return granted > 0 ? "bucket" : "refused";
}

describe("leaseCap: at most a second's refill, at least one, at most 256", () => {
  it.each([
    { perMinute: 1, expected: 1 },
    { perMinute: 30, expected: 1 },
    { perMinute: 60, expected: 1 },
    { perMinute: 119, expected: 1 },
    { perMinute: 120, expected: 2 },
    { perMinute: 6_000, expected: 100 },
    { perMinute: 100_000_000, expected: 256 },
  ])("$perMinute a minute → $expected", ({ perMinute, expected }) => {
    expect(leaseCap(perMinute)).toBe(expected);
  });
});

describe("RateLimitLeases", () => {
  it("asks for one token at a time when a lease lasts no time (a lookup that never spends a held token)", () => {
    const leases = new RateLimitLeases({ windowMs: 0 });
    const bucket = { available: 6_000, given: [] as number[] };
    const outcomes = Array.from({ length: 20 }, () => request(leases, "t", 6_000, bucket));
    expect(new Set(outcomes)).toEqual(new Set(["bucket"]));
    expect(bucket.given).toEqual(Array.from({ length: 20 }, () => 1));
  });

  it("asks for one token at first and holds nothing", () => {
    const { leases } = leasesAt();
    expect(leases.spend("t")).toBe(false);
    expect(leases.ask("t", 6_000)).toEqual({ want: 1, giveBack: 0 });
    leases.took("t", 1);
    expect(leases.held("t")).toBe(0);
  });

  it("doubles the ask while leases run out within their window, up to the cap", () => {
    const { leases } = leasesAt();
    const bucket = { available: 6_000, given: [] as number[] };
    for (let i = 0; i < 400; i++) request(leases, "t", 6_000, bucket);
    expect(bucket.given).toEqual([1, 2, 4, 8, 16, 32, 64, 100, 100, 100, 100].slice(0, bucket.given.length));
    // Every request served spent a token taken from the bucket: 400 taken, minus what the lease still holds.
    expect(6_000 - bucket.available - leases.held("t")).toBe(400);
  });

  it("takes request by request when the limit refills less than one token a window (the exact limit of old)", () => {
    const { leases } = leasesAt();
    const bucket = { available: 30, given: [] as number[] };
    const outcomes = Array.from({ length: 40 }, () => request(leases, "t", 30, bucket));
    expect(bucket.given.slice(0, 30).every((n) => n === 1)).toBe(true);
    expect(outcomes.filter((o) => o === "lease")).toHaveLength(0);
    expect(outcomes.filter((o) => o === "bucket")).toHaveLength(30);
    expect(outcomes.filter((o) => o === "refused")).toHaveLength(10);
  });

  it("spends a lease only within its window, gives its unused tokens back, and asks for what was used", () => {
    const { leases, advance } = leasesAt();
    const bucket = { available: 6_000, given: [] as number[] };
    for (let i = 0; i < 15; i++) request(leases, "t", 6_000, bucket); // asks of 1, 2, 4, 8: 15 tokens
    request(leases, "t", 6_000, bucket); // asks for 16, spends one
    expect(leases.held("t")).toBe(15);
    request(leases, "t", 6_000, bucket);
    advance(1_000);
    // The window is over: the next request asks again, giving back the 14 left, for the 2 the lease served.
    expect(leases.spend("t")).toBe(false);
    expect(leases.ask("t", 6_000)).toEqual({ want: 2, giveBack: 14 });
  });

  it("never serves more than the bucket gave, across instances sharing one bucket", () => {
    const bucket = { available: 6_000, given: [] as number[] };
    const instances = [leasesAt(), leasesAt(), leasesAt()];
    let served = 0;
    for (let i = 0; i < 9_000; i++) {
      const { leases, advance } = instances[i % 3];
      if (i % 500 === 0) advance(700);
      if (request(leases, "t", 6_000, bucket) !== "refused") served++;
    }
    const held = instances.reduce((sum, { leases }) => sum + leases.held("t"), 0);
    expect(served + held + bucket.available).toBe(6_000);
    expect(served).toBeLessThanOrEqual(6_000);
  });

  it("adds the grants of concurrent asks of one instance to one lease", () => {
    const { leases } = leasesAt();
    expect(leases.ask("t", 6_000).want).toBe(1);
    expect(leases.ask("t", 6_000).want).toBe(1);
    leases.took("t", 5);
    leases.took("t", 3);
    expect(leases.held("t")).toBe(6);
  });

  it("keeps tenants apart, and forgets the oldest lease beyond its bound (its tokens are lost, never spent twice)", () => {
    const { leases } = leasesAt(0, { maxEntries: 2 });
    for (const key of ["a", "b", "c"]) {
      leases.ask(key, 6_000);
      leases.took(key, 10);
    }
    expect([leases.held("a"), leases.held("b"), leases.held("c")]).toEqual([0, 9, 9]);
    expect(leases.spend("a")).toBe(false);
    expect(leases.spend("b")).toBe(true);
  });

  it("records nothing for a refused ask", () => {
    const { leases } = leasesAt();
    leases.took("t", 0);
    expect(leases.spend("t")).toBe(false);
    expect(leases.ask("t", 6_000)).toEqual({ want: 1, giveBack: 0 });
  });
});
