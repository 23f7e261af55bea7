// Scale probes on the product (PostgreSQL only): does a cost grow with the size of what is around it? Extra users
// are bulk-loaded with SQL (rows shaped like the ones POST /Users leaves for a user in no mapped group), since
// these probe the read path and single writes, not provisioning speed.
import { performance } from "node:perf_hooks";
import type { Sql } from "postgres";
import { encodeCursor } from "@/lib/scim/list-params";
import { insertScimUsers } from "./bulk-users";
import { Recorder, runStage, type ScimClient } from "./client";
import { rssSampler } from "./proc";
import { formatNumber, formatRatio, ratio, summarize, textTable, type LatencySummary } from "./stats";
import { eqFilter, patchBody, prng, MAPPED_GROUPS, type Task, type Workload } from "./workload";

export type ProbeResults = {
  lookup: { atUsers: number; latency: LatencySummary }[];
  memberPatch: { groupSize: number; add: LatencySummary; remove: LatencySummary }[];
  mappingSave: { cliStartupMs: number; previewMs: number; applyMs: number; groupMembers: number; membersWithAccess: number; preview: unknown };
  deepPage: { startIndex: number; latency: LatencySummary }[];
  /** The same positions reached by an RFC 9865 cursor instead of startIndex. */
  deepCursorPage: { position: number; latency: LatencySummary }[];
  peakRssMiB: number | null;
  table: string;
};

type ProbeInput = {
  sql: Sql;
  client: ScimClient;
  workload: Workload;
  serverPid: number;
  concurrency: number;
  cliRun: (args: string[]) => Promise<{ data: unknown; ms: number }>;
  tenantSlug: string;
  mappingArgs: string[];
};

/**
 * Lookups per size: their p99 is the slowest fiftieth of them. With 1,000 it was the slowest ten, and the ratio of
 * the two sizes' p99 moved between 1.02× and 1.77× from run to run on the same build.
 */
const LOOKUPS = 5000;
/** No probe stage starts a task after this long (the machine may be busy). */
const PROBE_SECONDS = 120;
const ROUNDS = 20;
const LARGE_GROUP = 10_000;

/** Adds SQL-made SCIM users (and their no-access Sally users) until the tenant has `total`. */
async function bulkLoadUsers(sql: Sql, tenantId: string, total: number): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from scim_users where tenant_id = ${tenantId}`;
  if (n >= total) return n;
  const started = performance.now();
  await insertScimUsers(sql, tenantId, { prefix: "bench.bulk", domain: "contoso.example", from: n, to: total - 1 });
  await sql`vacuum analyze scim_users`;
  await sql`vacuum analyze users`;
  process.stderr.write(`probe: bulk-loaded ${total - n} users (now ${total}) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return total;
}

/**
 * What the probes before left to do done before the lookups are timed: every table vacuumed and analyzed (the
 * bench's stand-in for autovacuum would otherwise take up the tables a mapping save or a bulk load wrote while the
 * lookups run) and their pages written out (else a checkpoint may do it meanwhile). At both sizes alike.
 */
async function quiesce(sql: Sql): Promise<void> {
  await sql`vacuum analyze`;
  await sql`checkpoint`;
}

async function lookupProbe(input: ProbeInput, tenantId: string, atUsers: number): Promise<{ atUsers: number; latency: LatencySummary }> {
  await quiesce(input.sql);
  const names = await input.sql<{ user_name: string }[]>`select user_name from scim_users where tenant_id = ${tenantId}`;
  const random = prng(atUsers);
  const tasks: Task[] = Array.from({ length: LOOKUPS }, () => {
    const userName = names[Math.floor(random() * names.length)].user_name;
    return [{ op: "user.lookup", method: "GET", path: `Users?filter=${eqFilter("userName", userName)}`, expect: { status: [200], total: 1 } }];
  });
  const recorder = new Recorder();
  await runStage(input.client, { name: "lookup", tasks }, recorder, input.concurrency, performance.now() + PROBE_SECONDS * 1000);
  if (recorder.failureCount) process.stderr.write(`probe: ${recorder.failureCount} lookups failed, e.g. ${recorder.samples[0]}\n`);
  return { atUsers, latency: summarize(recorder.all()) };
}

