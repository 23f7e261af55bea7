import { SCIM, expect, test } from "../fixtures";
import {
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
  userBody,
  type Json,
} from "./helpers";

const ACME = "urn:acme:params:scim:schemas:extension:badge:2.0:User";

test("POST answers 201 with the user, Location and ETag, and every declared value comes back as sent", async ({ tenant }) => {
  const sent = {
    schemas: [SCIM.user, SCIM.enterprise, ACME],
    userName: "Ada.Lovelace@Example.com",
    externalId: "00ujl29u0le5T6Aj10h7",
    name: { formatted: "Ada Lovelace", givenName: "Ada", familyName: "Lovelace" },
    displayName: "Ada Lovelace",
    nickName: "Ada",
    title: "Analyst",
    locale: "de-DE",
    preferredLanguage: "de",
    timezone: "Europe/Berlin",
    active: true,
    emails: [
      { value: "Ada.Lovelace@Example.com", type: "work", primary: true },
      { value: "ada@home.example", type: "home" },
    ],
    phoneNumbers: [{ value: "+49 170 1234567", type: "mobile" }],
    addresses: [{ type: "work", streetAddress: "1 Engine Way", locality: "London", country: "GB" }],
    roles: [],
    password: "1mz050nq",
    [SCIM.enterprise]: { employeeNumber: "1815", department: "Engines", costCenter: "CC-7", manager: { value: "babbage-1" } },
    [ACME]: { badge: "B-42", floors: [3, 4] },
    favouriteColour: "teal",
    // Read-only attributes a client may send back are ignored, never errors.
    id: "client-chosen-id",
    groups: [{ value: "g-1" }],
    meta: { resourceType: "User", version: 'W/"77"' },
  };
  const res = await tenant.scim.post("Users", { data: sent });
  const created = await expectJson(res, 201);
  const { password: _password, schemas: _schemas, id: _id, groups: _groups, meta: _meta, [ACME]: _acme, favouriteColour: _colour, ...echoed } = sent;
  expect(created).toMatchObject(echoed);
  expect(JSON.stringify(created)).not.toContain("1mz050nq");
  // What /Schemas does not declare is kept (filters find it) but not returned: a strict client builds its model
  // from /Schemas, and `schemas` may name only the resource type's schema and extensions (RFC 7643 §3).
  expect(created.schemas).toEqual([SCIM.user, SCIM.enterprise]);
  expect(created[ACME]).toBeUndefined();
  expect(created.favouriteColour).toBeUndefined();
  for (const filter of [`${ACME}:badge eq "B-42"`, 'favouriteColour eq "teal"']) {
    expect((await list(tenant.scim, `Users?${filterQuery(filter)}`)).Resources.map((u) => u.id), filter).toEqual([created.id]);
  }
  expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(created.groups).toEqual([]);
  expect(created.meta).toEqual({
    resourceType: "User",
    created: expect.any(String),
    lastModified: created.meta.created,
    location: `${tenant.tenantUrl}/Users/${created.id}`,
    version: expect.stringMatching(/^W\/".+"$/),
  });
  expect(res.headers()["location"]).toBe(created.meta.location);
  expect(res.headers()["etag"]).toBe(created.meta.version);

  const got = await tenant.scim.get(`Users/${created.id}`);
  expect(await expectJson(got, 200)).toEqual(created);
  expect(got.headers()["etag"]).toBe(created.meta.version);
});

test("userName is unique within the tenant whatever its case (409 uniqueness), on POST, PUT and PATCH", async ({ tenant }) => {
  // Racing creates of one userName: exactly one wins, the others are told why.
  const racing = await Promise.all(
    ["dup@example.com", "DUP@example.com", "dup@EXAMPLE.com", "Dup@Example.com"].map((name) => tenant.scim.post("Users", { data: userBody(name) })),
  );
  expect(racing.map((res) => res.status()).sort()).toEqual([201, 409, 409, 409]);
  for (const res of racing.filter((r) => r.status() === 409)) await expectScimError(res, 409, "uniqueness");
  const first = await expectJson(racing.find((r) => r.status() === 201)!, 201);
  await tenant.scim.patch(`Users/${first.id}`, { data: patchOp({ op: "replace", path: "userName", value: "dup@example.com" }) });
  await expectScimError(await tenant.scim.post("Users", { data: userBody("DUP@Example.COM") }), 409, "uniqueness");
  const second = await createUser(tenant.scim, "second@example.com");
  await expectScimError(await tenant.scim.put(`Users/${second.id}`, { data: userBody("Dup@example.com") }), 409, "uniqueness");
  await expectScimError(
    await tenant.scim.patch(`Users/${second.id}`, { data: patchOp({ op: "replace", path: "userName", value: "dup@EXAMPLE.com" }) }),
    409,
    "uniqueness",
  );
  const all = await list(tenant.scim, "Users");
  expect(all.Resources.map((u) => [u.id, u.userName])).toEqual([
    [first.id, "dup@example.com"],
    [second.id, "second@example.com"],
  ]);
  expect(all.Resources[1].meta.version).toBe(second.meta.version);
  expect(all.Resources[0].meta.version).toBe('W/"2"');
  // The same user may change the case of its own userName.
  const renamed = await expectJson(
    await tenant.scim.patch(`Users/${first.id}`, { data: patchOp({ op: "replace", path: "userName", value: "Dup@Example.com" }) }),
    200,
  );
  expect(renamed.userName).toBe("Dup@Example.com");
});

