import { describe, expect, it } from "vitest";
import { compareAccess, compareInvitations, compareMemberships, expectedPurchases } from "./checks";
import { buildWorkload } from "./workload";

const w = buildWorkload({ users: 30, groups: 6, seed: 1 });
const allRows = () =>
  [...w.finalMembers].flatMap(([g, members]) => [...members].map((u) => ({ group: w.groups[g].displayName, user: w.users[u].userName })));

describe("compareMemberships", () => {
  it("passes when exactly the expected memberships are present (userName case aside)", () => {
    const rows = allRows().map((r, i) => (i % 2 ? { ...r, user: r.user.toUpperCase() } : r));
    expect(compareMemberships(w, rows)).toMatchObject({ missing: 0, extra: 0, present: rows.length, expected: rows.length });
  });

  it("counts missing and extra memberships and names a few", () => {
    const rows = allRows();
    const dropped = rows.pop()!;
    rows.push({ group: "Sally Admins", user: w.users[1].userName });
    const result = compareMemberships(w, rows);
    expect(result.missing).toBe(1);
    expect(result.extra).toBe(1);
    expect(result.examples).toEqual([`missing ${dropped.group} ∋ ${dropped.user}`, `extra Sally Admins ∋ ${w.users[1].userName}`]);
  });
});

describe("expectedPurchases", () => {
  it("is the peak shortfall per tier", () => {
    expect(w.peakHolders).toEqual({ starter: 18, team: 9, enterprise: 3 });
    expect(expectedPurchases(w)).toEqual({ starter: 9, team: 5, enterprise: 3 });
  });
});

describe("compareAccess", () => {
  const expected = w.users.map((u) => {
    const off = w.deactivated.has(u.index);
    return { user: u.userName, role: off ? "none" : u.admin ? "admin" : "user", license: off ? "none" : u.tier };
  });

  it("accepts the roles and licenses the rules give", () => {
    expect(compareAccess(w, expected)).toEqual({ wrong: 0, missing: 0, examples: [] });
  });

  it("flags a deactivated user who kept access and a user with no Sally user", () => {
    const off = [...w.deactivated][0];
    const rows = expected.map((r) => (r.user === w.users[off].userName ? { ...r, role: "user", license: w.users[off].tier } : r)).slice(0, -1);
    const result = compareAccess(w, rows);
    expect(result.wrong).toBe(1);
    expect(result.missing).toBe(1);
  });
});

describe("compareInvitations", () => {
  it("wants one invitation per user", () => {
    const rows = w.users.map((u) => ({ to: u.userName, n: 1 }));
    expect(compareInvitations(w, rows)).toEqual({ users: 30, none: 0, duplicated: 0, strangers: 0 });
    rows[0].n = 2;
    rows.pop();
    rows.push({ to: "someone@else.example", n: 1 });
    expect(compareInvitations(w, rows)).toEqual({ users: 30, none: 1, duplicated: 1, strangers: 1 });
  });
});