async function timed(client: ScimClient, method: string, path: string, body: unknown, expect: number[]): Promise<number> {
  const started = performance.now();
  const answer = await client.request(method, path, body);
  const ms = performance.now() - started;
  if (!expect.includes(answer.status)) throw new Error(`probe ${method} ${path} → ${answer.status} ${answer.text.slice(0, 300)}`);
  return ms;
}

async function createGroup(client: ScimClient, displayName: string): Promise<string> {
  const answer = await client.request("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName });
  if (answer.status !== 201) throw new Error(`probe POST Groups ${displayName} → ${answer.status} ${answer.text.slice(0, 300)}`);
  return (JSON.parse(answer.text) as { id: string }).id;
}

/** One 10-member Add (then Remove) PATCH on a group of 10 and on a group of 10,000, alternating, one at a time. */
async function memberPatchProbe(input: ProbeInput, tenantId: string) {
  const { sql, client } = input;
  const groups = [
    { size: 10, id: await createGroup(client, "Probe Small") },
    { size: LARGE_GROUP, id: await createGroup(client, "Probe Large") },
  ];
  for (const g of groups) {
    await sql`
      insert into scim_group_members (group_id, user_id, tenant_id)
      select ${g.id}, id, tenant_id from scim_users where tenant_id = ${tenantId} order by created_at, id limit ${g.size}`;
  }
  await sql`vacuum analyze scim_group_members`;
  const outsiders = await sql<{ id: string }[]>`
    select id from scim_users where tenant_id = ${tenantId} order by created_at, id offset ${LARGE_GROUP} limit ${ROUNDS * 10}`;
  const times = groups.map(() => ({ add: [] as number[], remove: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    const value = outsiders.slice(round * 10, round * 10 + 10).map((u) => ({ $ref: null, value: u.id }));
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const i of order) {
      const path = `Groups/${groups[i].id}`;
      times[i].add.push(await timed(client, "PATCH", path, patchBody({ op: "Add", path: "members", value }), [200, 204]));
      times[i].remove.push(await timed(client, "PATCH", path, patchBody({ op: "Remove", path: "members", value }), [200, 204]));
    }
  }
  return groups.map((g, i) => ({ groupSize: g.size, add: summarize(times[i].add), remove: summarize(times[i].remove) }));
}

/** The admin maps the Enterprise license to the 10,000-member group: preview, then save, through the CLI. */
async function mappingProbe(input: ProbeInput, tenantId: string, provisioned: number) {
  const args = input.mappingArgs.map((a) => (a === `enterprise=${MAPPED_GROUPS.enterprise}` ? "enterprise=Probe Large" : a));
  const show = await input.cliRun(["scim", "mapping", "show", "--tenant", input.tenantSlug]);
  const preview = await input.cliRun(["scim", "mapping", "set", "--tenant", input.tenantSlug, ...args]);
  const apply = await input.cliRun(["scim", "mapping", "set", "--tenant", input.tenantSlug, ...args, "--apply"]);
  const [{ n }] = await input.sql<{ n: number }[]>`
    select count(*)::int as n from scim_group_members m join scim_groups g on g.id = m.group_id
    where g.tenant_id = ${tenantId} and g.display_name = 'Probe Large'`;
  return {
    cliStartupMs: show.ms,
    previewMs: preview.ms,
    applyMs: apply.ms,
    groupMembers: n,
    membersWithAccess: Math.min(provisioned, LARGE_GROUP),
    preview: summarizePreview(preview.data),
  };
}

/** Arrays in the preview become their lengths, so the JSON output stays small. */
function summarizePreview(data: unknown): unknown {
  if (Array.isArray(data)) return { items: data.length };
  if (data && typeof data === "object") return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, summarizePreview(v)]));
  return data;
}

const deepPosition = (total: number) => Math.max(1, total - 9_999);

/** The first page and a deep one, alternating, each asked for by `path(i)` (0: the first, 1: the deep one). */
async function pagePair(client: ScimClient, path: (i: number) => string): Promise<LatencySummary[]> {
  const times: number[][] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    for (const i of round % 2 ? [1, 0] : [0, 1]) times[i].push(await timed(client, "GET", path(i), undefined, [200]));
  }
  return times.map((t) => summarize(t));
}

