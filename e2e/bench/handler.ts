// `npm run bench:handler`: Sally's own CPU per SCIM request, without HTTP and Next.js. The SCIM router runs in this
// process on PostgreSQL, one request at a time, and the process's CPU (user + system, all threads) is divided by the
// requests. Next.js costs every request of the product and of the Next.js baseline alike and moves with the
// machine's noise from run to run, which hides a change of a tenth of a millisecond in `npm run bench`; here only
// Sally's work (the router, the rules, drizzle, postgres.js and its socket) is counted. Sequential requests do not
// share a round trip, so the figures are an upper bound of what the same work costs under an IdP's concurrency.
// Compare two checkouts by running each in alternation (`--app-dir` is not needed: run it in each checkout).
import { parseArgs as parseNodeArgs } from "node:util";
import postgres from "postgres";
import { insertScimUsers } from "./bulk-users";
import { cpuMsBetween, cpuMsByPid } from "./proc";
import { databaseUrl, recreateDatabase } from "./servers";

const DATABASE = "sally_bench_handler";

const { values: flags } = parseNodeArgs({
  options: {
    requests: { type: "string", default: "2000" },
    rounds: { type: "string", default: "5" },
    users: { type: "string", default: "500" },
    only: { type: "string", default: "" },
    "database-url": { type: "string", default: process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres" },
  },
});
const positive = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs an integer ≥ 1, got ${raw}`);
  return n;
};
const requests = positive("requests", flags.requests!);
const rounds = positive("rounds", flags.rounds!);
const userCount = positive("users", flags.users!);
const serverUrl = flags["database-url"]!;

async function main(): Promise<void> {
  await recreateDatabase(serverUrl, DATABASE);
  // The settings a production server runs with; lib/env.ts reads them when the router first asks.
  Object.assign(process.env, {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl(serverUrl, DATABASE),
    APP_URL: "http://127.0.0.1:3000",
    AUTH_SECRET: "bench-handler-secret-0123456789abcdef0123456789",
    MAILBOX_ENABLED: "1",
    SEED_DEMO: "0",
    SCIM_RATE_LIMIT_PER_MINUTE: "100000000",
  });
  const { openDatabase } = await import("@/db");
  const { createTenant } = await import("@/lib/tenants/create-tenant");
  const { connectScim } = await import("@/lib/provisioning/scim-connection");
  const { handleScimRequest } = await import("@/lib/scim/router");
  const { stopBufferingActivity } = await import("@/lib/activity");
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL!, pgliteDir: "memory://" });
  const admin = postgres(databaseUrl(serverUrl, "postgres"), { max: 1, onnotice: () => {} });
  // Statistics and visibility as autovacuum would keep them (see analyzer.ts; this machine's PostgreSQL runs without
  // it): without them the planner plans for empty tables, and PostgreSQL's CPU per request says little.
  const maintenance = postgres(databaseUrl(serverUrl, DATABASE), { max: 1, onnotice: () => {} });
  try {
    const tenant = await createTenant(database.db, { name: "Handler", slug: "handler", adminEmail: "owner@handler.example", seats: {} });
    const { token } = await connectScim(database.db, { tenantId: tenant.id, provider: "entra", actor: "bench" });

    // The PostgreSQL backends serving this database: their CPU is the other half of a request's cost.
    const backends = async () => (await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${DATABASE}`).map((r) => r.pid);
    const send = async (method: string, path: string, body?: unknown, bearer = token) => {
      const url = new URL(`http://127.0.0.1:3000/scim/v2/${path}`);
      const request = new Request(url, {
        method,
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/scim+json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const response = await handleScimRequest(request, url.pathname.split("/").slice(3).filter(Boolean), { database, drainOutbox: false });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
      return text ? (JSON.parse(text) as { id: string }) : undefined;
    };

    const ids: string[] = [];
    const userName = (i: number) => `user${i}@handler.example`;
    for (let i = 0; i < userCount; i++) {
      const created = await send("POST", "Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: userName(i),
        externalId: `ext-${i}`,
        name: { givenName: "User", familyName: String(i) },
        emails: [{ value: userName(i), type: "work", primary: true }],
        active: true,
      });
      ids.push(created!.id);
    }

    // Two groups of the first 10 users: a department (grants nothing) and the user group (grants access, so its
    // members' Sally users are written); their member PATCHes alternate Add and Remove, so every round ends where
    // it started.
    const { saveGroupMapping } = await import("@/lib/provisioning/group-mapping");
    const group = async (displayName: string, bearer = token) =>
      (await send("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName }, bearer))!.id;
    const department = await group("Department");
    const staff = await group("Staff");
    await saveGroupMapping(database.db, {
      tenantId: tenant.id,
      mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [], inviteOnProvision: false },
      actor: "bench",
    });
    const members = (i: number) => ({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: i % 2 ? "Remove" : "Add", path: "members", value: ids.slice(0, 10).map((value) => ({ value })) }],
    });
    // The other users stay in the user group, so a deactivation takes their access (and the reactivation after it
    // gives it back): Entra's PATCH of `active`, through the rules.
    const others = ids.slice(10);
    for (let i = 0; i < others.length; i += 100) {
      await send("PATCH", `Groups/${staff}`, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "Add", path: "members", value: others.slice(i, i + 100).map((value) => ({ value })) }],
      });
    }
    // A sync's member PATCH as provisioning sends it, on a tenant of its own: 10 users the IdP created (in a
    // Starter license group already, as the bench's workload leaves them) join the user group, so each gets access,
    // a license and an invitation, and the seats they take are bought (the tenant has none). Every request has 10
    // users of its own, made with SQL beforehand (only when the operation is run), and the outbox is drained after
    // it, as the product does after the response: the figure is the whole cost of the PATCH, its emails included.
    const JOIN = "PATCH /Groups/{id} 10 join: access, license, invitation, seats bought";
    const JOIN_REQUESTS = Math.min(requests, 400);
    const { drainOutbox } = await import("@/lib/email/outbox");
    const joining = async () => {
      const tenant = await createTenant(database.db, { name: "Grants", slug: "grants", adminEmail: "owner@grants.example", seats: {} });
      const { token: bearer } = await connectScim(database.db, { tenantId: tenant.id, provider: "entra", actor: "bench" });
      const users = await group("Users", bearer);
      const starter = await group("Starter", bearer);
      await saveGroupMapping(database.db, {
        tenantId: tenant.id,
        mapping: { userGroupId: users, adminGroupId: null, licenseGroups: [{ groupId: starter, tier: "starter" }], inviteOnProvision: true },
        actor: "bench",
      });
      const newcomers = await insertScimUsers(maintenance, tenant.id, { prefix: "joiner", domain: "grants.example", from: 1, to: (300 + rounds * JOIN_REQUESTS) * 10 });
      await maintenance`insert into scim_group_members (group_id, user_id, tenant_id) select ${starter}, id, ${tenant.id} from unnest(${newcomers}::uuid[]) as id`;
      let joined = 0;
      return async () => {
        const ten = newcomers.slice(joined, (joined += 10));
        await send("PATCH", `Groups/${users}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Add", path: "members", value: ten.map((value) => ({ value })) }] }, bearer);
        await drainOutbox(database.db);
      };
    };
    const join = JOIN.includes(flags.only!) ? await joining() : null;

    let created = 0;
    const operations: [string, (i: number) => Promise<unknown>][] = [
      [
        "POST /Users",
        () =>
          send("POST", "Users", {
            schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
            userName: `new${++created}@handler.example`,
            externalId: `new-${created}`,
            name: { givenName: "New", familyName: String(created) },
            emails: [{ value: `new${created}@handler.example`, type: "work", primary: true }],
            active: true,
          }),
      ],
      ["GET /Users?filter=userName eq", (i) => send("GET", `Users?filter=${encodeURIComponent(`userName eq "${userName(i % userCount)}"`)}`)],
      ["GET /Users/{id}", (i) => send("GET", `Users/${ids[i % userCount]}`)],
      // The list phase's request: a page of 100 users by startIndex, each with its groups.
      ["GET /Users page of 100", (i) => send("GET", `Users?startIndex=${((i * 100) % Math.max(100, userCount - 99)) + 1}&count=100`)],
      [
        "PATCH /Users/{id} Replace displayName",
        (i) =>
          send("PATCH", `Users/${ids[i % userCount]}`, {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op: "Replace", path: "displayName", value: `Renamed ${i}` }],
          }),
      ],
      [
        "PUT /Users/{id} a new name (Okta)",
        (i) =>
          send("PUT", `Users/${ids[i % userCount]}`, {
            schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
            userName: userName(i % userCount),
            externalId: `ext-${i % userCount}`,
            name: { givenName: "User", familyName: `${i % userCount} (${i})` },
            emails: [{ value: userName(i % userCount), type: "work", primary: true }],
            active: true,
          }),
      ],
      [
        "PATCH /Users/{id} active False/True (Entra)",
        (i) =>
          send("PATCH", `Users/${others[Math.floor(i / 2) % others.length]}`, {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op: "Replace", path: "active", value: i % 2 ? "True" : "False" }],
          }),
      ],
      ["PATCH /Groups/{id} 10 members, a department", (i) => send("PATCH", `Groups/${department}`, members(i))],
      ["PATCH /Groups/{id} 10 members, user group", (i) => send("PATCH", `Groups/${staff}`, members(i))],
      ...(join ? [[JOIN, join] as [string, () => Promise<unknown>]] : []),
    ];
    console.log(`Sally's CPU per request, in process, sequential (${requests} requests × ${rounds} rounds, ${userCount} users):`);
    for (const [name, run] of operations.filter(([name]) => name.includes(flags.only!))) {
      // The joins have users for 400 requests a round (see above).
      const count = name === JOIN ? JOIN_REQUESTS : requests;
      await maintenance.unsafe("vacuum analyze");
      for (let i = 0; i < Math.min(300, count); i++) await run(i); // warm: statements prepared, code optimized
      const perRound: { total: number; system: number; db: number }[] = [];
      for (let round = 0; round < rounds; round++) {
        // Before each round too, outside its time: an operation that fills a table (the joins' outbox) would else
        // run on plans made while it was empty, which autovacuum's ANALYZE replaces within a minute.
        await maintenance.unsafe("vacuum analyze");
        const dbBefore = cpuMsByPid(await backends());
        const before = process.cpuUsage();
        for (let i = 0; i < count; i++) await run(i);
        const used = process.cpuUsage(before);
        const db = cpuMsBetween(dbBefore, cpuMsByPid(await backends()));
        perRound.push({ total: (used.user + used.system) / count, system: used.system / count, db: (db * 1000) / count });
      }
      perRound.sort((a, b) => a.total - b.total);
      const median = perRound[Math.floor(rounds / 2)];
      const dbMedian = perRound.map((r) => r.db).sort((a, b) => a - b)[Math.floor(rounds / 2)];
      console.log(
        `  ${name.padEnd(44)} median ${median.total.toFixed(0).padStart(5)} µs (system ${median.system.toFixed(0)}), ` +
          `fastest ${perRound[0].total.toFixed(0)}, slowest ${perRound[rounds - 1].total.toFixed(0)}; PostgreSQL ${dbMedian.toFixed(0)} µs`,
      );
    }
    await stopBufferingActivity();
  } finally {
    await database.close();
    await maintenance.end();
    await admin.end();
    await recreateDatabase(serverUrl, DATABASE, false);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
