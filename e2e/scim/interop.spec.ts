// Interoperability with clients and validators no one here wrote (issue 10): strict clients that build models from
// /Schemas, ids that are not ours, unquoted filter values, and `attributes` with a value filter.
import { SCIM, expect, test } from "../fixtures";
import {
  activity,
  cliUsers,
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
  type Json,
} from "./helpers";
import { SignInPage } from "../pages/sign-in";
import { discoveryViolations } from "./rfc7643-rules";
import { bodyViolations, buildModels } from "./schema-model";

const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/** RFC 7643 §8.2's full User, with the enterprise extension (§8.3): every attribute the server stores and serves. */
const fullUser = (userName: string): Json => ({
  schemas: [SCIM.user, SCIM.enterprise],
  externalId: "701984",
  userName,
  name: {
    formatted: "Ms. Barbara J Jensen, III",
    familyName: "Jensen",
    givenName: "Barbara",
    middleName: "Jane",
    honorificPrefix: "Ms.",
    honorificSuffix: "III",
  },
  displayName: "Babs Jensen",
  nickName: "Babs",
  profileUrl: "https://login.example.com/bjensen",
  emails: [
    { value: userName, type: "work", primary: true },
    { value: "babs@jensen.example.org", type: "home" },
  ],
  addresses: [
    {
      type: "work",
      streetAddress: "100 Universal City Plaza",
      locality: "Hollywood",
      region: "CA",
      postalCode: "91608",
      country: "US",
      formatted: "100 Universal City Plaza\nHollywood, CA 91608 USA",
      primary: true,
    },
  ],
  phoneNumbers: [
    { value: "555-555-5555", type: "work" },
    { value: "555-555-4444", type: "mobile" },
  ],
  ims: [{ value: "someaimhandle", type: "aim" }],
  photos: [
    { value: "https://photos.example.com/profilephoto/72930000000Ccne/F", type: "photo" },
    { value: "https://photos.example.com/profilephoto/72930000000Ccne/T", type: "thumbnail" },
  ],
  userType: "Employee",
  title: "Tour Guide",
  preferredLanguage: "en-US",
  locale: "en-US",
  timezone: "America/Los_Angeles",
  active: true,
  password: "t1meMa$heen",
  entitlements: [{ value: "Sally Team" }],
  roles: [{ value: "Guide", display: "Tour Guide" }],
  x509Certificates: [{ value: "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx" }],
  [SCIM.enterprise]: {
    employeeNumber: "701984",
    costCenter: "4130",
    organization: "Universal Studios",
    division: "Theme Park",
    department: "Tour Operations",
    manager: { value: "26118915-6090-4610-87e4-49d8ca9f808d", $ref: "https://example.com/scim/v2/Users/26118915-6090-4610-87e4-49d8ca9f808d" },
  },
});

