import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db";
import { createPostgresDatabase } from "@/db/testing";
import { saveGroupMapping } from "@/lib/provisioning/group-mapping";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { addMembers, scimClient, scimUser } from "@/lib/provisioning/testing";
import { claimDueEmails, recordOutcomes } from "@/db/queries/outbox";
import { enqueueEmails } from "@/lib/email/outbox";
import { createTenant } from "@/lib/tenants/create-tenant";
import { encodeCursor } from "./list-params";
import { RateLimitLeases } from "./rate-limit-lease";

/**
 * A tenant's first sync grows its tables from nothing, faster than autovacuum analyzes them, and PostgreSQL keeps
 * the generic plan of a prepared statement it made while they were small. Here every plan is generic
 * (`plan_cache_mode`) and made on the first requests; then the tenant's tables grow by 20,000 rows with no
 * ANALYZE, and the pages a request reads of them are counted (PostgreSQL's own statistics, deterministic). A
 * statement the planner could answer by reading the tenant's whole prefix of an index, and filtering, read every
 * one of those pages: a POST /Users did so for the users kept from an earlier connection, the rules' lock for the
 * users holding the emails it locks. Not covered: on tables of a handful of rows the planner also answers an
 * `id = any(…)` lookup with a sequential scan, which stays the plan until the table is analyzed (the member PATCH
 * here reads every page of `users` that way in other statements); only an ANALYZE, autovacuum's, replans those.
 */
