import { SCIM, expect, test } from "../fixtures";
import { createGroup, createUser, expectEmpty, expectJson, expectScimError, filterQuery, list, memberIds, patchOp, read } from "./helpers";

test("RFC 7644 §3.5.2: add, replace and remove on simple, sub-attribute, filtered, URN and pathless paths", async ({ tenant }) => {
  const user = await createUser(tenant.scim, "grace@example.com", {
    name: { givenName: "G", familyName: "Hopper", middleName: "B" },
    emails: [
      { value: "grace@example.com", type: "work", primary: true },
      { value: "grace@home.example", type: "home" },
    ],
    phoneNumbers: [{ value: "+1 555 0100", type: "work" }],
  });
  const patched = await expectJson(
    await tenant.scim.patch(`Users/${user.id}`, {
      data: patchOp(
        { op: "add", path: "nickName", value: "Amazing Grace" },
        { op: "replace", path: "name.givenName", value: "Grace" },
        { op: "remove", path: "name.middleName" },
        { op: "add", path: "emails", value: [{ value: "g.hopper@navy.example", type: "other" }] },
        { op: "replace", path: 'emails[type eq "work"].value', value: "grace.hopper@example.com" },
        { op: "remove", path: 'emails[type eq "home"]' },
        { op: "remove", path: "phoneNumbers" },
        { op: "replace", value: { displayName: "Grace Hopper", title: "Rear Admiral" } },
        { op: "add", path: `${SCIM.enterprise}:department`, value: "Navy" },
        { op: "add", path: `${SCIM.enterprise}:manager`, value: { value: "nimitz-1" } },
      ),
    }),
    200,
  );
  expect(patched).toMatchObject({
    userName: "grace@example.com",
    nickName: "Amazing Grace",
    displayName: "Grace Hopper",
    title: "Rear Admiral",
    name: { givenName: "Grace", familyName: "Hopper" },
    emails: [
      { value: "grace.hopper@example.com", type: "work", primary: true },
      { value: "g.hopper@navy.example", type: "other" },
    ],
    [SCIM.enterprise]: { department: "Navy", manager: { value: "nimitz-1" } },
  });
  expect(patched.name.middleName).toBeUndefined();
  expect(patched.phoneNumbers).toBeUndefined();
  expect(patched.schemas).toEqual([SCIM.user, SCIM.enterprise]);
  expect(patched.meta.version).not.toBe(user.meta.version);
  expect(await read(tenant.scim, `Users/${user.id}`)).toEqual(patched);

  // replace on a multi-valued attribute swaps the whole list; a sub-attribute path reaches every value.
  const replaced = await expectJson(
    await tenant.scim.patch(`Users/${user.id}`, {
      data: patchOp(
        { op: "replace", path: "emails", value: [{ value: "hopper@example.com", type: "work" }] },
        { op: "replace", path: "emails.primary", value: true },
        { op: "remove", path: SCIM.enterprise },
      ),
    }),
    200,
  );
  expect(replaced.emails).toEqual([{ value: "hopper@example.com", type: "work", primary: true }]);
  expect(replaced[SCIM.enterprise]).toBeUndefined();
  expect(replaced.schemas).toEqual([SCIM.user]);
});

test("a PATCH is one transaction: when a later operation fails, none is applied", async ({ tenant }) => {
  const user = await createUser(tenant.scim, "atomic@example.com", { displayName: "Before" });
  const failing: [unknown[], string][] = [
    [[{ op: "replace", path: "displayName", value: "After" }, { op: "remove", path: "userName" }], "mutability"],
    [[{ op: "add", path: "nickName", value: "Nick" }, { op: "replace", path: "groups", value: [] }], "mutability"],
    [[{ op: "replace", path: "displayName", value: "After" }, { op: "move", path: "title", value: "x" }], "invalidValue"],
    [[{ op: "replace", path: "active", value: false }, { op: "replace", path: 'emails[type eq "work"', value: "x" }], "invalidPath"],
    [[{ op: "replace", path: "displayName", value: "After" }, { op: "replace", path: "active", value: "sometimes" }], "invalidValue"],
    [[{ op: "replace", path: "displayName", value: "After" }, { op: "add", path: "title" }], "invalidValue"],
    [[{ op: "replace", path: "displayName", value: "After" }, { op: "remove" }], "noTarget"],
  ];
  for (const [operations, scimType] of failing) {
    await expectScimError(await tenant.scim.patch(`Users/${user.id}`, { data: patchOp(...operations) }), 400, scimType);
  }
  for (const data of [{ Operations: [{ op: "add", path: "title", value: "x" }] }, patchOp(), { schemas: [SCIM.patchOp], Operations: "add" }]) {
    await expectScimError(await tenant.scim.patch(`Users/${user.id}`, { data }), 400, "invalidSyntax");
  }
  const after = await read(tenant.scim, `Users/${user.id}`);
  expect(after).toEqual({ ...user, groups: [] });

  const member = await createUser(tenant.scim, "member@example.com");
  const group = await createGroup(tenant.scim, "Atomic", [member.id]);
  await expectScimError(
    await tenant.scim.patch(`Groups/${group.id}`, {
      data: patchOp(
        { op: "replace", path: "displayName", value: "Renamed" },
        { op: "remove", path: `members[value eq "${member.id}"]` },
        // Unknown members are skipped, but a member that is not even a string or object is malformed.
        { op: "add", path: "members", value: [{ value: 42 }] },
      ),
    }),
    400,
    "invalidValue",
  );
  const unchanged = await read(tenant.scim, `Groups/${group.id}`);
  expect(unchanged.displayName).toBe("Atomic");
  expect(unchanged.meta.version).toBe(group.meta.version);
  expect(await memberIds(tenant.scim, group.id)).toEqual([member.id]);
});

