import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database } from "@/db";
import { buySeatsShort } from "@/db/queries/access";
import { queueReceipts } from "@/db/queries/purchases";
import { emailOutbox, mailbox, seatPurchases, seats, users as usersTable } from "@/db/schema";
import { createPostgresDatabase } from "@/db/testing";
import { startCountingProxy } from "@/db/testing/round-trips";
import { flushActivity } from "@/lib/activity";
import { drainOutbox, drainSoon, enqueueEmails } from "@/lib/email/outbox";
import { createTenant } from "@/lib/tenants/create-tenant";
import { saveGroupMapping } from "@/lib/provisioning/group-mapping";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { addMembers, PATCH_OP, scimClient, scimUser } from "@/lib/provisioning/testing";
import { hashScimToken } from "@/lib/provisioning/scim-token";
import { RateLimitLeases } from "./rate-limit-lease";
import { recentUsers } from "./recent-users";

/**
 * What one SCIM request costs the database, counted on the wire (deterministic, unlike timing): round trips
 * and statements through a counting proxy in front of PostgreSQL. Each case warms up first, as a running
 * server is warm (connections open, hot statements prepared). Also counted: how many statements' SQL text the
 * request had drizzle build (a warm write builds none: db/run.ts builds each statement once per process).
 */
describe.runIf(process.env.DATABASE_URL)("database round trips per SCIM request on PostgreSQL", () => {
  let database: Database;
  let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
  let drop: () => Promise<void>;
  let scim: ReturnType<typeof scimClient>;
  let tenantId: string;

  let proxiedUrl: string;
  let token: string;

  beforeAll(async () => {
    const created = await createPostgresDatabase(process.env.DATABASE_URL!);
    drop = created.drop;
    const url = new URL(created.url);
    proxy = await startCountingProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    proxiedUrl = url.toString();
    database = await openDatabase({ databaseUrl: proxiedUrl, pgliteDir: "memory://" });
    const tenant = await createTenant(database.db, { name: "Trips", slug: "trips", adminEmail: "owner@trips.example", seats: { team: 1 } });
    tenantId = tenant.id;
    ({ token } = await connectScim(database.db, { tenantId, provider: "entra", actor: "test" }));
    // Every request asks the rate limit's bucket (a lease that lasts no time), as when this instance holds no
    // token: the same round trips as the lookup that spends a held one, which has a test of its own.
    scim = scimClient(database, token, { leases: new RateLimitLeases({ windowMs: 0 }) });
  });
  afterAll(async () => {
    await database?.close();
    await proxy?.close();
    await drop?.();
  });

  /** Runs of a case's request that warm up, and runs counted after them; a case needs ROUNDS distinct inputs. */
  const WARM_UPS = 2;
  const ROUNDS = WARM_UPS + 3;

  /**
   * Runs `request` WARM_UPS times to warm up, then counts each of the runs up to ROUNDS and keeps the one with the
   * fewest round trips, with its result and round. A request gets whichever pooled connection is free, and on one
   * where its statements were never used each is described first, a round trip more per statement: that is the
   * connection's first use, not the request's cost, and which connection it is depends on when background work
   * (the rate limit's bucket, a buffered activity entry's flush) gives its own back. A change that costs every run
   * a round trip more still shows.
   */
  async function measure<T>(request: (round: number) => Promise<T>) {
    for (let round = 0; round < WARM_UPS; round++) await request(round);
    type Counted = { result: T; round: number; roundTrips: number; statements: number; texts: string[]; built: number };
    let fewest: Counted | undefined;
    for (let round = WARM_UPS; round < ROUNDS; round++) {
      await flushActivity();
      proxy.reset();
      const building = vi.spyOn(PgDialect.prototype, "sqlToQuery");
      let built = 0;
      const result = await request(round).finally(() => {
        built = building.mock.calls.length;
        building.mockRestore();
      });
      const counted = { result, round, roundTrips: proxy.count.roundTrips, statements: proxy.count.statements, texts: [...proxy.count.texts], built };
      if (!fewest || counted.roundTrips <= fewest.roundTrips) fewest = counted;
    }
    await flushActivity();
    console.info(`round trips ${fewest!.roundTrips}, statements ${fewest!.statements}`);
    return fewest!;
  }

  const users = async (prefix: string, count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await scim("POST", "Users", scimUser(`${prefix}${i}@trips.example`))).body.id);
    return ids;
  };
  const group = async (displayName: string) =>
    (await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName })).body.id as string;

  it("GET /Users/{id} with its groups: 2 round trips (the issue's bound is 3), no commit, no SQL built", async () => {
    const ids = await users("get", ROUNDS);
    const { result, roundTrips, texts, built } = await measure((i) => scim("GET", `Users/${ids[i]}`));
    expect(result.status).toBe(200);
    expect(result.body.groups).toEqual([]);
    expect(roundTrips).toBeLessThanOrEqual(2);
    expect(texts.filter((t) => /^(commit|begin)/i.test(t) || /^insert/i.test(t))).toEqual([]);
    expect(built).toBe(0);
  });

  it("GET /Users/{id}: its one write, the rate-limit bucket, commits without waiting for the disk", async () => {
    const [id] = await users("async", 1);
    // A second instance with fresh connections: every statement is parsed, so the proxy sees its text.
    const fresh = await openDatabase({ databaseUrl: proxiedUrl, pgliteDir: "memory://" });
    try {
      proxy.reset();
      // Its own share of the rate limit too: its first request asks the bucket.
      expect((await scimClient(fresh, token, { leases: new RateLimitLeases() })("GET", `Users/${id}`)).status).toBe(200);
      const texts = [...proxy.count.texts];
      const writes = texts.filter((t) => /\b(insert|update|delete)\b/i.test(t));
      expect(writes).toHaveLength(1);
      expect(writes[0]).toContain("set_config('synchronous_commit', 'off', true)");
      expect(texts.filter((t) => /^(begin|commit)/i.test(t.trim()))).toEqual([]);
    } finally {
      await flushActivity();
      await fresh.close();
    }
  });

  it("GET /Users/{id} served from a token this instance holds writes nothing at all", async () => {
    const [id] = await users("leased", 1);
    const fresh = await openDatabase({ databaseUrl: proxiedUrl, pgliteDir: "memory://" });
    try {
      const client = scimClient(fresh, token, { leases: new RateLimitLeases() });
      // The first request asks the bucket for one token, the second for two: the third spends the one left.
      for (let i = 0; i < 2; i++) expect((await client("GET", `Users/${id}`)).status).toBe(200);
      proxy.reset();
      expect((await client("GET", `Users/${id}`)).status).toBe(200);
      const texts = [...proxy.count.texts];
      expect(texts.some((t) => t.includes("scim_connections"))).toBe(true);
      expect(texts.filter((t) => /\b(insert|update|delete)\b/i.test(t))).toEqual([]);
    } finally {
      await flushActivity();
      await fresh.close();
    }
  });

  it("a userName filter lookup with groups: 2 round trips (the issue's bound is 3), only the filter's SQL built", async () => {
    await users("find", ROUNDS);
    const { result, roundTrips, built } = await measure((i) => scim("GET", `Users?filter=${encodeURIComponent(`userName eq "find${i}@trips.example"`)}`));
    expect(result.body.totalResults).toBe(1);
    expect(result.body.Resources[0].groups).toEqual([]);
    expect(roundTrips).toBeLessThanOrEqual(2);
    // The filter is rendered to find its shape's statement; the statement around it was built by the warm-up.
    expect(built).toBe(1);
  });

  it("a displayName group lookup without members (Entra's): 2 round trips, only the filter's SQL built", async () => {
    for (let i = 0; i < ROUNDS; i++) await group(`Lookup ${i}`);
    const { result, round, roundTrips, built } = await measure((i) =>
      scim("GET", `Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "Lookup ${i}"`)}`),
    );
    expect(result.body.totalResults).toBe(1);
    expect(result.body.Resources[0].displayName).toBe(`Lookup ${round}`);
    expect(roundTrips).toBeLessThanOrEqual(2);
    expect(built).toBe(1);
  });

  it("POST /Users: 2 statements (the issue's bound is 8 round trips), no transaction, no SQL built", async () => {
    const { result, roundTrips, statements, texts, built } = await measure((i) => scim("POST", "Users", scimUser(`post${i}@trips.example`)));
    expect(result.status).toBe(201);
    // The token (with the rate limit); the user, its Sally user and the activity entry in one statement (lib/scim/
    // users.ts createUserDirectly), where the transaction took 7.
    expect(statements).toBe(2);
    expect(roundTrips).toBe(2);
    expect(texts.filter((t) => /^\s*(begin|commit)\b/i.test(t))).toEqual([]);
    expect(built).toBe(0);
  });

  it("POST /Users of a user whose email a Sally user holds: in a transaction, where the rules link them", async () => {
    const held = Array.from({ length: ROUNDS }, (_, i) => `held${i}@trips.example`);
    await database.db.insert(usersTable).values(held.map((email) => ({ tenantId, email, role: "none" as const, license: "none" as const, status: "active" as const, source: "manual" as const })));
    const { result, statements, texts } = await measure((i) => scim("POST", "Users", scimUser(held[i])));
    expect(result.status).toBe(201);
    // The one statement finds the holder and writes nothing; then the transaction as before this path existed.
    expect(texts.filter((t) => /^\s*(begin|commit)\b/i.test(t))).toEqual(["begin", "commit"]);
    expect(statements).toBeGreaterThan(2);
  });

  it("PATCH /Users/{id} replacing displayName (Entra's most common update) of a user this instance saw: 2 statements, no transaction, no SQL built", async () => {
    const ids = await users("rename", ROUNDS);
    const { result, round, roundTrips, statements, texts, built } = await measure((i) =>
      scim("PATCH", `Users/${ids[i]}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: `Renamed ${i}` }] }),
    );
    expect(result.status).toBe(200);
    // The token with the rate limit's bucket; the user's write from the user as this instance created it
    // (lib/scim/recent-users.ts), with the Sally user's profile and the activity entry, one statement
    // (lib/scim/users.ts writeFromRecent): 2 statements, 2 waits, where the transaction took 7.
    expect(statements).toBe(2);
    expect(roundTrips).toBe(2);
    expect(texts.filter((t) => /^\s*(begin|commit)\b/i.test(t))).toEqual([]);
    expect(result.body.displayName).toBe(`Renamed ${round}`);
    // Body and ETag are the row as written, read from the update's answer once committed.
    expect(result.headers.get("etag")).toBe((await scim("GET", `Users/${ids[round]}`)).body.meta.version);
    expect(built).toBe(0);
    const [renamed] = await database.db.select().from(usersTable).where(eq(usersTable.scimUserId, ids[round]));
    expect(renamed.name).toBe(`Renamed ${round}`);
  });

  it("PATCH /Users/{id} replacing displayName of a user this instance has not seen: the user read first, 3 statements", async () => {
    const ids = await users("unseen", ROUNDS);
    // As if another instance had created them.
    for (const id of ids) recentUsers.forget(tenantId, id);
    const { result, round, roundTrips, statements, texts } = await measure((i) =>
      scim("PATCH", `Users/${ids[i]}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: `Unseen ${i}` }] }),
    );
    expect(result.status).toBe(200);
    expect(result.body.displayName).toBe(`Unseen ${round}`);
    // The token with the rate limit's bucket; the user read; the user's write (lib/scim/users.ts updateDirectly).
    expect(statements).toBe(3);
    expect(roundTrips).toBe(3);
    expect(texts.filter((t) => /^\s*(begin|commit)\b/i.test(t))).toEqual([]);
  });

  it("PATCH /Users/{id} deactivating a user with access (Entra's \"False\"): 3 round trips for its 10 statements", async () => {
    const ids = await users("leave", ROUNDS);
    const staff = await group("Leavers' group");
    await scim("PATCH", `Groups/${staff}`, addMembers(ids));
    await saveGroupMapping(database.db, {
      tenantId,
      mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [], inviteOnProvision: false },
      actor: "test",
    });
    const { result, round, roundTrips, statements, built } = await measure((i) =>
      scim("PATCH", `Users/${ids[i]}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] }),
    );
    expect(result.status).toBe(200);
    // The token; BEGIN with the user's lock, the rules' lock and their facts right behind it
    // (lib/provisioning/sync-users.ts sendUserLock); the user's write, the sessions' end, the users' write and the
    // activity entry with COMMIT: 10 statements, 3 waits. No read before them: a PATCH naming `active` goes
    // straight to the transaction (lib/scim/users.ts namesAccessInputs), where the read a profile change starts
    // with would be an 11th statement.
    expect(statements).toBe(10);
    expect(roundTrips).toBeLessThanOrEqual(3);
    expect(built).toBe(0);
    const [left] = await database.db.select().from(usersTable).where(eq(usersTable.scimUserId, ids[round]));
    expect(left).toMatchObject({ role: "none", status: "deactivated" });
  });

  it("PATCH /Groups/{id} adding 10 members: at most 3 round trips (the issue's bound is 12), no SQL built", async () => {
    const ids = await users("add", ROUNDS * 10);
    const groups: string[] = [];
    for (let i = 0; i < ROUNDS; i++) groups.push(await group(`Plain ${i}`));
    const { result, round, roundTrips, built } = await measure((i) => scim("PATCH", `Groups/${groups[i]}`, addMembers(ids.slice(i * 10, i * 10 + 10))));
    expect(result.status).toBe(204);
    // The version bump went with COMMIT; the ETag is still the group's new version.
    expect(result.headers.get("etag")).toBe((await scim("GET", `Groups/${groups[round]}`)).body.meta.version);
    // The rate limit's bucket; BEGIN with the token's check, the group's lock, the member change and the rules'
    // lock and facts (which find that the group grants nothing, and so lock and read nothing); the version and
    // the activity entry with COMMIT.
    expect(roundTrips).toBeLessThanOrEqual(3);
    expect(built).toBe(0);
  });

  it("PATCH /Groups/{id} adding 10 members to a group granting access and a license, invitations on, seats short: at most 3 (the issue's bound is 16)", async () => {
    const ids = await users("lic", ROUNDS * 10);
    const staff = await group("Licensed staff");
    await saveGroupMapping(database.db, {
      tenantId,
      mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [{ groupId: staff, tier: "team" }], inviteOnProvision: true },
      actor: "test",
    });
    const { result, roundTrips, texts, built } = await measure((i) => scim("PATCH", `Groups/${staff}`, addMembers(ids.slice(i * 10, i * 10 + 10))));
    expect(result.status).toBe(204);
    // The rate limit's bucket; BEGIN with the token's check, the group's lock, the members, and the users' lock
    // with the rules' facts right behind them (lib/provisioning/sync-users.ts sendMemberChange); then links,
    // invitations, sessions, users, the purchase, the group's version and the activity entry, all with COMMIT:
    // nothing is waited for under the seats lock. (The texts: a statement parsed anew on a connection shows
    // here, with the wait its description costs.)
    expect(roundTrips, texts.join("\n")).toBeLessThanOrEqual(3);
    expect(built).toBe(0);
    // Each request did the whole job: 10 more team seats bought each time (one purchase each), an invitation each.
    const bought = await database.db.select().from(seatPurchases).where(eq(seatPurchases.tenantId, tenantId));
    expect(bought.map((p) => p.quantity)).toEqual([9, ...Array(ROUNDS - 1).fill(10)]);
    const invited = await database.db.select().from(emailOutbox).where(and(eq(emailOutbox.tenantId, tenantId), eq(emailOutbox.kind, "invitation")));
    expect(invited).toHaveLength(ROUNDS * 10);
    // Their receipts are queued after commit, by the drain the request schedules.
    await queueReceipts(database.db);
    const receipts = await database.db.select().from(emailOutbox).where(and(eq(emailOutbox.tenantId, tenantId), eq(emailOutbox.kind, "receipt")));
    expect(receipts.map((r) => r.purchaseId).sort()).toEqual(bought.map((p) => p.id).sort());
  });

  it("draining the outbox: 6 statements for a batch of invitations and receipts, however many (the emails go after the response)", async () => {
    // The earlier cases' emails first: the counted drain then takes exactly this case's.
    while ((await drainOutbox(database.db)).sent > 0);
    const other = await createTenant(database.db, { name: "Drain", slug: "drain", adminEmail: "owner@drain.example", seats: { team: 1 } });
    await database.db.update(seats).set({ held: 4 }).where(and(eq(seats.tenantId, other.id), eq(seats.tier, "team")));
    await database.db.transaction((tx) => buySeatsShort(tx, other.id, ["team"], "SCIM PATCH /Groups/g"));
    await enqueueEmails(
      database.db,
      Array.from({ length: 40 }, (_, n) => ({
        message: { to: `m${n}@drain.example`, subject: "Hi", text: "Hello", html: "<p>Hello</p>", kind: "invitation" as const, tenantId: other.id },
        idempotencyKey: `drain-${n}`,
      })),
    );
    proxy.reset();
    expect(await drainOutbox(database.db)).toEqual({ sent: 41, failed: 0, deferred: 0 });
    // The purchase's receipts queued, the claim, the receipt's facts, its rendering stored, the deliveries (the
    // local mailbox here; with Resend, HTTP calls instead) and the outcomes: one statement each, where a statement
    // per email and outcome was before.
    expect(proxy.count.statements).toBe(6);
    const delivered = await database.db.select().from(mailbox).where(eq(mailbox.tenantId, other.id));
    expect(delivered).toHaveLength(41);
  });

  it("sixteen asking drainSoon for a drain at once, with nothing due: two drains (4 statements), not sixteen (32)", async () => {
    await drainSoon(database.db);
    proxy.reset();
    // The first runs; the others, asking while it runs, get one more run after it (their changes may have committed
    // after its claim). Each finds nothing: the purchases' receipts to queue, and the claim.
    await Promise.all(Array.from({ length: 16 }, () => drainSoon(database.db)));
    expect(proxy.count.statements).toBe(4);
  });

  describe("on an instance that knows the token and holds rate-limit tokens for it (lib/scim/router.ts)", () => {
    let warm: ReturnType<typeof scimClient>;
    beforeAll(() => {
      // A lease that neither runs out nor ends during these cases, so every request spends a token it holds.
      const leases = new RateLimitLeases({ windowMs: 3_600_000 });
      leases.took(hashScimToken(token), 1_000_000);
      warm = scimClient(database, token, { leases });
    });

    it("GET /Users/{id}: 1 round trip and 1 statement, the token's check in the read's own statement", async () => {
      const ids = await users("warm-get", ROUNDS);
      const { result, round, roundTrips, statements, texts } = await measure((i) => warm("GET", `Users/${ids[i]}`));
      expect(result.status).toBe(200);
      expect(result.body.id).toBe(ids[round]);
      expect(statements).toBe(1);
      expect(roundTrips).toBe(1);
      expect(texts.filter((t) => /\b(begin|commit|insert|update|delete)\b/i.test(t))).toEqual([]);
    });

    it("GET /Users/{id} of no such user: 1 statement, answered 404 (the token is live)", async () => {
      const { result, statements } = await measure(() => warm("GET", `Users/${randomUUID()}`));
      expect(result.status).toBe(404);
      expect(statements).toBe(1);
    });

    it("a userName filter lookup: 1 round trip and 1 statement, also when nothing matches (the IdP's check before a create)", async () => {
      await users("warm-find", ROUNDS);
      const found = await measure((i) => warm("GET", `Users?filter=${encodeURIComponent(`userName eq "warm-find${i}@trips.example"`)}`));
      expect(found.result.body.totalResults).toBe(1);
      expect(found.roundTrips).toBe(1);
      expect(found.statements).toBe(1);
      const none = await measure((i) => warm("GET", `Users?filter=${encodeURIComponent(`userName eq "warm-none${i}@trips.example"`)}`));
      expect(none.result.status).toBe(200);
      expect(none.result.body.totalResults).toBe(0);
      expect(none.result.body.Resources ?? []).toEqual([]);
      expect(none.statements).toBe(1);
    });

    it("a page past the end of users or of groups: 1 statement each, with the total", async () => {
      await users("warm-past", 2);
      await group("Warm past");
      for (const resource of ["Users", "Groups"]) {
        const past = await measure(() => warm("GET", `${resource}?startIndex=100000&count=10`));
        expect(past.result.status).toBe(200);
        expect(past.result.body.totalResults).toBeGreaterThan(0);
        expect(past.result.body.Resources ?? []).toEqual([]);
        expect(past.result.body.startIndex).toBe(100000);
        expect(past.statements).toBe(1);
      }
    });

    it("a page after an RFC 9865 cursor, of users or of groups without members: 1 statement, with the total of every match", async () => {
      await users("warm-cursor", 3);
      for (const name of ["Warm cursor 1", "Warm cursor 2", "Warm cursor 3"]) await group(name);
      // Each list with its query started; groups without members, as Entra asks, since members are a read of their own.
      for (const resource of ["Users?", "Groups?excludedAttributes=members&"]) {
        const first = await warm("GET", `${resource}cursor=&count=1`);
        const { totalResults } = (await warm("GET", `${resource}count=0`)).body;
        expect(totalResults).toBeGreaterThan(2);
        const next = await measure(() => warm("GET", `${resource}count=1&cursor=${encodeURIComponent(first.body.nextCursor)}`));
        expect(next.result.status).toBe(200);
        expect(next.result.body.totalResults).toBe(totalResults);
        expect(next.result.body.Resources).toHaveLength(1);
        expect(next.result.body.Resources[0].id).not.toBe(first.body.Resources[0].id);
        expect(next.result.body.nextCursor).toEqual(expect.any(String));
        expect(next.statements).toBe(1);
      }
    });

    it("a displayName group lookup without members (Entra's) and GET /Groups/{id} without members: 1 statement each", async () => {
      const groups: string[] = [];
      for (let i = 0; i < ROUNDS; i++) groups.push(await group(`Warm find ${i}`));
      const lookup = await measure((i) => warm("GET", `Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "Warm find ${i}"`)}`));
      expect(lookup.result.body.totalResults).toBe(1);
      expect(lookup.statements).toBe(1);
      const read = await measure((i) => warm("GET", `Groups/${groups[i]}?excludedAttributes=members`));
      expect(read.result.status).toBe(200);
      expect(read.result.body.id).toBe(groups[read.round]);
      expect(read.statements).toBe(1);
    });

    it("PATCH /Users/{id} renaming a user the IdP just looked up: 1 statement, the token's check in the write's", async () => {
      const ids = await users("warm-rename", ROUNDS);
      for (const id of ids) recentUsers.forget(tenantId, id);
      const { result, round, roundTrips, statements, texts } = await measure(async (i) => {
        // Entra's lookup before its update leaves the user with this instance (lib/scim/recent-users.ts).
        const lookup = await warm("GET", `Users?filter=${encodeURIComponent(`userName eq "warm-rename${i}@trips.example"`)}`);
        expect(lookup.body.totalResults).toBe(1);
        proxy.reset();
        return warm("PATCH", `Users/${ids[i]}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: `Warm ${i}` }] });
      });
      expect(result.status).toBe(200);
      expect(result.body.displayName).toBe(`Warm ${round}`);
      expect(statements).toBe(1);
      expect(roundTrips).toBe(1);
      expect(texts.filter((t) => /^\s*(begin|commit)\b/i.test(t))).toEqual([]);
    });

    it("PATCH /Users/{id} renaming a user this instance has not seen: 2 statements, the token's check in the read's", async () => {
      const ids = await users("warm-unseen", ROUNDS);
      for (const id of ids) recentUsers.forget(tenantId, id);
      const { result, round, statements, roundTrips } = await measure((i) =>
        warm("PATCH", `Users/${ids[i]}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: `Unseen ${i}` }] }),
      );
      expect(result.body.displayName).toBe(`Unseen ${round}`);
      expect(statements).toBe(2);
      expect(roundTrips).toBe(2);
    });

    it("PATCH /Users/{id} deactivating: the token's check out with BEGIN, as when there was no write without a transaction", async () => {
      const ids = await users("warm-leave", ROUNDS);
      const { result, roundTrips, statements, texts } = await measure((i) =>
        warm("PATCH", `Users/${ids[i]}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] }),
      );
      expect(result.status).toBe(200);
      // The PATCH names `active`, so no statement goes out before the transaction; the token's check is its first
      // statement, in BEGIN's round trip with the user's lock and the rules' lock and facts; the writes go with
      // COMMIT (a user without access here: nothing of its Sally user changes).
      expect(statements).toBe(8);
      expect(roundTrips).toBe(2);
      expect(texts).toEqual(["begin", "commit"]);
    });

    it("Okta's PUT /Users/{id} of a new name: 1 statement, the token's check in the write's own", async () => {
      const ids = await users("warm-put", ROUNDS);
      const { result, round, statements, roundTrips } = await measure((i) =>
        warm("PUT", `Users/${ids[i]}`, scimUser(`warm-put${i}@trips.example`, { displayName: `Okta ${i}` })),
      );
      expect(result.status).toBe(200);
      expect(result.body.displayName).toBe(`Okta ${round}`);
      expect(statements).toBe(1);
      expect(roundTrips).toBe(1);
    });

    it("POST /Users: 1 round trip and 1 statement, the token's check in the insert's own statement", async () => {
      const { result, roundTrips, statements } = await measure((i) => warm("POST", "Users", scimUser(`warm-post${i}@trips.example`)));
      expect(result.status).toBe(201);
      expect(statements).toBe(1);
      expect(roundTrips).toBe(1);
    });

    it("PATCH /Groups/{id} adding 10 members: 2 round trips", async () => {
      const ids = await users("warm-add", ROUNDS * 10);
      const groups: string[] = [];
      for (let i = 0; i < ROUNDS; i++) groups.push(await group(`Warm ${i}`));
      const { result, roundTrips } = await measure((i) => warm("PATCH", `Groups/${groups[i]}`, addMembers(ids.slice(i * 10, i * 10 + 10))));
      expect(result.status).toBe(204);
      expect(roundTrips).toBeLessThanOrEqual(2);
    });
  });
});