test.describe("discovery for strict clients (RFC 7643 §7)", () => {
  test("/Schemas and /ResourceTypes keep every rule of RFC 7643 §6 and §7, alone and by id", async ({ tenant }) => {
    const schemas = (await list(tenant.scim, "Schemas")).Resources;
    const types = (await list(tenant.scim, "ResourceTypes")).Resources;
    expect(discoveryViolations(schemas, types, tenant.tenantUrl)).toEqual([]);
    for (const schema of schemas) expect(await read(tenant.scim, `Schemas/${schema.id}`)).toEqual(schema);
    for (const type of types) expect(await read(tenant.scim, `ResourceTypes/${type.id}`)).toEqual(type);

    // The attributes the issue names: references that crashed model-building clients, and the common attributes.
    const user = schemas.find((s) => s.id === SCIM.user)!;
    const attribute = (schema: Json, path: string) =>
      path.split(".").reduce<Json | undefined>((found, name) => (found?.subAttributes ?? found?.attributes)?.find((a: Json) => a.name === name), schema);
    expect(attribute(user, "photos.value")).toMatchObject({ type: "reference", referenceTypes: ["external"] });
    expect(attribute(user, "profileUrl")).toMatchObject({ type: "reference", referenceTypes: ["external"] });
    expect(attribute(user, "meta.location")).toMatchObject({ type: "reference", referenceTypes: ["uri"], mutability: "readOnly" });
    expect(attribute(user, "groups.$ref")).toMatchObject({ type: "reference", referenceTypes: ["Group"] });
    expect(attribute(user, "id")).toMatchObject({ returned: "always", mutability: "readOnly", caseExact: true });
    expect(attribute(user, "emails.type")).toMatchObject({ canonicalValues: ["work", "home", "other"] });
    const group = schemas.find((s) => s.id === SCIM.group)!;
    expect(attribute(group, "members.$ref")).toMatchObject({ type: "reference", referenceTypes: ["User", "Group"] });
    const enterprise = schemas.find((s) => s.id === SCIM.enterprise)!;
    expect(attribute(enterprise, "manager.$ref")).toMatchObject({ type: "reference", referenceTypes: ["User"] });
  });

  test("the walker finds what it is there to find", async () => {
    const base = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"], name: "X", description: "X things" };
    const schema = (attributes: Json[]) => ({
      ...base,
      id: "urn:example:X",
      attributes,
      meta: { resourceType: "Schema", location: "https://t/Schemas/urn:example:X" },
    });
    const a = (extra: Json) => ({
      name: "a", type: "string", multiValued: false, description: "An a", required: false, caseExact: false,
      mutability: "readWrite", returned: "default", uniqueness: "none", ...extra,
    });
    expect(discoveryViolations([schema([a({})])], [], "https://t")).toEqual([]);
    expect(discoveryViolations([schema([a({ type: "reference" })])], [], "https://t")).toEqual([
      "Schema urn:example:X.a: a reference attribute needs referenceTypes (§7)",
    ]);
    expect(discoveryViolations([schema([a({ type: "complex" })])], [], "https://t")).toEqual([
      "Schema urn:example:X.a: a complex attribute needs subAttributes (§7)",
    ]);
    expect(discoveryViolations([schema([a({ mutability: "readOnly", type: "complex", subAttributes: [a({ name: "b" })] })])], [], "https://t")).toEqual([
      "Schema urn:example:X.a.b: mutability readWrite under a readOnly attribute",
    ]);
  });

  test("every resource the server returns round-trips through its own advertised schema", async ({ tenant }) => {
    const models = buildModels((await list(tenant.scim, "Schemas")).Resources as never, (await list(tenant.scim, "ResourceTypes")).Resources as never);
    const created = await expectJson(await tenant.scim.post("Users", { data: fullUser("bjensen@example.com") }), 201);
    expect(created.password).toBeUndefined();
    const group = await createGroup(tenant.scim, "Tour Guides", [created.id]);
    const user = await read(tenant.scim, `Users/${created.id}`);
    expect(user.groups).toEqual([expect.objectContaining({ value: group.id, $ref: `${tenant.tenantUrl}/Groups/${group.id}` })]);
    for (const resource of [created, user, group, await read(tenant.scim, `Groups/${group.id}`)]) {
      expect(bodyViolations(models, resource, false)).toEqual([]);
    }
    // And the check is not blind: an undeclared attribute, a wrong type and a missing required one are caught.
    expect(bodyViolations(models, { ...user, favouriteColour: "blue" }, false)).toEqual([
      "favouriteColour is not declared by the advertised schema (or is never returned)",
    ]);
    expect(bodyViolations(models, { ...user, active: "yes" }, false)[0]).toMatch(/active/);
    expect(bodyViolations(models, { ...group, displayName: undefined }, false)[0]).toMatch(/displayName/);
  });
});

