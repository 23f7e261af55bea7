import { describe, expect, it } from "vitest";
import { sameOriginRedirect } from "./origin";

describe("sameOriginRedirect", () => {
  const origin = "http://127.0.0.1:3900";
  it.each([
    ["/", "http://127.0.0.1:3900/"],
    ["/settings/users?x=1", "http://127.0.0.1:3900/settings/users?x=1"],
    ["http://127.0.0.1:3900/me", "http://127.0.0.1:3900/me"],
    ["http://localhost:3900/me", "http://127.0.0.1:3900/"],
    ["https://127.0.0.1:3900/me", "http://127.0.0.1:3900/"],
    ["http://127.0.0.1:3901/me", "http://127.0.0.1:3900/"],
    ["//evil.example/x", "http://127.0.0.1:3900/"],
    ["https://evil.example/", "http://127.0.0.1:3900/"],
    ["javascript:alert(1)", "http://127.0.0.1:3900/"],
    ["http://[bad", "http://127.0.0.1:3900/"],
  ])("%s → %s", (target, expected) => {
    expect(sameOriginRedirect(target, origin)).toBe(expected);
  });
});
