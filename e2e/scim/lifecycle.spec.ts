import type { APIResponse } from "@playwright/test";
import { SCIM, expect, test } from "../fixtures";
import { activity, cliGroups, cliUsers, patchOp, type Json } from "./helpers";

/**
 * What any standard SCIM client does with a tenant URL and token: read the discovery documents, then create, find
 * by filter, update with If-Match, deactivate, push a group, add and remove a member, delete. Every answer must be
 * a success in SCIM form; the test fails on the first surprise.
 */
test("a tenant connected with the CLI takes a standard client through the whole lifecycle without an error", async ({ tenant, cli }) => {
  const { scim } = tenant;
  const ok = async (res: APIResponse, status: number): Promise<Json> => {
    const text = await res.text();
    expect(res.status(), `${res.url()}: ${text}`).toBe(status);
    if (status === 204) return {};
    expect(res.headers()["content-type"]).toBe("application/scim+json");
    const body = JSON.parse(text) as Json;
    if (body.meta?.version) expect(res.headers()["etag"]).toBe(body.meta.version);
    return body;
  };

  // Discovery.
  const config = await ok(await scim.get("ServiceProviderConfig"), 200);
  expect(config.patch.supported && config.filter.supported && config.etag.supported).toBe(true);
  const types = await ok(await scim.get("ResourceTypes"), 200);
  const endpoint = (name: string) => types.Resources.find((t: Json) => t.name === name).endpoint.slice(1);
  const [users, groups] = [endpoint("User"), endpoint("Group")];
  await ok(await scim.get("Schemas"), 200);

  // Create, after a lookup that finds nothing.
  const find = async (filter: string) => (await ok(await scim.get(`${users}?filter=${encodeURIComponent(filter)}`), 200)).Resources as Json[];
  expect(await find('userName eq "kim@lifecycle.example"')).toEqual([]);
  const createdRes = await scim.post(users, {
    data: {
      schemas: [SCIM.user, SCIM.enterprise],
      userName: "kim@lifecycle.example",
      externalId: "kim-1",
      name: { givenName: "Kim", familyName: "Lee" },
      displayName: "Kim Lee",
      emails: [{ value: "kim@lifecycle.example", type: "work", primary: true }],
      active: true,
      [SCIM.enterprise]: { department: "Support" },
    },
  });
  let kim = await ok(createdRes, 201);
  expect(createdRes.headers()["location"]).toBe(kim.meta.location);
  const sam = await ok(await scim.post(users, { data: { schemas: [SCIM.user], userName: "sam@lifecycle.example", active: true } }), 201);

  // Find by filter: by userName (any case), externalId and work email.
  for (const filter of ['userName eq "KIM@lifecycle.example"', 'externalId eq "kim-1"', 'emails[type eq "work"].value eq "kim@lifecycle.example"']) {
    expect((await find(filter)).map((u) => u.id), filter).toEqual([kim.id]);
  }

  // Update: PUT (full) and PATCH, each with the version just read.
  kim = await ok(await scim.get(kim.meta.location), 200);
  kim = await ok(
    await scim.put(kim.meta.location, { headers: { "if-match": kim.meta.version }, data: { ...kim, title: "Support Lead" } }),
    200,
  );
  expect(kim).toMatchObject({ title: "Support Lead", displayName: "Kim Lee", [SCIM.enterprise]: { department: "Support" } });
  kim = await ok(
    await scim.patch(kim.meta.location, { headers: { "if-match": kim.meta.version }, data: patchOp({ op: "replace", path: "name.familyName", value: "Lee-Park" }) }),
    200,
  );
  expect(kim.name).toEqual({ givenName: "Kim", familyName: "Lee-Park" });

  // Group push, member add and remove.
  const groupRes = await scim.post(groups, { data: { schemas: [SCIM.group], displayName: "Support", members: [] } });
  let group = await ok(groupRes, 201);
  expect(groupRes.headers()["location"]).toBe(group.meta.location);
  await ok(await scim.patch(group.meta.location, { data: patchOp({ op: "add", path: "members", value: [{ value: kim.id }, { value: sam.id }] }) }), 204);
  group = await ok(await scim.get(group.meta.location), 200);
  expect(group.members.map((m: Json) => m.value).sort()).toEqual([kim.id, sam.id].sort());
  expect((await cliGroups(cli, tenant.slug)).map(({ displayName, members }) => ({ displayName, members }))).toEqual([{ displayName: "Support", members: 2 }]);
  await ok(await scim.patch(group.meta.location, { data: patchOp({ op: "remove", path: `members[value eq "${sam.id}"]` }) }), 204);
  expect((await ok(await scim.get(group.meta.location), 200)).members.map((m: Json) => m.value)).toEqual([kim.id]);
  expect((await ok(await scim.get(sam.meta.location), 200)).groups).toEqual([]);

  // Deactivate: still readable, findable and listed.
  kim = await ok(await scim.patch(kim.meta.location, { data: patchOp({ op: "replace", path: "active", value: false }) }), 200);
  expect(kim.active).toBe(false);
  expect((await find("active eq false")).map((u) => u.id)).toEqual([kim.id]);
  expect((await ok(await scim.get(kim.meta.location), 200)).active).toBe(false);
  const listed = await cliUsers(cli, tenant.slug);
  expect(listed.filter((u) => u.source === "scim").map(({ email, userName, status }) => ({ email, userName, status }))).toEqual([
    { email: "kim@lifecycle.example", userName: "kim@lifecycle.example", status: "deactivated" },
    { email: "sam@lifecycle.example", userName: "sam@lifecycle.example", status: "deactivated" },
  ]);

  // Delete: users and group are gone.
  await ok(await scim.delete(kim.meta.location), 204);
  await ok(await scim.delete(group.meta.location), 204);
  expect((await scim.get(kim.meta.location)).status()).toBe(404);
  expect((await ok(await scim.get(`${groups}?excludedAttributes=members`), 200)).totalResults).toBe(0);
  expect((await ok(await scim.get(users), 200)).Resources.map((u: Json) => u.id)).toEqual([sam.id]);
  expect(await cliGroups(cli, tenant.slug)).toEqual([]);

  // The activity log holds every request of the lifecycle, each a success (404 above was the check for gone).
  // Reads are logged through a buffer flushed every second, so the last reads may take a moment to show.
  let rows: Awaited<ReturnType<typeof activity>> = [];
  await expect(async () => {
    rows = (await activity(cli, tenant.slug)).filter((row) => row.actor === "scim");
    expect(rows).toHaveLength(26);
  }).toPass({ timeout: 30_000 });
  expect(rows.filter((row) => row.status >= 400).map((row) => `${row.method} ${row.path}`)).toEqual([`GET /Users/${kim.id}`]);
});
