import { SCIM, connectTenant, expect, test } from "../fixtures";
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
  type Json,
} from "./helpers";

test.describe("discovery", () => {
  test("ServiceProviderConfig, ResourceTypes and Schemas describe the resources and advertise the limits", async ({ tenant }) => {
    const config = await read(tenant.scim, "ServiceProviderConfig");
    expect(config).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig", "urn:sally:params:scim:schemas:extension:limits:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      pagination: { cursor: true, index: true, maxPageSize: 200 },
      ["urn:sally:params:scim:schemas:extension:limits:2.0:ServiceProviderConfig"]: { maxPayloadSize: 1_048_576, rateLimit: { requestsPerMinute: 6000, per: "tenant" } },
      meta: { resourceType: "ServiceProviderConfig", location: `${tenant.tenantUrl}/ServiceProviderConfig` },
    });
    expect(config.authenticationSchemes).toEqual([expect.objectContaining({ type: "oauthbearertoken", primary: true })]);

    const types = await list(tenant.scim, "ResourceTypes");
    expect(types.totalResults).toBe(2);
    expect(types.Resources.map((r) => [r.id, r.name, r.endpoint, r.schema])).toEqual([
      ["User", "User", "/Users", SCIM.user],
      ["Group", "Group", "/Groups", SCIM.group],
    ]);
    const userType = await read(tenant.scim, "ResourceTypes/User");
    expect(userType.schemaExtensions).toEqual([{ schema: SCIM.enterprise, required: false }]);
    expect((await read(tenant.scim, "ResourceTypes/Group")).endpoint).toBe("/Groups");
    await expectScimError(await tenant.scim.get("ResourceTypes/Device"), 404);

    const schemas = await list(tenant.scim, "Schemas");
    expect(schemas.Resources.map((s) => s.id)).toEqual([SCIM.user, SCIM.enterprise, SCIM.group]);
    const user = await read(tenant.scim, `Schemas/${SCIM.user}`);
    const userName = user.attributes.find((a: Json) => a.name === "userName");
    expect(userName).toMatchObject({ type: "string", required: true, uniqueness: "server", caseExact: false });
    expect(user.attributes.find((a: Json) => a.name === "password")).toMatchObject({ mutability: "writeOnly", returned: "never" });
    const enterprise = await read(tenant.scim, `Schemas/${SCIM.enterprise}`);
    expect(enterprise.attributes.map((a: Json) => a.name)).toEqual(
      expect.arrayContaining(["employeeNumber", "department", "manager"]),
    );
    const group = await read(tenant.scim, `Schemas/${SCIM.group}`);
    expect(group.attributes.map((a: Json) => a.name)).toEqual(["displayName", "members", "id", "externalId", "meta"]);
    await expectScimError(await tenant.scim.get("Schemas/urn:example:params:scim:schemas:Device"), 404);
  });

  test("resource paths match case-insensitively, tolerate a trailing slash and a query flag on the tenant URL", async ({ tenant, request }) => {
    for (const path of ["serviceproviderconfig", "SERVICEPROVIDERCONFIG/", "ServiceProviderConfig?aadOptscim062020=true"]) {
      expect((await read(tenant.scim, path)).schemas).toContain("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
    }
    expect((await read(tenant.scim, "resourcetypes/user")).id).toBe("User");
    expect((await list(tenant.scim, "schemas/")).totalResults).toBe(3);

    const created = await expectJson(await tenant.scim.post("users/", { data: { schemas: [SCIM.user], userName: "slash@example.com" } }), 201);
    expect(created.meta.location).toBe(`${tenant.tenantUrl}/Users/${created.id}`);
    expect((await read(tenant.scim, `USERS/${created.id}/`)).userName).toBe("slash@example.com");
    // Entra appends its compliance flag to the tenant URL; every request then carries it before its own query.
    const found = await list(tenant.scim, `Users?aadOptscim062020=true&${filterQuery('userName eq "slash@example.com"')}`);
    expect(found.Resources.map((r) => r.id)).toEqual([created.id]);
    const patched = await expectJson(
      await tenant.scim.patch(`users/${created.id}?aadOptscim062020`, {
        data: patchOp({ op: "replace", path: "displayName", value: "Slash" }),
      }),
      200,
    );
    expect(patched.displayName).toBe("Slash");
    const group = await createGroup(tenant.scim, "Flagged");
    const added = await tenant.scim.patch(`groups/${group.id}/?aadOptscim062020=true`, {
      data: patchOp({ op: "add", path: "members", value: [{ value: created.id }] }),
    });
    expect(added.status()).toBe(204);
    expect(await memberIds(tenant.scim, group.id)).toEqual([created.id]);

    // The /scim/v2 prefix itself may arrive in any case (IdPs are configured by hand).
    const headers = { authorization: `Bearer ${tenant.token}`, "content-type": "application/scim+json" };
    const upper = tenant.tenantUrl.replace(/\/scim\/v2$/, "/SCIM/V2");
    const upperUser = await expectJson(await request.post(`${upper}/Users`, { headers, data: { schemas: [SCIM.user], userName: "upper@example.com" } }), 201);
    expect(upperUser.meta.location).toBe(`${tenant.tenantUrl}/Users/${upperUser.id}`);
    const upperFound = await expectJson(await request.get(`${upper}/Users?${filterQuery('userName eq "upper@example.com"')}`, { headers }), 200);
    expect(upperFound.Resources.map((u: Json) => u.id)).toEqual([upperUser.id]);
    await expectEmpty(await request.delete(`${tenant.tenantUrl.replace(/\/scim\/v2$/, "/Scim/v2")}/users/${upperUser.id}`, { headers }), 204);
    await expectScimError(await request.get(`${upper}/Users`), 401);
  });

  test("requests may be application/json; answers are application/scim+json; unknown endpoints are SCIM 404s", async ({ tenant }) => {
    const asJson = await tenant.scim.post("Users", {
      headers: { "content-type": "application/json" },
      data: { schemas: [SCIM.user], userName: "json@example.com" },
    });
    const created = await expectJson(asJson, 201);
    expect(created.userName).toBe("json@example.com");
    await expectScimError(
      await tenant.scim.post("Users", { headers: { "content-type": "text/plain" }, data: JSON.stringify({ userName: "text@example.com" }) }),
      415,
    );
    expect((await list(tenant.scim, `Users?${filterQuery('userName eq "text@example.com"')}`)).totalResults).toBe(0);

    await expectScimError(await tenant.scim.get("Devices"), 404);
    await expectScimError(await tenant.scim.get(`Users/${created.id}/groups`), 404);
    await expectScimError(await tenant.scim.get(""), 404);
    const notAllowed = await tenant.scim.delete("Users");
    await expectScimError(notAllowed, 405);
    expect(notAllowed.headers()["allow"]).toBe("GET, POST, HEAD, OPTIONS");
    await expectScimError(await tenant.scim.get("Bulk"), 405);
  });
});

