import { SCIM, expect, test } from "../fixtures";
import {
  activity,
  createGroup,
  createUser,
  expectEmpty,
  expectJson,
  expectScimError,
  filterQuery,
  list,
  memberIds,
  patchOp,
  read,
  unknownId,
  type Json,
} from "./helpers";

test("POST, GET, excludedAttributes=members, filter and DELETE on Groups", async ({ tenant }) => {
  const ada = await createUser(tenant.scim, "ada@example.com", { displayName: "Ada" });
  const bob = await createUser(tenant.scim, "bob@example.com");

  // Entra creates groups without members; Okta AIW apps send them in the POST.
  const emptyRes = await tenant.scim.post("Groups", { data: { schemas: [SCIM.group], displayName: "Empty", externalId: "ext-empty" } });
  const empty = await expectJson(emptyRes, 201);
  expect(empty).toMatchObject({ schemas: [SCIM.group], displayName: "Empty", externalId: "ext-empty", meta: { resourceType: "Group" } });
  expect(empty.members ?? []).toEqual([]);
  expect(emptyRes.headers()["location"]).toBe(`${tenant.tenantUrl}/Groups/${empty.id}`);
  expect(emptyRes.headers()["etag"]).toBe(empty.meta.version);

  const team = await createGroup(tenant.scim, "Team", [ada.id, bob.id]);
  expect(team.members).toHaveLength(2);
  expect(team.members).toEqual(
    expect.arrayContaining([
      { value: ada.id, display: "Ada", $ref: `${tenant.tenantUrl}/Users/${ada.id}`, type: "User" },
      { value: bob.id, display: "bob@example.com", $ref: `${tenant.tenantUrl}/Users/${bob.id}`, type: "User" },
    ]),
  );
  expect(await read(tenant.scim, `Groups/${team.id}`)).toEqual(team);
  expect((await read(tenant.scim, `Users/${ada.id}`)).groups).toEqual([
    { value: team.id, display: "Team", $ref: `${tenant.tenantUrl}/Groups/${team.id}`, type: "direct" },
  ]);

  const lean = await read(tenant.scim, `Groups/${team.id}?excludedAttributes=members`);
  expect(lean.members).toBeUndefined();
  expect(lean).toMatchObject({ id: team.id, displayName: "Team", meta: { version: team.meta.version } });
  const byName = await list(tenant.scim, `Groups?excludedAttributes=members&${filterQuery('displayName eq "team"')}`);
  expect(byName.Resources).toEqual([lean]);
  expect(await read(tenant.scim, `Groups/${team.id}?attributes=displayName`)).toEqual({ id: team.id, schemas: [SCIM.group], displayName: "Team" });
  expect((await list(tenant.scim, "Groups")).Resources.map((g) => g.displayName)).toEqual(["Empty", "Team"]);

  await expectScimError(await tenant.scim.post("Groups", { data: { schemas: [SCIM.group], members: [] } }), 400, "invalidValue");
  await expectScimError(await tenant.scim.post("Groups", { data: { displayName: "Broken", members: { value: ada.id } } }), 400, "invalidValue");

  await expectEmpty(await tenant.scim.delete(`Groups/${team.id}`), 204);
  await expectScimError(await tenant.scim.get(`Groups/${team.id}`), 404);
  await expectScimError(await tenant.scim.delete(`Groups/${team.id}`), 404);
  expect((await read(tenant.scim, `Users/${ada.id}`)).groups).toEqual([]);
  expect((await list(tenant.scim, "Users")).totalResults).toBe(2);
  await expectScimError(await tenant.scim.get(`Groups/${unknownId()}`), 404);
});

