// Tenant isolation over SCIM, endpoint by endpoint and verb by verb: tenant A's token with tenant B's ids, and
// tokens that are revoked, rotated, empty, truncated or malformed. Never a byte of B's data in an answer, never a
// change to B's rows (digested before and after), and a refused token changes nothing but, when it names one of
// a live connection's key ids, one log entry a minute for that tenant (lib/scim/rejected-token.ts).
import { and, gt, inArray, ne, sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { activityLog, scimGroupMembers } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { digestTables, dumpTables } from "@/db/testing/digest";
import { flushActivity } from "@/lib/activity";
import { revokeScimConnection, rotateScimToken } from "@/lib/provisioning/scim-connection";
import { displayPrefix, hashScimToken } from "@/lib/provisioning/scim-token";
import { expectWellFormed, groupBody, LOGGED_TABLES, makeWorld, send, userBody, type RawRequest, type World } from "./fuzz-testing";
import { SCHEMA } from "./schemas";

const patch = (...Operations: unknown[]) => JSON.stringify({ schemas: [SCHEMA.patchOp], Operations });
const search = (filter: string) => JSON.stringify({ schemas: [SCHEMA.searchRequest], filter, count: 100 });
const bulk = (...Operations: unknown[]) => JSON.stringify({ schemas: [SCHEMA.bulkRequest], Operations });
const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;

describe.each(testDrivers)("SCIM tenant isolation on %s", (driver) => {
  const t = useTestDatabase(driver);
  let world: World;

  beforeAll(async () => {
    world = await makeWorld(t.database, `iso-${driver}`);
  });

  /** What of tenant B must never appear in an answer to tenant A (unless A sent it itself). */
  const secretsOfB = () => {
    const { b } = world;
    return [...b.userIds, ...b.groupIds, ...b.userNames, ...b.groupNames, ...b.userNames.map((n) => `ext-${n}`), b.token, b.id];
  };

  function expectNoLeak(request: RawRequest, text: string) {
    const sent = `${request.segments.join("/")}?${request.query ?? ""} ${typeof request.body === "string" ? request.body : ""}`;
    for (const secret of secretsOfB()) {
      if (!sent.includes(secret)) expect(text, `tenant B's "${secret}" in the answer to ${request.method} /${request.segments.join("/")}`).not.toContain(secret);
    }
  }

  it("answers every endpoint and verb naming tenant B's ids as if they did not exist, and changes none of B's rows", async () => {
    const { a, b } = world;
    const [bUser] = b.userIds;
    const [bGroup] = b.groupIds;
    const before = await digestTables(t.db, { tenantId: b.id });
    const cases: [RawRequest, number, string?][] = [
      [{ method: "GET", segments: ["Users", bUser] }, 404],
      [{ method: "GET", segments: ["Groups", bGroup] }, 404],
      [{ method: "PUT", segments: ["Users", bUser], body: JSON.stringify(userBody("steal@iso.example")) }, 404],
      [{ method: "PUT", segments: ["Groups", bGroup], body: JSON.stringify(groupBody("Stolen")) }, 404],
      [{ method: "PATCH", segments: ["Users", bUser], body: patch({ op: "replace", path: "active", value: false }) }, 404],
      [{ method: "PATCH", segments: ["Groups", bGroup], body: patch({ op: "remove", path: "members" }) }, 404],
      // Members named (the form whose member change goes out before the group is known to exist: groups.ts).
      [{ method: "PATCH", segments: ["Groups", bGroup], body: patch({ op: "remove", path: "members", value: [{ value: bUser }] }) }, 404],
      [{ method: "PATCH", segments: ["Groups", bGroup], body: patch({ op: "add", path: "members", value: [{ value: a.userIds[0] }] }) }, 404],
      [{ method: "DELETE", segments: ["Users", bUser] }, 404],
      [{ method: "DELETE", segments: ["Groups", bGroup] }, 404],
      // Filters naming B's ids and names find nothing.
      [{ method: "GET", segments: ["Users"], query: q(`id eq "${bUser}"`) }, 200],
      [{ method: "GET", segments: ["Users"], query: q(`userName eq "${b.userNames[0]}"`) }, 200],
      [{ method: "GET", segments: ["Users"], query: q(`externalId eq "ext-${b.userNames[0]}"`) }, 200],
      [{ method: "GET", segments: ["Users"], query: q(`groups.value eq "${bGroup}"`) }, 200],
      [{ method: "GET", segments: ["Users"], query: q(`groups[value eq "${bGroup}"]`) }, 200],
      [{ method: "GET", segments: ["Groups"], query: q(`members.value eq "${bUser}"`) }, 200],
      [{ method: "GET", segments: ["Groups"], query: q(`members[value eq "${bUser}"]`) }, 200],
      [{ method: "GET", segments: ["Groups"], query: q(`id eq "${bGroup}" or displayName eq "${b.groupNames[0]}"`) }, 200],
      [{ method: "POST", segments: ["Users", ".search"], body: search(`id eq "${bUser}" or userName co "iso-${driver}-b"`) }, 200],
      [{ method: "POST", segments: ["Groups", ".search"], body: search(`members.value eq "${bUser}"`) }, 200],
      [{ method: "POST", segments: [".search"], body: search(`id eq "${bUser}" or id eq "${bGroup}" or displayName co "-b"`) }, 200],
      // Member changes naming B's users skip them as unknown members (a warning in A's activity log) or match
      // nothing; B's memberships stay.
      [{ method: "PATCH", segments: ["Groups", a.groupIds[0]], body: patch({ op: "add", path: "members", value: [{ value: bUser }] }) }, 204],
      [{ method: "PATCH", segments: ["Groups", a.groupIds[0]], body: patch({ op: "replace", path: "members", value: [{ value: bUser }] }) }, 204],
      [{ method: "PATCH", segments: ["Groups", a.groupIds[0]], body: patch({ op: "remove", path: `members[value eq "${bUser}"]` }) }, 204],
      [{ method: "PATCH", segments: ["Groups", a.groupIds[0]], body: patch({ op: "remove", path: "members", value: [{ value: bUser }] }) }, 204],
      [{ method: "PATCH", segments: ["Groups", a.groupIds[0]], body: patch({ op: "add", value: { members: [{ value: bUser }] } }) }, 204],
      [{ method: "POST", segments: ["Groups"], body: JSON.stringify(groupBody("Cross", { members: [{ value: bUser }] })) }, 201],
      [{ method: "PUT", segments: ["Groups", a.groupIds[1]], body: JSON.stringify(groupBody(a.groupNames[1], { members: [{ value: bUser }] })) }, 200],
      [
        {
          method: "POST",
          segments: ["Bulk"],
          body: bulk(
            { method: "DELETE", path: `/Users/${bUser}` },
            { method: "PATCH", path: `/Groups/${bGroup}`, data: JSON.parse(patch({ op: "remove", path: "members" })) },
            { method: "PUT", path: `/Users/${b.userIds[1]}`, data: userBody("bulk-steal@iso.example") },
            { method: "POST", path: "/Groups", data: groupBody("Bulk cross", { members: [{ value: bUser }] }) },
          ),
        },
        200,
      ],
    ];
    for (const [request, status, scimType] of cases) {
      const reply = await send(t.database, a.token, request);
      expectWellFormed(reply, { status: [status], scimType: scimType ? ["invalidValue"] : undefined }, request);
      if (scimType) expect(reply.body.scimType).toBe(scimType);
      expectNoLeak(request, reply.text);
      if (status === 200 && (request.method === "GET" || request.segments.at(-1) === ".search")) expect(reply.body.totalResults, JSON.stringify(request)).toBe(0);
      if (request.segments[0] === "Bulk") {
        const statuses = reply.body.Operations.map((op: { status: string }) => op.status);
        expect(statuses, JSON.stringify(reply.body)).toHaveLength(4);
        // B's user and group are unknown (404); the new group is created without B's user as a member.
        expect([...statuses].sort(), JSON.stringify(reply.body)).toEqual(["201", "404", "404", "404"]);
      }
    }
    // A's own lists hold only A's resources.
    const users = await send(t.database, a.token, { method: "GET", segments: ["Users"], query: "count=100" });
    expect(users.body.Resources.map((r: { id: string }) => r.id).sort()).toEqual([...a.userIds].sort());
    expectNoLeak({ method: "GET", segments: ["Users"] }, users.text);
    const groups = await send(t.database, a.token, { method: "GET", segments: ["Groups"], query: "count=100" });
    // A's groups, and the two made above ("Cross", "Bulk cross") without B's user: none of B's.
    const groupIds: string[] = groups.body.Resources.map((r: { id: string }) => r.id);
    expect(groupIds).toHaveLength(a.groupIds.length + 2);
    expect(groupIds).toEqual(expect.arrayContaining(a.groupIds));
    expect(groupIds.filter((id) => b.groupIds.includes(id))).toEqual([]);
    expectNoLeak({ method: "GET", segments: ["Groups"] }, groups.text);
    expect(await digestTables(t.db, { tenantId: b.id })).toEqual(before);
    // Nor did A's requests put anyone into B's groups (such a row would carry A's tenant id, outside B's digest).
    const intruders = await t.db.select().from(scimGroupMembers).where(and(inArray(scimGroupMembers.groupId, b.groupIds), ne(scimGroupMembers.tenantId, b.id)));
    expect(intruders).toEqual([]);
  });

  it("answers revoked, rotated, empty, truncated and malformed tokens 401 on every endpoint and changes nothing but one log entry", async () => {
    const { a } = await makeWorld(t.database, `tok-${driver}`);
    const { token: rotated } = await rotateScimToken(t.db, { tenantId: a.id, actor: "test" });
    const old = a.token;
    const { b: revokedTenant } = await makeWorld(t.database, `rev-${driver}`);
    await t.db.transaction((tx) => revokeScimConnection(tx, { tenantId: revokedTenant.id, actor: "test" }));
    const headers: (string | null)[] = [
      null,
      "",
      "Bearer",
      "Bearer ",
      "bearer  ",
      `Bearer ${old}`,
      `Bearer ${revokedTenant.token}`,
      `Bearer ${rotated.slice(0, -1)}`,
      `Bearer ${rotated.slice(0, 20)}`,
      `Bearer ${rotated}x`,
      `Bearer ${rotated.toUpperCase()}`,
      `Bearer ${displayPrefix(rotated)}`,
      `Bearer ${hashScimToken(rotated)}`,
      `Bearer  ${rotated.slice(1)}`,
      `Token ${rotated}`,
      `Basic ${Buffer.from(`x:${rotated.slice(0, -1)}`).toString("base64")}`,
      "Basic %%%",
      `Bearer ${"a".repeat(100_000)}`,
      `Bearer ${rotated}, Bearer ${old}`,
    ];
    const endpoints: RawRequest[] = [
      { method: "GET", segments: ["Users"] },
      { method: "GET", segments: ["Users", a.userIds[0]] },
      { method: "GET", segments: ["Groups", a.groupIds[0]] },
      { method: "POST", segments: ["Users"], body: JSON.stringify(userBody("new@tok.example")) },
      { method: "PUT", segments: ["Users", a.userIds[0]], body: JSON.stringify(userBody("put@tok.example")) },
      { method: "PATCH", segments: ["Groups", a.groupIds[0]], body: patch({ op: "remove", path: "members" }) },
      { method: "DELETE", segments: ["Users", a.userIds[1]] },
      { method: "DELETE", segments: ["Groups", a.groupIds[1]] },
      { method: "POST", segments: ["Bulk"], body: bulk({ method: "DELETE", path: `/Users/${a.userIds[2]}` }) },
      { method: "POST", segments: [".search"], body: search("userName pr") },
      { method: "GET", segments: ["ServiceProviderConfig"] },
      { method: "GET", segments: ["Schemas"] },
      { method: "GET", segments: ["Nope"] },
    ];
    await flushActivity();
    const before = await digestTables(t.db, { except: LOGGED_TABLES });
    const [{ lastId }] = await t.db.select({ lastId: sql<number>`coalesce(max(${activityLog.id}), 0)::int` }).from(activityLog);
    for (const header of headers) {
      for (const endpoint of endpoints) {
        const request: RawRequest = { ...endpoint, headers: header === null ? {} : { authorization: header } };
        const reply = await send(t.database, null, request);
        expectWellFormed(reply, { status: [401] }, request);
        for (const secret of [...a.userIds, ...a.groupIds, ...a.userNames, ...a.groupNames, rotated, old]) {
          expect(reply.text).not.toContain(secret);
        }
      }
    }
    // Nothing changed but A's activity log: the first refused token naming one of A's key ids (the rotated one)
    // is logged for A with its reason, and the many after it within the minute are not. The revoked tenant has no
    // live connection, so nobody is shown its IdP's calls: nothing is logged for it.
    await flushActivity();
    expect(await digestTables(t.db, { except: LOGGED_TABLES })).toEqual(before);
    const added = await t.db
      .select({ tenantId: activityLog.tenantId, status: activityLog.status, reason: activityLog.reason })
      .from(activityLog)
      .where(gt(activityLog.id, lastId));
    expect(added).toEqual([{ tenantId: a.id, status: 401, reason: "token_rotated" }]);
    // The rotated token works, on the same endpoints.
    expect((await send(t.database, rotated, { method: "GET", segments: ["Users", a.userIds[0]] })).status).toBe(200);
  });

  describe("tokens at rest and in logs", () => {
    const output: string[] = [];
    afterEach(() => vi.restoreAllMocks());

    it("stores only the SHA-256 of each token and never writes a token to the database or the console", async () => {
      for (const method of ["log", "info", "warn", "error", "debug"] as const) {
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(" ")));
      }
      const write = process.stdout.write.bind(process.stdout);
      vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        output.push(String(chunk));
        return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      });
      const { a } = await makeWorld(t.database, `log-${driver}`);
      const { token: rotated } = await rotateScimToken(t.db, { tenantId: a.id, actor: "test" });
      // Good and bad requests alike; an unparsable body holding the token is refused without quoting it.
      const requests: [string | null, RawRequest][] = [
        [rotated, { method: "GET", segments: ["Users"] }],
        [rotated, { method: "POST", segments: ["Users"], body: JSON.stringify(userBody("logged@log.example")) }],
        [rotated, { method: "POST", segments: ["Users"], body: `{"userName": "${rotated}"` }],
        [rotated, { method: "PATCH", segments: ["Groups", a.groupIds[0]], body: patch({ op: "add", path: "members", value: [{ value: "x" }] }) }],
        [null, { method: "GET", segments: ["Users"], headers: { authorization: `Bearer ${a.token}` } }],
        [null, { method: "GET", segments: ["Users"], headers: { authorization: `Bearer ${rotated.slice(0, -1)}` } }],
      ];
      for (const [token, request] of requests) await send(t.database, token, request);
      const stored = await dumpTables(t.db);
      const truncated = rotated.slice(0, -1);
      for (const secret of [rotated, a.token]) {
        expect(stored).not.toContain(secret.slice("sally_scim_".length));
      }
      expect(stored).not.toContain(truncated.slice("sally_scim_".length));
      // What is stored instead: the hash and a short display prefix.
      expect(stored).toContain(hashScimToken(rotated));
      expect(stored).toContain(displayPrefix(rotated));
      expect(displayPrefix(rotated).length).toBeLessThan(20);
      const logged = output.join("\n");
      for (const secret of [rotated, a.token, truncated]) expect(logged).not.toContain(secret.slice("sally_scim_".length, -4));
    });
  });
});
