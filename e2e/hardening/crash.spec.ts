import http from "node:http";
import { expect, test } from "@playwright/test";
import type { FakeResend } from "../fake-resend.mjs";
import { connectTenant, Instance, opsCli, startTwoInstances, stopTwoInstances, type InstanceOptions, type OpsDatabase } from "./instances";
import { SimulatedIdp } from "./idp";
import { createGroups, expectedEnd, INITIAL_SEATS, invitationsDelivered, MAPPING_ARGS, snapshot, syncCycle } from "./scenario";

// Instances killed with SIGKILL in the middle of a sync cycle and restarted while the IdP retries; then a
// graceful stop (SIGTERM) under load. Needs PostgreSQL: two instances share the database.
test.describe.configure({ mode: "serial" });

let database: OpsDatabase;
let fake: FakeResend;
let instances: Instance[];
let options: InstanceOptions;

test.beforeAll(async ({}, info) => {
  ({ database, fake, instances } = await startTwoInstances(info, "crash", 11));
  options = instances[0].options;
});

test.afterAll(() => stopTwoInstances({ database, fake, instances }));

async function connect(prefix: string) {
  const { slug, token } = await connectTenant(options, prefix, "entra", "--seats", INITIAL_SEATS);
  return { slug, domain: `${slug}.example`, token, idp: new SimulatedIdp(token, () => instances.map((i) => i.url), { retry: true }) };
}

test("SIGKILL mid-cycle, restart, IdP retries: the end state equals a run without crashes; emails go out once", async () => {
  test.setTimeout(480_000);
  const reference = await connect("calm");
  const crashed = await connect("crash");

  // The reference run: the same cycle, nothing killed.
  const referenceGroups = await createGroups(reference.idp);
  await opsCli(options, "scim", "mapping", "set", "--tenant", reference.slug, ...MAPPING_ARGS);
  await syncCycle(reference.idp, reference.domain, referenceGroups);

  // The crash run: one instance killed while the member adds are in flight, the other during the removes.
  let crashes = 0;
  const killAndRestart = async (instance: Instance, afterMs: number) => {
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    expect(await instance.stop("SIGKILL")).toBe("SIGKILL");
    crashes++;
    await instance.start();
  };
  const groups = await createGroups(crashed.idp);
  await opsCli(options, "scim", "mapping", "set", "--tenant", crashed.slug, ...MAPPING_ARGS);
  await syncCycle(crashed.idp, crashed.domain, groups, async (phase) => {
    if (phase === 1) await killAndRestart(instances[0], 150);
    if (phase === 2) await killAndRestart(instances[1], 100);
    if (phase === 3) await killAndRestart(instances[0], 50);
  });
  expect(crashes).toBe(3);

  const [calm, after] = [await snapshot(database.sql, reference.slug), await snapshot(database.sql, crashed.slug)];
  expect(after).toEqual(calm);
  const expected = expectedEnd();
  expect(after.users).toEqual(expected.users);
  expect(after.members).toEqual(expected.members);
  expect(after.purchased).toEqual(expected.purchased);

  // Queued invitations reach Resend exactly once each, crash or not. A send cut off by a kill is retried once its
  // lease (two minutes) runs out, with the same idempotency key, so Resend keeps one.
  const once = Object.fromEntries(expected.invited.map((u) => [u, 1]));
  for (const t of [reference, crashed]) {
    await expect.poll(() => invitationsDelivered(fake.outbox, t.domain), { timeout: 240_000, intervals: [2_000] }).toEqual(once);
  }
  const [tenant] = await database.sql`select id from tenants where slug = ${crashed.slug}`;
  await expect
    .poll(async () => (await database.sql`select status, count(*)::int as n from email_outbox where tenant_id = ${tenant.id} and kind = 'invitation' group by status`).map((r) => `${r.status}:${r.n}`), { timeout: 240_000, intervals: [2_000] })
    .toEqual([`sent:${expected.invited.length}`]);

  console.log(`FIGURES crash: ${crashes} SIGKILLs mid-cycle survived; crash run ${crashed.idp.stats.sent} attempts (${crashed.idp.stats.unanswered} unanswered, ${crashed.idp.stats.retried} retried); reference run ${reference.idp.stats.sent} requests; ${fake.requests.length} Resend calls for ${fake.outbox.length} distinct emails`);
});

