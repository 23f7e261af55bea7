import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db";
import { authSessions, authUsers, emailOutbox, scimUsers, seatPurchases, seats, users } from "@/db/schema";
import { queueReceipts } from "@/db/queries/purchases";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { createTenant } from "@/lib/tenants/create-tenant";
import { disconnectScim } from "./disconnect-scim";
import { StalePreviewError, ValidationError } from "@/lib/errors";
import { previewGroupMapping, saveGroupMapping } from "./group-mapping";
import { connectScim } from "./scim-connection";
import { addMembers, removeMembers, scimClient, scimUser, PATCH_OP } from "./testing";

let n = 0;
async function setup(database: Database, seatsByTier: Record<string, number>) {
  const slug = `rules-${process.pid}-${++n}`;
  const tenant = await createTenant(database.db, { name: `Rules ${n}`, slug, adminEmail: `owner@${slug}.example`, seats: seatsByTier });
  const { token } = await connectScim(database.db, { tenantId: tenant.id, provider: "okta", actor: "test" });
  return { tenant, token, scim: scimClient(database, token) };
}

async function createUsers(scim: ReturnType<typeof scimClient>, prefix: string, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await scim("POST", "Users", scimUser(`${prefix}${i}@example.com`));
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}

async function createGroup(scim: ReturnType<typeof scimClient>, displayName: string) {
  const res = await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function userState(database: Database, tenantId: string) {
  const rows = await database.db.select().from(users).where(and(eq(users.tenantId, tenantId), eq(users.source, "scim")));
  return new Map(rows.map((r) => [r.email.toLowerCase(), r]));
}

async function ownedSeats(database: Database, tenantId: string) {
  const rows = await database.db.select().from(seats).where(eq(seats.tenantId, tenantId));
  return Object.fromEntries(rows.map((r) => [r.tier, r.quantity]));
}

async function purchasesOf(database: Database, tenantId: string) {
  return database.db.select().from(seatPurchases).where(eq(seatPurchases.tenantId, tenantId));
}

async function invitationsOf(database: Database, tenantId: string) {
  return database.db
    .select({ to: emailOutbox.to, key: emailOutbox.idempotencyKey })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.tenantId, tenantId), eq(emailOutbox.kind, "invitation")));
}