test.describe("ids that are not ours never reach the database (issue 10 item 2)", () => {
  test('PATCH /Groups/{id} remove members[value eq "null"] is a no-op, not a 500', async ({ tenant }) => {
    const ada = await createUser(tenant.scim, "ada@ids.example");
    const group = await createGroup(tenant.scim, "Ids", [ada.id]);
    const res = await tenant.scim.patch(`Groups/${group.id}`, { data: patchOp({ op: "remove", path: 'members[value eq "null"]' }) });
    expect(res.status()).toBeLessThan(300);
    expect(await memberIds(tenant.scim, group.id)).toEqual([ada.id]);
    // The same value in every other member-removing form, and an upper-case spelling of a real id.
    for (const operation of [
      { op: "remove", path: "members", value: [{ value: "null" }, { value: "bulkId:nobody" }, { value: "12" }] },
      { op: "remove", path: 'members[value eq "null" or value eq "x\'; drop table scim_users; --"]' },
      { op: "Remove", path: "members", value: [{ $ref: null, value: "f648f8d5ea4e4cd38e9c" }] },
    ]) {
      const again = await tenant.scim.patch(`Groups/${group.id}`, { data: patchOp(operation) });
      expect(again.status(), JSON.stringify(operation)).toBeLessThan(300);
    }
    expect(await memberIds(tenant.scim, group.id)).toEqual([ada.id]);
    await expectEmpty(
      await tenant.scim.patch(`Groups/${group.id}`, { data: patchOp({ op: "remove", path: `members[value eq "${ada.id.toUpperCase()}"]` }) }),
      204,
    );
    expect(await memberIds(tenant.scim, group.id)).toEqual([]);
  });

  test("member values that are no user are never a 5xx, in PATCH, PUT, POST and Bulk", async ({ tenant }) => {
    const ada = await createUser(tenant.scim, "ada@members.example");
    const group = await createGroup(tenant.scim, "Members", [ada.id]);
    const attempts = [
      tenant.scim.patch(`Groups/${group.id}`, { data: patchOp({ op: "add", path: "members", value: [{ value: "null" }] }) }),
      tenant.scim.patch(`Groups/${group.id}`, { data: patchOp({ op: "replace", path: 'members[value eq "null"]', value: { value: "null" } }) }),
      tenant.scim.put(`Groups/${group.id}`, { data: { schemas: [SCIM.group], displayName: "Members", members: [{ value: ada.id }, { value: "null" }] } }),
      tenant.scim.post("Groups", { data: { schemas: [SCIM.group], displayName: "Other", members: [{ value: "not-a-uuid" }] } }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status(), `${res.url()} answered ${await res.text()}`).toBeLessThan(500);
    }
    expect(await memberIds(tenant.scim, group.id)).toEqual([ada.id]);
  });

  test("paths, filters, cursors, bulk references and $ref with foreign ids", async ({ tenant }) => {
    const ada = await createUser(tenant.scim, "ada@paths.example");
    const group = await createGroup(tenant.scim, "Paths", [ada.id]);
    for (const path of ["Users/null", "Groups/null", "Users/bulkId:x", "Groups/1", `Groups/${group.id}x`]) {
      await expectScimError(await tenant.scim.get(path), 404);
      await expectScimError(await tenant.scim.patch(path, { data: patchOp({ op: "replace", path: "displayName", value: "x" }) }), 404);
      await expectScimError(await tenant.scim.delete(path), 404);
    }
    for (const [resource, filter] of [
      ["Groups", 'members[value eq "null"]'],
      ["Groups", 'members.value eq "null"'],
      ["Groups", 'id eq "null"'],
      ["Users", 'groups.value eq "null"'],
      ["Users", `${SCIM.enterprise}:manager.value eq "null"`],
    ]) {
      expect((await list(tenant.scim, `${resource}?${filterQuery(filter)}`)).totalResults, filter).toBe(0);
    }
    const forged = Buffer.from(JSON.stringify([new Date().toISOString(), "null"])).toString("base64url");
    await expectScimError(await tenant.scim.get(`Users?cursor=${forged}`), 400, "invalidCursor");

    // A bulk reference that never resolves is an unknown id like any other; a foreign $ref is not stored.
    const res = await tenant.scim.post("Bulk", {
      data: {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: "PATCH", path: "/Groups/bulkId:nowhere", data: patchOp({ op: "add", path: "members", value: [{ value: ada.id }] }) },
          { method: "PATCH", path: `/Groups/${group.id}`, data: patchOp({ op: "remove", path: 'members[value eq "bulkId:nowhere"]' }) },
          {
            method: "POST",
            path: "/Groups",
            data: { schemas: [SCIM.group], displayName: "Refs", members: [{ value: ada.id, $ref: "https://elsewhere.example/Users/null" }] },
          },
        ],
      },
    });
    const bulk = await expectJson(res, 200);
    // Operations whose references are unresolved run last (RFC 7644 §3.7.1 lets them be retried), hence the sort.
    expect(bulk.Operations.map((o: Json) => `${o.method} ${o.status}`).sort()).toEqual(["PATCH 204", "PATCH 404", "POST 201"]);
    expect(await memberIds(tenant.scim, group.id)).toEqual([ada.id]);
    const created = bulk.Operations.find((o: Json) => o.method === "POST");
    const refs = await read(tenant.scim, created.location.replace(`${tenant.tenantUrl}/`, ""));
    expect(refs.members).toEqual([expect.objectContaining({ value: ada.id, $ref: `${tenant.tenantUrl}/Users/${ada.id}`, type: "User" })]);
  });
});