test("IdP dialects: op and key case, string booleans, dotted and URN pathless keys, filtered paths that create, member lists", async ({ tenant }) => {
  const user = await createUser(tenant.scim, "dialect@example.com", { emails: undefined, name: undefined });
  const patch = (...operations: unknown[]) => tenant.scim.patch(`Users/${user.id}`, { data: patchOp(...operations) });

  // Entra capitalises op names; some clients send "operations" and "PATH".
  let body = await expectJson(await tenant.scim.patch(`Users/${user.id}`, {
    data: { schemas: [SCIM.patchOp], operations: [{ OP: "Add", PATH: "nickName", Value: "Nick" }, { op: "REPLACE", path: "title", value: "Lead" }] },
  }), 200);
  expect(body).toMatchObject({ nickName: "Nick", title: "Lead" });

  // Entra's "False"/"True" strings are booleans.
  body = await expectJson(await patch({ op: "Replace", path: "active", value: "False" }), 200);
  expect(body.active).toBe(false);
  body = await expectJson(await patch({ op: "Replace", path: "active", value: "True" }), 200);
  expect(body.active).toBe(true);

  // Okta deactivates with a pathless value.
  body = await expectJson(await patch({ op: "replace", value: { active: false } }), 200);
  expect(body.active).toBe(false);

  // Filtered paths on values that do not exist yet create them (Entra: Microsoft Learn, "Tutorial: Develop and plan provisioning for a SCIM endpoint").
  body = await expectJson(
    await patch(
      { op: "Replace", path: 'emails[type eq "work"].value', value: "dialect@work.example" },
      { op: "Add", path: 'phoneNumbers[type eq "mobile"].value', value: "+49 170 0000000" },
      { op: "replace", path: 'addresses[type eq "work"].locality', value: "Berlin" },
    ),
    200,
  );
  expect(body.emails).toEqual([{ type: "work", value: "dialect@work.example" }]);
  expect(body.phoneNumbers).toEqual([{ type: "mobile", value: "+49 170 0000000" }]);
  expect(body.addresses).toEqual([{ type: "work", locality: "Berlin" }]);

  // Entra with aadOptscim062020: one pathless op with dotted and URN keys.
  body = await expectJson(
    await patch({
      op: "replace",
      value: {
        displayName: "Dia Lect",
        "name.givenName": "Dia",
        "name.familyName": "Lect",
        [`${SCIM.enterprise}:employeeNumber`]: "E-1",
        "urn:ietf:params:scim:schemas:extension:CustomExtension:2.0:User:badge": "7",
        active: "True",
      },
    }),
    200,
  );
  expect(body).toMatchObject({
    displayName: "Dia Lect",
    name: { givenName: "Dia", familyName: "Lect" },
    active: true,
    [SCIM.enterprise]: { employeeNumber: "E-1" },
  });
  expect(body["name.givenName"]).toBeUndefined();
  // The custom extension is kept (a filter finds it) but not returned: /Schemas does not declare it (RFC 7643 §3).
  const custom = "urn:ietf:params:scim:schemas:extension:CustomExtension:2.0:User";
  expect(body[custom]).toBeUndefined();
  expect(body.schemas).toEqual([SCIM.user, SCIM.enterprise]);
  const found = await list(tenant.scim, `Users?${filterQuery(`${custom}:badge eq "7"`)}`);
  expect(found.Resources.map((r) => r.id)).toEqual([user.id]);

  // Entra's manager: added as a one-element array, removed by replacing with "".
  body = await expectJson(await patch({ op: "Add", path: "manager", value: [{ $ref: null, value: "boss-1" }] }), 200);
  expect(body[SCIM.enterprise].manager).toEqual({ value: "boss-1" });
  body = await expectJson(await patch({ op: "Replace", path: "manager", value: "" }), 200);
  expect(body[SCIM.enterprise]).toEqual({ employeeNumber: "E-1" });
  expect(await read(tenant.scim, `Users/${user.id}`)).toEqual(body);

  // Groups: Entra's default remove lists the members to remove in `value`; only those leave.
  const others = await Promise.all(["x", "y", "z"].map((n) => createUser(tenant.scim, `${n}@example.com`)));
  const group = await createGroup(tenant.scim, "Dialects", others.map((u) => u.id));
  const groupPatch = (...operations: unknown[]) => tenant.scim.patch(`Groups/${group.id}`, { data: patchOp(...operations) });
  await expectEmpty(await groupPatch({ op: "Remove", path: "members", value: [{ $ref: null, value: others[0].id }] }), 204);
  expect(await memberIds(tenant.scim, group.id)).toEqual([others[1].id, others[2].id].sort());
  // Okta renames with a pathless value that also carries the read-only id.
  await expectEmpty(await groupPatch({ op: "replace", value: { id: group.id, displayName: "Dialects 2" } }), 204);
  // A pathless value may carry members next to attributes.
  await expectEmpty(await groupPatch({ op: "add", value: { members: [{ value: user.id }], externalId: "ext-d" } }), 204);
  const after = await read(tenant.scim, `Groups/${group.id}`);
  expect(after).toMatchObject({ id: group.id, displayName: "Dialects 2", externalId: "ext-d" });
  expect(await memberIds(tenant.scim, group.id)).toEqual([others[1].id, others[2].id, user.id].sort());
  await expectEmpty(await groupPatch({ op: "remove", path: `members[value eq "${others[1].id}" or value eq "${others[2].id}"]` }), 204);
  expect(await memberIds(tenant.scim, group.id)).toEqual([user.id]);
});
