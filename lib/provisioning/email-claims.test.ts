import { describe, expect, it } from "vitest";
import { settleEmailClaims, type EmailClaim } from "./email-claims";

const claim = (userId: string, over: Partial<EmailClaim> = {}): EmailClaim => ({
  userId,
  email: "ada@example.com",
  wantsAccess: true,
  holdsNow: false,
  createdAt: "2026-01-01T00:00:00Z",
  ...over,
});

describe("settleEmailClaims", () => {
  it.each([
    ["one user alone keeps what the rules give", [claim("a")], {}],
    ["two emails: no conflict", [claim("a"), claim("b", { email: "bea@example.com" })], {}],
    ["the holder keeps the email; a newer claim is blocked", [claim("b", { createdAt: "2025-01-01" }), claim("a", { holdsNow: true })], { b: "a" }],
    ["no holder: the user created first wins", [claim("b", { createdAt: "2026-02-01" }), claim("a", { createdAt: "2026-01-15" })], { b: "a" }],
    ["same creation time: the lower id wins, whatever the order", [claim("b"), claim("a")], { b: "a" }],
    ["emails compare case-insensitively", [claim("a", { holdsNow: true }), claim("b", { email: "ADA@Example.com" })], { b: "a" }],
    ["a user without access claims nothing: the other takes the email", [claim("a", { wantsAccess: false, holdsNow: true }), claim("b")], {}],
    ["the holder loses access: the blocked user is no longer blocked", [claim("a", { wantsAccess: false }), claim("b", { createdAt: "2027-01-01" })], {}],
    ["three claimants: both others name the holder", [claim("c"), claim("a", { holdsNow: true }), claim("b")], { b: "a", c: "a" }],
  ] as const)("%s", (_, claims, expected) => {
    expect(Object.fromEntries(settleEmailClaims(claims))).toEqual(expected);
  });
});