describe.runIf(process.env.DATABASE_URL)("plans made while a tenant's tables were small, on PostgreSQL", () => {
  const GROWTH = 20_000;
  let database: Database;
  let admin: postgres.Sql;
  let drop: () => Promise<void>;
  let scim: ReturnType<typeof scimClient>;
  let tenantId: string;

  beforeAll(async () => {
    const created = await createPostgresDatabase(process.env.DATABASE_URL!);
    drop = created.drop;
    admin = postgres(created.url, { max: 1, onnotice: () => {} });
    const url = new URL(created.url);
    // postgres.js sends a URL's unknown parameters as the connection's settings. One connection: the plans, and
    // the statistics this test reads, are that one backend's.
    url.searchParams.set("plan_cache_mode", "force_generic_plan");
    database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: "memory://", poolSize: 1 });
    const tenant = await createTenant(database.db, { name: "Plans", slug: "plans", adminEmail: "owner@plans.example", seats: {} });
    tenantId = tenant.id;
    const { token } = await connectScim(database.db, { tenantId, provider: "entra", actor: "test" });
    scim = scimClient(database, token, { leases: new RateLimitLeases({ windowMs: 0 }) });
  });
  afterAll(async () => {
    await database?.close();
    await admin?.end();
    await drop?.();
  });

  /**
   * Pages of a table (heap and indexes), of a table's heap alone or of one index the requests in `run` read, from
   * the backend's statistics.
   */
  async function pagesRead(relation: { table: string } | { heap: string } | { index: string }, run: () => Promise<void>): Promise<number> {
    const read = async () => {
      // The next flush of this backend's pending statistics is forced, and happens as this statement ends.
      await database.db.execute(sql`select pg_stat_force_next_flush()`);
      const [row] =
        "table" in relation
          ? await admin<{ pages: number }[]>`
              select (coalesce(heap_blks_hit, 0) + coalesce(heap_blks_read, 0) + coalesce(idx_blks_hit, 0) + coalesce(idx_blks_read, 0))::int as pages
              from pg_statio_user_tables where relname = ${relation.table}`
          : "heap" in relation
            ? await admin<{ pages: number }[]>`
                select (coalesce(heap_blks_hit, 0) + coalesce(heap_blks_read, 0))::int as pages
                from pg_statio_user_tables where relname = ${relation.heap}`
            : await admin<{ pages: number }[]>`
              select (idx_blks_hit + idx_blks_read)::int as pages from pg_statio_user_indexes where indexrelname = ${relation.index}`;
      return row.pages;
    };
    const before = await read();
    await run();
    return (await read()) - before;
  }

  let grown = false;
  /** Rows of the tenant written straight to the tables, with no ANALYZE: what a sync leaves between two. Once. */
  async function grow(): Promise<void> {
    if (grown) return;
    grown = true;
    await admin`
      insert into scim_users (tenant_id, user_name, external_id, email, resource, created_at)
      select ${tenantId}, 'bulk' || n || '@plans.example', 'bulk-' || n, 'bulk' || n || '@plans.example', '{}'::jsonb,
        -- A millisecond apart, as users a sync creates one after the other.
        now() + n * interval '1 millisecond'
      from generate_series(1, ${GROWTH}) as n`;
    await admin`
      insert into users (tenant_id, email, source, scim_user_id)
      select tenant_id, email, 'scim', id from scim_users where tenant_id = ${tenantId} and user_name like 'bulk%'`;
    // This connection's statistics of those inserts are flushed now, not while a request is being counted.
    await admin`select pg_stat_force_next_flush()`;
  }

  // pg_stat_force_next_flush() came with PostgreSQL 15's statistics in shared memory.
  const skipBefore15 = async (ctx: { skip: () => void }) => {
    const [{ version }] = await admin<{ version: number }[]>`select current_setting('server_version_num')::int as version`;
    if (version < 150_000) ctx.skip();
  };

  it("a POST /Users and the rules' lock of a member PATCH read a few pages, not every user of the tenant", async (ctx) => {
    await skipBefore15(ctx);
    // The plans are made now, on a handful of rows: users created, a user group mapped, members added.
    const early: string[] = [];
    for (let n = 0; n < 4; n++) early.push((await scim("POST", "Users", scimUser(`early${n}@plans.example`))).body.id);
    const staff = (await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Staff" })).body.id;
    await saveGroupMapping(database.db, {
      tenantId,
      mapping: { userGroupId: staff, adminGroupId: null, licenseGroups: [], inviteOnProvision: false },
      actor: "test",
    });
    for (const id of early) expect((await scim("PATCH", `Groups/${staff}`, addMembers([id]))).status).toBe(204);

    await grow();
    const [{ pages }] = await admin<{ pages: number }[]>`select pg_relation_size('scim_users')::int / 8192 as pages`;
    expect(pages).toBeGreaterThan(200);

    const later: string[] = [];
    const scimUserPages = await pagesRead({ table: "scim_users" }, async () => {
      const created = await scim("POST", "Users", scimUser("later@plans.example", { externalId: "later" }));
      expect(created.status).toBe(201);
      later.push(created.body.id);
    });
    // Every page of the tenant's users before (706 here), a few dozen since.
    expect(scimUserPages).toBeLessThan(100);

    for (let n = 0; n < 9; n++) later.push((await scim("POST", "Users", scimUser(`later${n}@plans.example`))).body.id);
    const emailIndexPages = await pagesRead({ index: "users_tenant_email_idx" }, async () => {
      expect((await scim("PATCH", `Groups/${staff}`, addMembers(later))).status).toBe(204);
    });
    // The rules' lock walked the tenant's whole prefix of this index before (338 pages here), a few per email since.
    expect(emailIndexPages).toBeLessThan(100);
    const [{ withAccess }] = await admin<{ withAccess: number }[]>`
      select count(*)::int as "withAccess" from users where tenant_id = ${tenantId} and role = 'user'`;
    expect(withAccess).toBe(early.length + later.length);
  });

  it("a member Add reads the members it adds, not the group, while the planner has the group small", async (ctx) => {
    await skipBefore15(ctx);
    await grow();
    const newGroup = async (displayName: string) =>
      (await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName })).body.id as string;
    const addBulkUsers = (groupId: string) => admin`
      insert into scim_group_members (group_id, user_id, tenant_id)
      select ${groupId}, id, tenant_id from scim_users where tenant_id = ${tenantId} and user_name like 'bulk%'`;
    // The memberships analyzed while they were those of another group, then a sync's worth of members for a group
    // the statistics do not know (so PostgreSQL has it small), its member change planned before.
    await addBulkUsers(await newGroup("Everyone"));
    await admin`analyze scim_group_members`;
    const group = await newGroup("Newcomers");
    const newcomers: string[] = [];
    for (let n = 0; n < 4; n++) newcomers.push((await scim("POST", "Users", scimUser(`newcomer${n}@plans.example`))).body.id);
    expect((await scim("PATCH", `Groups/${group}`, addMembers(newcomers.slice(0, 1)))).status).toBe(204);
    await addBulkUsers(group);
    await admin`select pg_stat_force_next_flush()`;

    // Planned for this group's id (a custom plan, as PostgreSQL makes for a prepared statement's first runs and
    // keeps making while the generic one would cost more), not for a group of average size.
    await database.db.execute(sql`set plan_cache_mode = force_custom_plan`);
    let pages = 0;
    try {
      pages = await pagesRead({ index: "scim_group_members_group_id_user_id_pk" }, async () => {
        expect((await scim("PATCH", `Groups/${group}`, addMembers(newcomers.slice(1)))).status).toBe(204);
      });
    } finally {
      await database.db.execute(sql`reset plan_cache_mode`);
    }
    // A few per member added (20 here), where the removal of no one read the group's part of the key (178).
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThan(30);
    const [{ members }] = await admin<{ members: number }[]>`select count(*)::int as members from scim_group_members where group_id = ${group}`;
    expect(members).toBe(GROWTH + newcomers.length);
  });

  it("an RFC 9865 cursor page 19,990 users deep reads its own rows, not the rows before the cursor", async (ctx) => {
    await skipBefore15(ctx);
    await grow();
    // Pages all-visible, as autovacuum leaves them: the ids are read from the index alone.
    await admin`vacuum scim_users`;
    // The cursor the page before would have returned: the user just before, in cursor paging's order.
    const [before] = await admin<{ createdAt: Date; id: string }[]>`
      select created_at as "createdAt", id from scim_users where tenant_id = ${tenantId}
      order by created_at, id offset ${GROWTH - 11} limit 1`;
    const cursor = encodeCursor({ createdAt: before.createdAt.toISOString(), id: before.id });
    // The page's statement also counts every match for totalResults, from the same index: a request for the count
    // alone says what that reads.
    const index = { index: "scim_users_tenant_created_idx" };
    const countPages = await pagesRead(index, async () => {
      expect((await scim("GET", "Users?count=0")).body.totalResults).toBeGreaterThanOrEqual(GROWTH);
    });
    let page: Awaited<ReturnType<typeof scim>> | undefined;
    const pagePages = await pagesRead(index, async () => {
      page = await scim("GET", `Users?cursor=${encodeURIComponent(cursor)}&count=5&attributes=userName`);
    });
    expect(page!.status).toBe(200);
    expect(page!.body.Resources).toHaveLength(5);
    expect(page!.body.totalResults).toBeGreaterThanOrEqual(GROWTH);
    expect(countPages).toBeGreaterThan(50);
    // Beyond the count, the page walked the index from the tenant's first user to the cursor before (144 pages more
    // here: an `or` of a later time, or the same time and a later id, is no place to start), a few since.
    expect(pagePages - countPages).toBeLessThan(20);
  });

  it("a page by startIndex near the end reads the index from the end: its walk skips the users after it, not the 19,990 before", async (ctx) => {
    await skipBefore15(ctx);
    await grow();
    await admin`vacuum scim_users`;
    const index = { index: "scim_users_tenant_created_idx" };
    const countPages = await pagesRead(index, async () => {
      expect((await scim("GET", "Users?count=0")).body.totalResults).toBeGreaterThanOrEqual(GROWTH);
    });
    const [{ total }] = await admin<{ total: number }[]>`select count(*)::int as total from scim_users where tenant_id = ${tenantId}`;
    const [last] = await admin<{ id: string }[]>`
      select id from scim_users where tenant_id = ${tenantId} order by created_at desc, id desc limit 1`;
    let page: Awaited<ReturnType<typeof scim>> | undefined;
    const pagePages = await pagesRead(index, async () => {
      page = await scim("GET", `Users?startIndex=${total - 4}&count=5&attributes=userName`);
    });
    expect(page!.status).toBe(200);
    expect(page!.body.Resources).toHaveLength(5);
    expect(page!.body.Resources.at(-1).id).toBe(last.id);
    expect(countPages).toBeGreaterThan(50);
    // Beyond the count, a page or two at the index's end (1 here); read from the start, the walk to the page read 143.
    expect(pagePages - countPages).toBeLessThan(20);
  });

  it("the first and the last page of 100 by startIndex read their own users' rows, not every user of the tenant", async (ctx) => {
    await skipBefore15(ctx);
    await grow();
    await admin`vacuum analyze scim_users`;
    const [{ pages: tablePages }] = await admin<{ pages: number }[]>`select pg_relation_size('scim_users')::int / 8192 as pages`;
    const [{ total }] = await admin<{ total: number }[]>`select count(*)::int as total from scim_users where tenant_id = ${tenantId}`;
    // Planned for the request's values, as PostgreSQL plans these statements: a generic plan, blind to the page's
    // size, costs more here. (Under a generic plan every version of this statement hashes the table.)
    await database.db.execute(sql`set plan_cache_mode = force_custom_plan`);
    ctx.onTestFinished(async () => {
      await database.db.execute(sql`set plan_cache_mode = force_generic_plan`);
    });
    // The statement counts the matches too (here by reading the table: it is small and the tenant's whole).
    const countPages = await pagesRead({ heap: "scim_users" }, async () => {
      await scim("GET", "Users?count=0");
    });
    for (const startIndex of [1, total - 99]) {
      let page: Awaited<ReturnType<typeof scim>> | undefined;
      const heapPages = await pagesRead({ heap: "scim_users" }, async () => {
        page = await scim("GET", `Users?startIndex=${startIndex}&count=100`);
      });
      expect(page!.body.Resources, `startIndex=${startIndex}`).toHaveLength(100);
      // Beyond the count, one visit per row of the page at most, where a hash join of the page's ids with the
      // users read the whole table again (488 pages more).
      expect(heapPages - countPages, `startIndex=${startIndex}`).toBeLessThanOrEqual(110);
      expect(tablePages).toBeGreaterThan(400);
    }
  });

  it("a drain's outcome of ten emails reads their rows, not the outbox, whichever join the planner picks", async (ctx) => {
    await skipBefore15(ctx);
    const email = (to: string) => ({ to, subject: "Hi", text: "Open https://x.example/a now", html: "<p>hi</p>", kind: "invitation" as const, tenantId });
    // A sync's worth of delivered emails, and autovacuum's ANALYZE of them.
    await admin`
      insert into email_outbox (tenant_id, kind, "to", subject, text, html, idempotency_key, status, sent_at)
      select ${tenantId}, 'invitation', 'bulk' || n || '@plans.example', 'Hi', 'Open https://x.example/a now', '<p>hi</p>',
        'plans-bulk-' || n, 'sent', now()
      from generate_series(1, ${GROWTH}) as n`;
    await admin`analyze email_outbox`;
    await admin`select pg_stat_force_next_flush()`;
    const [{ pages }] = await admin<{ pages: number }[]>`select pg_relation_size('email_outbox')::int / 8192 as pages`;
    expect(pages).toBeGreaterThan(200);

    await enqueueEmails(
      database.db,
      Array.from({ length: 10 }, (_, i) => ({ message: email(`later${i}@plans.example`), idempotencyKey: `plans-later-${i}` })),
    );
    const claimed = await claimDueEmails(database.db, { limit: 50, leaseSeconds: 60 });
    expect(claimed).toHaveLength(10);
    // PostgreSQL plans the outcomes' rows (jsonb_to_recordset) as a hundred whatever their number, and on some
    // statistics joins them to the outbox by hashing: here it is made to, as in `npm run bench`'s sync, where the
    // outcome of a drain read 722 pages of the outbox.
    await database.db.execute(sql`set enable_nestloop = off`);
    try {
      const outcomePages = await pagesRead({ heap: "email_outbox" }, () =>
        recordOutcomes(database.db, claimed.map(({ id }) => ({ id, status: "sent" as const, providerMessageId: `m-${id}` }))),
      );
      // The ten rows and their new versions (75 pages here), where the hash join read every page (536 here).
      expect(outcomePages).toBeLessThan(pages / 4);
    } finally {
      await database.db.execute(sql`reset enable_nestloop`);
    }
    const sent = await admin`select 1 from email_outbox where tenant_id = ${tenantId} and status = 'sent' and provider_message_id like 'm-%'`;
    expect(sent).toHaveLength(10);
  });
});
