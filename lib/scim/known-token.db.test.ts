// A token this instance has found live before, and holds rate-limit tokens for, is checked again alongside the
// request's own statements instead of before them (lib/scim/router.ts). These cases revoke or rotate such a token
// between two requests: the request that finds out must answer 401 like any refused token, with nothing of the
// tenant in its answer and nothing of its work committed.
import { randomUUID } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { scimUsers } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { flushActivity } from "@/lib/activity";
import { connectScim, revokeScimConnection, rotateScimToken } from "@/lib/provisioning/scim-connection";
import { hashScimToken } from "@/lib/provisioning/scim-token";
import { PATCH_OP, scimClient, scimUser } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";
import { RateLimitLeases } from "./rate-limit-lease";

describe.each(testDrivers)("a known token found revoked while its request runs, on %s", (driver) => {
  const t = useTestDatabase(driver);
  let n = 0;
  let tenantId: string;
  let token: string;
  let leases: RateLimitLeases;
  let scim: ReturnType<typeof scimClient>;
  let userId: string;

  beforeEach(async () => {
    n++;
    const tenant = await createTenant(t.db, { name: `Known ${n}`, slug: `known-${driver}-${n}`, adminEmail: `owner@known${n}.example`, seats: {} });
    tenantId = tenant.id;
    ({ token } = await connectScim(t.db, { tenantId, provider: "okta", actor: "test" }));
    // A lease that neither runs out nor ends during a case: every request spends a token this instance holds.
    leases = new RateLimitLeases({ windowMs: 3_600_000 });
    leases.took(hashScimToken(token), 1_000);
    scim = scimClient(t.database, token, { leases });
    // The first request finds the token live and its tenant: from then on the instance knows it.
    const created = await scim("POST", "Users", scimUser(`kept@known${n}.example`));
    expect(created.status).toBe(201);
    userId = created.body.id;
  });

  const usersOfTenant = async () =>
    (await t.db.select({ n: count() }).from(scimUsers).where(eq(scimUsers.tenantId, tenantId)))[0].n;

  /** Sends a request on the path that checks the token alongside it: it spends a token the instance holds. */
  async function alongside(...request: Parameters<typeof scim>) {
    const held = leases.held(hashScimToken(token));
    const reply = await scim(...request);
    expect(leases.held(hashScimToken(token)), "served from the lease, the token checked alongside").toBe(held - 1);
    return reply;
  }

  const expectRefused = (reply: Awaited<ReturnType<typeof scim>>) => {
    expect(reply.status).toBe(401);
    expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(JSON.stringify(reply.body)).not.toContain(userId);
    expect(JSON.stringify(reply.body)).not.toContain("kept@");
  };

  it("still serves the known token while it is live, from the tokens the instance holds", async () => {
    const read = await alongside("GET", `Users/${userId}`);
    expect(read.status).toBe(200);
    expect(read.body.userName).toBe(`kept@known${n}.example`);
    const written = await alongside("POST", "Users", scimUser(`second@known${n}.example`));
    expect(written.status).toBe(201);
    expect(await usersOfTenant()).toBe(2);
  });

  it("answers a read after a disconnect 401, without the rows it read; the instance then forgets the tenant", async () => {
    await revokeScimConnection(t.db, { tenantId, actor: "test" });
    expectRefused(await alongside("GET", `Users/${userId}`));
    // Now authenticated first, as any unknown token: refused before anything is read.
    expectRefused(await scim("GET", `Users?filter=${encodeURIComponent(`userName eq "kept@known${n}.example"`)}`));
  });

  it.each([
    ["a read that fails (an unknown id: 404 for a live token)", () => `Users/${randomUUID()}`],
    ["a request answered before any statement (an unknown endpoint)", () => "Nothing"],
    ["a filter lookup that finds the user (the check in the lookup's statement)", () => `Users?filter=${encodeURIComponent(`userName eq "kept@known${n}.example"`)}`],
    ["a filter lookup that finds nobody (an IdP's check before a create)", () => `Users?filter=${encodeURIComponent(`userName eq "nobody@known${n}.example"`)}`],
    ["a group read of an unknown id", () => `Groups/${randomUUID()}`],
    ["a group lookup as Entra sends it, finding nobody", () => `Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "Nobody ${n}"`)}`],
  ])("answers %s 401 after a disconnect, not with its own answer", async (_, path) => {
    await revokeScimConnection(t.db, { tenantId, actor: "test" });
    expectRefused(await alongside("GET", path()));
  });

  it("rolls a create back after a disconnect and answers 401", async () => {
    await revokeScimConnection(t.db, { tenantId, actor: "test" });
    expectRefused(await alongside("POST", "Users", scimUser(`late@known${n}.example`)));
    expect(await usersOfTenant()).toBe(1);
  });

  it("rolls a deactivation back after a disconnect and answers 401", async () => {
    await revokeScimConnection(t.db, { tenantId, actor: "test" });
    expectRefused(await alongside("PATCH", `Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] }));
    const [kept] = await t.db.select().from(scimUsers).where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.id, userId)));
    expect(kept.active).toBe(true);
    await flushActivity();
  });

  it.each([
    ["a rename PATCH", (id: string): [string, string, unknown] => ["PATCH", `Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: "Late" }] }]],
    ["Okta's PUT restating the user", (id: string): [string, string, unknown] => ["PUT", `Users/${id}`, scimUser(`kept@known${n}.example`, { displayName: "Late" })]],
  ])("writes nothing of %s (made without a transaction: lib/scim/users.ts updateDirectly) after a disconnect, and answers 401", async (_, request) => {
    await revokeScimConnection(t.db, { tenantId, actor: "test" });
    expectRefused(await alongside(...request(userId)));
    const [kept] = await t.db.select().from(scimUsers).where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.id, userId)));
    expect(kept).toMatchObject({ displayName: null, version: 1 });
    // Refused before its read found the user: an unknown id is refused the same way, not answered 404.
    expectRefused(await scim(...request(randomUUID())));
  });

  it("answers a write that would have failed 401, not with its own error, after a disconnect", async () => {
    await revokeScimConnection(t.db, { tenantId, actor: "test" });
    expectRefused(await alongside("PATCH", `Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: "explode" }] }));
  });

  it("refuses the old token after a rotation, and serves the new one", async () => {
    const { token: rotated } = await rotateScimToken(t.db, { tenantId, actor: "test" });
    expectRefused(await alongside("GET", `Users/${userId}`));
    expectRefused(await scim("POST", "Users", scimUser(`old@known${n}.example`)));
    expect(await usersOfTenant()).toBe(1);
    const fresh = await scimClient(t.database, rotated, { leases })("GET", `Users/${userId}`);
    expect(fresh.status).toBe(200);
  });
});
