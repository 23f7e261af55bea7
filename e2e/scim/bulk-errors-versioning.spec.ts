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
  userBody,
  type Json,
} from "./helpers";

const bulkRequest = (Operations: unknown[], extra: Json = {}) => ({ schemas: [SCIM.bulkRequest], ...extra, Operations });

test("Bulk: bulkId references (also forward), one result per operation, failures isolated, failOnErrors, limits", async ({ tenant }) => {
  const { scim } = tenant;
  const { bulk } = await read(scim, "ServiceProviderConfig");
  expect(bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 });

  const res = await scim.post("Bulk", {
    data: bulkRequest([
      // Refers to a user created later in the request.
      { method: "POST", path: "/Groups", bulkId: "team", data: { schemas: [SCIM.group], displayName: "Bulk Team", members: [{ value: "bulkId:ada" }] } },
      { method: "POST", path: "/Users", bulkId: "ada", data: userBody("ada@bulk.example") },
      { method: "post", path: "/Users", bulkId: "bob", data: userBody("bob@bulk.example") },
      { method: "PATCH", path: "/Groups/bulkId:team", data: patchOp({ op: "add", path: "members", value: [{ value: "bulkId:bob" }] }) },
      { method: "PUT", path: "/Users/bulkId:bob", data: userBody("bob@bulk.example", { active: false }) },
      { method: "POST", path: "/Users", bulkId: "dup", data: userBody("ADA@bulk.example") },
      { method: "DELETE", path: `/Users/${unknownId()}` },
      { method: "PATCH", path: "/Users/bulkId:ada", version: 'W/"999"', data: patchOp({ op: "replace", path: "title", value: "x" }) },
      { method: "POST", path: "/Bulk", data: bulkRequest([]) },
    ]),
  });
  const body = await expectJson(res, 200);
  expect(body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:BulkResponse"]);
  const results: Json[] = body.Operations;
  expect(results).toHaveLength(9);
  const byBulkId = (id: string) => results.find((r) => r.bulkId === id)!;
  for (const id of ["team", "ada", "bob"]) {
    expect(byBulkId(id)).toMatchObject({ method: "POST", status: "201", version: expect.stringMatching(/^W\//), location: expect.any(String) });
  }
  const adaId = byBulkId("ada").location.split("/").pop();
  const bobId = byBulkId("bob").location.split("/").pop();
  const teamId = byBulkId("team").location.split("/").pop();
  expect(byBulkId("team").location).toBe(`${tenant.tenantUrl}/Groups/${teamId}`);
  // The group PATCH answers 204; the user PATCH with a stale version 412.
  expect(results.filter((r) => r.method === "PATCH").map((r) => r.status).sort()).toEqual(["204", "412"]);
  expect(results.find((r) => r.method === "PUT")).toMatchObject({ status: "200", location: `${tenant.tenantUrl}/Users/${bobId}` });
  expect(byBulkId("dup")).toMatchObject({ status: "409", response: { schemas: [SCIM.error], status: "409", scimType: "uniqueness" } });
  expect(results.find((r) => r.method === "DELETE")).toMatchObject({ status: "404", response: { status: "404" } });
  expect(results.filter((r) => r.status === "400")).toHaveLength(1);

  expect(await memberIds(scim, teamId)).toEqual([adaId, bobId].sort());
  // The members-only PATCH's version is the group's version it left (no later operation writes the group).
  expect(results.find((r) => r.method === "PATCH" && r.status === "204")!.version).toBe((await read(scim, `Groups/${teamId}`)).meta.version);
  expect((await read(scim, `Users/${bobId}`)).active).toBe(false);
  expect((await read(scim, `Users/${adaId}`)).title).toBeUndefined();
  expect((await list(scim, "Users")).totalResults).toBe(2);

  // failOnErrors: processing stops after that many errors; what succeeded before stays.
  const stopped = await expectJson(
    await scim.post("Bulk", {
      data: bulkRequest(
        [
          { method: "POST", path: "/Users", bulkId: "c", data: userBody("carl@bulk.example") },
          { method: "POST", path: "/Users", bulkId: "d", data: { schemas: [SCIM.user] } },
          { method: "POST", path: "/Users", bulkId: "e", data: userBody("eve@bulk.example") },
        ],
        { failOnErrors: 1 },
      ),
    }),
    200,
  );
  expect(stopped.Operations.map((o: Json) => [o.bulkId, o.status])).toEqual([["c", "201"], ["d", "400"]]);
  expect((await list(scim, `Users?${filterQuery('userName sw "carl" or userName sw "eve"')}`)).Resources.map((u) => u.userName)).toEqual([
    "carl@bulk.example",
  ]);

  // More operations than advertised → 413; a body that is no BulkRequest → 400.
  const tooMany = Array.from({ length: 1001 }, () => ({ method: "DELETE", path: `/Users/${unknownId()}` }));
  await expectScimError(await scim.post("Bulk", { data: bulkRequest(tooMany) }), 413);
  await expectScimError(await scim.post("Bulk", { data: { Operations: [{ method: "DELETE", path: "/Users/x" }] } }), 400, "invalidSyntax");
  await expectScimError(await scim.post("Bulk", { data: bulkRequest([{ method: "GET", path: "/Users" }]) }), 400, "invalidSyntax");
  expect((await list(scim, "Users")).totalResults).toBe(3);
});

test("errors are RFC 7644 §3.12 bodies: malformed JSON, oversized bodies, unknown resources; nothing is half-written", async ({ tenant }) => {
  const { scim } = tenant;
  const user = await createUser(scim, "errors@example.com");
  const group = await createGroup(scim, "Errors", [user.id]);
  const malformed = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"half@example.com",';
  for (const [method, path] of [
    ["POST", "Users"],
    ["PUT", `Users/${user.id}`],
    ["PATCH", `Users/${user.id}`],
    ["PATCH", `Groups/${group.id}`],
    ["POST", "Bulk"],
    ["POST", "Users/.search"],
  ]) {
    await expectScimError(await scim.fetch(path, { method, data: malformed }), 400, "invalidSyntax");
  }
  await expectScimError(await scim.post("Users"), 400, "invalidSyntax");
  await expectScimError(await scim.patch(`Users/${user.id}`, { data: "" }), 400, "invalidSyntax");

  // The body limit is the advertised bulk.maxPayloadSize; it is enforced before anything is read or written.
  const blob = "x".repeat(1_100_000);
  await expectScimError(await scim.post("Users", { data: userBody("big@example.com", { blob }) }), 413);
  await expectScimError(await scim.patch(`Users/${user.id}`, { data: patchOp({ op: "add", path: "blob", value: blob }) }), 413);
  await expectScimError(await scim.post("Bulk", { data: bulkRequest([{ method: "POST", path: "/Users", data: userBody("b@example.com", { blob }) }]) }), 413);

  await expectScimError(await scim.get(`Users/${unknownId()}`), 404);
  await expectScimError(await scim.get(`Groups/${unknownId()}`), 404);
  await expectScimError(await scim.patch(`Groups/${unknownId()}`, { data: patchOp({ op: "replace", path: "displayName", value: "x" }) }), 404);
  await expectScimError(await scim.delete(`Groups/${user.id}`), 404);
  await expectScimError(await scim.get("Users/0"), 404);

  // A member value that is not a user reference at all is still a 400, and creates no group.
  await expectScimError(await scim.post("Groups", { data: { displayName: "Half", members: [{ value: user.id }, { value: 42 }] } }), 400, "invalidValue");
  expect((await list(scim, "Groups")).Resources.map((g) => g.displayName)).toEqual(["Errors"]);
  expect((await list(scim, "Users")).totalResults).toBe(1);
  expect((await read(scim, `Users/${user.id}`)).meta.version).toBe(user.meta.version);
  expect((await read(scim, `Users/${user.id}`)).groups.map((g: Json) => g.value)).toEqual([group.id]);
});

test("meta.version is a weak ETag: If-Match mismatches answer 412 and change nothing, If-None-Match answers 304", async ({ tenant }) => {
  const { scim } = tenant;
  const user = await createUser(scim, "etag@example.com");
  const v1 = user.meta.version as string;
  expect(v1).toMatch(/^W\/"[^"]+"$/);

  const notModified = await scim.get(`Users/${user.id}`, { headers: { "if-none-match": v1 } });
  await expectEmpty(notModified, 304);
  expect(notModified.headers()["etag"]).toBe(v1);
  await expectEmpty(await scim.get(`Users/${user.id}`, { headers: { "if-none-match": `W/"0", ${v1}` } }), 304);
  expect((await scim.get(`Users/${user.id}`, { headers: { "if-none-match": 'W/"0"' } })).status()).toBe(200);

  const stale = { "if-match": 'W/"0"' };
  await expectScimError(await scim.put(`Users/${user.id}`, { headers: stale, data: userBody("etag@example.com", { title: "x" }) }), 412);
  await expectScimError(await scim.patch(`Users/${user.id}`, { headers: stale, data: patchOp({ op: "replace", path: "title", value: "x" }) }), 412);
  await expectScimError(await scim.delete(`Users/${user.id}`, { headers: stale }), 412);
  const unchanged = await read(scim, `Users/${user.id}`);
  expect(unchanged.meta.version).toBe(v1);
  expect(unchanged.title).toBeUndefined();

  const patched = await scim.patch(`Users/${user.id}`, { headers: { "if-match": v1 }, data: patchOp({ op: "replace", path: "title", value: "Lead" }) });
  const v2 = (await expectJson(patched, 200)).meta.version;
  expect(v2).not.toBe(v1);
  expect(patched.headers()["etag"]).toBe(v2);
  // The strong form of the same tag and `*` match too.
  const strong = v2.replace(/^W\//, "");
  expect((await scim.put(`Users/${user.id}`, { headers: { "if-match": strong }, data: userBody("etag@example.com", { title: "Lead" }) })).status()).toBe(200);
  expect((await scim.patch(`Users/${user.id}`, { headers: { "if-match": "*" }, data: patchOp({ op: "replace", path: "title", value: "Chief" }) })).status()).toBe(200);
  expect((await scim.get(`Users/${user.id}`, { headers: { "if-none-match": v1 } })).status()).toBe(200);

  const group = await createGroup(scim, "Versioned");
  const added = await scim.patch(`Groups/${group.id}`, { headers: { "if-match": group.meta.version }, data: patchOp({ op: "add", path: "members", value: [{ value: user.id }] }) });
  await expectEmpty(added, 204);
  const groupVersion = added.headers()["etag"];
  expect(groupVersion).not.toBe(group.meta.version);
  await expectEmpty(await scim.get(`Groups/${group.id}`, { headers: { "if-none-match": groupVersion } }), 304);
  await expectScimError(
    await scim.patch(`Groups/${group.id}`, { headers: { "if-match": group.meta.version }, data: patchOp({ op: "remove", path: "members" }) }),
    412,
  );
  await expectScimError(await scim.put(`Groups/${group.id}`, { headers: { "if-match": group.meta.version }, data: { displayName: "Other" } }), 412);
  await expectScimError(await scim.delete(`Groups/${group.id}`, { headers: { "if-match": group.meta.version } }), 412);
  expect(await memberIds(scim, group.id)).toEqual([user.id]);
  await expectEmpty(await scim.delete(`Groups/${group.id}`, { headers: { "if-match": groupVersion } }), 204);
});

test("every request lands in the tenant's activity log, without the token or Okta's password", async ({ tenant, cli }) => {
  const { scim } = tenant;
  await list(scim, `Users?${filterQuery('userName eq "okta@example.com"')}&startIndex=1&count=100`);
  const created = await expectJson(
    await scim.post("Users", { data: { ...userBody("okta@example.com"), password: "1mz050nq-Secret" } }),
    201,
  );
  await expectScimError(await scim.post("Users", { data: { ...userBody("okta@example.com"), password: "1mz050nq-Secret" } }), 409, "uniqueness");
  await scim.patch(`Users/${created.id}`, { data: patchOp({ op: "replace", value: { active: false, password: "other-Secret-2" } }) });
  await scim.get(`Users/${unknownId()}`);
  await expectEmpty(await scim.delete(`Users/${created.id}`), 204);

  // Reads are logged through a buffer flushed every second, so the log may take a moment to show them.
  let rows: Awaited<ReturnType<typeof activity>> = [];
  await expect(async () => {
    rows = (await activity(cli, tenant.slug)).filter((row) => row.actor === "scim");
    expect(rows).toHaveLength(6);
  }).toPass({ timeout: 30_000 });
  expect(rows.map((r) => [r.method, r.path, r.status])).toEqual([
    ["DELETE", `/Users/${created.id}`, 204],
    ["GET", expect.stringMatching(/^\/Users\/[0-9a-f-]{36}$/), 404],
    ["PATCH", `/Users/${created.id}`, 200],
    ["POST", "/Users", 409],
    ["POST", "/Users", 201],
    ["GET", expect.stringMatching(/^\/Users\?filter=/), 200],
  ]);
  // The query is logged with the filter's shape only: the value (here an email) is left out.
  expect(rows[5].path).toBe('/Users?filter=userName eq "…"&startIndex=1&count=100');
  for (const row of rows) {
    expect(Number.isInteger(row.durationMs) && row.durationMs >= 0).toBe(true);
    expect(row.summary.length).toBeGreaterThan(0);
    expect(Date.parse(row.at)).not.toBeNaN();
  }
  expect(rows[0].summary).toContain("okta@example.com");
  expect(rows[2].summary).toContain("deactivated");
  expect(rows[3].summary).toContain("already exists");
  const everything = JSON.stringify(await activity(cli, tenant.slug));
  expect(everything).not.toContain(tenant.token);
  expect(everything).not.toContain(tenant.token.slice(-20));
  expect(everything).not.toContain("Secret");
});
