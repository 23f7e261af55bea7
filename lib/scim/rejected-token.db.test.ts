// Refused tokens attributed to their tenant by the key id they name (sally_scim_<keyId>_<secret>): a wrong secret,
// a rotated token and a revoked one are logged for the tenant with their reason, at most once a minute; a token
// that names no known key id writes nothing; tokens issued before key ids still authenticate. The 401 is the same
// in every case.
import { and, desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { activityLog, scimConnections, scimRateLimits } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { digestTables } from "@/db/testing/digest";
import { flushActivity } from "@/lib/activity";
import { getScimConnectionFacts } from "@/lib/provisioning/connection-facts";
import { disconnectScim } from "@/lib/provisioning/disconnect-scim";
import { connectScim, rotateScimToken } from "@/lib/provisioning/scim-connection";
import { createTenant } from "@/lib/tenants/create-tenant";
import { send, type Reply } from "./fuzz-testing";
import { displayPrefix, hashScimToken, scimTokenKeyId } from "@/lib/provisioning/scim-token";

let n = 0;

describe.each(testDrivers)("refused tokens attributed by key id (%s)", (driver) => {
  const t = useTestDatabase(driver);

  async function connected() {
    const slug = `rej-${driver}-${process.pid}-${++n}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `admin@${slug}.example` });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "okta", actor: "test" });
    return { tenantId: tenant.id, token };
  }

  const get = (token: string) => send(t.database, token, { method: "GET", segments: ["Users"], query: "count=1" });

  /** The tenant's SCIM entries, newest first. */
  async function scimLog(tenantId: string) {
    await flushActivity();
    return t.db
      .select({ status: activityLog.status, reason: activityLog.reason, summary: activityLog.summary, path: activityLog.path })
      .from(activityLog)
      .where(and(eq(activityLog.tenantId, tenantId), eq(activityLog.actor, "scim")))
      .orderBy(desc(activityLog.at), desc(activityLog.id));
  }

  /** A token with the same key id and another secret of the same length. */
  const wrongSecret = (token: string) => `${token.slice(0, -8)}${token.slice(-8) === "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA"}`;

  /** What the caller sees: the 401 must not tell an attributed token from any other refused one. */
  const answer = (reply: Reply) => ({ status: reply.status, text: reply.text, headers: [...reply.headers.entries()] });

  let baseline: ReturnType<typeof answer> | undefined;
  const unattributed = async () => (baseline ??= answer(await get("not-a-token")));

  it("gives new tokens a public key id that the connection row holds, and only a short prefix besides the hash", async () => {
    const { tenantId, token } = await connected();
    const keyId = scimTokenKeyId(token);
    expect(token).toMatch(/^sally_scim_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]{43}$/);
    expect(keyId).toBe(token.slice(11, 23));
    const [row] = await t.db.select().from(scimConnections).where(eq(scimConnections.tenantId, tenantId));
    expect(row).toMatchObject({ keyId, tokenHash: hashScimToken(token), tokenPrefix: displayPrefix(token) });
    expect(JSON.stringify(row)).not.toContain(token.slice(24));
  });

  it("logs a wrong secret with a known key id for the tenant, with its reason, and answers the usual 401", async () => {
    const { tenantId, token } = await connected();
    const reply = await get(wrongSecret(token));
    expect(answer(reply)).toEqual(await unattributed());
    const [entry] = await scimLog(tenantId);
    expect(entry).toEqual({ status: 401, reason: "wrong_token", summary: expect.stringMatching(/^Wrong token/), path: "/Users?count=1" });
    // The waiting state reads it as the IdP's last call.
    const facts = await getScimConnectionFacts(t.db, tenantId);
    expect(facts?.lastCall).toMatchObject({ status: 401, reason: "wrong_token", succeeded: false, method: "GET" });
    // A truncated token names the key id too.
    expect((await get(token.slice(0, -1))).status).toBe(401);
    // The tenant's own token still works.
    expect((await get(token)).status).toBe(200);
  });

  it("writes at most one entry a minute per tenant however many wrong tokens arrive, even at once", async () => {
    const { tenantId, token } = await connected();
    const replies = await Promise.all(Array.from({ length: 12 }, () => get(wrongSecret(token))));
    expect(replies.map((r) => r.status)).toEqual(Array(12).fill(401));
    expect((await scimLog(tenantId)).filter((e) => e.reason)).toHaveLength(1);
    // A minute later (the last entry moved back rather than waiting), the next one is logged again.
    await t.db
      .update(scimRateLimits)
      .set({ rejectionLoggedAt: sql`${scimRateLimits.rejectionLoggedAt} - interval '61 seconds'` })
      .where(eq(scimRateLimits.tenantId, tenantId));
    await get(wrongSecret(token));
    await get(wrongSecret(token));
    expect((await scimLog(tenantId)).filter((e) => e.reason)).toHaveLength(2);
  });

  it("writes nothing at all for a token that names no known key id, or no key id", async () => {
    const { token } = await connected();
    const before = await digestTables(t.db);
    const unknownKey = `sally_scim_${"Z".repeat(12)}_${token.slice(24)}`;
    for (const refused of [unknownKey, `sally_scim_${token.slice(24)}`, "sally_scim_", `${token}x`.slice(1), "Bearer"]) {
      expect(answer(await get(refused))).toEqual(await unattributed());
    }
    await flushActivity();
    expect(await digestTables(t.db)).toEqual(before);
  });

  it("still authenticates a token issued before key ids, by its hash", async () => {
    const { tenantId } = await connected();
    const legacy = `sally_scim_${"q".repeat(43)}`;
    await t.db
      .update(scimConnections)
      .set({ tokenHash: hashScimToken(legacy), tokenPrefix: displayPrefix(legacy), keyId: null })
      .where(eq(scimConnections.tenantId, tenantId));
    expect((await get(legacy)).status).toBe(200);
    // A wrong legacy token names no connection: refused, and nothing is logged for the tenant.
    expect((await get(`sally_scim_${"r".repeat(43)}`)).status).toBe(401);
    expect((await scimLog(tenantId)).filter((e) => e.status === 401)).toEqual([]);
    // Rotating a legacy connection gives it a key id; the legacy token stops working.
    const { token } = await rotateScimToken(t.db, { tenantId, actor: "test" });
    expect(scimTokenKeyId(token)).not.toBeNull();
    expect((await get(legacy)).status).toBe(401);
    expect((await get(token)).status).toBe(200);
  });

  it("logs a rotated token as rotated, and a revoked one as revoked once the tenant is connected again", async () => {
    const { tenantId, token: first } = await connected();
    const { token: second } = await rotateScimToken(t.db, { tenantId, actor: "test" });
    expect(scimTokenKeyId(second)).not.toBe(scimTokenKeyId(first));
    expect(answer(await get(first))).toEqual(await unattributed());
    expect((await scimLog(tenantId))[0]).toMatchObject({ status: 401, reason: "token_rotated", summary: expect.stringMatching(/^Token was rotated/) });
    expect((await get(second)).status).toBe(200);

    // Disconnected: nobody is waiting for the IdP, so its calls are refused without an entry.
    await disconnectScim(t.db, { tenantId, actor: "test" });
    await t.db.update(scimRateLimits).set({ rejectionLoggedAt: null }).where(eq(scimRateLimits.tenantId, tenantId));
    const entries = (await scimLog(tenantId)).length;
    expect((await get(second)).status).toBe(401);
    expect(await scimLog(tenantId)).toHaveLength(entries);

    // Connected again: the IdP still sending the revoked token is shown on the new connection's page.
    await connectScim(t.db, { tenantId, provider: "entra", actor: "test" });
    expect(answer(await get(second))).toEqual(await unattributed());
    expect((await scimLog(tenantId))[0]).toMatchObject({ status: 401, reason: "token_revoked" });
    expect((await getScimConnectionFacts(t.db, tenantId))?.lastCall).toMatchObject({ reason: "token_revoked", succeeded: false });
  });
});
