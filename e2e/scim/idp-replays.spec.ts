// Replays of what each seed IdP sends, with the request bodies as the IdPs' public SCIM documentation gives them. Placeholders
// there ("Test_User_…", ids of resources) are filled with concrete values; everything else is sent as quoted.
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
  read,
  type Json,
} from "./helpers";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

test.describe("Microsoft Entra ID", () => {
  test("users: Test Connection, match, create, attribute updates in both dialects, manager, three disable shapes, hard delete", async ({ tenant }) => {
    const { scim } = tenant;
    // §1.1 Test Connection: a random GUID as the matching property → 200 and an empty ListResponse.
    const probe = await list(scim, `Users?filter=${encodeURIComponent('userName eq "0d4f9f5e-52a4-4ad5-8a0e-9b1f3c7e2d10"')}`);
    expect(probe).toEqual({ schemas: [SCIM.listResponse], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });

    // §1.2 match by userName, none found → §1.3 create.
    const userName = "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081";
    expect((await list(scim, `Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).totalResults).toBe(0);
    const createBody = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName,
      active: true,
      emails: [{ primary: true, type: "work", value: `${userName}@testuser.com` }],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
    };
    const created = await expectJson(await scim.post("Users", { data: createBody }), 201);
    const { schemas: _schemas, meta: _meta, ...sent } = createBody;
    expect(created).toMatchObject(sent);
    expect(created.meta.resourceType).toBe("User");

    // The older sample: explicit nulls and the typo schema `…enterprise:2.0User`.
    const manager = await expectJson(
      await scim.post("Users", {
        data: {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
          externalId: "7d1c6a44-4c5e-4f0e-9a52-0b7b0f1f4c11",
          userName: "Test_User_manager",
          active: true,
          emails: [{ primary: true, type: "work", value: "Test_User_manager@testuser.com" }],
          meta: { resourceType: "User" },
          name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
          addresses: null,
          phoneNumbers: null,
          title: null,
          manager: null,
        },
      }),
      201,
    );
    for (const key of ["addresses", "phoneNumbers", "title", "manager"]) expect(manager[key]).toBeUndefined();

    // Matching attributes Entra may be configured with; its live trace encodes spaces as `+`.
    const match = async (query: string) => (await list(scim, `Users?${query}`)).Resources.map((u) => u.id);
    expect(await match("filter=externalId+eq+%220a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef%22")).toEqual([created.id]);
    expect(await match(`filter=${encodeURIComponent(`emails[type eq "work"].value eq "${userName}@testuser.com"`)}`)).toEqual([created.id]);

    const patch = async (operations: unknown[], query = "") =>
      expectJson(await scim.patch(`Users/${created.id}${query}`, { data: { schemas: [PATCH_OP], Operations: operations } }), 200);

    // §1.3 update several attributes, default dialect.
    let user = await patch([
      { op: "Replace", path: "displayName", value: "Pvlo" },
      { op: "Replace", path: 'emails[type eq "work"].value', value: "TestBcwqnm@test.microsoft.com" },
      { op: "Replace", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", value: "Eqpj" },
    ]);
    expect(user).toMatchObject({
      displayName: "Pvlo",
      emails: [{ primary: true, type: "work", value: "TestBcwqnm@test.microsoft.com" }],
      [SCIM.enterprise]: { employeeNumber: "Eqpj" },
    });
    expect(user.schemas).toContain(SCIM.enterprise);
    // With aadOptscim062020: one pathless op with dotted and URN keys.
    user = await patch(
      [
        {
          op: "replace",
          value: {
            displayName: "Bjfe",
            "name.givenName": "Kkom",
            "name.familyName": "Unua",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq",
          },
        },
      ],
      "?aadOptscim062020=true",
    );
    expect(user).toMatchObject({
      displayName: "Bjfe",
      name: { formatted: "givenName familyName", givenName: "Kkom", familyName: "Unua" },
      [SCIM.enterprise]: { employeeNumber: "Aklq" },
    });
    user = await patch([{ op: "Add", path: "nickName", value: "Babs" }]);
    expect(user.nickName).toBe("Babs");

    // Manager: added as a one-element array with $ref, removed by replacing with "".
    const $ref = `${tenant.tenantUrl}/Users/${manager.id}`;
    user = await patch([{ op: "Add", path: "manager", value: [{ $ref, value: manager.id }] }]);
    expect(user[SCIM.enterprise].manager).toEqual({ $ref, value: manager.id });
    expect(await match(`filter=${encodeURIComponent(`id eq "${created.id}" and ${SCIM.enterprise}:manager.value eq "${manager.id}"`)}`)).toEqual([created.id]);
    user = await patch([{ op: "Replace", path: "manager", value: "" }]);
    expect(user[SCIM.enterprise]).toEqual({ employeeNumber: "Aklq" });

    // Values come back exactly as sent, so Entra sees no difference and sends no PATCH next cycle.
    expect(await read(scim, `Users/${created.id}`)).toEqual(user);

    // §1.3 disable user: three shapes; the user stays readable and findable every time.
    const disables = [
      [{ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value: "False" }] }, ""],
      [{ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "active", value: false }] }, "?aadOptscim062020=true"],
      [{ Operations: [{ op: "Replace", path: "active", value: false }], schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"] }, ""],
    ] as const;
    for (const [body, query] of disables) {
      const disabled = await expectJson(await scim.patch(`Users/${created.id}${query}`, { data: body }), 200);
      expect(disabled.active).toBe(false);
      expect((await read(scim, `Users/${created.id}`)).active).toBe(false);
      expect(await match(`filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).toEqual([created.id]);
      // Reactivation (soft-deleted → active).
      expect((await patch([{ op: "Replace", path: "active", value: "True" }])).active).toBe(true);
    }

    // §1.6 hard delete; afterwards the matching query finds nothing again.
    await expectEmpty(await scim.delete(`Users/${created.id}`), 204);
    await expectScimError(await scim.get(`Users/${created.id}`), 404);
    expect(await match(`filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).toEqual([]);
  });

  test("groups: lookup without members, create empty, rename, add members, remove in both dialects", async ({ tenant }) => {
    const { scim } = tenant;
    const [first, second, third] = await Promise.all(
      ["Test_User_a", "Test_User_b", "Test_User_c"].map((name) => createUser(scim, name)),
    );
    const lookup = (displayName: string) =>
      list(scim, `Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`);
    expect((await lookup("displayName")).totalResults).toBe(0);

    const created = await expectJson(
      await scim.post("Groups", {
        data: {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
          externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
          displayName: "displayName",
          meta: { resourceType: "Group" },
        },
      }),
      201,
    );
    expect(created).toMatchObject({ externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", displayName: "displayName", meta: { resourceType: "Group" } });
    const found = await lookup("displayName");
    expect(found.Resources.map((g) => g.id)).toEqual([created.id]);
    expect(found.Resources[0].members).toBeUndefined();

    const groupPatch = (operation: Json, query = "") =>
      scim.patch(`Groups/${created.id}${query}`, { data: { schemas: [PATCH_OP], Operations: [operation] } });
    await expectEmpty(await groupPatch({ op: "Replace", path: "displayName", value: "displayName updatedDisplayName" }), 204);
    expect((await lookup("displayName updatedDisplayName")).Resources.map((g) => g.id)).toEqual([created.id]);
    // Several memberships in one PATCH (gallery checklist).
    await expectEmpty(
      await groupPatch({ op: "Add", path: "members", value: [first, second, third].map((u) => ({ $ref: null, value: u.id })) }),
      204,
    );
    expect(await memberIds(scim, created.id)).toEqual([first.id, second.id, third.id].sort());
    // Default remove form: the value lists who leaves; an RFC-literal reading would empty the group.
    await expectEmpty(await groupPatch({ op: "Remove", path: "members", value: [{ $ref: null, value: first.id }] }), 204);
    expect(await memberIds(scim, created.id)).toEqual([second.id, third.id].sort());
    // With aadOptscim062020: a value filter.
    await expectEmpty(await groupPatch({ op: "remove", path: `members[value eq "${second.id}"]` }, "?aadOptscim062020=true"), 204);
    expect(await memberIds(scim, created.id)).toEqual([third.id]);
    expect((await read(scim, `Users/${third.id}`)).groups).toEqual([expect.objectContaining({ value: created.id, display: "displayName updatedDisplayName" })]);
    expect((await read(scim, `Users/${first.id}`)).groups).toEqual([]);

    await expectEmpty(await scim.delete(`Groups/${created.id}`), 204);
    expect((await lookup("displayName updatedDisplayName")).totalResults).toBe(0);
  });
});

test.describe("Okta", () => {
  test("test credentials, match, create, duplicate, case check, PATCH and PUT (de)activation, pushed group lifecycle", async ({ tenant, request }) => {
    const { scim } = tenant;
    const okta = { "user-agent": "Okta SCIM Client 1.0.0" };
    // §2.1 after saving: constant probes; paging fields are integers.
    for (const path of ["Users?startIndex=1&count=2", "Groups?startIndex=1&count=100"]) {
      const body = await expectJson(await scim.get(path, { headers: okta }), 200);
      expect(body).toEqual({ schemas: [SCIM.listResponse], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
    }
    // Some Okta templates send the bare token.
    expect((await request.get(`${tenant.tenantUrl}/Users?startIndex=1&count=2`, { headers: { ...okta, authorization: tenant.token } })).status()).toBe(200);

    // §2.2 create.
    const matchQuery = "Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100";
    expect((await list(scim, matchQuery)).totalResults).toBe(0);
    const createBody = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "test.user@okta.local",
      name: { givenName: "Test", familyName: "User" },
      emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
      displayName: "Test User",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
    };
    const created = await expectJson(await scim.post("Users", { headers: okta, data: createBody }), 201);
    const { password: _password, groups: _groups, ...echoed } = createBody;
    expect(created).toMatchObject(echoed);
    expect(JSON.stringify(created)).not.toContain("1mz050nq");
    // §2.7 duplicate → 409 Error (the suite sends application/json here); case-insensitive match finds it.
    await expectScimError(await scim.post("Users", { headers: { ...okta, "content-type": "application/json" }, data: createBody }), 409, "uniqueness");
    expect((await list(scim, matchQuery)).Resources.map((u) => u.id)).toEqual([created.id]);
    expect((await list(scim, "Users?filter=userName%20eq%20%22TEST.USER%40OKTA.LOCAL%22&startIndex=1&count=100")).Resources.map((u) => u.id)).toEqual([created.id]);
    const first = await expectJson(await scim.get("Users?count=1&startIndex=1"), 200);
    expect(first.Resources[0].id).toBe(created.id);
    // §2.7 bad token and unknown id.
    const bad = await expectScimError(await request.get(`${tenant.tenantUrl}/Users`, { headers: { authorization: "non-token" } }), 401);
    expect(bad.detail.length).toBeGreaterThan(0);
    await expectScimError(await scim.get("Users/010101010101"), 404);

    // §2.3 OIN deactivation by PATCH: the user stays readable.
    const deactivate = { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", value: { active: false } }] };
    expect((await expectJson(await scim.patch(`Users/${created.id}`, { headers: okta, data: deactivate }), 200)).active).toBe(false);
    expect((await read(scim, `Users/${created.id}`)).active).toBe(false);
    const reactivate = { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", value: { active: true } }] };
    expect((await expectJson(await scim.patch(`Users/${created.id}`, { data: reactivate }), 200)).active).toBe(true);
    // AIW apps: GET, then the full body back by PUT, for a profile change and for deactivation.
    const current = await read(scim, `Users/${created.id}`);
    const renamed = await expectJson(await scim.put(`Users/${created.id}`, { data: { ...current, name: { givenName: "Tess", familyName: "User" }, password: "1mz050nq" } }), 200);
    expect(renamed).toMatchObject({ active: true, name: { givenName: "Tess", familyName: "User" }, locale: "en-US", externalId: "00ujl29u0le5T6Aj10h7" });
    const deactivated = await expectJson(await scim.put(`Users/${created.id}`, { data: { ...renamed, active: false } }), 200);
    expect(deactivated.active).toBe(false);
    expect((await read(scim, `Users/${created.id}`)).active).toBe(false);
    await expectJson(await scim.put(`Users/${created.id}`, { data: { ...renamed, active: true } }), 200);

    // §2.4 Push Groups.
    const second = await createUser(scim, "second.user@okta.local");
    const group = await expectJson(
      await scim.post("Groups", { data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Test SCIMv2", members: [] } }),
      201,
    );
    const lookup = await list(scim, "Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100");
    expect(lookup.Resources.map((g) => g.id)).toEqual([group.id]);
    const groupPatch = (data: unknown) => scim.patch(`Groups/${group.id}`, { data });
    await expectEmpty(
      await groupPatch({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", value: { id: group.id, displayName: "Test SCIMv2" } }],
      }),
      204,
    );
    await expectEmpty(await groupPatch({ schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: [{ value: second.id, display: "second.user@okta.local" }] }] }), 204);
    await expectEmpty(
      await groupPatch({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [
          { op: "remove", path: `members[value eq "${second.id}"]` },
          { op: "add", path: "members", value: [{ value: created.id, display: "test.user@okta.local" }] },
        ],
      }),
      204,
    );
    expect(await memberIds(scim, group.id)).toEqual([created.id]);
    await expectEmpty(
      await groupPatch({
        schemas: [PATCH_OP],
        Operations: [{ op: "replace", path: "members", value: [{ value: created.id, display: "test.user@okta.local" }, { value: second.id, display: "second.user@okta.local" }] }],
      }),
      204,
    );
    expect(await memberIds(scim, group.id)).toEqual([created.id, second.id].sort());
    // AIW apps carry memberships in PUT.
    const put = await expectJson(
      await scim.put(`Groups/${group.id}`, {
        data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Test SCIMv2", members: [{ value: second.id, display: "test.user@okta.local" }] },
      }),
      200,
    );
    expect(put.members.map((m: Json) => m.value)).toEqual([second.id]);
    expect(put.displayName).toBe("Test SCIMv2");
    // "Unlink pushed group" + delete in the target app.
    await expectEmpty(await scim.delete(`Groups/${group.id}`), 204);
    expect((await list(scim, "Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100")).totalResults).toBe(0);
    expect((await read(scim, `Users/${second.id}`)).groups).toEqual([]);
  });
});

test.describe("Google Workspace", () => {
  test("Keeper-app workaround: probe, match, create with the SCIM 1.0 URN, deprovision by suspend or delete", async ({ tenant }) => {
    const { scim } = tenant;
    expect((await expectJson(await scim.get("Users?count=1"), 200)).totalResults).toBe(0);
    expect((await list(scim, "Users?filter=userName%20eq%20%22user%40domain.com%22&startIndex=1")).totalResults).toBe(0);
    // The quoted body is cut off after `"active":t…`; it ends with true.
    const body = {
      schemas: ["urn:scim:schemas:core:1.0", "urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "username@domain.com",
      emails: [{ primary: true, value: "username@domain.com", type: "work" }],
      displayName: "User Name",
      name: { givenName: "User", familyName: "Name" },
      active: true,
    };
    const created = await expectJson(await scim.post("Users", { data: body }), 201);
    const { schemas: _schemas, ...sent } = body;
    expect(created).toMatchObject(sent);
    expect(created.schemas).toEqual([SCIM.user]);
    expect((await list(scim, "Users?filter=userName%20eq%20%22username%40domain.com%22&startIndex=1")).Resources.map((u) => u.id)).toEqual([created.id]);

    // Suspend (admin's choice per trigger), then delete.
    const suspended = await expectJson(await scim.put(`Users/${created.id}`, { data: { ...body, active: false } }), 200);
    expect(suspended.active).toBe(false);
    expect((await read(scim, `Users/${created.id}`)).active).toBe(false);
    await expectEmpty(await scim.delete(`Users/${created.id}`), 204);
    expect((await list(scim, "Users?filter=userName%20eq%20%22username%40domain.com%22&startIndex=1")).totalResults).toBe(0);
    // A later sync provisions the user afresh.
    const again = await expectJson(await scim.post("Users", { data: body }), 201);
    expect(again.id).not.toBe(created.id);
  });
});

test.describe("OneLogin", () => {
  test("template bodies with quoted booleans, name always returned, group PATCH with an empty User-Agent", async ({ tenant }) => {
    const { scim } = tenant;
    // §4 the Docker-docs template with its placeholders filled.
    const templated = await expectJson(
      await scim.post("Users", {
        data: {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: "jane.doe@onelogin.example",
          name: { givenName: "Jane", familyName: "Doe" },
          emails: [{ value: "jane.doe@onelogin.example", primary: true }],
        },
      }),
      201,
    );
    expect(templated).toMatchObject({ active: true, name: { givenName: "Jane", familyName: "Doe" }, emails: [{ value: "jane.doe@onelogin.example", primary: true }] });
    // Templates quote booleans ("{$user.active}") and carry SCIM 1.0 URNs and managerId objects.
    const quoted = await expectJson(
      await scim.post("Users", {
        data: {
          schemas: ["urn:scim:schemas:core:1.0", "urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: "john.roe@onelogin.example",
          name: { givenName: "John", familyName: "Roe" },
          emails: [{ value: "john.roe@onelogin.example", primary: "true" }],
          active: "true",
          managerId: { value: templated.id },
        },
      }),
      201,
    );
    expect(quoted).toMatchObject({ active: true, emails: [{ value: "john.roe@onelogin.example", primary: true }] });
    // managerId is no attribute of /Schemas: kept (a filter finds it) but not returned, so strict clients can read
    // the user; OneLogin only needs `name` back (OneLogin's SCIM provisioning documentation).
    expect(quoted.managerId).toBeUndefined();
    const byManager = await list(scim, `Users?${filterQuery(`managerId.value eq "${templated.id}"`)}`);
    expect(byManager.Resources.map((u) => u.id)).toEqual([quoted.id]);
    expect((await read(scim, `Users/${quoted.id}`)).name).toEqual({ givenName: "John", familyName: "Roe" });

    // Group membership arrives as Group PATCH, scim+json, with an empty User-Agent.
    const group = await createGroup(scim, "OneLogin Role");
    const res = await scim.patch(`Groups/${group.id}`, {
      headers: { "user-agent": "", "content-type": "application/scim+json" },
      data: { schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: [{ value: templated.id }, { value: quoted.id }] }] },
    });
    await expectEmpty(res, 204);
    expect(await memberIds(scim, group.id)).toEqual([templated.id, quoted.id].sort());

    // Suspend "depending on your settings": the template's quoted false.
    const suspended = await expectJson(
      await scim.put(`Users/${quoted.id}`, {
        data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "john.roe@onelogin.example", name: { givenName: "John", familyName: "Roe" }, active: "false" },
      }),
      200,
    );
    expect(suspended).toMatchObject({ active: false, name: { givenName: "John", familyName: "Roe" } });
    expect((await list(scim, `Users?filter=${encodeURIComponent("active eq false")}`)).Resources.map((u) => u.id)).toEqual([quoted.id]);
    // …or delete.
    await expectEmpty(await scim.delete(`Users/${templated.id}`), 204);
    expect(await memberIds(scim, group.id)).toEqual([quoted.id]);
  });
});

test.describe("PingOne", () => {
  test("probe GET /Users/0, userName and workEmail filters, PUT-only users, PATCH groups, groups found by paging through all", async ({ tenant, request }) => {
    const { scim } = tenant;
    // PingFederate's GitHub-EMU provisioner probes /Users/0 before every operation and expects a 404.
    await expectScimError(await scim.get("Users/0"), 404);
    expect((await list(scim, `Users?filter=${encodeURIComponent('userName eq "pat.ping@ping.example"')}`)).totalResults).toBe(0);
    const body = {
      schemas: [SCIM.user],
      userName: "pat.ping@ping.example",
      name: { givenName: "Pat", familyName: "Ping" },
      emails: [{ value: "pat.ping@work.example", type: "work", primary: true }],
      active: true,
    };
    const created = await expectJson(await scim.post("Users", { data: body }), 201);
    // Unique User Identifier `workEmail` → `emails eq <value>`.
    expect((await list(scim, `Users?filter=${encodeURIComponent('emails eq "pat.ping@work.example"')}`)).Resources.map((u) => u.id)).toEqual([created.id]);
    // PingOne may authenticate with Basic.
    const basic = `Basic ${Buffer.from(`sally:${tenant.token}`).toString("base64")}`;
    expect((await request.get(`${tenant.tenantUrl}/Users/${created.id}`, { headers: { authorization: basic } })).status()).toBe(200);

    // Users: PUT, never PATCH.
    const updated = await expectJson(await scim.put(`Users/${created.id}`, { data: { ...body, title: "Pilot" } }), 200);
    expect(updated.title).toBe("Pilot");

    // Groups: PATCH; the connector finds a group by listing all groups page by page.
    for (const name of ["Ping A", "Ping B", "Ping C", "Ping D"]) await createGroup(scim, name);
    const all: Json[] = [];
    for (let startIndex = 1; ; startIndex += 2) {
      const page = await list(scim, `Groups?startIndex=${startIndex}&count=2`);
      expect(page.totalResults).toBe(4);
      all.push(...page.Resources);
      if (startIndex + page.itemsPerPage > page.totalResults) break;
    }
    expect(all.map((g) => g.displayName)).toEqual(["Ping A", "Ping B", "Ping C", "Ping D"]);
    const target = all.find((g) => g.displayName === "Ping C")!;
    await expectEmpty(
      await scim.patch(`Groups/${target.id}`, { data: { schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: [{ value: created.id }] }] } }),
      204,
    );
    expect((await read(scim, `Users/${created.id}`)).groups.map((g: Json) => g.display)).toEqual(["Ping C"]);

    // Remove User Action: Disable, then Delete.
    expect((await expectJson(await scim.put(`Users/${created.id}`, { data: { ...body, active: false } }), 200)).active).toBe(false);
    expect((await read(scim, `Users/${created.id}`)).active).toBe(false);
    await expectEmpty(await scim.delete(`Users/${created.id}`), 204);
    await expectScimError(await scim.get(`Users/${created.id}`), 404);
    expect(await memberIds(scim, target.id)).toEqual([]);
  });
});
