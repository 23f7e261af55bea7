import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { activityLog, users } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { getScimConnectionFacts } from "@/lib/provisioning/connection-facts";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { createTenant } from "@/lib/tenants/create-tenant";
import { listActivityPage } from "./activity";
import { countUsersByAccess, listUsersPage, userKey, type UserCursor } from "./users";

let n = 0;

describe.each(testDrivers)("admin read models (%s)", (driver) => {
  const t = useTestDatabase(driver);

  async function tenantWithUsers(count: number) {
    const slug = `read-${process.pid}-${++n}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `admin@${slug}.example`, seats: { team: 5 } });
    // Inserted out of order and in mixed case: the list orders by lower(email).
    const rows = Array.from({ length: count }, (_, i) => {
      const k = (i * 37) % count;
      return {
        tenantId: tenant.id,
        email: `${k % 2 ? "User" : "user"}${String(k).padStart(3, "0")}@${slug}.example`,
        name: k === 42 ? "Zoë Quux" : `Person ${k}`,
        role: k % 10 === 0 ? ("none" as const) : ("user" as const),
        license: k % 3 === 0 ? ("team" as const) : ("none" as const),
        status: k % 10 === 0 ? ("deactivated" as const) : ("invited" as const),
        source: k % 4 === 0 ? ("scim" as const) : ("manual" as const),
      };
    });
    await t.db.insert(users).values(rows);
    return tenant;
  }

  /** Walks every page in one direction, returning the emails seen and the number of queries made. */
  async function walk(tenantId: string, limit: number, filter = {}) {
    const seen: string[] = [];
    let cursor: UserCursor | undefined;
    let pages = 0;
    for (;;) {
      const page = await listUsersPage(t.db, tenantId, { filter, cursor, limit });
      pages += 1;
      seen.push(...page.rows.map((r) => r.email.toLowerCase()));
      if (!page.more) return { seen, pages };
      cursor = { after: userKey(page.rows[page.rows.length - 1]) };
    }
  }

  it("pages users by email with a keyset cursor, forwards and backwards, with no gaps or repeats", async () => {
    const tenant = await tenantWithUsers(120);
    const rows = await t.db.select({ id: users.id, email: sql<string>`lower(${users.email})` }).from(users).where(sql`${users.tenantId} = ${tenant.id}`);
    const sorted = rows.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : a.id < b.id ? -1 : 1));
    const all = sorted.map((r) => r.email);
    const keys = sorted.map(userKey);
    const { seen, pages } = await walk(tenant.id, 25);
    expect(seen).toEqual(all);
    expect(pages).toBe(5); // 121 users (with the admin) in pages of 25
    const third = await listUsersPage(t.db, tenant.id, { filter: {}, cursor: { after: keys[49] }, limit: 25 });
    expect(third.rows.map((r) => r.email.toLowerCase())).toEqual(all.slice(50, 75));
    const back = await listUsersPage(t.db, tenant.id, { filter: {}, cursor: { before: keys[50] }, limit: 25 });
    expect(back.rows.map((r) => r.email.toLowerCase())).toEqual(all.slice(25, 50));
    expect(back.more).toBe(true);
    const first = await listUsersPage(t.db, tenant.id, { filter: {}, cursor: { before: keys[10] }, limit: 25 });
    expect(first.rows.map((r) => r.email.toLowerCase())).toEqual(all.slice(0, 10));
    expect(first.more).toBe(false);
  });

  it("pages users who share an email by (email, id), with no gaps or repeats", async () => {
    const slug = `read-${process.pid}-${++n}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `admin@${slug}.example` });
    // Eleven users on two emails: only one per email may hold access, the rest are without.
    await t.db.insert(users).values(
      Array.from({ length: 11 }, (_, i) => ({ tenantId: tenant.id, email: `${i % 2 ? "Same" : "same"}${i % 2}@${slug}.example`, role: "none" as const, status: "deactivated" as const })),
    );
    const ids: string[] = [];
    let cursor: UserCursor | undefined;
    for (;;) {
      const page = await listUsersPage(t.db, tenant.id, { filter: {}, cursor, limit: 3 });
      ids.push(...page.rows.map((r) => r.id));
      if (!page.more) break;
      cursor = { after: userKey(page.rows[page.rows.length - 1]) };
    }
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    const back = await listUsersPage(t.db, tenant.id, { filter: {}, cursor: { before: userKey({ id: ids[7], email: `same1@${slug}.example` }) }, limit: 3 });
    expect(back.rows.map((r) => r.id)).toEqual(ids.slice(4, 7));
  });

  it("names the user holding a flagged user's email", async () => {
    const slug = `read-${process.pid}-${++n}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `admin@${slug}.example` });
    const email = `pat@${slug}.example`;
    const [holder] = await t.db.insert(users).values({ tenantId: tenant.id, email, name: "Pat Holder", role: "user", status: "invited" }).returning();
    await t.db.insert(users).values({ tenantId: tenant.id, email, name: "Pat Other", role: "none", status: "deactivated", emailConflictWith: holder.id });
    const { rows } = await listUsersPage(t.db, tenant.id, { filter: { search: "pat@" }, limit: 10 });
    expect(rows.map((r) => [r.name, r.emailConflictWith])).toEqual(
      expect.arrayContaining([
        ["Pat Holder", null],
        ["Pat Other", { id: holder.id, name: "Pat Holder", email }],
      ]),
    );
  });

  it.each([
    [{ role: "none" as const }, 12],
    [{ license: "team" as const }, 40],
    [{ status: "deactivated" as const }, 12],
    [{ source: "scim" as const }, 30],
    [{ role: "user" as const, license: "team" as const }, 36],
    [{ search: "zoë" }, 1],
    [{ search: "USER00" }, 10],
    [{ search: "100%_" }, 0],
  ])("filters %j → %i users", async (filter, expected) => {
    const tenant = await tenantWithUsers(120);
    const { seen } = await walk(tenant.id, 50, filter);
    expect(seen).toHaveLength(expected);
  });

  it("counts users per role and license for the seat summary", async () => {
    const tenant = await tenantWithUsers(30);
    const rows = await countUsersByAccess(t.db, tenant.id);
    expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(31);
    expect(rows.find((r) => r.role === "user" && r.license === "team")?.count).toBe(9);
  });

  it("pages the activity log newest first by (at, id), filtered by outcome", async () => {
    const slug = `act-${process.pid}-${++n}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `admin@${slug}.example` });
    const at = new Date(Date.now() + 86_400_000); // after the "tenant created" entry
    await t.db.insert(activityLog).values(
      Array.from({ length: 30 }, (_, i) => ({
        tenantId: tenant.id,
        at: new Date(at.getTime() + Math.floor(i / 3) * 1000), // three entries share each timestamp
        actor: "scim",
        method: "GET",
        path: `/Users/${i}`,
        status: i % 5 === 0 ? 400 : 200,
        summary: `entry ${i}`,
      })),
    );
    const all: string[] = [];
    let before: { at: Date; id: number } | undefined;
    for (let page = 0; page < 10; page++) {
      const { rows } = await listActivityPage(t.db, tenant.id, { before, limit: 7 });
      if (rows.length === 0) break;
      all.push(...rows.map((r) => r.summary));
      before = { at: rows[rows.length - 1].at, id: rows[rows.length - 1].id };
    }
    // 30 SCIM entries plus "Tenant created", newest first.
    expect(all.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => `entry ${29 - i}`));
    expect(new Set(all).size).toBe(all.length);
    const { rows: failures } = await listActivityPage(t.db, tenant.id, { outcome: "failure", limit: 50 });
    expect(failures.map((r) => r.summary)).toEqual(["entry 25", "entry 20", "entry 15", "entry 10", "entry 5", "entry 0"]);
    const { rows: successes } = await listActivityPage(t.db, tenant.id, { outcome: "success", limit: 50 });
    expect(successes).toHaveLength(all.length - 6);
  });

  it("states the connection's facts: none before connecting, then provider, token prefix and the IdP's last call", async () => {
    const slug = `facts-${process.pid}-${++n}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `admin@${slug}.example` });
    expect(await getScimConnectionFacts(t.db, tenant.id)).toBeNull();
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "onelogin", actor: "test" });
    const waiting = await getScimConnectionFacts(t.db, tenant.id);
    expect(waiting).toMatchObject({ provider: "onelogin", lastCall: null, groupCount: 0 });
    expect(token.startsWith(waiting!.tokenPrefix)).toBe(true);
    await t.db.insert(activityLog).values({ tenantId: tenant.id, actor: "scim", method: "GET", path: "/Users?filter=x", status: 400, summary: "Invalid filter" });
    expect((await getScimConnectionFacts(t.db, tenant.id))!.lastCall).toMatchObject({ method: "GET", status: 400, summary: "Invalid filter", succeeded: false });
  });
});