async function deepPageProbe(client: ScimClient, total: number) {
  const starts = [1, deepPosition(total)];
  const latencies = await pagePair(client, (i) => `Users?startIndex=${starts[i]}&count=100`);
  return starts.map((startIndex, i) => ({ startIndex, latency: latencies[i] }));
}

/**
 * The same two pages by cursor: the deep one after the cursor of the user just before it, in the order cursor
 * paging uses (created, then id), as the page before would have returned it.
 */
async function deepCursorPageProbe(sql: Sql, client: ScimClient, tenantId: string, total: number) {
  const position = deepPosition(total);
  const [before] = await sql<{ createdAt: Date; id: string }[]>`
    select created_at as "createdAt", id from scim_users where tenant_id = ${tenantId}
    order by created_at, id offset ${position - 2} limit 1`;
  const cursors = ["", encodeCursor({ createdAt: before.createdAt.toISOString(), id: before.id })];
  const latencies = await pagePair(client, (i) => `Users?cursor=${cursors[i]}&count=100`);
  return [1, position].map((at, i) => ({ position: at, latency: latencies[i] }));
}

export async function runProbes(input: ProbeInput): Promise<ProbeResults> {
  const rss = rssSampler(input.serverPid);
  const [tenant] = await input.sql<{ id: string }[]>`select id from tenants where slug = ${input.tenantSlug}`;
  const provisioned = input.workload.users.length;
  process.stderr.write("probe: lookups, member PATCH on groups of 10 and 10,000, mapping save, deep pages\n");
  const lookup = [];
  lookup.push(await lookupProbe(input, tenant.id, await bulkLoadUsers(input.sql, tenant.id, Math.max(provisioned, 10_000))));
  await bulkLoadUsers(input.sql, tenant.id, Math.max(provisioned, LARGE_GROUP) + ROUNDS * 10);
  const memberPatch = await memberPatchProbe(input, tenant.id);
  const mappingSave = await mappingProbe(input, tenant.id, provisioned);
  const total = await bulkLoadUsers(input.sql, tenant.id, Math.max(provisioned, 100_000));
  lookup.push(await lookupProbe(input, tenant.id, total));
  const deepPage = await deepPageProbe(input.client, total);
  const deepCursorPage = await deepCursorPageProbe(input.sql, input.client, tenant.id, total);
  const peakRssMiB = rss.stop();

  const row = (name: string, a: number, b: number, unit = "ms"): string[] => [name, `${formatNumber(a)} ${unit}`, `${formatNumber(b)} ${unit}`, formatRatio(ratio(b, a))];
  const table = textTable(
    ["probe", "small", "large", "large ÷ small"],
    [
      row(`filter lookup p99, ${lookup[0].atUsers.toLocaleString("en-US")} vs ${lookup[1].atUsers.toLocaleString("en-US")} users`, lookup[0].latency.p99, lookup[1].latency.p99),
      row("filter lookup p50, same", lookup[0].latency.p50, lookup[1].latency.p50),
      row("10-member Add PATCH p50, group of 10 vs 10,000", memberPatch[0].add.p50, memberPatch[1].add.p50),
      row("10-member Remove PATCH p50, group of 10 vs 10,000", memberPatch[0].remove.p50, memberPatch[1].remove.p50),
      row(`page of 100 p50, startIndex=1 vs ${deepPage[1].startIndex.toLocaleString("en-US")}`, deepPage[0].latency.p50, deepPage[1].latency.p50),
      row(`page of 100 p50 by cursor, first vs from ${deepCursorPage[1].position.toLocaleString("en-US")}`, deepCursorPage[0].latency.p50, deepCursorPage[1].latency.p50),
      [
        `mapping save for a ${mappingSave.groupMembers.toLocaleString("en-US")}-member group (CLI, incl. ${formatNumber(mappingSave.cliStartupMs)} ms start-up)`,
        `preview ${formatNumber(mappingSave.previewMs)} ms`,
        `apply ${formatNumber(mappingSave.applyMs)} ms`,
        "",
      ],
    ],
  );
  return { lookup, memberPatch, mappingSave, deepPage, deepCursorPage, peakRssMiB, table };
}
