// `npm run bench`: the production build of Sally on PostgreSQL (and optionally PGlite), driven over HTTP with an
// Entra-style sync, measured against two baselines in the same run with the same client. See README.md
// "Performance" for what it prints and the last figures, and JOURNAL.md beside this file for every run before.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres, { type Sql } from "postgres";
import { parseArgs, type BenchOptions } from "./args";
import { compareAccess, compareInvitations, compareMemberships, expectedPurchases, type MembershipRow } from "./checks";
import { ScimClient } from "./client";
import { startAnalyzer } from "./analyzer";
import { measurePhase, type PhaseRun, type Target } from "./measure";
import { runProbes, type ProbeResults } from "./probes";
import {
  baselineNextDir,
  benchDataDir,
  buildBaselineNext,
  buildProduct,
  cli,
  databaseUrl,
  hasProductionBuild,
  productEnv,
  recreateDatabase,
  startNextBaseline,
  startNodeBaseline,
  startProduct,
  type Server,
} from "./servers";
import { formatNumber, formatRatioTable, formatRoundsTable, medianRatioRows, ratioRows, requestsPerSecond, textTable, type RatioRow } from "./stats";
import { MAPPED_GROUPS, TIERS, buildWorkload, expectedEnd, type Workload } from "./workload";

type Query = <T>(text: string, params?: unknown[]) => Promise<T[]>;

const TENANT_SLUG = "bench";

type ProductCorrectness = {
  failuresByPhase: Record<string, number>;
  memberships: ReturnType<typeof compareMemberships>;
  access: ReturnType<typeof compareAccess>;
  purchases: { tier: string; bought: number; expected: number; rows: number }[];
  invitations: ReturnType<typeof compareInvitations>;
  ok: boolean;
};

type TargetRun = { name: string; phases: PhaseRun[]; peakRssMiB: number | null; correctness: unknown };

/** One turn of the product and the baselines (`--rounds`), with the product ÷ baseline ratios of that turn. */
type Round = { product: TargetRun & { probes: ProbeResults | null }; baselines: TargetRun[]; ratios: RatioRow[] };

/**
 * The group mapping the admin saves. The admin group is mapped once it has members: a save that would leave the
 * tenant without an administrator who can sign in is refused, and until an admin group is mapped the tenant's
 * first (manual) admin keeps admin.
 */
function mappingArgs({ admins = true } = {}): string[] {
  return [
    "--user-group", MAPPED_GROUPS.users,
    ...(admins ? ["--admin-group", MAPPED_GROUPS.admins] : []),
    "--license", `starter=${MAPPED_GROUPS.starter}`,
    "--license", `team=${MAPPED_GROUPS.team}`,
    "--license", `enterprise=${MAPPED_GROUPS.enterprise}`,
    "--invite", "on",
  ];
}

type Hooks = { between?: Record<string, () => Promise<void>>; afterPhase?: Record<string, () => Promise<void>> };

async function runPhases(target: Target, client: ScimClient, workload: Workload, options: BenchOptions, hooks: Hooks = {}) {
  const phases: PhaseRun[] = [];
  for (const phase of workload.phases.filter((p) => (options.phases as string[]).includes(p.name))) {
    phases.push(await measurePhase(target, client, phase, { concurrency: options.concurrency, phaseSeconds: options.phaseSeconds, between: hooks.between }));
    await hooks.afterPhase?.[phase.name]?.();
  }
  return phases;
}