test.describe("authentication", () => {
  test("the token works as Bearer (any case), bare and as Basic; anything else is a SCIM 401", async ({ tenant, request }) => {
    const url = `${tenant.tenantUrl}/Users?count=1`;
    const accepted = [`Bearer ${tenant.token}`, `bearer ${tenant.token}`, tenant.token, `Basic ${Buffer.from(`scim:${tenant.token}`).toString("base64")}`];
    for (const authorization of accepted) {
      const res = await request.get(url, { headers: { authorization } });
      expect(res.status(), authorization.slice(0, 12)).toBe(200);
    }
    const rejected = ["", "Bearer", "non-token", `Bearer ${tenant.token}x`, "Bearer sally_scim_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"];
    for (const authorization of rejected) {
      const res = await request.get(url, { headers: authorization ? { authorization } : {} });
      const body = await expectScimError(res, 401);
      expect(body.detail).not.toContain(tenant.token);
      expect(res.headers()["www-authenticate"]).toMatch(/^Bearer/);
    }
    // Writes are refused the same way and change nothing.
    await expectScimError(
      await request.post(`${tenant.tenantUrl}/Users`, { headers: { authorization: "Bearer wrong" }, data: { userName: "intruder@example.com" } }),
      401,
    );
    expect((await list(tenant.scim, `Users?${filterQuery('userName eq "intruder@example.com"')}`)).totalResults).toBe(0);
  });

  test("a tenant never sees, changes or references another tenant's resources", async ({ tenant, server }) => {
    const other = await connectTenant(server);
    try {
      const user = await createUser(tenant.scim, "private@example.com", { externalId: "ext-private" });
      const group = await createGroup(tenant.scim, "Private", [user.id]);

      for (const path of [`Users/${user.id}`, `Groups/${group.id}`]) {
        const body = await expectScimError(await other.scim.get(path), 404);
        expect(JSON.stringify(body)).not.toContain("private@example.com");
        await expectScimError(await other.scim.patch(path, { data: patchOp({ op: "replace", path: "displayName", value: "Taken" }) }), 404);
        await expectScimError(await other.scim.put(path, { data: { schemas: [SCIM.user], userName: "taken@example.com", displayName: "Taken" } }), 404);
        await expectScimError(await other.scim.delete(path), 404);
      }
      for (const query of ["Users", `Users?${filterQuery(`id eq "${user.id}"`)}`, `Users?${filterQuery('externalId eq "ext-private"')}`, "Groups"]) {
        expect((await list(other.scim, query)).totalResults, query).toBe(0);
      }
      // Member references stay inside the tenant: another tenant's user is an unknown member, skipped.
      const theirs = await createGroup(other.scim, "Theirs");
      const added = await other.scim.patch(`Groups/${theirs.id}`, { data: patchOp({ op: "add", path: "members", value: [{ value: user.id }] }) });
      expect(added.status()).toBe(204);
      const sneaky = await other.scim.post("Groups", { data: { displayName: "Sneaky", members: [{ value: user.id }] } });
      expect(sneaky.status()).toBe(201);
      for (const id of [theirs.id, (await sneaky.json()).id]) {
        expect((await read(other.scim, `Groups/${id}`)).members ?? []).toEqual([]);
      }
      // userName is unique per tenant, not across tenants.
      await createUser(other.scim, "private@example.com");

      const mine = await read(tenant.scim, `Users/${user.id}`);
      expect(mine).toMatchObject({ userName: "private@example.com", active: true, meta: { version: user.meta.version } });
      expect(mine.groups.map((g: Json) => g.value)).toEqual([group.id]);
      expect(await memberIds(tenant.scim, group.id)).toEqual([user.id]);
      expect((await read(tenant.scim, `Groups/${group.id}`)).displayName).toBe("Private");
      expect((await list(tenant.scim, "Users")).totalResults).toBe(1);
      await expectScimError(await other.scim.get(`Users/${unknownId()}`), 404);
    } finally {
      await other.scim.dispose();
    }
  });
});