test("PATCH on a group answers 204 with an ETag, or 200 with the group when attributes are asked for", async ({ tenant }) => {
  const [a, b, c] = await Promise.all(["a", "b", "c"].map((n) => createUser(tenant.scim, `${n}@example.com`)));
  const group = await createGroup(tenant.scim, "Engineering");
  const patch = (data: unknown, query = "") => tenant.scim.patch(`Groups/${group.id}${query}`, { data });

  const added = await patch(patchOp({ op: "add", path: "members", value: [{ value: a.id }, { value: b.id }] }));
  await expectEmpty(added, 204);
  const afterAdd = await read(tenant.scim, `Groups/${group.id}`);
  expect(added.headers()["etag"]).toBe(afterAdd.meta.version);
  expect(afterAdd.meta.version).not.toBe(group.meta.version);
  expect(await memberIds(tenant.scim, group.id)).toEqual([a.id, b.id].sort());

  // Adding a present member again is no change and no duplicate.
  await expectEmpty(await patch(patchOp({ op: "add", path: "members", value: [{ value: a.id }] })), 204);
  expect(await memberIds(tenant.scim, group.id)).toEqual([a.id, b.id].sort());

  await expectEmpty(await patch(patchOp({ op: "remove", path: `members[value eq "${a.id}"]` })), 204);
  expect(await memberIds(tenant.scim, group.id)).toEqual([b.id]);

  const withBody = await expectJson(
    await patch(patchOp({ op: "replace", path: "members", value: [{ value: c.id }] }, { op: "replace", path: "displayName", value: "Eng" }), "?attributes=members,displayName"),
    200,
  );
  expect(withBody).toEqual({ id: group.id, schemas: [SCIM.group], displayName: "Eng", members: [expect.objectContaining({ value: c.id })] });
  const excluded = await expectJson(await patch(patchOp({ op: "add", path: "members", value: [{ value: a.id }] }), "?excludedAttributes=members"), 200);
  expect(excluded.members).toBeUndefined();
  expect(excluded).toMatchObject({ displayName: "Eng", meta: { resourceType: "Group" } });

  // An unknown member (not provisioned yet, or a nested group) is skipped; the known one is added.
  await expectEmpty(await patch(patchOp({ op: "add", path: "members", value: [{ value: b.id }, { value: unknownId() }] })), 204);
  expect(await memberIds(tenant.scim, group.id)).toEqual([a.id, b.id, c.id].sort());
  await expectEmpty(await patch(patchOp({ op: "remove", path: "members", value: [{ value: b.id }] })), 204);
  await expectScimError(await patch(patchOp({ op: "add", path: "members", value: [{ display: "no value" }] })), 400, "invalidValue");

  // Parallel member PATCHes (Entra sends them side by side) are serialised; none is lost.
  const more = await Promise.all(["d", "e", "f", "g"].map((n) => createUser(tenant.scim, `${n}@example.com`)));
  const parallel = await Promise.all(more.map((u) => patch(patchOp({ op: "add", path: "members", value: [{ value: u.id }] }))));
  expect(parallel.map((res) => res.status())).toEqual([204, 204, 204, 204]);
  expect(await memberIds(tenant.scim, group.id)).toEqual([a.id, c.id, ...more.map((u) => u.id)].sort());

  // RFC 7644 §3.5.2.2: remove without a value empties the multi-valued attribute.
  await expectEmpty(await patch(patchOp({ op: "remove", path: "members" })), 204);
  expect(await memberIds(tenant.scim, group.id)).toEqual([]);
  expect((await read(tenant.scim, `Users/${a.id}`)).groups).toEqual([]);
  await expectScimError(await tenant.scim.patch(`Groups/${unknownId()}`, { data: patchOp({ op: "add", path: "members", value: [{ value: a.id }] }) }), 404);
});

test("PUT on a group states the whole group; members change by their difference only", async ({ tenant, cli }) => {
  const [a, b, c] = await Promise.all(["a", "b", "c"].map((n) => createUser(tenant.scim, `${n}@example.com`)));
  const group = await createGroup(tenant.scim, "Sales", [a.id, b.id], { externalId: "okta-sales" });

  const put = async (data: Json, status: number) => expectJson(await tenant.scim.put(`Groups/${group.id}`, { data }), status);
  const replaced = await put({ schemas: [SCIM.group], displayName: "Sales EMEA", members: [{ value: b.id, display: "b" }, { value: c.id }] }, 200);
  expect(replaced.displayName).toBe("Sales EMEA");
  expect(replaced.externalId).toBeUndefined();
  expect(replaced.members.map((m: Json) => m.value).sort()).toEqual([b.id, c.id].sort());
  expect((await read(tenant.scim, `Users/${a.id}`)).groups).toEqual([]);
  expect((await read(tenant.scim, `Users/${c.id}`)).groups.map((g: Json) => g.value)).toEqual([group.id]);

  // PUT states the whole list: unknown members are skipped, the known ones are the members.
  const ghost = unknownId();
  const skipped = await put({ schemas: [SCIM.group], displayName: "Sales EMEA", members: [{ value: c.id }, { value: ghost }] }, 200);
  expect(skipped.members.map((m: Json) => m.value)).toEqual([c.id]);
  expect(await memberIds(tenant.scim, group.id)).toEqual([c.id]);

  const cleared = await put({ schemas: [SCIM.group], displayName: "Sales EMEA" }, 200);
  expect(cleared.members ?? []).toEqual([]);

  const summaries = (await activity(cli, tenant.slug)).filter((row) => row.method === "PUT").map((row) => [row.status, row.summary]);
  expect(summaries).toEqual([
    [200, "Replaced group Sales EMEA (+0 −1 members)"],
    [null, `Warning: Skipped member ${ghost} of group Sales EMEA: no such user in this tenant`],
    [200, "Replaced group Sales EMEA (+0 −1 members)"],
    [200, "Replaced group Sales EMEA (+1 −1 members)"],
  ]);
});