async function checkProduct(query: Query, workload: Workload, phases: PhaseRun[]): Promise<ProductCorrectness> {
  const [tenant] = await query<{ id: string }>("select id from tenants where slug = $1", [TENANT_SLUG]);
  const memberships = compareMemberships(
    workload,
    await query<MembershipRow>(
      `select g.display_name as "group", u.user_name as "user" from scim_group_members m
       join scim_groups g on g.id = m.group_id join scim_users u on u.id = m.user_id where m.tenant_id = $1`,
      [tenant.id],
    ),
  );
  const access = compareAccess(
    workload,
    await query<{ user: string; role: string; license: string }>(
      `select su.user_name as "user", u.role::text as role, u.license::text as license
       from users u join scim_users su on su.id = u.scim_user_id where u.tenant_id = $1`,
      [tenant.id],
    ),
  );
  const bought = await query<{ tier: string; quantity: number; rows: number }>(
    "select tier::text as tier, sum(quantity)::int as quantity, count(*)::int as rows from seat_purchases where tenant_id = $1 group by tier",
    [tenant.id],
  );
  const expected = expectedPurchases(workload);
  const purchases = TIERS.map((tier) => {
    const row = bought.find((b) => b.tier === tier);
    return { tier, bought: row?.quantity ?? 0, expected: expected[tier], rows: row?.rows ?? 0 };
  });
  const invitations = compareInvitations(
    workload,
    await query<{ to: string; n: number }>(
      `select "to", count(*)::int as n from email_outbox where tenant_id = $1 and kind = 'invitation' group by "to"`,
      [tenant.id],
    ),
  );
  const failuresByPhase = Object.fromEntries(phases.map((p) => [p.phase, p.failures]));
  const ok =
    Object.values(failuresByPhase).every((n) => n === 0) &&
    memberships.missing === 0 &&
    memberships.extra === 0 &&
    access.wrong === 0 &&
    access.missing === 0 &&
    purchases.every((p) => p.bought === p.expected) &&
    invitations.none === 0 &&
    invitations.duplicated === 0;
  return { failuresByPhase, memberships, access, purchases, invitations, ok };
}

function pgQuery(sql: Sql): Query {
  return async <T>(text: string, params: unknown[] = []) => (await sql.unsafe(text, params as never[])) as unknown as T[];
}

/** The product on PostgreSQL or PGlite: tenant and token through the CLI, phases, correctness, probes. */
async function runProduct(options: BenchOptions, workload: Workload, expected: Workload, driver: "postgres" | "pglite", admin: Sql): Promise<TargetRun & { probes: ProbeResults | null }> {
  const repo = process.cwd();
  const port = options.portBase + (driver === "postgres" ? 0 : 3);
  const database = "sally_bench";
  const pgliteDir = path.join(benchDataDir(repo), "pglite");
  let env: NodeJS.ProcessEnv;
  if (driver === "postgres") {
    await recreateDatabase(options.databaseUrl, database);
    env = productEnv(port, { databaseUrl: databaseUrl(options.databaseUrl, database) });
  } else {
    fs.rmSync(pgliteDir, { recursive: true, force: true });
    fs.rmSync(`${pgliteDir}.lock`, { force: true });
    env = productEnv(port, { pgliteDir });
  }
  const name = driver === "postgres" ? "sally" : "sally (PGlite)";
  process.stderr.write(`starting ${name} from ${options.appDir} on port ${port}\n`);
  const server = await startProduct(options.appDir, port, env, options.cpuProfileDir);
  let stopAnalyzer = async () => {};
  try {
    await cli(options.appDir, env, [
      "tenant", "create", "--name", "Contoso (bench)", "--slug", TENANT_SLUG, "--admin", "admin@contoso.example",
      "--seats", TIERS.map((t) => `${t}=${workload.initialSeats[t]}`).join(","),
    ]);
    const { data } = await cli(options.appDir, env, ["scim", "connect", "--tenant", TENANT_SLUG, "--provider", "entra"]);
    const { tenantUrl, token } = data as { tenantUrl: string; token: string };
    const client = new ScimClient(tenantUrl.replace(/\/+$/, ""), token, options.concurrency);
    const target: Target = { name, pid: server.pid, postgres: driver === "postgres" ? { admin, database } : undefined };
    stopAnalyzer = driver === "postgres" ? await startAnalyzer(databaseUrl(options.databaseUrl, database)) : stopAnalyzer;
    // The admin maps the groups once the IdP has created them, before the memberships arrive, and the admin
    // group once it has members (neither is measured).
    const saveMapping = (admins: boolean) => async () =>
      void (await cli(options.appDir, env, ["scim", "mapping", "set", "--tenant", TENANT_SLUG, ...mappingArgs({ admins }), "--apply"]));
    const phases = await runPhases(target, client, workload, options, {
      between: { members: saveMapping(false) },
      afterPhase: { provision: saveMapping(true) },
    });
    let correctness: ProductCorrectness;
    let probes: ProbeResults | null = null;
    if (driver === "postgres") {
      const sql = postgres(databaseUrl(options.databaseUrl, database), { max: 2, onnotice: () => {} });
      try {
        correctness = await checkProduct(pgQuery(sql), expected, phases);
        if (options.probes) probes = await runProbes({
            sql,
            client,
            workload,
            serverPid: server.pid,
            concurrency: options.concurrency,
            cliRun: (args) => cli(options.appDir, env, args),
            tenantSlug: TENANT_SLUG,
            mappingArgs: mappingArgs(),
          });
      } finally {
        await sql.end();
      }
    } else {
      await server.stop();
      const { PGlite } = await import("@electric-sql/pglite");
      const db = new PGlite(pgliteDir);
      try {
        correctness = await checkProduct(async <T>(text: string, params: unknown[] = []) => (await db.query<T>(text, params)).rows, expected, phases);
      } finally {
        await db.close();
      }
    }
    client.close();
    return { name, phases, peakRssMiB: Math.max(...phases.map((p) => p.peakRssMiB ?? 0), probes?.peakRssMiB ?? 0), correctness, probes };
  } catch (error) {
    process.stderr.write(`${name} stderr:\n${server.stderr()}\n`);
    throw error;
  } finally {
    await stopAnalyzer();
    await server.stop();
  }
}

