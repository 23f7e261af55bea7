import { describe, expect, it } from "vitest";
import { filterShape, loggedPath } from "./redact-path";

describe("filterShape", () => {
  it.each([
    ['userName eq "ada@example.com"', 'userName eq "…"'],
    ['externalId eq "a\\"b" and active eq true', 'externalId eq "…" and active eq …'],
    ['emails[type eq "work" and value co "@x"]', 'emails[type eq "…" and value co "…"]'],
    ["meta.lastModified gt 2026-01-01T00:00:00Z", "meta.lastModified gt …"],
    ['(displayName sw "Eng") or not (title pr)', '(displayName sw "…") or not (title pr)'],
  ])("%s → %s", (filter, shape) => {
    expect(filterShape(filter)).toBe(shape);
  });
});

describe("loggedPath", () => {
  it("keeps the path and other parameters, and strips filter values", () => {
    const search = new URLSearchParams({ filter: 'userName eq "ada@example.com"', count: "1" });
    expect(loggedPath("/Users", search)).toBe('/Users?filter=userName eq "…"&count=1');
    expect(loggedPath("/Users", new URLSearchParams())).toBe("/Users");
  });
});
