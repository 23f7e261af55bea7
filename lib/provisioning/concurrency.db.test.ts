import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db";
import { emailOutbox, scimGroupMembers, scimGroups, seatPurchases, seats, users } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { createTenant } from "@/lib/tenants/create-tenant";
import { countSeatsHeld } from "./seats";
import { saveGroupMapping } from "./group-mapping";
import { connectScim } from "./scim-connection";
import { addMembers, PATCH_OP, removeMembers, scimClient, scimUser } from "./testing";

type Client = ReturnType<typeof scimClient>;
/** 64 users and 128 PATCHes on a loaded 2-core machine (PGlite runs them one at a time): minutes, not seconds. */
const SLOW = 600_000;
let n = 0;

/** A tenant with 64 users, a users group and a team-license group, 4 team seats and invitations on. */
async function setup(database: Database, size = 64) {
  const slug = `conc-${process.pid}-${++n}`;
  const tenant = await createTenant(database.db, { name: `Conc ${n}`, slug, adminEmail: `owner@${slug}.example`, seats: { team: 4 } });
  const { token } = await connectScim(database.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
  const scim = scimClient(database, token);
  const ids = await Promise.all(
    Array.from({ length: size }, async (_, i) => {
      const res = await scim("POST", "Users", scimUser(`c${i}@${slug}.example`));
      expect(res.status).toBe(201);
      return res.body.id as string;
    }),
  );
  const group = async (displayName: string) =>
    (await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName })).body.id as string;
  const staff = await group("Staff");
  const team = await group("Team");
  await saveGroupMapping(database.db, {
    tenantId: tenant.id,
    mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [{ groupId: team, tier: "team" }], inviteOnProvision: true },
    actor: "test",
  });
  return { tenant, token, scim, ids, staff, team };
}

/** The invariants, read back from the database: seats exact, bought once, one invitation per user. */
async function invariants(database: Database, tenantId: string) {
  const { db } = database;
  const all = await db.select().from(users).where(eq(users.tenantId, tenantId));
  const [team] = await db.select().from(seats).where(and(eq(seats.tenantId, tenantId), eq(seats.tier, "team")));
  const purchases = await db.select().from(seatPurchases).where(eq(seatPurchases.tenantId, tenantId));
  const invitations = await db.select().from(emailOutbox).where(and(eq(emailOutbox.tenantId, tenantId), eq(emailOutbox.kind, "invitation")));
  const held = countSeatsHeld(all).team;
  expect(team.held).toBe(held);
  expect(team.quantity).toBeGreaterThanOrEqual(held);
  expect(4 + purchases.reduce((sum, p) => sum + p.quantity, 0)).toBe(team.quantity);
  expect(new Set(invitations.map((i) => i.to)).size).toBe(invitations.length);
  return { all, team, purchases, invitations };
}

async function memberCount(database: Database, groupId: string) {
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(scimGroupMembers).where(eq(scimGroupMembers.groupId, groupId));
  return row.n;
}

/** Every user added to both groups, one PATCH per user and group, all at once, spread over the clients. */
async function provisionAll(clients: Client[], ids: string[], staff: string, team: string) {
  const replies = await Promise.all(
    ids.flatMap((id, i) => {
      const client = clients[i % clients.length];
      return [client("PATCH", `Groups/${staff}`, addMembers([id])), client("PATCH", `Groups/${team}`, addMembers([id]))];
    }),
  );
  expect(replies.map((r) => r.status)).toEqual(replies.map(() => 204));
}

