// The generated directory: reproducible from its seed, realistic, and changed by a realistic few percent per cycle.
import { describe, expect, it } from "vitest";
import { SALLY_GROUPS, applyDeprovision, applyIncrementalChanges, generateDirectory } from "./directory";
import { emailLocalPart } from "./names";

const make = (seed = 42, users = 500, groups = 40) => generateDirectory({ seed, users, groups, domain: "example.com" });

describe("generateDirectory", () => {
  it("is the same for the same seed and differs for another", () => {
    expect(make(42)).toEqual(make(42));
    expect(make(43).users.map((u) => u.email)).not.toEqual(make(42).users.map((u) => u.email));
  });

  it("has the requested size, unique ASCII addresses, names with diacritics, valid managers", () => {
    const d = make();
    expect(d.users).toHaveLength(500);
    expect(d.groups).toHaveLength(40);
    const emails = d.users.map((u) => u.email);
    expect(new Set(emails).size).toBe(500);
    for (const e of emails) expect(e).toMatch(/^[a-z0-9]+\.[a-z0-9]+@example\.com$/);
    expect(d.users.filter((u) => /[^\x00-\x7f]/.test(u.givenName + u.familyName)).length).toBeGreaterThan(100);
    const keys = new Set(d.users.map((u) => u.key));
    expect(d.users.filter((u) => u.managerKey === null).map((u) => u.title)).toEqual(["Chief Executive Officer"]);
    for (const u of d.users) if (u.managerKey) expect(keys.has(u.managerKey)).toBe(true);
    expect(new Set(d.users.map((u) => u.department)).size).toBe(8);
  });

  it("puts Sally's groups first and gives people overlapping memberships", () => {
    const d = make();
    expect(d.groups.slice(0, 5).map((g) => g.displayName)).toEqual(Object.values(SALLY_GROUPS));
    const members = (name: string) => new Set(d.groups.find((g) => g.displayName === name)!.memberKeys);
    const starter = members(SALLY_GROUPS.starter);
    const team = members(SALLY_GROUPS.team);
    expect([...team].some((k) => starter.has(k))).toBe(true);
    expect(members(SALLY_GROUPS.users).size).toBeGreaterThan(400);
    expect(members(SALLY_GROUPS.admins).size).toBeGreaterThanOrEqual(1);
    const perUser = new Map<string, number>();
    for (const g of d.groups) for (const k of g.memberKeys) perUser.set(k, (perUser.get(k) ?? 0) + 1);
    expect(Math.min(...perUser.values())).toBeGreaterThanOrEqual(3);
  });

  it.each([
    [1, 5],
    [3, 3],
    [10_000, 100],
  ])("scales: %i users, %i groups", (users, groups) => {
    const d = make(7, users, groups);
    expect(d.users).toHaveLength(users);
    expect(new Set(d.groups.map((g) => g.displayName)).size).toBe(groups);
  });
});

describe("applyIncrementalChanges", () => {
  it("changes a realistic few percent, reproducibly, without touching the input", () => {
    const before = make();
    const snapshot = structuredClone(before);
    const a = applyIncrementalChanges(before);
    expect(before).toEqual(snapshot);
    expect(applyIncrementalChanges(before)).toEqual(a);
    expect(a.counts).toEqual({ renamed: 5, retitled: 10, movedGroups: 10, projectChanges: 3, hired: 10, left: 5, deactivated: 0, deleted: 0, groupsDeleted: 0 });
    expect(a.directory.users).toHaveLength(510);
    expect(a.directory.users.filter((u) => !u.active)).toHaveLength(5);
    const changed = a.directory.users.slice(0, 500).filter((u, i) => JSON.stringify(u) !== JSON.stringify(before.users[i]));
    expect(changed.length).toBeGreaterThan(10);
    expect(changed.length).toBeLessThan(50);
    // A second run draws other changes.
    expect(applyIncrementalChanges(a.directory).directory.users.slice(-10).map((u) => u.email)).not.toEqual(a.directory.users.slice(-10).map((u) => u.email));
  });
});

describe("applyDeprovision", () => {
  it("disables a slice and deletes one, removing the deleted from every group", () => {
    const { directory, counts } = applyDeprovision(applyIncrementalChanges(make()).directory);
    expect(counts.deactivated).toBe(26);
    expect(counts.deleted).toBeGreaterThanOrEqual(10);
    expect(counts.groupsDeleted).toBe(1);
    const deleted = new Set(directory.users.filter((u) => u.deleted).map((u) => u.key));
    expect(deleted.size).toBe(counts.deleted);
    for (const g of directory.groups) for (const k of g.memberKeys) expect(deleted.has(k)).toBe(false);
    expect(directory.users.find((u) => u.managerKey === null)?.active).toBe(true);
  });
});

describe("emailLocalPart", () => {
  it.each([
    ["Łucja", "Dąbrowska", "lucja.dabrowska"],
    ["Søren", "Heß", "soren.hess"],
    ["Þóra", "Ó Briain", "thora.obriain"],
    ["Oğuz", "D'Argent", "oguz.dargent"],
  ])("%s %s → %s", (given, family, local) => {
    expect(emailLocalPart(given, family)).toBe(local);
  });
});