test.describe("filters with unquoted values (issue 10 item 5)", () => {
  test("the exact filters of Microsoft's samples are answered, by the attribute's type", async ({ tenant }) => {
    const olaf = await createUser(tenant.scim, "Olaf@contoso.example", { name: { givenName: "Olaf", familyName: "Employee" }, emails: [{ value: "olaf@example.com", type: "work", primary: true }] });
    const oscar = await createUser(tenant.scim, "oscar@contoso.example", { name: { givenName: "Oscar", familyName: "Employee" }, emails: [{ value: "oscar@example.org", type: "work", primary: true }] });
    const ann = await createUser(tenant.scim, "ann@contoso.example", { name: { givenName: "Ann", familyName: "Employee" }, emails: [{ value: "ann@example.net", type: "work" }] });
    const found = async (filter: string) => (await list(tenant.scim, `Users?${filterQuery(filter)}`)).Resources.map((r) => r.id).sort();

    expect(await found("userName sw O")).toEqual([olaf.id, oscar.id].sort());
    expect(await found("name.familyName eq Employee and (emails.value co example.com or emails.value co example.org)")).toEqual([olaf.id, oscar.id].sort());
    expect(await found("meta.created gt 2015-10-10T14:38:21.8617979-07:00")).toEqual([olaf.id, oscar.id, ann.id].sort());
    expect(await found("meta.created lt 2015-10-10T14:38:21.8617979-07:00")).toEqual([]);
    expect(await found(`meta.created ge ${ann.meta.created}`)).toContain(ann.id);
    expect(await found(`meta.lastModified gt ${new Date(Date.now() + 3_600_000).toISOString().replace("Z", "+01:00")}`)).toEqual([]);
    expect(await found("active eq True")).toHaveLength(3);
    expect(await found("active eq false")).toEqual([]);
    expect(await found("emails[type eq work and value ew example.net]")).toEqual([ann.id]);
    // As sent raw, unencoded spaces as '+', the way some validators send it.
    const raw = await list(tenant.scim, "Users?filter=userName+sw+O");
    expect(raw.totalResults).toBe(2);
  });

  test("truly broken filters stay 400 invalidFilter", async ({ tenant }) => {
    for (const filter of ["userName eq", "userName sw O P", "userName zz O", "(userName sw O", "meta.created gt yesterday", "meta.created gt 2015-13-10T14:38:21Z", "active eq maybe"]) {
      await expectScimError(await tenant.scim.get(`Users?${filterQuery(filter)}`), 400, "invalidFilter");
    }
  });

  test("a PATCH value filter may be unquoted too", async ({ tenant }) => {
    const user = await createUser(tenant.scim, "ada@patch.example", {
      emails: [{ value: "ada@patch.example", type: "work", primary: true }, { value: "ada@home.example", type: "home" }],
    });
    const patched = await expectJson(
      await tenant.scim.patch(`Users/${user.id}`, { data: patchOp({ op: "replace", path: "emails[type eq home].value", value: "ada@new-home.example" }) }),
      200,
    );
    expect(patched.emails).toEqual([user.emails[0], { value: "ada@new-home.example", type: "home" }]);
  });
});

test.describe("attributes with a value filter (issue 10 item 6)", () => {
  test('GET /Users?attributes=emails[type eq "work"] returns the matching emails', async ({ tenant }) => {
    const work = { value: "ada@work.example", type: "work", primary: true };
    const home = { value: "ada@home.example", type: "home" };
    const user = await createUser(tenant.scim, "ada@attributes.example", { emails: [work, home] });
    const [listed] = (await list(tenant.scim, `Users?attributes=${encodeURIComponent('emails[type eq "work"]')}`)).Resources;
    expect(listed).toEqual({ schemas: [SCIM.user], id: user.id, emails: [work] });
    expect(await read(tenant.scim, `Users/${user.id}?attributes=${encodeURIComponent('emails[type eq "work"].value,userName')}`)).toEqual({
      schemas: [SCIM.user],
      id: user.id,
      userName: "ada@attributes.example",
      emails: [{ value: work.value }],
    });
    expect((await read(tenant.scim, `Users/${user.id}?attributes=emails[type eq home],emails[primary eq true]`)).emails).toEqual([work, home]);
    expect((await read(tenant.scim, `Users/${user.id}?excludedAttributes=${encodeURIComponent('emails[type eq "work"]')}`)).emails).toEqual([home]);
    const search = await expectJson(
      await tenant.scim.post("Users/.search", { data: { schemas: [SCIM.searchRequest], attributes: ['emails[type eq "home"]'] } }),
      200,
    );
    expect(search.Resources).toEqual([{ schemas: [SCIM.user], id: user.id, emails: [home] }]);
    const group = await createGroup(tenant.scim, "Filtered", [user.id]);
    expect(await read(tenant.scim, `Groups/${group.id}?attributes=${encodeURIComponent(`members[value eq "${user.id}"]`)}`)).toEqual({
      schemas: [SCIM.group],
      id: group.id,
      members: [expect.objectContaining({ value: user.id })],
    });
  });
});

