import { describe, expect, it } from "vitest";
import type { Mapping } from "./access";
import { changesOnlyProfile, planAccess, writesOnlyProfile, type CurrentUser, type DirectoryUser, type PlanInput } from "./plan-access";
import { planNewUserAlone } from "./sync-users";

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
  emailConflictWith: null,
  createdAt: "2026-01-01T00:00:00Z",
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

  describe("one email signs in one user", () => {
    const staff = (...ids: string[]) => new Map(ids.map((id) => [id, new Set(["staff"])]));
    const facts = (...ids: string[]) => new Map(ids.map((id) => [id, { email: "ada@example.com", userName: id, displayName: id, active: true }]));
    const holder = user({ id: "u1", scimUserId: "s1", role: "user", status: "active", invitedAt: "x", firstSignInAt: "y", name: "Ada One" });

    it("a second user joining the users group gets no access, is flagged with the holder, and nobody is invited", () => {
      const second = user({ id: "u2", scimUserId: "s2", createdAt: "2025-01-01" });
      const plan = planAccess(input({ scimUserIds: ["s2"], facts: facts("s2"), current: [holder, second], groupsOf: staff("s1", "s2") }));
      expect(plan.updates).toEqual([expect.objectContaining({ id: "u2", role: "none", status: "deactivated", emailConflictWith: "u1" })]);
      expect(plan.conflicts).toEqual([{ userId: "u2", email: "ada@example.com", name: "Ada", holderId: "u1" }]);
      expect(plan.invitations).toEqual([]);
    });

    it("an existing conflict is not reported again", () => {
      const second = user({ id: "u2", scimUserId: "s2", emailConflictWith: "u1" });
      const plan = planAccess(input({ scimUserIds: ["s2"], facts: facts("s2"), current: [holder, second], groupsOf: staff("s1", "s2") }));
      expect(plan.updates).toEqual([]);
      expect(plan.conflicts).toEqual([]);
    });

    it("the holder is deactivated: the flagged user takes the email in the same change, invited once", () => {
      const second = user({ id: "u2", scimUserId: "s2", emailConflictWith: "u1" });
      const stated = new Map([["s1", { scimUserId: "s1", email: "ada@example.com", name: "Ada One", locale: null, active: false }]]);
      const plan = planAccess(input({ scimUserIds: ["s1", "s2"], stated, facts: facts("s2"), current: [holder, second], groupsOf: staff("s1", "s2") }));
      expect(plan.updates).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: "u1", role: "none" }),
          expect.objectContaining({ id: "u2", role: "user", emailConflictWith: null, invite: true }),
        ]),
      );
      expect(plan.invitations).toEqual([expect.objectContaining({ userId: "u2" })]);
      expect(plan.lostAccess).toEqual(["ada@example.com"]);
    });

    it("the flagged user's email changes: access and no flag", () => {
      const second = user({ id: "u2", scimUserId: "s2", emailConflictWith: "u1" });
      const stated = new Map([["s2", { scimUserId: "s2", email: "ada.two@example.com", name: "Ada Two", locale: null, active: true }]]);
      const plan = planAccess(input({ scimUserIds: ["s2"], stated, current: [holder, second], groupsOf: staff("s1", "s2") }));
      expect(plan.updates).toEqual([expect.objectContaining({ id: "u2", email: "ada.two@example.com", role: "user", emailConflictWith: null })]);
    });

    it("a new user with a deactivated user's email is created and linked to nobody else", () => {
      const gone = user({ id: "u1", scimUserId: null, source: "manual", role: "none", status: "deactivated" });
      const stated = new Map([["s9", { scimUserId: "s9", email: "ada@example.com", name: "Ada New", locale: null, active: true }]]);
      const plan = planAccess(input({ scimUserIds: ["s9"], stated, current: [{ ...gone, scimUserId: "s1", source: "scim" }], newId: () => "new" }));
      expect(plan.inserts).toEqual([expect.objectContaining({ id: "new", scimUserId: "s9", emailConflictWith: null })]);
    });
  });
});

describe("changesOnlyProfile: when a user's change leaves the rules' inputs alone", () => {
  const stated = (over: Partial<DirectoryUser> = {}): DirectoryUser => ({
    scimUserId: "s1",
    email: "ada@example.com",
    name: "Ada",
    locale: null,
    active: true,
    previous: { email: "ada@example.com", active: true },
    ...over,
  });
  it.each<[string, DirectoryUser, boolean]>([
    ["name or locale changed", stated({ name: "Ada L.", locale: "de" }), true],
    ["the email's case changed", stated({ email: "Ada@Example.com" }), true],
    ["another email", stated({ email: "ada@other.example" }), false],
    ["deactivated", stated({ active: false }), false],
    ["reactivated", stated({ previous: { email: "ada@example.com", active: false } }), false],
    ["no previous state (a new or adopted user)", stated({ previous: undefined }), false],
  ])("%s → %s", (_, user, expected) => {
    expect(changesOnlyProfile(user)).toBe(expected);
  });
});

describe("writesOnlyProfile: when the profile of a managed Sally user is all a change writes", () => {
  const stated = (previous: DirectoryUser["previous"], over: Partial<DirectoryUser> = {}): DirectoryUser => ({
    scimUserId: "s1",
    email: "ada@example.com",
    name: "Ada L.",
    locale: null,
    active: true,
    previous,
    ...over,
  });
  it.each<[string, DirectoryUser, boolean]>([
    ["renamed, a managed Sally user behind it", stated({ email: "ada@example.com", active: true, managed: true }), true],
    ["renamed, the Sally user made manual (a disconnect)", stated({ email: "ada@example.com", active: true, managed: false }), false],
    ["renamed, no word on a Sally user", stated({ email: "ada@example.com", active: true }), false],
    ["deactivated, managed", stated({ email: "ada@example.com", active: true, managed: true }, { active: false }), false],
    ["another email, managed", stated({ email: "ada@example.com", active: true, managed: true }, { email: "ada@other.example" }), false],
    ["no previous state", stated(undefined), false],
  ])("%s → %s", (_, user, expected) => {
    expect(writesOnlyProfile(user)).toBe(expected);
  });
});

describe("planNewUserAlone: the Sally user a new SCIM user gets when no Sally user holds its email", () => {
  const stated = (over: Partial<DirectoryUser> = {}): DirectoryUser => ({
    scimUserId: "s9",
    email: "Cy@Example.com",
    name: "Cy",
    locale: "de",
    active: true,
    ...over,
  });
  it.each<[string, DirectoryUser]>([
    ["active, in no group yet", stated()],
    ["created inactive", stated({ active: false })],
    ["without a name or language", stated({ name: null, locale: null })],
  ])("%s: one Sally user without access, managed by the IdP, nothing else", (_, user) => {
    expect(planNewUserAlone(user)).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: user.email,
      name: user.name,
      locale: user.locale,
      role: "none",
      license: "none",
      status: "deactivated",
      source: "scim",
      scimUserId: "s9",
      emailConflictWith: null,
      invite: false,
    });
  });
});
