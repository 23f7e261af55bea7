import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { scimGroupMembers, scimGroups } from "@/db/schema";
import { WriteConflictError } from "@/db/errors";
import { testDrivers, untilSomeoneWaitsOnALock, useTestDatabase } from "@/db/testing";
import { saveGroupMapping } from "@/lib/provisioning/group-mapping";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { addMembers, PATCH_OP, scimClient, scimUser } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";
import { errorResult } from "./errors";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
let n = 0;

async function setup(t: ReturnType<typeof useTestDatabase>, users = 0) {
  const slug = `gw-${process.pid}-${++n}`;
  const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example` });
  const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "okta", actor: "test" });
  const scim = scimClient(t.database, token);
  const group = (await scim("POST", "Groups", { schemas: [GROUP], displayName: "Engineering", externalId: "eng" })).body.id as string;
  const ids: string[] = [];
  for (let i = 0; i < users; i++) ids.push((await scim("POST", "Users", scimUser(`u${i}@${slug}.example`))).body.id);
  const read = async () => (await t.db.select().from(scimGroups).where(eq(scimGroups.id, group)))[0];
  return { scim, group, ids, read };
}

/**
 * Writers of one group no longer queue behind a lock taken when they start: they run side by side and bump the
 * version as their last statement. These cases hold the results to what one-at-a-time writers would give.
 */
describe.each(testDrivers)("writes of one group side by side on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("member PATCHes and attribute PATCHes at once: every member, both attributes, one version step each", async () => {
    const { scim, group, ids, read } = await setup(t, 12);
    const replies = await Promise.all([
      ...ids.map((id) => scim("PATCH", `Groups/${group}`, addMembers([id]))),
      scim("PATCH", `Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "displayName", value: "Platform" }] }),
      scim("PATCH", `Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "externalId", value: "platform" }] }),
    ]);
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 204));
    const row = await read();
    expect(row).toMatchObject({ displayName: "Platform", externalId: "platform", version: 1 + 12 + 2 });
    expect(row.resource).toMatchObject({ displayName: "Platform", externalId: "platform" });
    expect(await t.db.select().from(scimGroupMembers).where(eq(scimGroupMembers.groupId, group))).toHaveLength(12);
    const got = await scim("GET", `Groups/${group}`);
    expect(got.body.meta.version).toBe(`W/"${1 + 12 + 2}"`);
  });

  it("a PATCH that changes nothing leaves the version alone; one that changes members bumps it once", async () => {
    const { scim, group, ids, read } = await setup(t, 2);
    expect((await scim("PATCH", `Groups/${group}`, addMembers(ids))).status).toBe(204);
    expect((await read()).version).toBe(2);
    expect((await scim("PATCH", `Groups/${group}`, addMembers(ids))).status).toBe(204);
    expect((await read()).version).toBe(2);
  });

  it("a members PATCH of a group that is not there (or was deleted) is a 404 whatever it names, and writes nothing", async () => {
    const { scim, group, ids } = await setup(t, 2);
    const granted = (await scim("POST", "Groups", { schemas: [GROUP], displayName: "Granted" })).body.id as string;
    const { tenantId } = (await t.db.select().from(scimGroups).where(eq(scimGroups.id, group)))[0];
    await saveGroupMapping(t.db, {
      tenantId,
      mapping: { userGroupId: granted, adminGroupId: null, licenseGroups: [], inviteOnProvision: false },
      actor: "test",
    });
    expect((await scim("DELETE", `Groups/${granted}`)).status).toBe(204);
    const removeNamed = { schemas: [PATCH_OP], Operations: [{ op: "remove", path: "members", value: [{ value: ids[1] }] }] };
    for (const missing of [randomUUID(), granted]) {
      const added = await scim("PATCH", `Groups/${missing}`, addMembers(ids));
      expect(added.status, JSON.stringify(added.body)).toBe(404);
      expect(added.body.detail).toBe(`Group ${missing} not found`);
      expect((await scim("PATCH", `Groups/${missing}`, removeNamed)).status).toBe(404);
    }
    expect(await t.db.select().from(scimGroupMembers).where(eq(scimGroupMembers.tenantId, tenantId))).toEqual([]);
  });

  it("If-Match still guards a members-only PATCH: a stale version is a 412 and nothing changes", async () => {
    const { scim, group, ids, read } = await setup(t, 2);
    await scim("PATCH", `Groups/${group}`, addMembers([ids[0]]));
    const stale = await scim("PATCH", `Groups/${group}`, addMembers([ids[1]]), { "if-match": 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(await t.db.select().from(scimGroupMembers).where(eq(scimGroupMembers.groupId, group))).toHaveLength(1);
    expect((await read()).version).toBe(2);
    const fresh = await scim("PATCH", `Groups/${group}`, addMembers([ids[1]]), { "if-match": 'W/"2"' });
    expect(fresh.status).toBe(204);
    expect((await read()).version).toBe(3);
  });

  it("a PATCH racing a DELETE of its group is answered 204 or 404, never half-applied", async () => {
    const { scim, group, ids } = await setup(t, 4);
    const replies = await Promise.all([
      ...ids.map((id) => scim("PATCH", `Groups/${group}`, addMembers([id]))),
      scim("DELETE", `Groups/${group}`),
    ]);
    expect(replies.at(-1)!.status).toBe(204);
    for (const r of replies.slice(0, -1)) expect([204, 404]).toContain(r.status);
    expect(await t.db.select().from(scimGroupMembers).where(eq(scimGroupMembers.groupId, group))).toHaveLength(0);
  });

  it("a conflict still there after the retries is a 503 with Retry-After, not a 500", () => {
    const result = errorResult(new WriteConflictError("changed"));
    expect(result.status).toBe(503);
    expect(result.headers?.["retry-after"]).toBe("1");
  });
});

describe.runIf(process.env.DATABASE_URL)("a PATCH of a group's attributes racing another writer on PostgreSQL", () => {
  const t = useTestDatabase("postgres");

  it("runs again when the group changed after it was read, so the other change is not overwritten", async () => {
    const { scim, group, read } = await setup(t);
    const other = postgres(t.url!, { max: 1, onnotice: () => {} });
    try {
      let reply: Promise<{ status: number }> | undefined;
      await other.begin(async (sql) => {
        // Another writer changes externalId and holds the row until this request, which read the group
        // before, waits on it to write displayName.
        await sql`update scim_groups set external_id = 'held', resource = jsonb_set(resource, '{externalId}', '"held"'),
                  version = version + 1 where id = ${group}`;
        reply = scim("PATCH", `Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "displayName", value: "Renamed" }] });
        await untilSomeoneWaitsOnALock(sql);
      });
      expect((await reply!).status).toBe(204);
    } finally {
      await other.end();
    }
    const row = await read();
    // Without the version check the PATCH would have written back externalId "eng" from what it read.
    expect(row).toMatchObject({ displayName: "Renamed", externalId: "held", version: 3 });
    expect(row.resource).toMatchObject({ displayName: "Renamed", externalId: "held" });
  });
});
