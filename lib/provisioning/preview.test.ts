import { describe, expect, it } from "vitest";
import type { Mapping } from "./access";
import { previewMapping, type PreviewUser, type SeatOffer } from "./preview";

const seats: SeatOffer = {
  starter: { quantity: 1, unitPriceCents: 800 },
  team: { quantity: 0, unitPriceCents: 1500 },
  enterprise: { quantity: 5, unitPriceCents: 3000 },
};

const user = (email: string, groups: string[], extra: Partial<PreviewUser> = {}): PreviewUser => ({
  id: `id-${email}`,
  createdAt: "2026-01-01T00:00:00Z",
  email,
  role: "none",
  license: "none",
  managedByIdp: true,
  active: true,
  groupIds: new Set(groups),
  ...extra,
});

const mapping = (m: Partial<Mapping> & { licenses?: [string, "starter" | "team" | "enterprise"][] }): Mapping => ({
  adminGroupId: m.adminGroupId ?? null,
  userGroupId: m.userGroupId ?? null,
  licenseGroups: new Map(m.licenses ?? []),
});

describe("previewMapping", () => {
  it("shows what the save does with a shared email: the user holding it keeps it, the other gains nothing", () => {
    const holder = user("ada@x", ["staff"], { id: "holder", role: "user", createdAt: "2026-03-01" });
    const second = user("ADA@x", ["staff", "team"], { id: "second", createdAt: "2026-01-01" });
    const fresh = [user("bo@x", ["staff"], { id: "b1", createdAt: "2026-02-01" }), user("bo@x", ["staff"], { id: "b2", createdAt: "2026-01-01" })];
    const preview = previewMapping([holder, second, ...fresh], mapping({ userGroupId: "staff", licenses: [["team", "team"]] }), seats);
    // Nobody held bo@x: the user created first gains it, and no team seat is bought for the blocked second Ada.
    expect(preview.gainAccess.map((c) => c.email)).toEqual(["bo@x"]);
    expect(preview.seatsToBuy).toEqual({ starter: 0, team: 0, enterprise: 0 });
  });

  it("lists who gains access, with the lowest tier, and the seats to buy with their cost", () => {
    const users = [user("a@x", ["staff", "start"]), user("b@x", ["staff", "start", "ent"]), user("c@x", ["staff", "team"]), user("d@x", ["ent"])];
    const preview = previewMapping(users, mapping({ userGroupId: "staff", licenses: [["start", "starter"], ["team", "team"], ["ent", "enterprise"]] }), seats);
    expect(preview.gainAccess.map((c) => [c.email, c.to.role, c.to.license])).toEqual([
      ["a@x", "user", "starter"],
      ["b@x", "user", "starter"],
      ["c@x", "user", "team"],
    ]);
    expect(preview.loseAccess).toEqual([]);
    expect(preview.seatsToBuy).toEqual({ starter: 1, team: 1, enterprise: 0 });
    expect(preview.costCents).toEqual({ starter: 800, team: 1500, enterprise: 0, total: 2300 });
  });

  it("lists who loses access and who changes role or license; freed seats are reused before buying", () => {
    const users = [
      user("admin@x", ["admins", "ent"], { role: "admin", license: "enterprise" }),
      user("gone@x", ["old"], { role: "user", license: "starter" }),
      user("up@x", ["staff", "start"], { role: "user", license: "team" }),
    ];
    const preview = previewMapping(users, mapping({ userGroupId: "staff", licenses: [["start", "starter"]] }), seats);
    expect(preview.loseAccess.map((c) => c.email)).toEqual(["admin@x", "gone@x"]);
    expect(preview.change).toEqual([{ email: "up@x", from: { role: "user", license: "team" }, to: { role: "user", license: "starter" } }]);
    expect(preview.seatsToBuy).toEqual({ starter: 0, team: 0, enterprise: 0 });
    expect(preview.costCents.total).toBe(0);
  });

  it("leaves manual users and inactive users as the rules say", () => {
    const users = [
      user("manual@x", ["staff"], { managedByIdp: false, role: "admin", license: "team" }),
      user("inactive@x", ["staff", "team"], { active: false }),
    ];
    const preview = previewMapping(users, mapping({ userGroupId: "staff", licenses: [["team", "team"]] }), seats);
    expect(preview.gainAccess).toEqual([]);
    expect(preview.change).toEqual([]);
    // The manual admin holds a team seat the tenant does not own yet.
    expect(preview.seatsToBuy.team).toBe(1);
  });

  it.each([
    ["a mapped admin group with members", { adminGroupId: "admins", userGroupId: "staff" }, [user("a@x", ["admins"])], 1],
    ["an admin group nobody is in", { adminGroupId: "admins", userGroupId: "staff" }, [user("a@x", ["staff"])], 0],
    ["only a user group, IdP admins demoted", { userGroupId: "staff" }, [user("a@x", ["staff"], { role: "admin", license: "none" })], 0],
    ["a manual admin who keeps their role", { userGroupId: "staff" }, [user("m@x", [], { managedByIdp: false, role: "admin" })], 1],
    ["an inactive user in the admin group", { adminGroupId: "admins" }, [user("a@x", ["admins"], { active: false })], 0],
  ] as const)("counts the administrators left after the save: %s", (_, m, users, admins) => {
    expect(previewMapping([...users], mapping(m), seats).adminsAfter).toBe(admins);
  });
});
