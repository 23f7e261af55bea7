import { SCIM, expect, test } from "../fixtures";
import { activity, createGroup, createUser, expectEmpty, expectJson, expectScimError, list, memberIds, patchOp, read, unknownId, type Json } from "./helpers";

test("a group's displayName is unique in the tenant, case-insensitively: 409 uniqueness on POST, PUT and PATCH", async ({ tenant }) => {
  const { scim } = tenant;
  const sales = await createGroup(scim, "Sales");
  const support = await createGroup(scim, "Support");

  await expectScimError(await scim.post("Groups", { data: { schemas: [SCIM.group], displayName: "SALES" } }), 409, "uniqueness");
  await expectScimError(await scim.put(`Groups/${support.id}`, { data: { schemas: [SCIM.group], displayName: "sales" } }), 409, "uniqueness");
  await expectScimError(
    await scim.patch(`Groups/${support.id}`, { data: patchOp({ op: "replace", path: "displayName", value: "Sales" }) }),
    409,
    "uniqueness",
  );
  // Nothing was written by the refused requests.
  expect((await list(scim, "Groups")).Resources.map((g) => g.displayName).sort()).toEqual(["Sales", "Support"]);
  expect((await read(scim, `Groups/${support.id}`)).meta.version).toBe(support.meta.version);

  // A group may change the case of its own name; a freed name can be taken again.
  await expectEmpty(await scim.patch(`Groups/${sales.id}`, { data: patchOp({ op: "replace", path: "displayName", value: "SALES" }) }), 204);
  await expectEmpty(await scim.delete(`Groups/${sales.id}`), 204);
  await createGroup(scim, "sales");
});

test("unknown group members are skipped, the known ones applied, and each skipped id is a warning in the activity log", async ({ tenant, cli }) => {
  const { scim } = tenant;
  const [a, b] = await Promise.all(["a", "b"].map((n) => createUser(scim, `${n}@example.com`)));
  const [ghost1, ghost2, ghost3] = [unknownId(), unknownId(), unknownId()];

  // POST /Groups with members (Okta AIW): created with the known member.
  const created = await createGroup(scim, "Engineering", [a.id, ghost1]);
  expect(created.members.map((m: Json) => m.value)).toEqual([a.id]);

  // PATCH add (Entra, Okta): 204, the known member added. A non-UUID id is just as unknown.
  await expectEmpty(
    await scim.patch(`Groups/${created.id}`, { data: patchOp({ op: "add", path: "members", value: [{ value: b.id }, { value: ghost2 }, { value: "not-a-uuid" }] }) }),
    204,
  );
  expect(await memberIds(scim, created.id)).toEqual([a.id, b.id].sort());

  // PUT: the known members are the group's members.
  const put = await expectJson(await scim.put(`Groups/${created.id}`, { data: { schemas: [SCIM.group], displayName: "Engineering", members: [{ value: b.id }, { value: ghost3 }] } }), 200);
  expect(put.members.map((m: Json) => m.value)).toEqual([b.id]);

  // A member value that is not a string is still malformed: 400, nothing changes.
  await expectScimError(await scim.patch(`Groups/${created.id}`, { data: patchOp({ op: "add", path: "members", value: [{ value: 7 }] }) }), 400, "invalidValue");
  expect(await memberIds(scim, created.id)).toEqual([b.id]);

  const warnings = (await activity(cli, tenant.slug)).filter((row) => row.summary.startsWith("Warning:")).map((row) => [row.method, row.summary]);
  expect(warnings).toEqual([
    ["PUT", `Warning: Skipped member ${ghost3} of group Engineering: no such user in this tenant`],
    ["PATCH", expect.stringContaining("Skipped member not-a-uuid of group Engineering")],
    ["PATCH", `Warning: Skipped member ${ghost2} of group Engineering: no such user in this tenant`],
    ["POST", `Warning: Skipped member ${ghost1} of group Engineering: no such user in this tenant`],
  ]);
});
