import { describe, expect, it } from "vitest";
import { ResendPace } from "./send-email";

// What Resend's answers ask of the next request (see ResendPace): [status, headers, error name] → seconds the
// delivery is deferred (undefined: not deferred) and milliseconds the next request waits.
const cases: [string, number | null, Record<string, string> | null, string | undefined, number | undefined, number][] = [
  ["a success with requests left: no wait", 200, { "ratelimit-remaining": "1", "ratelimit-reset": "1" }, undefined, undefined, 0],
  ["a success that used the window's last request: wait for its reset", 200, { "ratelimit-remaining": "0", "ratelimit-reset": "1" }, undefined, undefined, 1_000],
  ["a success without the headers: no wait", 200, null, undefined, undefined, 0],
  ["rate limited: retry-after", 429, { "retry-after": "3", "ratelimit-reset": "1" }, "rate_limit_exceeded", 3, 3_000],
  ["rate limited without retry-after: the window's reset", 429, { "ratelimit-reset": "2" }, "rate_limit_exceeded", 2, 2_000],
  ["rate limited without headers: a second", 429, null, "rate_limit_exceeded", 1, 1_000],
  ["a fraction of a second is rounded up", 429, { "retry-after": "0.2" }, "rate_limit_exceeded", 1, 1_000],
  ["daily quota: retry-after when given", 429, { "retry-after": "7200", "ratelimit-reset": "1" }, "daily_quota_exceeded", 7_200, 7_200_000],
  ["daily quota: an hour, not the request window's reset", 429, { "ratelimit-reset": "1" }, "daily_quota_exceeded", 3_600, 3_600_000],
  ["monthly quota: an hour", 429, null, "monthly_quota_exceeded", 3_600, 3_600_000],
  ["a 409 for the key being sent elsewhere: a second", 409, null, "concurrent_idempotent_requests", 1, 1_000],
  ["a validation error is a failed attempt, not a wait", 422, null, "validation_error", undefined, 0],
  ["a server error is a failed attempt, not a wait", 500, null, "internal_server_error", undefined, 0],
];

describe("ResendPace", () => {
  it.each(cases)("%s", (_name, status, headers, name, deferred, waitMs) => {
    const pace = new ResendPace(() => 10_000);
    expect(pace.answered(status, headers, name)).toBe(deferred);
    expect(pace.wait()).toBe(waitMs);
  });

  it("keeps the latest time any answer named, and counts down as time passes", () => {
    let now = 0;
    const pace = new ResendPace(() => now);
    pace.answered(429, { "retry-after": "5" }, "rate_limit_exceeded");
    pace.answered(200, { "ratelimit-remaining": "0", "ratelimit-reset": "1" });
    expect(pace.wait()).toBe(5_000);
    now = 4_000;
    expect(pace.wait()).toBe(1_000);
    now = 6_000;
    expect(pace.wait()).toBe(0);
  });
});
