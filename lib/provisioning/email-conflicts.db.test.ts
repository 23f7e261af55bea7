// One email signs in one user (lib/provisioning/email-claims.ts), driven through the real SCIM router on both
// databases: IdPs may send several users with one email, all are accepted, and only one of them gets access.
import { and, eq, like, sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { activityLog, emailOutbox, seatPurchases, users } from "@/db/schema";
import { testDrivers, untilSomeoneWaitsOnALock, useTestDatabase } from "@/db/testing";
import { ConflictError } from "@/lib/errors";
import { createTenant } from "@/lib/tenants/create-tenant";
import { disconnectScim } from "./disconnect-scim";
import { saveGroupMapping } from "./group-mapping";
import { removeUser } from "./remove-user";
import { connectScim } from "./scim-connection";
import { addMembers, PATCH_OP, scimClient, scimUser } from "./testing";

let n = 0;

describe.each(testDrivers)("users sharing an email on %s", (driver) => {
  const t = useTestDatabase(driver);

  async function setup(options: { invite?: boolean; mapStaff?: boolean } = {}) {
    const slug = `dup-${process.pid}-${++n}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example`, seats: { team: 0 } });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "okta", actor: "test" });
    const scim = scimClient(t.database, token);
    const group = async (displayName: string) => (await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName })).body.id as string;
    const staff = await group("Staff");
    const team = await group("Team");
    const map = () =>
      saveGroupMapping(t.db, {
        tenantId: tenant.id,
        mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [{ groupId: team, tier: "team" }], inviteOnProvision: options.invite ?? true },
        actor: "test",
      });
    if (options.mapStaff !== false) await map();
    const email = `ada@${slug}.example`;
    /** A user the IdP knows as `userName`, with the shared email. */
    const create = async (userName: string, name: string) => {
      const res = await scim("POST", "Users", scimUser(`${userName}@${slug}.idp`, { emails: [{ primary: true, value: email }], displayName: name }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    return { tenant, scim, staff, team, email, create, map };
  }

  const sallyUser = async (scimUserId: string) => (await t.db.select().from(users).where(eq(users.scimUserId, scimUserId)))[0];
  const invitations = async (tenantId: string) =>
    t.db.select({ key: emailOutbox.idempotencyKey }).from(emailOutbox).where(and(eq(emailOutbox.tenantId, tenantId), eq(emailOutbox.kind, "invitation")));
  const warnings = async (tenantId: string) =>
    (await t.db.select({ summary: activityLog.summary }).from(activityLog).where(and(eq(activityLog.tenantId, tenantId), like(activityLog.summary, "Warning: Email conflict%")))).map((r) => r.summary);

  it("accepts a second user with the same email, keeps them from access with a flag naming the holder, and clears it when the holder goes", async () => {
    const { tenant, scim, staff, team, create } = await setup();
    const first = await create("ada.one", "Ada One");
    const second = await create("ada.two", "Ada Two");
    expect((await scim("PATCH", `Groups/${staff}`, addMembers([first, second]))).status).toBe(204);
    expect((await scim("PATCH", `Groups/${team}`, addMembers([first, second]))).status).toBe(204);

    const holder = await sallyUser(first);
    expect(holder).toMatchObject({ role: "user", license: "team", emailConflictWith: null });
    expect(await sallyUser(second)).toMatchObject({ role: "none", license: "none", status: "deactivated", emailConflictWith: holder.id });
    // One invitation, one seat bought: the blocked user holds none.
    expect(await invitations(tenant.id)).toEqual([{ key: `invitation:${holder.id}` }]);
    expect((await t.db.select().from(seatPurchases).where(eq(seatPurchases.tenantId, tenant.id))).reduce((s, p) => s + p.quantity, 0)).toBe(1);
    const [warning] = await warnings(tenant.id);
    expect(warning).toContain(`Ada Two (user ${(await sallyUser(second)).id}) gets no access because Ada One (user ${holder.id})`);

    // Entra deactivates the holder: the other user takes the email in the same request, invited once.
    const off = await scim("PATCH", `Users/${first}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(off.status).toBe(200);
    const taken = await sallyUser(second);
    expect(taken).toMatchObject({ role: "user", license: "team", status: "invited", emailConflictWith: null });
    expect(await sallyUser(first)).toMatchObject({ role: "none", emailConflictWith: null });
    expect((await invitations(tenant.id)).map((i) => i.key).sort()).toEqual([`invitation:${holder.id}`, `invitation:${taken.id}`].sort());

    // Reactivated, the first user finds the email taken: now they are the one flagged.
    await scim("PATCH", `Users/${first}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: true } }] });
    expect(await sallyUser(first)).toMatchObject({ role: "none", emailConflictWith: taken.id });

    // Deleting the holder in the IdP hands the email back.
    expect((await scim("DELETE", `Users/${second}`)).status).toBe(204);
    expect(await sallyUser(first)).toMatchObject({ role: "user", license: "team", emailConflictWith: null });
    expect(await warnings(tenant.id)).toHaveLength(2);
  });

  it("clears the flag when the blocked user's email changes, and the holder's own changes free the email", async () => {
    const { scim, staff, create } = await setup({ invite: false });
    const first = await create("bo.one", "Bo One");
    const second = await create("bo.two", "Bo Two");
    await scim("PATCH", `Groups/${staff}`, addMembers([first, second]));
    expect((await sallyUser(second)).role).toBe("none");
    const fixed = await scim("PATCH", `Users/${second}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "emails", value: [{ primary: true, value: "bo.two@elsewhere.example" }] }],
    });
    expect(fixed.status).toBe(200);
    expect(await sallyUser(second)).toMatchObject({ role: "user", email: "bo.two@elsewhere.example", emailConflictWith: null });
  });

  it("settles a save that grants two users one email at once: the user created first gets it, as the preview said", async () => {
    const { tenant, scim, staff, create, map } = await setup({ mapStaff: false });
    const first = await create("cy.one", "Cy One");
    const second = await create("cy.two", "Cy Two");
    await scim("PATCH", `Groups/${staff}`, addMembers([second, first]));
    const { preview } = await map();
    expect(preview.gainAccess).toHaveLength(1);
    const holder = await sallyUser(first);
    expect(holder.role).toBe("user");
    expect(await sallyUser(second)).toMatchObject({ role: "none", emailConflictWith: holder.id });
    expect(await invitations(tenant.id)).toHaveLength(1);
  });

  it("removes by id when an email is shared, refuses an ambiguous email, and lets a blocked user take the email of a removed holder", async () => {
    const { tenant, scim, staff, create, email } = await setup();
    const first = await create("di.one", "Di One");
    const second = await create("di.two", "Di Two");
    await scim("PATCH", `Groups/${staff}`, addMembers([first, second]));
    await disconnectScim(t.db, { tenantId: tenant.id, actor: "test" });
    await expect(removeUser(t.db, { tenantId: tenant.id, email, actor: "test" })).rejects.toBeInstanceOf(ConflictError);
    const holder = (await t.db.select().from(users).where(and(eq(users.tenantId, tenant.id), sql`lower(${users.email}) = ${email}`, sql`${users.role} <> 'none'`)))[0];
    await removeUser(t.db, { tenantId: tenant.id, userId: holder.id, actor: "test" });
    const left = await t.db.select().from(users).where(and(eq(users.tenantId, tenant.id), sql`lower(${users.email}) = ${email}`));
    expect(left).toHaveLength(1);
    expect(left[0].emailConflictWith).toBeNull();
  });

  it("gives one email to one user when many claim it in parallel, and answers every request", async () => {
    const { tenant, scim, staff, create } = await setup({ invite: true });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await create(`eve${i}`, `Eve ${i}`));
    const replies = await Promise.all(ids.map((id) => scim("PATCH", `Groups/${staff}`, addMembers([id]))));
    expect(replies.map((r) => r.status)).toEqual(ids.map(() => 204));
    const rows = await Promise.all(ids.map(sallyUser));
    const holders = rows.filter((r) => r.role !== "none");
    expect(holders).toHaveLength(1);
    for (const row of rows) if (row.id !== holders[0].id) expect(row.emailConflictWith).toBe(holders[0].id);
    expect(await invitations(tenant.id)).toEqual([{ key: `invitation:${holders[0].id}` }]);
  });

  it("settles two users renamed to one new email at the same moment: one holds it, the other is flagged, both requests succeed", async () => {
    const { tenant, scim, staff } = await setup({ invite: false });
    const slug = tenant.slug;
    const ids: string[] = [];
    for (const who of ["fay", "gus", "hal", "ivy"]) ids.push((await scim("POST", "Users", scimUser(`${who}@${slug}.idp`))).body.id);
    await scim("PATCH", `Groups/${staff}`, addMembers(ids));
    // Nobody holds the new email yet, so no row lock orders these requests: the constraint does, and the loser runs again.
    const target = `shared@${slug}.example`;
    const replies = await Promise.all(
      ids.map((id) => scim("PATCH", `Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "emails", value: [{ primary: true, value: target }] }] })),
    );
    expect(replies.map((r) => r.status)).toEqual(ids.map(() => 200));
    const rows = await Promise.all(ids.map(sallyUser));
    const holders = rows.filter((r) => r.role !== "none");
    expect(holders).toHaveLength(1);
    expect(rows.filter((r) => r.emailConflictWith === holders[0].id)).toHaveLength(3);
  });
});

