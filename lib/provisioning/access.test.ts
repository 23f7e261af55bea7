import { describe, expect, it } from "vitest";
import { keepsManualAdmin, resolveLicense, resolveRole, resolveStatus, type Mapping } from "./access";

const mapping: Mapping = {
  adminGroupId: "admins",
  userGroupId: "staff",
  licenseGroups: new Map([
    ["ent", "enterprise"],
    ["team", "team"],
    ["start", "starter"],
  ]),
};
const unmapped: Mapping = { adminGroupId: null, userGroupId: null, licenseGroups: new Map() };

describe("resolveRole: only groups grant access", () => {
  it.each([
    [true, ["admins"], mapping, "admin"],
    [true, ["staff"], mapping, "user"],
    [true, ["admins", "staff"], mapping, "admin"],
    [true, ["ent"], mapping, "none"],
    [true, [], mapping, "none"],
    [false, ["admins", "staff"], mapping, "none"],
    [true, ["admins"], unmapped, "none"],
  ] as const)("active=%s in %j → %s", (active, groups, m, role) => {
    expect(resolveRole({ active, groupIds: new Set(groups) }, m)).toBe(role);
  });
});

describe("resolveLicense: the lowest tier wins", () => {
  it.each([
    [["staff", "ent"], "user", "enterprise"],
    [["staff", "ent", "team"], "user", "team"],
    [["staff", "ent", "team", "start"], "user", "starter"],
    [["staff", "team", "ent"], "user", "team"],
    [["staff"], "user", "none"],
    [["ent"], "none", "none"],
    [["admins", "start"], "admin", "starter"],
  ] as const)("%j as %s → %s", (groups, role, license) => {
    expect(resolveLicense({ active: true, groupIds: new Set(groups) }, role, mapping)).toBe(license);
  });
});

describe("resolveStatus", () => {
  it.each([
    ["none", false, "deactivated"],
    ["none", true, "deactivated"],
    ["user", false, "invited"],
    ["admin", true, "active"],
  ] as const)("%s, signed in before %s → %s", (role, signedIn, status) => {
    expect(resolveStatus(role, signedIn)).toBe(status);
  });
});

describe("keepsManualAdmin: setting up SCIM cannot lock out the admin", () => {
  it.each([
    ["manual", "admin", true, unmapped, true],
    ["manual", "admin", true, mapping, false],
    ["manual", "admin", false, unmapped, false],
    ["manual", "user", true, unmapped, false],
    ["scim", "admin", true, unmapped, false],
  ] as const)("%s %s, active=%s → %s", (source, role, active, m, kept) => {
    expect(keepsManualAdmin({ source, role }, active, m)).toBe(kept);
  });
});