describe.each(testDrivers)("a tenant's writes side by side on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("64 users added to two groups by 128 concurrent PATCHes: every membership, seats bought exactly, one invitation each", async () => {
    const { tenant, scim, ids, staff, team } = await setup(t.database);
    await provisionAll([scim], ids, staff, team);
    const { all, team: seatsRow, purchases, invitations } = await invariants(t.database, tenant.id);
    expect(all.filter((u) => u.source === "scim").map((u) => [u.role, u.license])).toEqual(ids.map(() => ["user", "team"]));
    expect(seatsRow.quantity).toBe(64);
    expect(purchases.every((p) => p.tier === "team")).toBe(true);
    expect(invitations).toHaveLength(64);
    expect(await memberCount(t.database, staff)).toBe(64);
    expect(await memberCount(t.database, team)).toBe(64);
    // Each PATCH changed the group once: no lost update of the version either.
    const [group] = await t.db.select().from(scimGroups).where(eq(scimGroups.id, team));
    expect(group.version).toBe(65);
  }, SLOW);

  it("concurrent churn (removals, deactivations, additions) keeps the seat count exact and buys only what is new", async () => {
    const { tenant, scim, ids, staff, team } = await setup(t.database);
    const [first, second, third] = [ids.slice(0, 16), ids.slice(16, 32), ids.slice(32)];
    await provisionAll([scim], [...first, ...second], staff, team);
    const before = await invariants(t.database, tenant.id);
    expect(before.team.quantity).toBe(32);
    const replies = await Promise.all([
      ...first.map((id) => scim("PATCH", `Groups/${team}`, removeMembers([id]))),
      ...second.map((id) => scim("PATCH", `Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] })),
      ...third.flatMap((id) => [scim("PATCH", `Groups/${staff}`, addMembers([id])), scim("PATCH", `Groups/${team}`, addMembers([id]))]),
    ]);
    expect(replies.every((r) => r.status === 200 || r.status === 204)).toBe(true);
    const after = await invariants(t.database, tenant.id);
    expect(after.team.held).toBe(32);
    // Freed seats are reused whenever they were freed first; never more than the 32 newcomers are bought.
    expect(after.team.quantity).toBeLessThanOrEqual(64);
    expect(after.team.quantity).toBeGreaterThanOrEqual(32);
    expect(after.invitations).toHaveLength(64);
  }, SLOW);

  it("member PATCHes while the admin maps their group: every member ends with the access the saved mapping gives", async () => {
    const { tenant, scim, ids, team } = await setup(t.database, 32);
    const sales = (await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Sales" })).body.id as string;
    // Half the users join before the save, the rest race it, one PATCH each; the save makes Sales the user group.
    for (const id of ids.slice(0, 16)) expect((await scim("PATCH", `Groups/${sales}`, addMembers([id]))).status).toBe(204);
    const [replies] = await Promise.all([
      Promise.all(ids.slice(16).map((id) => scim("PATCH", `Groups/${sales}`, addMembers([id])))),
      saveGroupMapping(t.db, {
        tenantId: tenant.id,
        mapping: { userGroupId: sales, adminGroupId: null, licenseGroups: [{ groupId: team, tier: "team" }], inviteOnProvision: true },
        actor: "test",
      }),
    ]);
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 204));
    expect(await memberCount(t.database, sales)).toBe(32);
    const { all, invitations } = await invariants(t.database, tenant.id);
    // Every member has access, whether their PATCH committed before the save (the save re-evaluated them) or after.
    const byScimId = new Map(all.map((u) => [u.scimUserId, u]));
    expect(ids.map((id) => [byScimId.get(id)?.role, byScimId.get(id)?.license])).toEqual(ids.map(() => ["user", "none"]));
    expect(invitations).toHaveLength(32);
  }, SLOW);
});

describe.runIf(process.env.DATABASE_URL)("two app instances on one PostgreSQL database, 64 users at once", () => {
  const t = useTestDatabase("postgres");

  it("never buy twice, never end short, never lose a membership", async () => {
    const second = await openDatabase({ databaseUrl: t.url, pgliteDir: "memory://" });
    try {
      const { tenant, token, scim, ids, staff, team } = await setup(t.database);
      await provisionAll([scim, scimClient(second, token)], ids, staff, team);
      const { team: seatsRow, purchases, invitations } = await invariants(t.database, tenant.id);
      expect(seatsRow.quantity).toBe(64);
      expect(purchases.reduce((sum, p) => sum + p.quantity, 0)).toBe(60);
      expect(invitations).toHaveLength(64);
      expect(await memberCount(t.database, staff)).toBe(64);
      expect(await memberCount(t.database, team)).toBe(64);
    } finally {
      await second.close();
    }
  }, SLOW);
});