describe.each(testDrivers)("access, licenses and seats on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("parallel member additions buy exactly the shortfall, once, and invite each new user once", async () => {
    const { tenant, scim } = await setup(t.database, { team: 2 });
    const ids = await createUsers(scim, "par", 12);
    const staff = await createGroup(scim, "Staff");
    const team = await createGroup(scim, "Team");
    await saveGroupMapping(t.db, {
      tenantId: tenant.id,
      mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [{ groupId: team, tier: "team" }], inviteOnProvision: true },
      actor: "test",
    });
    // IdPs send in parallel: one PATCH per user and group, all at once.
    const replies = await Promise.all(ids.flatMap((id) => [scim("PATCH", `Groups/${staff}`, addMembers([id])), scim("PATCH", `Groups/${team}`, addMembers([id]))]));
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 204));

    const state = await userState(t.database, tenant.id);
    expect([...state.values()].map((u) => [u.role, u.license])).toEqual(ids.map(() => ["user", "team"]));
    expect((await ownedSeats(t.database, tenant.id)).team).toBe(12);
    const purchases = await purchasesOf(t.database, tenant.id);
    expect(purchases.reduce((sum, p) => sum + p.quantity, 0)).toBe(10);
    expect(purchases.every((p) => p.tier === "team" && p.totalCents === p.quantity * 1500 && /^SCIM PATCH \/Groups\//.test(p.reason))).toBe(true);
    const invitations = await invitationsOf(t.database, tenant.id);
    expect(invitations).toHaveLength(12);
    expect(new Set(invitations.map((i) => i.to)).size).toBe(12);
    // A receipt per purchase goes to the tenant's admin, queued by the drain after the purchases committed.
    await queueReceipts(t.db);
    const receipts = await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.tenantId, tenant.id), eq(emailOutbox.kind, "receipt")));
    expect(receipts).toHaveLength(purchases.length);
    expect(receipts.every((r) => r.to === `owner@${tenant.slug}.example`)).toBe(true);
  });

  it("applies a confirmed preview only while it still holds, and never leaves the tenant without an admin", async () => {
    const { tenant, scim } = await setup(t.database, { team: 1 });
    const [a, b] = await createUsers(scim, "confirm", 2);
    const staff = await createGroup(scim, "Staff");
    const admins = await createGroup(scim, "Admins");
    expect((await scim("PATCH", `Groups/${staff}`, addMembers([a]))).status).toBe(204);
    expect((await scim("PATCH", `Groups/${admins}`, addMembers([b]))).status).toBe(204);
    const mapping = { userGroupId: staff, adminGroupId: admins, licenseGroups: [{ groupId: staff, tier: "team" as const }], inviteOnProvision: false };
    const shown = await previewGroupMapping(t.db, tenant.id, mapping);
    expect(shown.seatsToBuy.team).toBe(0);

    // Someone joins the license group between the preview and the confirmation: the confirmed save buys nothing.
    expect((await scim("PATCH", `Groups/${staff}`, addMembers([b]))).status).toBe(204);
    const stale = await saveGroupMapping(t.db, { tenantId: tenant.id, mapping, actor: "test", expectedFingerprint: shown.fingerprint }).catch((e) => e);
    expect(stale).toBeInstanceOf(StalePreviewError);
    expect((stale as StalePreviewError<typeof shown>).current.seatsToBuy.team).toBe(1);
    expect(await purchasesOf(t.database, tenant.id)).toEqual([]);
    expect([...(await userState(t.database, tenant.id)).values()].every((u) => u.role === "none")).toBe(true);

    // Confirming the new preview applies exactly it.
    const fresh = (stale as StalePreviewError<typeof shown>).current;
    await saveGroupMapping(t.db, { tenantId: tenant.id, mapping, actor: "test", expectedFingerprint: fresh.fingerprint });
    expect((await purchasesOf(t.database, tenant.id)).map((p) => [p.tier, p.quantity])).toEqual([["team", 1]]);

    // With the manual owner gone, the IdP's admin group holds the only admin; mapping the admin role to an
    // empty group would demote them and lock everyone out.
    await t.db.delete(users).where(and(eq(users.tenantId, tenant.id), eq(users.source, "manual")));
    const empty = await createGroup(scim, "Nobody");
    const lockout = saveGroupMapping(t.db, { tenantId: tenant.id, mapping: { ...mapping, adminGroupId: empty }, actor: "test" });
    await expect(lockout).rejects.toBeInstanceOf(ValidationError);
    expect((await userState(t.database, tenant.id)).get("confirm1@example.com")?.role).toBe("admin");
  });

  it("gives the lowest tier of several license groups and reuses freed seats before buying", async () => {
    const { tenant, scim } = await setup(t.database, { starter: 1, team: 1, enterprise: 1 });
    const [a, b] = await createUsers(scim, "tier", 2);
    const staff = await createGroup(scim, "Staff");
    const starter = await createGroup(scim, "Starter");
    const ent = await createGroup(scim, "Enterprise");
    await saveGroupMapping(t.db, {
      tenantId: tenant.id,
      mapping: {
        userGroupId: staff,
        adminGroupId: null,
        licenseGroups: [
          { groupId: starter, tier: "starter" },
          { groupId: ent, tier: "enterprise" },
        ],
        inviteOnProvision: false,
      },
      actor: "test",
    });
    await scim("PATCH", `Groups/${staff}`, addMembers([a, b]));
    await scim("PATCH", `Groups/${starter}`, addMembers([a]));
    await scim("PATCH", `Groups/${ent}`, addMembers([a, b]));
    let state = await userState(t.database, tenant.id);
    expect(state.get("tier0@example.com")).toMatchObject({ role: "user", license: "starter" });
    expect(state.get("tier1@example.com")).toMatchObject({ role: "user", license: "enterprise" });
    expect(await ownedSeats(t.database, tenant.id)).toEqual({ starter: 1, team: 1, enterprise: 1 });
    expect(await purchasesOf(t.database, tenant.id)).toEqual([]);
    expect(await invitationsOf(t.database, tenant.id)).toEqual([]);

    // b leaves enterprise for starter: the starter seat is taken by a, so one starter seat is bought; the
    // enterprise seat b freed is not refunded.
    await scim("PATCH", `Groups/${ent}`, removeMembers([b]));
    state = await userState(t.database, tenant.id);
    expect(state.get("tier1@example.com")).toMatchObject({ role: "user", license: "none" });
    await scim("PATCH", `Groups/${starter}`, addMembers([b]));
    expect(await ownedSeats(t.database, tenant.id)).toEqual({ starter: 2, team: 1, enterprise: 1 });
    const purchases = await purchasesOf(t.database, tenant.id);
    expect(purchases.map((p) => [p.tier, p.quantity, p.unitPriceCents, p.totalCents])).toEqual([["starter", 1, 800, 800]]);

    // a leaves starter (back to enterprise): the freed starter seat is reused, nothing is bought.
    await scim("PATCH", `Groups/${ent}`, addMembers([a]));
    await scim("PATCH", `Groups/${starter}`, removeMembers([a]));
    const c = (await createUsers(scim, "tierc", 1))[0];
    await scim("PATCH", `Groups/${staff}`, addMembers([c]));
    await scim("PATCH", `Groups/${starter}`, addMembers([c]));
    expect(await purchasesOf(t.database, tenant.id)).toHaveLength(1);
    expect((await userState(t.database, tenant.id)).get("tier0@example.com")).toMatchObject({ license: "enterprise" });
  });

  it("takes access away at once on deactivation and deletion, ends sessions, and never re-invites", async () => {
    const { tenant, scim } = await setup(t.database, { team: 5 });
    const [id, other] = await createUsers(scim, "life", 2);
    const staff = await createGroup(scim, "Staff");
    await saveGroupMapping(t.db, {
      tenantId: tenant.id,
      mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [{ groupId: staff, tier: "team" }], inviteOnProvision: true },
      actor: "test",
    });
    await scim("PATCH", `Groups/${staff}`, addMembers([id, other]));
    const email = "life0@example.com";
    const [authUser] = await t.db.insert(authUsers).values({ email }).returning();
    await t.db.insert(authSessions).values({ sessionToken: `s-${id}`, userId: authUser.id, expires: new Date(Date.now() + 86_400_000) });

    // Entra's default deactivation: "Replace" with the string "False".
    const off = await scim("PATCH", `Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await userState(t.database, tenant.id)).get(email)).toMatchObject({ role: "none", license: "none", status: "deactivated" });
    expect(await t.db.select().from(authSessions).where(eq(authSessions.userId, authUser.id))).toEqual([]);

    // Okta reactivates with a pathless replace; access returns, the invitation is not sent again.
    const on = await scim("PATCH", `Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: true } }] });
    expect(on.body.active).toBe(true);
    expect((await userState(t.database, tenant.id)).get(email)).toMatchObject({ role: "user", license: "team", status: "invited" });
    expect((await invitationsOf(t.database, tenant.id)).filter((i) => i.to === email)).toHaveLength(1);

    // Okta AIW apps deactivate with PUT.
    const put = await scim("PUT", `Users/${other}`, scimUser("life1@example.com", { active: false }));
    expect(put.status).toBe(200);
    expect((await userState(t.database, tenant.id)).get("life1@example.com")).toMatchObject({ role: "none", status: "deactivated" });

    const del = await scim("DELETE", `Users/${id}`);
    expect(del.status).toBe(204);
    const after = (await t.db.select().from(users).where(and(eq(users.tenantId, tenant.id), sql`lower(${users.email}) = ${email}`)))[0];
    expect(after).toMatchObject({ role: "none", license: "none", status: "deactivated", scimUserId: null });
    expect((await scim("GET", `Users/${id}`)).status).toBe(404);
  });

  it("applies a mapping change to the members of changed groups only", async () => {
    const { tenant, scim } = await setup(t.database, { starter: 10 });
    const [a, b] = await createUsers(scim, "map", 2);
    const g1 = await createGroup(scim, "G1");
    const g2 = await createGroup(scim, "G2");
    await scim("PATCH", `Groups/${g1}`, addMembers([a]));
    await scim("PATCH", `Groups/${g2}`, addMembers([b]));
    const save = (userGroupId: string | null, licenseGroups: { groupId: string; tier: "starter" }[]) =>
      saveGroupMapping(t.db, { tenantId: tenant.id, mapping: { userGroupId, adminGroupId: null, licenseGroups, inviteOnProvision: false }, actor: "test" });
    expect((await save(g1, [])).affectedUsers).toBe(1);
    let state = await userState(t.database, tenant.id);
    expect(state.get("map0@example.com")?.role).toBe("user");
    expect(state.get("map1@example.com")?.role).toBe("none");
    const result = await save(g1, [{ groupId: g2, tier: "starter" }]);
    expect(result.affectedUsers).toBe(1);
    state = await userState(t.database, tenant.id);
    expect(state.get("map1@example.com")).toMatchObject({ role: "none", license: "none" });
    // A new IdP group can be mapped at any time.
    const g3 = await createGroup(scim, "G3");
    await scim("PATCH", `Groups/${g3}`, addMembers([b]));
    const preview = (await save(g3, [])).preview;
    expect(preview.gainAccess.map((c) => c.email)).toEqual(["map1@example.com"]);
    expect(preview.loseAccess.map((c) => c.email)).toEqual(["map0@example.com"]);
  });

  it("keeps users on disconnect, kills the token, and adopts them on reconnect instead of duplicating", async () => {
    const { tenant, scim } = await setup(t.database, { team: 5 });
    const created = await scim("POST", "Users", scimUser("keep@example.com", { externalId: "ext-keep" }));
    const staff = await createGroup(scim, "Staff");
    await saveGroupMapping(t.db, {
      tenantId: tenant.id,
      mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [], inviteOnProvision: false },
      actor: "test",
    });
    await scim("PATCH", `Groups/${staff}`, addMembers([created.body.id]));
    expect((await disconnectScim(t.db, { tenantId: tenant.id, actor: "test" })).usersKept).toBe(1);
    expect((await scim("GET", "Users")).status).toBe(401);
    expect((await userState(t.database, tenant.id)).size).toBe(0);
    const kept = await t.db.select().from(users).where(and(eq(users.tenantId, tenant.id), sql`lower(${users.email}) = 'keep@example.com'`));
    expect(kept[0]).toMatchObject({ role: "user", source: "manual" });

    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
    const again = scimClient(t.database, token);
    const readopted = await again("POST", "Users", scimUser("KEEP@example.com", { externalId: "ext-keep" }));
    expect(readopted.status).toBe(201);
    expect(readopted.body.id).toBe(created.body.id);
    const all = await t.db.select().from(users).where(eq(users.tenantId, tenant.id));
    expect(all.filter((u) => u.email.toLowerCase() === "keep@example.com")).toHaveLength(1);
    expect((await userState(t.database, tenant.id)).get("keep@example.com")).toMatchObject({ role: "user", source: "scim" });
  });

  it("on reconnect adopts by externalId first (a user renamed in the IdP meanwhile); a userName a live user holds is a 409", async () => {
    const { tenant, scim } = await setup(t.database, { team: 5 });
    const renamed = await scim("POST", "Users", scimUser("old-name@example.com", { externalId: "ext-1" }));
    const other = await scim("POST", "Users", scimUser("other@example.com", { externalId: "ext-2" }));
    await disconnectScim(t.db, { tenantId: tenant.id, actor: "test" });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
    const again = scimClient(t.database, token);

    // ext-1 comes back under a userName no kept user has: adopted by its externalId, under the new name.
    const adopted = await again("POST", "Users", scimUser("new-name@example.com", { externalId: "ext-1" }));
    expect(adopted.status).toBe(201);
    expect(adopted.body).toMatchObject({ id: renamed.body.id, userName: "new-name@example.com" });
    // The IdP's live user now holds that userName: a second user with it is a conflict, not an adoption.
    const taken = await again("POST", "Users", scimUser("NEW-NAME@example.com", { externalId: "ext-3" }));
    expect(taken.status).toBe(409);
    expect(taken.body.scimType).toBe("uniqueness");
    // And a kept user the IdP sends again as it was is adopted too.
    expect((await again("POST", "Users", scimUser("other@example.com", { externalId: "ext-2" }))).body.id).toBe(other.body.id);
    const { n } = (await t.db.select({ n: sql<number>`count(*)::int` }).from(scimUsers).where(eq(scimUsers.tenantId, tenant.id)))[0];
    expect(n).toBe(2);
  });

  it("a name change from the IdP writes the profile only; after a disconnect the IdP's next change takes the user back", async () => {
    const { tenant, scim } = await setup(t.database, { team: 5 });
    const created = await scim("POST", "Users", scimUser("ada@example.com"));
    const staff = await createGroup(scim, "Staff");
    await saveGroupMapping(t.db, {
      tenantId: tenant.id,
      mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [], inviteOnProvision: true },
      actor: "test",
    });
    await scim("PATCH", `Groups/${staff}`, addMembers([created.body.id]));
    const rename = (value: string) =>
      scim("PATCH", `Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value }] });
    const sally = async () => (await t.db.select().from(users).where(eq(users.scimUserId, created.body.id)))[0];
    const before = await sally();
    expect(before).toMatchObject({ role: "user", source: "scim" });

    expect((await rename("Ada Lovelace")).status).toBe(200);
    expect(await sally()).toMatchObject({ ...before, name: "Ada Lovelace", updatedAt: expect.any(Date) });
    expect(await invitationsOf(t.database, tenant.id)).toHaveLength(1);
    // The email's spelling is profile too (one email signs in one user whatever its case).
    const respelled = await scim("PATCH", `Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "emails", value: [{ primary: true, type: "work", value: "Ada@Example.com" }] }] });
    expect(respelled.status).toBe(200);
    expect(await sally()).toMatchObject({ email: "Ada@Example.com", role: "user", source: "scim" });

    await disconnectScim(t.db, { tenantId: tenant.id, actor: "test" });
    expect(await sally()).toMatchObject({ source: "manual", role: "user" });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
    const again = scimClient(t.database, token);
    const renamed = await again("PATCH", `Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: "Ada K." }] });
    expect(renamed.status).toBe(200);
    expect(await sally()).toMatchObject({ source: "scim", role: "user", name: "Ada K." });
    expect(await invitationsOf(t.database, tenant.id)).toHaveLength(1);
  });
});

describe.runIf(process.env.DATABASE_URL)("two app instances on one PostgreSQL database", () => {
  const t = useTestDatabase("postgres");

  it("never buy twice or end short when their requests interleave", async () => {
    const second = await openDatabase({ databaseUrl: t.url, pgliteDir: "memory://" });
    try {
      const { tenant, token, scim } = await setup(t.database, { enterprise: 1 });
      const other = scimClient(second, token);
      const ids = await createUsers(scim, "two", 10);
      const ent = await createGroup(scim, "Enterprise");
      const staff = await createGroup(scim, "Staff");
      await saveGroupMapping(t.db, {
        tenantId: tenant.id,
        mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [{ groupId: ent, tier: "enterprise" }], inviteOnProvision: true },
        actor: "test",
      });
      await Promise.all(
        ids.flatMap((id, i) => {
          const client = i % 2 ? scim : other;
          return [client("PATCH", `Groups/${ent}`, addMembers([id])), client("PATCH", `Groups/${staff}`, addMembers([id]))];
        }),
      );
      expect((await ownedSeats(t.database, tenant.id)).enterprise).toBe(10);
      expect((await purchasesOf(t.database, tenant.id)).reduce((s, p) => s + p.quantity, 0)).toBe(9);
      expect(await invitationsOf(t.database, tenant.id)).toHaveLength(10);
    } finally {
      await second.close();
    }
  });
});