test.describe("users sharing an email (issue 10 item 4)", () => {
  // Seven CLI calls, each a process start.
  test.describe.configure({ timeout: 180_000 });
  test("both are created; one signs in, the other is flagged with an email conflict naming them, until either side changes", async ({ tenant, cli, page }) => {
    const email = `shared@${tenant.slug}.example`;
    const withEmail = (displayName: string) => ({ displayName, emails: [{ value: email, type: "work", primary: true }] });
    // What validators and IdPs send: two users, one email. Both are accepted.
    const ada = await createUser(tenant.scim, `ada@${tenant.slug}.idp`, withEmail("Ada Lovelace"));
    const bea = await createUser(tenant.scim, `bea@${tenant.slug}.idp`, withEmail("Bea Lovelace"));
    const staff = await createGroup(tenant.scim, "Staff", [ada.id, bea.id]);
    await cli("scim", "mapping", "set", "--tenant", tenant.slug, "--user-group", "Staff", "--apply");

    const byUserName = async () => new Map((await cliUsers(cli, tenant.slug)).map((u) => [u.userName, u]));
    let users = await byUserName();
    const holder = users.get(`ada@${tenant.slug}.idp`)!;
    expect(holder).toMatchObject({ email, role: "user", emailConflictWith: null });
    expect(users.get(`bea@${tenant.slug}.idp`)).toMatchObject({ email, role: "none", status: "deactivated", emailConflictWith: `Ada Lovelace <${email}> (${holder.id})` });

    // The admin sees the flag in the user list, with the holder named.
    await new SignInPage(page).signIn(`admin@${tenant.slug}.example`);
    await page.goto(`/settings/users?q=${encodeURIComponent("shared@")}`);
    // Rows by their name cell: the flagged row's text names the holder too.
    const row = (name: string) => page.getByTestId("user-row").filter({ has: page.getByRole("cell", { name, exact: true }) });
    await expect(row("Bea Lovelace").getByTestId("email-conflict")).toContainText(`${email} already signs in Ada Lovelace`);
    await expect(row("Ada Lovelace")).toBeVisible();
    await expect(row("Ada Lovelace").getByTestId("email-conflict")).toHaveCount(0);

    // A third one joins the group later: the warning in the activity log names both users.
    const carl = await createUser(tenant.scim, `carl@${tenant.slug}.idp`, withEmail("Carl Lovelace"));
    await expectEmpty(await tenant.scim.patch(`Groups/${staff.id}`, { data: patchOp({ op: "add", path: "members", value: [{ value: carl.id }] }) }), 204);
    const warning = (await activity(cli, tenant.slug)).find((a) => a.summary.startsWith("Warning: Email conflict") && a.summary.includes("Carl Lovelace"));
    expect(warning?.summary).toContain(`because Ada Lovelace (user ${holder.id}) already signs in with ${email}`);

    // The holder is deactivated: one of the others takes the email at once, and its flag is gone.
    await expectJson(await tenant.scim.patch(`Users/${ada.id}`, { data: patchOp({ op: "Replace", path: "active", value: "False" }) }), 200);
    users = await byUserName();
    const withAccess = [...users.values()].filter((u) => u.email === email && u.role !== "none");
    expect(withAccess.map((u) => u.userName)).toEqual([`bea@${tenant.slug}.idp`]);
    expect(withAccess[0].emailConflictWith).toBeNull();
    expect(users.get(`carl@${tenant.slug}.idp`)?.emailConflictWith).toContain(`(${withAccess[0].id})`);
    // Carl's email changes in the IdP: his conflict clears and he gets access.
    await expectJson(await tenant.scim.patch(`Users/${carl.id}`, { data: patchOp({ op: "replace", path: "emails", value: [{ value: `carl@${tenant.slug}.example`, primary: true }] }) }), 200);
    expect((await byUserName()).get(`carl@${tenant.slug}.idp`)).toMatchObject({ role: "user", emailConflictWith: null });
  });
});