async function runBaseline(options: BenchOptions, workload: Workload, expected: Workload, kind: "node:http" | "next", admin: Sql): Promise<TargetRun> {
  const repo = process.cwd();
  const database = kind === "next" ? "sally_bench_next" : "sally_bench_node";
  await recreateDatabase(options.databaseUrl, database);
  const url = databaseUrl(options.databaseUrl, database);
  const token = randomBytes(24).toString("base64url");
  const port = options.portBase + (kind === "next" ? 2 : 1);
  process.stderr.write(`starting the ${kind} baseline on port ${port}\n`);
  const server: Server = kind === "next" ? await startNextBaseline(repo, port, url, token) : await startNodeBaseline(repo, port, url, token);
  const name = kind === "next" ? "Next.js baseline" : "node:http baseline";
  try {
    const client = new ScimClient(`${server.url}/scim/v2`, token, options.concurrency);
    const stopAnalyzer = await startAnalyzer(url);
    const phases = await runPhases({ name, pid: server.pid, postgres: { admin, database } }, client, workload, options).finally(stopAnalyzer);
    client.close();
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    let memberships;
    try {
      memberships = compareMemberships(
        expected,
        await sql<MembershipRow[]>`select g.display_name as "group", u.user_name as "user" from b_members m join b_groups g on g.id = m.group_id join b_users u on u.id = m.user_id`,
      );
    } finally {
      await sql.end();
    }
    return { name, phases, peakRssMiB: Math.max(...phases.map((p) => p.peakRssMiB ?? 0)), correctness: { failuresByPhase: Object.fromEntries(phases.map((p) => [p.phase, p.failures])), memberships } };
  } catch (error) {
    process.stderr.write(`${name} stderr:\n${server.stderr()}\n`);
    throw error;
  } finally {
    await server.stop();
  }
}

function phaseTable(run: TargetRun): string {
  return textTable(
    ["phase", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "server cpu ms/req", "db cpu ms/req", "peak RSS MiB", "failed"],
    run.phases.map((p) => [
      p.phase + (p.truncated ? " (truncated)" : ""),
      String(p.requests),
      formatNumber(requestsPerSecond(p)),
      formatNumber(p.latency.p50),
      formatNumber(p.latency.p95),
      formatNumber(p.latency.p99),
      formatNumber(p.serverCpuMsPerRequest),
      formatNumber(p.dbCpuMsPerRequest),
      formatNumber(p.peakRssMiB),
      String(p.failures),
    ]),
  );
}

