// A user update that changes only the profile (a name, a title, a phone number) is made outside a transaction: the
// user read without a lock, then one statement writing it at the version read, with the Sally user's profile and
// the activity entry (lib/scim/users.ts updateDirectly, db/queries/scim-users.ts updateScimUserProfile).
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getScimUserForWrite, updateScimUserProfile } from "@/db/queries/scim-users";
import { activityLog, scimConnections, scimUsers, users } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { flushActivity } from "@/lib/activity";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { PATCH_OP, addMembers, scimClient, scimUser } from "@/lib/provisioning/testing";
import { saveGroupMapping } from "@/lib/provisioning/group-mapping";
import { createTenant } from "@/lib/tenants/create-tenant";
import { RateLimitLeases } from "./rate-limit-lease";
import { recentUsers } from "./recent-users";

let n = 0;

describe.each(testDrivers)("profile-only user updates in one statement, on %s", (driver) => {
  const t = useTestDatabase(driver);

  async function setup() {
    const slug = `dw-${driver}-${process.pid}-${++n}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example`, seats: { team: 10 } });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
    const scim = scimClient(t.database, token);
    const post = async (name: string) => (await scim("POST", "Users", scimUser(`${name}@${slug}.example`, { displayName: name }))).body as { id: string; userName: string };
    const [ann, bob] = [await post("ann"), await post("bob")];
    const staff = (await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Staff" })).body.id as string;
    await saveGroupMapping(t.db, { tenantId: tenant.id, mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [], inviteOnProvision: false }, actor: "test" });
    expect((await scim("PATCH", `Groups/${staff}`, addMembers([ann.id, bob.id]))).status).toBe(204);
    const stored = async (id: string) => {
      const [scimRow] = await t.db.select().from(scimUsers).where(eq(scimUsers.id, id));
      const [sally] = await t.db.select().from(users).where(eq(users.scimUserId, id));
      return { scim: scimRow, sally };
    };
    const logged = async (summary: string) =>
      (await t.db.select().from(activityLog).where(and(eq(activityLog.tenantId, tenant.id), eq(activityLog.summary, summary)))).map((e) => e.status);
    return { tenant, token, scim, ann, bob, staff, stored, logged };
  }

  it("writes the user, the Sally user's profile and the activity entry, and answers with the user as written", async () => {
    const { scim, ann, stored, logged } = await setup();
    const reply = await scim("PATCH", `Users/${ann.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: "Ann Lovelace" }] });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: ann.id, displayName: "Ann Lovelace", groups: [{ display: "Staff" }], meta: { version: 'W/"2"' } });
    expect(reply.headers.get("etag")).toBe('W/"2"');
    const { scim: row, sally } = await stored(ann.id);
    expect(row).toMatchObject({ displayName: "Ann Lovelace", version: 2 });
    expect(sally).toMatchObject({ name: "Ann Lovelace", role: "user", status: "invited" });
    // In the write's own statement, not the buffer that logs reads: there before any flush.
    expect(await logged(`Patched user ${ann.userName}`)).toEqual([200]);
  });

  it("a PUT to another user's userName, its email unchanged, is a 409 uniqueness and writes nothing", async () => {
    const { scim, ann, bob, stored, logged } = await setup();
    const before = await stored(ann.id);
    const put = await scim("PUT", `Users/${ann.id}`, scimUser(bob.userName.toUpperCase(), { displayName: "Ann Taken", emails: [{ primary: true, value: ann.userName }] }));
    expect(put.status).toBe(409);
    expect(put.body).toMatchObject({ status: "409", scimType: "uniqueness" });
    expect(await stored(ann.id)).toEqual(before);
    await flushActivity();
    expect(await logged(`Replaced user ${bob.userName.toUpperCase()}`)).toEqual([]);
  });

  it("concurrent updates of one user lose none: each is read again after another came first", async () => {
    const { scim, ann, stored, logged } = await setup();
    const writers = 12;
    const replies = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        scim("PATCH", `Users/${ann.id}`, { schemas: [PATCH_OP], Operations: [{ op: "add", path: "phoneNumbers", value: [{ type: "work", value: `+49 30 ${1000 + i}` }] }] }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(writers).fill(200));
    const { scim: row } = await stored(ann.id);
    expect(row.version).toBe(1 + writers);
    const numbers = (row.resource.phoneNumbers as { value: string }[]).map((p) => p.value).sort();
    expect(numbers).toEqual(Array.from({ length: writers }, (_, i) => `+49 30 ${1000 + i}`));
    // Every answer's version is one the user had, each once.
    expect(new Set(replies.map((r) => r.headers.get("etag"))).size).toBe(writers);
    expect(await logged(`Patched user ${ann.userName}`)).toHaveLength(writers);
  });

  it("a write at a version that moved writes nothing, not even its activity entry", async () => {
    const { tenant, ann, stored, logged } = await setup();
    const { user: read } = await getScimUserForWrite(t.db, tenant.id, ann.id);
    await t.db.update(scimUsers).set({ version: read!.version + 1 }).where(eq(scimUsers.id, ann.id));
    const before = await stored(ann.id);
    const resource = { ...read!.resource, displayName: "Too Late" };
    const written = await updateScimUserProfile(t.db, {
      tenantId: tenant.id,
      id: ann.id,
      target: { version: read!.version },
      resource,
      columns: { userName: read!.userName, externalId: read!.externalId, displayName: "Too Late", email: read!.email, active: true },
      profile: { email: ann.userName, name: "Too Late", locale: null },
      activity: [{ tenantId: tenant.id, actor: "scim", summary: "Too late" }],
    });
    expect(written.user).toBeNull();
    expect(await stored(ann.id)).toEqual(before);
    expect(await logged("Too late")).toEqual([]);
  });

  it("leaves the profile of a Sally user made manual after the read (a disconnect) to the admin", async () => {
    const { tenant, ann, stored } = await setup();
    const { user: read } = await getScimUserForWrite(t.db, tenant.id, ann.id);
    expect(read!.managed).toBe(true);
    await t.db.update(users).set({ source: "manual" }).where(eq(users.scimUserId, ann.id));
    const written = await updateScimUserProfile(t.db, {
      tenantId: tenant.id,
      id: ann.id,
      target: { version: read!.version },
      resource: { ...read!.resource, displayName: "IdP Name" },
      columns: { userName: read!.userName, externalId: read!.externalId, displayName: "IdP Name", email: read!.email, active: true },
      profile: { email: ann.userName, name: "IdP Name", locale: null },
      activity: [{ tenantId: tenant.id, actor: "scim", summary: "Renamed" }],
    });
    expect(written.user).toMatchObject({ displayName: "IdP Name", version: read!.version + 1 });
    expect((await stored(ann.id)).sally.name).toBe("ann");
  });

  it("an update that changes access goes through the rules in a transaction: Okta's PUT deactivating a user", async () => {
    const { scim, ann, stored, logged } = await setup();
    const put = await scim("PUT", `Users/${ann.id}`, scimUser(ann.userName, { displayName: "ann", active: false }));
    expect(put.status).toBe(200);
    expect(await stored(ann.id)).toMatchObject({ scim: { active: false, version: 2 }, sally: { role: "none", status: "deactivated" } });
    expect(await logged(`Replaced user ${ann.userName} (inactive)`)).toEqual([200]);
    // Renaming the deactivated user changes its profile alone again.
    const renamed = await scim("PUT", `Users/${ann.id}`, scimUser(ann.userName, { displayName: "Ann Gone", active: false }));
    expect(renamed.status).toBe(200);
    expect((await stored(ann.id)).sally.name).toBe("Ann Gone");
  });

  it("a POST writes the user, its Sally user (no group, no access) and the activity entry in one statement", async () => {
    const { tenant, scim, logged } = await setup();
    const userName = `cy@${tenant.slug}.example`;
    const reply = await scim("POST", "Users", scimUser(userName, { displayName: "Cy", preferredLanguage: "de-DE" }));
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ userName, displayName: "Cy", groups: [], meta: { version: 'W/"1"' } });
    const [sally] = await t.db.select().from(users).where(eq(users.scimUserId, reply.body.id));
    expect(sally).toMatchObject({ email: userName, name: "Cy", locale: "de", role: "none", license: "none", source: "scim", invitedAt: null });
    expect(await logged(`Created user ${userName}`)).toEqual([201]);
  });

  it("concurrent POSTs of one userName: one user with one Sally user, the others 409 uniqueness", async () => {
    const { tenant, scim } = await setup();
    const userName = `twin@${tenant.slug}.example`;
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => scim("POST", "Users", scimUser(i % 2 ? userName.toUpperCase() : userName))));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(replies.filter((r) => r.status === 409).every((r) => r.body.scimType === "uniqueness")).toBe(true);
    const created = await t.db.select().from(scimUsers).where(and(eq(scimUsers.tenantId, tenant.id), sql`lower(${scimUsers.userName}) = ${userName}`));
    const sally = await t.db.select().from(users).where(and(eq(users.tenantId, tenant.id), sql`lower(${users.email}) = ${userName}`));
    expect([created.length, sally.length]).toEqual([1, 1]);
  });

  it("a POST of an email a Sally user holds (the admin's own) is left to the rules: no second Sally user for it", async () => {
    const { tenant, scim } = await setup();
    const email = `owner@${tenant.slug}.example`;
    const reply = await scim("POST", "Users", scimUser(email, { displayName: "Owner" }));
    expect(reply.status).toBe(201);
    const holders = await t.db.select().from(users).where(and(eq(users.tenantId, tenant.id), eq(users.email, email)));
    expect(holders).toHaveLength(1);
    expect(holders[0]).toMatchObject({ role: "admin" });
  });

  it("Okta's PUT restating a user with a new name: written without a read, the Sally user renamed, the entry logged", async () => {
    const { scim, ann, stored, logged } = await setup();
    const put = await scim("PUT", `Users/${ann.id}`, scimUser(ann.userName, { displayName: "Ann Okta", title: "CTO" }));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: ann.id, displayName: "Ann Okta", title: "CTO", groups: [{ display: "Staff" }], meta: { version: 'W/"2"' } });
    expect(await stored(ann.id)).toMatchObject({ scim: { displayName: "Ann Okta", version: 2 }, sally: { name: "Ann Okta", role: "user" } });
    expect(await logged(`Replaced user ${ann.userName}`)).toEqual([200]);
  });

  it("a PUT changing only the case of the email goes to the rules, which keep the user's access", async () => {
    const { scim, ann, stored } = await setup();
    const upper = ann.userName.toUpperCase();
    const put = await scim("PUT", `Users/${ann.id}`, scimUser(ann.userName, { displayName: "ann", emails: [{ primary: true, value: upper }] }));
    expect(put.status).toBe(200);
    expect(await stored(ann.id)).toMatchObject({ scim: { email: upper, version: 2 }, sally: { email: upper, role: "user" } });
  });

  it("a PUT of no such user is a 404; under If-Match the user is read and the precondition holds", async () => {
    const { scim, ann } = await setup();
    const missing = await scim("PUT", "Users/00000000-0000-4000-8000-000000000000", scimUser(ann.userName));
    expect(missing.status).toBe(404);
    const stale = await scim("PUT", `Users/${ann.id}`, scimUser(ann.userName, { displayName: "Stale" }), { "if-match": 'W/"7"' });
    expect(stale.status).toBe(412);
    const fresh = await scim("PUT", `Users/${ann.id}`, scimUser(ann.userName, { displayName: "Fresh" }), { "if-match": 'W/"1"' });
    expect(fresh.status).toBe(200);
    expect(fresh.body.displayName).toBe("Fresh");
  });

  it("a PUT to an email another Sally user holds goes to the rules: the user is kept from access, not given it", async () => {
    const { scim, ann, bob, stored } = await setup();
    const put = await scim("PUT", `Users/${ann.id}`, scimUser(ann.userName, { displayName: "ann", emails: [{ primary: true, value: bob.userName }] }));
    expect(put.status).toBe(200);
    const [annNow, bobNow] = [await stored(ann.id), await stored(bob.id)];
    expect(annNow.sally).toMatchObject({ email: bob.userName, role: "none", emailConflictWith: bobNow.sally.id });
    expect(bobNow.sally).toMatchObject({ role: "user", emailConflictWith: null });
  });

  it("a PUT of a user whose Sally user was made manual goes to the rules, which give it back to the IdP", async () => {
    const { scim, ann, stored } = await setup();
    await t.db.update(users).set({ source: "manual" }).where(eq(users.scimUserId, ann.id));
    const put = await scim("PUT", `Users/${ann.id}`, scimUser(ann.userName, { displayName: "Ann Back" }));
    expect(put.status).toBe(200);
    expect((await stored(ann.id)).sally).toMatchObject({ source: "scim", name: "Ann Back" });
  });

  describe("of a user this instance saw (lib/scim/recent-users.ts): written from what it saw, or read when that moved", () => {
    // Another instance's write of a profile: the version moves, and this instance's entry does not.
    const elsewhere = (id: string, title: string) =>
      t.db
        .update(scimUsers)
        .set({ resource: sql`jsonb_set(${scimUsers.resource}, '{title}', ${JSON.stringify(title)}::jsonb)`, version: sql`${scimUsers.version} + 1` })
        .where(eq(scimUsers.id, id));

    it("keeps what another instance wrote since: the user read again, the PATCH applied to it", async () => {
      const { tenant, scim, ann, stored, logged } = await setup();
      expect(recentUsers.get(tenant.id, ann.id)).toMatchObject({ version: 1 });
      await elsewhere(ann.id, "Engineer");
      const reply = await scim("PATCH", `Users/${ann.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: "Ann L" }] });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ displayName: "Ann L", title: "Engineer", meta: { version: 'W/"3"' } });
      expect((await stored(ann.id)).scim).toMatchObject({ displayName: "Ann L", version: 3, resource: expect.objectContaining({ title: "Engineer" }) });
      expect((await stored(ann.id)).sally.name).toBe("Ann L");
      // One entry: the write that found the entry stale wrote nothing, its activity entry neither.
      expect(await logged(`Patched user ${ann.userName}`)).toEqual([200]);
      expect(recentUsers.get(tenant.id, ann.id)).toMatchObject({ version: 3 });
      // The next one starts from what this instance wrote.
      const again = await scim("PATCH", `Users/${ann.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "title", value: "Lead" }] });
      expect(again.body).toMatchObject({ displayName: "Ann L", title: "Lead", meta: { version: 'W/"4"' } });
    });

    it("a PATCH that fails on what was seen and not on what is stored succeeds", async () => {
      const { tenant, scim, ann, stored } = await setup();
      expect(recentUsers.get(tenant.id, ann.id)).toBeDefined();
      await t.db
        .update(scimUsers)
        .set({ resource: sql`${scimUsers.resource} || '{"phoneNumbers":[{"type":"work","value":"+49 30 1"}]}'::jsonb`, version: sql`${scimUsers.version} + 1` })
        .where(eq(scimUsers.id, ann.id));
      // No phone number of either type in the entry: its filter could not make one (noTarget).
      const path = 'phoneNumbers[type eq "work" or type eq "mobile"].value';
      const reply = await scim("PATCH", `Users/${ann.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path, value: "+49 30 2" }] });
      expect(reply.status).toBe(200);
      expect((await stored(ann.id)).scim.resource.phoneNumbers).toEqual([{ type: "work", value: "+49 30 2" }]);
    });

    it("If-Match is checked against the stored user, not the entry", async () => {
      const { tenant, scim, ann } = await setup();
      expect(recentUsers.get(tenant.id, ann.id)).toMatchObject({ version: 1 });
      await elsewhere(ann.id, "Engineer");
      const patch = { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: "Ann M" }] };
      expect((await scim("PATCH", `Users/${ann.id}`, patch, { "if-match": 'W/"1"' })).status).toBe(412);
      const reply = await scim("PATCH", `Users/${ann.id}`, patch, { "if-match": 'W/"2"' });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ displayName: "Ann M", title: "Engineer" });
    });

    it("a Sally user made manual since goes to the rules, which give it back to the IdP", async () => {
      const { tenant, scim, ann, stored } = await setup();
      expect(recentUsers.get(tenant.id, ann.id)).toBeDefined();
      await t.db.update(users).set({ source: "manual" }).where(eq(users.scimUserId, ann.id));
      const reply = await scim("PATCH", `Users/${ann.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: "Ann Back" }] });
      expect(reply.status).toBe(200);
      expect((await stored(ann.id)).sally).toMatchObject({ source: "scim", name: "Ann Back" });
    });

    it("a token revoked since this instance knew it writes nothing: 401", async () => {
      const { tenant, token, ann, stored } = await setup();
      // An instance that knows the token: the write's own statement checks it (router.ts, TokenCheck).
      const warm = scimClient(t.database, token, { leases: new RateLimitLeases() });
      expect((await warm("GET", `Users/${ann.id}`)).status).toBe(200);
      expect(recentUsers.get(tenant.id, ann.id)).toBeDefined();
      const before = await stored(ann.id);
      await t.db.update(scimConnections).set({ revokedAt: new Date() }).where(eq(scimConnections.tenantId, tenant.id));
      const reply = await warm("PATCH", `Users/${ann.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: "Too Late" }] });
      expect(reply.status).toBe(401);
      expect(await stored(ann.id)).toEqual(before);
    });

    it("a deleted user is a 404", async () => {
      const { tenant, scim, ann } = await setup();
      expect(recentUsers.get(tenant.id, ann.id)).toBeDefined();
      await t.db.delete(scimUsers).where(eq(scimUsers.id, ann.id));
      const reply = await scim("PATCH", `Users/${ann.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: "Gone" }] });
      expect(reply.status).toBe(404);
      expect(recentUsers.get(tenant.id, ann.id)).toBeUndefined();
    });
  });
});