/** One request on its own connection (no keep-alive), so a refused connection is told apart from a cut one. */
function rawRequest(url: string, method: string, token: string, body?: unknown): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, { method, agent: false, headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json", ...(data ? { "content-length": Buffer.byteLength(data) } : {}) } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
      res.on("error", (error) => resolve({ error: `cut: ${error.message}` }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(data);
  });
}

test("SIGTERM finishes the requests in flight, and each answered request has its activity-log entry", async () => {
  test.setTimeout(180_000);
  const { slug, domain, token } = await connect("term");
  const target = instances[1];
  const requests = Array.from({ length: 40 }, (_, i) =>
    i % 2
      ? rawRequest(`${target.url}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "t${i}@${domain}"`)}`, "GET", token)
      : rawRequest(`${target.url}/scim/v2/Users`, "POST", token, {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: `t${i}@${domain}`,
          emails: [{ primary: true, value: `t${i}@${domain}` }],
          active: true,
        }),
  );
  // Stop as soon as the instance is answering this burst: the rest of it is in flight.
  await Promise.race([...requests, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  const exit = target.stop("SIGTERM");
  const results = await Promise.all(requests);
  // Next's graceful shutdown exits with 128 + SIGTERM.
  expect(await exit).toBe(143);

  const answered = results.filter((r): r is { status: number } => "status" in r);
  const refused = results.filter((r): r is { error: string } => "error" in r);
  expect(answered.every((r) => r.status < 500)).toBe(true);
  // Connections the server had not accepted yet are refused or reset when it stops listening; the counts below
  // prove none of them had started: every write that happened was answered, and every answer was logged.
  expect(refused.filter((r) => r.error !== "ECONNREFUSED" && r.error !== "ECONNRESET")).toEqual([]);
  expect(answered.length).toBeGreaterThan(1);

  const [tenant] = await database.sql`select id from tenants where slug = ${slug}`;
  const [{ n: logged }] = await database.sql`select count(*)::int as n from activity_log where tenant_id = ${tenant.id} and actor = 'scim'`;
  expect(logged).toBe(answered.length);
  const [{ n: created }] = await database.sql`select count(*)::int as n from scim_users where tenant_id = ${tenant.id}`;
  expect(created).toBe(answered.filter((r) => r.status === 201).length);
  await target.start();
  console.log(`FIGURES sigterm: 40 requests, ${answered.length} answered and logged, ${refused.length} not accepted (${refused.map((r) => r.error).join(",")}), none half-done`);
});

test("SIGTERM waits for the last flush of the reads' buffered log entries, even when Next.js has nothing left to answer", async () => {
  test.setTimeout(120_000);
  const { slug, domain, token } = await connect("flush");
  const target = instances[1];
  // The log's table held by a lock from here until after the signal: the reads' entries stay in the instance's
  // buffer (its timer's flush waits on the lock too), and the flush on SIGTERM can only finish once it is let go.
  const holder = await database.sql.reserve();
  await holder`begin`;
  await holder`lock table activity_log in exclusive mode`;
  let released = false;
  try {
    const reads = await Promise.all(
      Array.from({ length: 5 }, (_, i) => rawRequest(`${target.url}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "f${i}@${domain}"`)}`, "GET", token)),
    );
    expect(reads).toEqual(Array.from({ length: 5 }, () => ({ status: 200 })));
    // Nothing is in flight: Next.js closes its server at once and would exit; the process must wait for the flush.
    const exit = target.stop("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await holder`commit`;
    released = true;
    expect(await exit).toBe(143);
  } finally {
    if (!released) await holder`rollback`;
    holder.release();
  }
  const [tenant] = await database.sql`select id from tenants where slug = ${slug}`;
  const [{ n: logged }] = await database.sql`select count(*)::int as n from activity_log where tenant_id = ${tenant.id} and actor = 'scim'`;
  expect(logged).toBe(5);
  await target.start();
});