function operationTable(run: TargetRun): string {
  const rows: string[][] = [];
  for (const p of run.phases) {
    for (const [op, s] of Object.entries(p.byOperation)) {
      rows.push([p.phase, op, String(s.count), formatNumber(s.p50), formatNumber(s.p95), formatNumber(s.p99), String(p.failuresByOperation[op] ?? 0)]);
    }
  }
  return textTable(["phase", "operation", "requests", "p50 ms", "p95 ms", "p99 ms", "failed"], rows);
}

function gitRevision(dir: string): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2), process.env, process.cwd());
  const repo = process.cwd();
  if (!fs.existsSync(path.join(repo, "e2e", "bench", "main.ts"))) throw new Error("run the bench from the repository root (npm run bench)");
  const workload = buildWorkload({ users: options.users, groups: options.groups, seed: options.seed });
  const expected = expectedEnd(workload, options.phases);
  const started = new Date();
  const loadBefore = os.loadavg();
  process.stderr.write(
    `bench: ${options.users} users, ${options.groups} groups, concurrency ${options.concurrency}, phases ${options.phases.join(",")}; ` +
      `requests per target: ${workload.phases.filter((p) => (options.phases as string[]).includes(p.name)).map((p) => `${p.name} ${p.stages.reduce((n, s) => n + s.tasks.reduce((m, t) => m + t.length, 0), 0)}`).join(", ")}\n`,
  );
  if (options.build) {
    await buildProduct(options.appDir);
    if (options.baselines) await buildBaselineNext(repo);
  } else {
    // Said before the run rather than when a server will not start, several minutes in.
    const unbuilt = [options.appDir, ...(options.baselines ? [baselineNextDir(repo)] : [])].filter((dir) => !hasProductionBuild(dir));
    if (unbuilt.length) throw new Error(`--no-build, but no production build (.next/BUILD_ID) in ${unbuilt.join(" and ")}: run without --no-build once`);
  }
  const admin = postgres(databaseUrl(options.databaseUrl, "postgres"), { max: 1, onnotice: () => {} });
  const databases = ["sally_bench", "sally_bench_node", "sally_bench_next"];
  try {
    // With --rounds, the product and the baselines take turns, so a slow spell of the shared machine falls on one
    // round's figures, and the medians of the rounds' ratios pass over it. Only the first round runs the probes and
    // PGlite.
    const rounds: Round[] = [];
    let pglite: (TargetRun & { probes: ProbeResults | null }) | null = null;
    for (let round = 1; round <= options.rounds; round++) {
      if (options.rounds > 1) process.stderr.write(`bench: round ${round} of ${options.rounds}\n`);
      const product = await runProduct({ ...options, probes: options.probes && round === 1 }, workload, expected, "postgres", admin);
      const baselines: TargetRun[] = [];
      if (options.baselines) {
        baselines.push(await runBaseline(options, workload, expected, "node:http", admin));
        baselines.push(await runBaseline(options, workload, expected, "next", admin));
      }
      if (round === 1 && options.pglite) pglite = await runProduct(options, workload, expected, "pglite", admin);
      rounds.push({ product, baselines, ratios: ratioRows(product.phases, baselines.map((b) => b.phases)) });
    }
    const [{ product, baselines, ratios }] = rounds;
    const medianRatios = medianRatioRows(rounds.map((r) => r.ratios));

    const baselineNames = baselines.map((b) => (b.name.startsWith("Next") ? "next" : "node"));
    const pgliteRatios = pglite ? ratioRows(pglite.phases, baselines.map((b) => b.phases)) : null;
    const output = {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadBefore, loadAfter: os.loadavg(), node: process.version },
      options: { ...options, databaseUrl: undefined },
      appRevision: gitRevision(options.appDir),
      benchRevision: gitRevision(repo),
      // The first round's, where a run of one round has them; then every round (the first again) and the medians.
      product,
      baselines,
      pglite,
      ratios,
      pgliteRatios,
      rounds,
      medianRatios,
    };
    fs.mkdirSync(path.dirname(options.jsonOut), { recursive: true });
    fs.writeFileSync(options.jsonOut, JSON.stringify(output, null, 2));

    const out: string[] = [];
    // With more than one round, what belongs to a round says which.
    const ofRound = (name: string, n: number) => (options.rounds > 1 ? `${name}, round ${n + 1}` : name);
    const tables = (run: TargetRun, name: string) => `\n${name}  (peak RSS ${formatNumber(run.peakRssMiB)} MiB)\n${phaseTable(run)}`;
    for (const run of [product, ...baselines]) out.push(tables(run, ofRound(run.name, 0)));
    if (pglite) out.push(tables(pglite, pglite.name));
    out.push(`\n${ofRound("sally per operation", 0)}\n${operationTable(product)}`);
    if (baselines.length) {
      const heading = options.rounds > 1 ? `the first of ${options.rounds} rounds` : "same run, same client";
      out.push(`\nsally ÷ baselines (${heading})\n${formatRatioTable(ratios, baselineNames)}`);
    }
    rounds.forEach((round, n) => {
      if (n === 0) return;
      for (const run of [round.product, ...round.baselines]) out.push(tables(run, ofRound(run.name, n)));
      out.push(`\n${ofRound("sally per operation", n)}\n${operationTable(round.product)}`);
    });
    if (baselines.length && options.rounds > 1) {
      const next = baselineNames.indexOf("next");
      out.push(`\nsally ÷ Next.js baseline, round by round (run in alternation)\n${formatRoundsTable(rounds.map((r) => r.ratios), next)}`);
      out.push(`\nsally ÷ baselines, the median of ${options.rounds} rounds\n${formatRatioTable(medianRatios, baselineNames)}`);
    }
    if (pgliteRatios) out.push(`\nsally on PGlite ÷ baselines on PostgreSQL\n${formatRatioTable(pgliteRatios, baselineNames)}`);
    if (product.probes) out.push(`\nscale probes (sally on PostgreSQL)\n${product.probes.table}`);
    const productRuns = [...rounds.map((r, n) => ({ ...r.product, name: ofRound(r.product.name, n) })), ...(pglite ? [pglite] : [])];
    for (const run of productRuns) {
      const c = run.correctness as ProductCorrectness;
      out.push(
        `\ncorrectness, ${run.name}: ${c.ok ? "OK" : "FAILED"}\n` +
          `  failed requests by phase: ${JSON.stringify(c.failuresByPhase)}\n` +
          `  memberships: ${c.memberships.present} present of ${c.memberships.expected} expected, ${c.memberships.missing} missing, ${c.memberships.extra} extra ${c.memberships.examples.join("; ")}\n` +
          `  roles/licenses: ${c.access.wrong} wrong, ${c.access.missing} missing ${c.access.examples.join("; ")}\n` +
          `  seats bought: ${c.purchases.map((p) => `${p.tier} ${p.bought} (expected ${p.expected}, ${p.rows} purchases)`).join(", ")}\n` +
          `  invitations: ${c.invitations.users} users, ${c.invitations.none} without, ${c.invitations.duplicated} with more than one, ${c.invitations.strangers} to others`,
      );
    }
    rounds.forEach((round, n) => {
      for (const b of round.baselines) {
        const c = b.correctness as { failuresByPhase: Record<string, number>; memberships: ReturnType<typeof compareMemberships> };
        out.push(`correctness, ${ofRound(b.name, n)}: failed requests ${JSON.stringify(c.failuresByPhase)}, memberships ${c.memberships.missing} missing, ${c.memberships.extra} extra`);
      }
    });
    out.push(`\nload average before ${loadBefore.map((l) => l.toFixed(1)).join(" ")}, after ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
    out.push(`results: ${path.relative(repo, options.jsonOut)}`);
    process.stdout.write(`${out.join("\n")}\n`);
    const failed = productRuns.some((r) => !(r.correctness as ProductCorrectness).ok);
    if (failed) process.exitCode = 1;
  } finally {
    if (!options.keepDatabases) for (const name of databases) await recreateDatabase(options.databaseUrl, name, false).catch(() => {});
    await admin.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
