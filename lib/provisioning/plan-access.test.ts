import { describe, expect, it } from "vitest";
import type { Mapping } from "./access";
import { planAccess, type CurrentUser, type PlanInput } from "./plan-access";

const mapping: Mapping = { adminGroupId: "admins", userGroupId: "staff", licenseGroups: new Map([["team", "team" as const]]) };

const user = (over: Partial<CurrentUser> = {}): CurrentUser => ({
  id: "u1",
  email: "ada@example.com",
  name: "Ada",
  locale: null,
  role: "none",
  license: "none",
  status: "deactivated",
  source: "scim",
  scimUserId: "s1",
  invitedAt: null,
  firstSignInAt: null,
  ...over,
});

const input = (over: Partial<PlanInput>): PlanInput => ({
  scimUserIds: ["s1"],
  stated: new Map(),
  facts: new Map([["s1", { email: "ada@example.com", userName: "ada@example.com", displayName: "Ada", active: true }]]),
  current: [user()],
  groupsOf: new Map(),
  mapping,
  invitesOn: true,
  fromIdp: true,
  ...over,
});

describe("planAccess", () => {
  it.each([
    ["no group: nothing changes, nothing is written", {}, { updates: 0, inserts: 0, invitations: 0, lost: 0, tiers: [] }],
    ["joins staff and team: one write, one invitation, a team seat taken", { groupsOf: new Map([["s1", new Set(["staff", "team"])]]) }, { updates: 1, inserts: 0, invitations: 1, lost: 0, tiers: ["team"] }],
    ["already invited: access without a second invitation", { groupsOf: new Map([["s1", new Set(["staff"])]]), current: [user({ invitedAt: "2026-01-01" })] }, { updates: 1, inserts: 0, invitations: 0, lost: 0, tiers: [] }],
    ["invitations off: access, no invitation", { groupsOf: new Map([["s1", new Set(["staff"])]]), invitesOn: false }, { updates: 1, inserts: 0, invitations: 0, lost: 0, tiers: [] }],
    ["a licensed user already holding the seat: no write, no seat taken", { groupsOf: new Map([["s1", new Set(["staff", "team"])]]), current: [user({ role: "user", license: "team", status: "invited", invitedAt: "x" })] }, { updates: 0, inserts: 0, invitations: 0, lost: 0, tiers: [] }],
    ["leaves staff: access lost, sessions end", { current: [user({ role: "user", license: "team", status: "active", invitedAt: "x", firstSignInAt: "y" })] }, { updates: 1, inserts: 0, invitations: 0, lost: 1, tiers: [] }],
    ["detached (manual after a disconnect) and not from the IdP: left alone", { fromIdp: false, current: [user({ source: "manual", role: "user" })] }, { updates: 0, inserts: 0, invitations: 0, lost: 0, tiers: [] }],
    ["first sight without a Sally user: one insert", { current: [] }, { updates: 0, inserts: 1, invitations: 0, lost: 0, tiers: [] }],
  ] as const)("%s", (_, over, expected) => {
    const plan = planAccess(input(over as Partial<PlanInput>));
    expect({
      updates: plan.updates.length,
      inserts: plan.inserts.length,
      invitations: plan.invitations.length,
      lost: plan.lostAccess.length,
      tiers: plan.tiersTaken,
    }).toEqual(expected);
  });

  it("links a manual admin by email and keeps them admin until an admin group is mapped", () => {
    const admin = user({ id: "m1", email: "ADA@example.com", source: "manual", role: "admin", scimUserId: null, status: "active" });
    const stated = new Map([["s1", { scimUserId: "s1", email: "ada@example.com", name: "Ada", locale: null, active: true }]]);
    const plan = planAccess(input({ current: [admin], stated, mapping: { ...mapping, adminGroupId: null } }));
    expect(plan.updates).toEqual([expect.objectContaining({ id: "m1", role: "admin", source: "manual", scimUserId: "s1" })]);
    expect(plan.inserts).toEqual([]);
  });
});