test("PUT replaces the whole user; a deactivated user stays readable, listable and can come back", async ({ tenant }) => {
  const user = await createUser(tenant.scim, "put@example.com", {
    nickName: "Putty",
    title: "Engineer",
    phoneNumbers: [{ value: "+1 555 0100", type: "work" }],
    [SCIM.enterprise]: { department: "R&D" },
  });
  // Okta's PUT flow: GET, then the full body back with the change (here: deactivation).
  const current = await read(tenant.scim, `Users/${user.id}`);
  const { id: _id, meta: _meta, groups: _groups, nickName: _nick, ...rest } = current;
  const res = await tenant.scim.put(`Users/${user.id}`, { data: { ...rest, title: "Staff Engineer", active: false } });
  const replaced = await expectJson(res, 200);
  expect(replaced).toMatchObject({ userName: "put@example.com", title: "Staff Engineer", active: false, [SCIM.enterprise]: { department: "R&D" } });
  expect(replaced.nickName).toBeUndefined();
  expect(replaced.meta.version).not.toBe(user.meta.version);
  expect(res.headers()["etag"]).toBe(replaced.meta.version);
  expect(res.headers()["location"]).toBe(user.meta.location);
  expect(Date.parse(replaced.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(user.meta.lastModified));
  expect(replaced.meta.created).toBe(user.meta.created);

  expect(await read(tenant.scim, `Users/${user.id}`)).toEqual(replaced);
  expect((await list(tenant.scim, `Users?${filterQuery("active eq false")}`)).Resources.map((u) => u.id)).toEqual([user.id]);
  expect((await list(tenant.scim, "Users")).totalResults).toBe(1);

  // A PUT without the optional attributes drops them; the enterprise extension goes with its object.
  const bare = await expectJson(await tenant.scim.put(`Users/${user.id}`, { data: { schemas: [SCIM.user], userName: "put@example.com", active: true } }), 200);
  expect(bare).toEqual({
    schemas: [SCIM.user],
    id: user.id,
    userName: "put@example.com",
    active: true,
    groups: [],
    meta: expect.objectContaining({ resourceType: "User" }),
  });

  await expectScimError(await tenant.scim.put(`Users/${unknownId()}`, { data: userBody("ghost@example.com") }), 404);
  await expectScimError(await tenant.scim.put(`Users/${user.id}`, { data: { schemas: [SCIM.user], displayName: "No name" } }), 400, "invalidValue");
  expect((await read(tenant.scim, `Users/${user.id}`)).meta.version).toBe(bare.meta.version);
});

test("PATCH answers 200 with the user; DELETE answers 204, after which the user is gone everywhere", async ({ tenant }) => {
  const user = await createUser(tenant.scim, "leaver@example.com");
  const keeper = await createUser(tenant.scim, "keeper@example.com");
  const group = await createGroup(tenant.scim, "Team", [user.id, keeper.id]);
  const patched = await tenant.scim.patch(`Users/${user.id}`, { data: patchOp({ op: "replace", path: "active", value: false }) });
  const body = await expectJson(patched, 200);
  expect(body).toMatchObject({ id: user.id, active: false, groups: [{ value: group.id, display: "Team", type: "direct" }] });
  expect(patched.headers()["etag"]).toBe(body.meta.version);
  expect((await read(tenant.scim, `Users/${user.id}`)).active).toBe(false);

  await expectEmpty(await tenant.scim.delete(`Users/${user.id}`), 204);
  await expectScimError(await tenant.scim.get(`Users/${user.id}`), 404);
  await expectScimError(await tenant.scim.delete(`Users/${user.id}`), 404);
  await expectScimError(await tenant.scim.patch(`Users/${user.id}`, { data: patchOp({ op: "replace", path: "active", value: true }) }), 404);
  expect((await list(tenant.scim, "Users")).Resources.map((u) => u.id)).toEqual([keeper.id]);
  expect(await memberIds(tenant.scim, group.id)).toEqual([keeper.id]);
  // The userName is free again.
  const again = await createUser(tenant.scim, "leaver@example.com");
  expect(again.id).not.toBe(user.id);
  await expectScimError(await tenant.scim.get("Users/not-a-uuid"), 404);
});

test("values of the wrong type are 400 invalidValue and nothing is written", async ({ tenant }) => {
  const cases: Json[] = [
    userBody("a@example.com", { active: "maybe" }),
    userBody("b@example.com", { name: "Not An Object" }),
    userBody("c@example.com", { emails: [{ value: { nested: true }, type: "work" }] }),
    userBody("d@example.com", { [SCIM.enterprise]: "1815" }),
    userBody("e@example.com", { schemas: SCIM.user }),
    { schemas: [SCIM.user], displayName: "Nobody" },
    { schemas: [SCIM.user], userName: "" },
    { schemas: [SCIM.user], userName: ["f@example.com"] },
  ];
  for (const data of cases) {
    await expectScimError(await tenant.scim.post("Users", { data }), 400, "invalidValue");
  }
  await expectScimError(await tenant.scim.post("Users", { data: [userBody("g@example.com")] }), 400, "invalidSyntax");
  expect((await list(tenant.scim, "Users")).totalResults).toBe(0);

  const user = await createUser(tenant.scim, "typed@example.com");
  await expectScimError(await tenant.scim.put(`Users/${user.id}`, { data: userBody("typed@example.com", { active: 3 }) }), 400, "invalidValue");
  await expectScimError(
    await tenant.scim.patch(`Users/${user.id}`, { data: patchOp({ op: "replace", path: "name", value: "flat" }) }),
    400,
    "invalidValue",
  );
  expect((await read(tenant.scim, `Users/${user.id}`)).meta.version).toBe(user.meta.version);
});