describe.runIf(process.env.DATABASE_URL)("a lost race for an email on PostgreSQL", () => {
  const t = useTestDatabase("postgres");

  it("runs the losing request again, which then finds the email taken and flags its user", async () => {
    const slug = `race-${process.pid}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example` });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
    const scim = scimClient(t.database, token);
    const staff = (await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Staff" })).body.id;
    await saveGroupMapping(t.db, { tenantId: tenant.id, mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [], inviteOnProvision: false }, actor: "test" });
    const [x, y] = [(await scim("POST", "Users", scimUser(`x@${slug}.idp`))).body.id, (await scim("POST", "Users", scimUser(`y@${slug}.idp`))).body.id];
    await scim("PATCH", `Groups/${staff}`, addMembers([x, y]));
    const target = `shared@${slug}.example`;

    // Another transaction gives the email to x and stays open; y's request claims it meanwhile and must wait.
    const other = postgres(t.url!, { max: 1, onnotice: () => {} });
    try {
      let reply: Promise<{ status: number }> | undefined;
      await other.begin(async (sql) => {
        await sql`update users set email = ${target} where scim_user_id = ${x}`;
        reply = scim("PATCH", `Users/${y}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "emails", value: [{ primary: true, value: target }] }] });
        // Commit only once y's request waits on the constraint behind this transaction.
        await untilSomeoneWaitsOnALock(sql);
      });
      expect((await reply!).status).toBe(200);
    } finally {
      await other.end();
    }
    const holder = await t.db.select().from(users).where(eq(users.scimUserId, x));
    expect(holder[0]).toMatchObject({ email: target, role: "user" });
    expect((await t.db.select().from(users).where(eq(users.scimUserId, y)))[0]).toMatchObject({ email: target, role: "none", emailConflictWith: holder[0].id });
  });
});
