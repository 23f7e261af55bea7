import { describe, expect, it } from "vitest";
import { changedGroupIds, groupMappingSchema } from "./group-mapping";
import type { Mapping } from "./access";

const a = "00000000-0000-4000-8000-00000000000a";
const b = "00000000-0000-4000-8000-00000000000b";

describe("groupMappingSchema", () => {
  it.each([
    [{ userGroupId: a, adminGroupId: b, licenseGroups: [{ groupId: a, tier: "team" }], inviteOnProvision: true }, true],
    [{ userGroupId: a, adminGroupId: a, licenseGroups: [], inviteOnProvision: false }, false],
    [{ userGroupId: null, adminGroupId: null, licenseGroups: [{ groupId: a, tier: "team" }, { groupId: a, tier: "starter" }], inviteOnProvision: false }, false],
    [{ userGroupId: "not-a-uuid", adminGroupId: null, licenseGroups: [], inviteOnProvision: false }, false],
    [{ userGroupId: null, adminGroupId: null, licenseGroups: [{ groupId: b, tier: "platinum" }], inviteOnProvision: false }, false],
  ])("%j valid: %s", (input, valid) => {
    expect(groupMappingSchema.safeParse(input).success).toBe(valid);
  });
});

describe("changedGroupIds: only members of groups whose grant changed are re-evaluated", () => {
  const m = (admin: string | null, user: string | null, licenses: [string, "starter" | "team" | "enterprise"][] = []): Mapping => ({
    adminGroupId: admin,
    userGroupId: user,
    licenseGroups: new Map(licenses),
  });
  it.each([
    [m(null, a), m(null, a), []],
    [m(null, a), m(null, b), [a, b]],
    [m(a, b), m(b, a), [a, b]],
    [m(null, a, [[b, "team"]]), m(null, a, [[b, "starter"]]), [b]],
    [m(null, a, [[a, "team"]]), m(null, a), [a]],
  ])("%o → %o changes %j", (before, after, changed) => {
    expect(changedGroupIds(before, after).sort()).toEqual([...changed].sort());
  });
});
