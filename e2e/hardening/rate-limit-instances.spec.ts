import { expect, test } from "@playwright/test";
import { createOpsDatabase, Instance, opsCli, opsPort, type OpsDatabase, skipUnlessPostgres } from "./instances";

// The per-tenant SCIM rate limit is one bucket in PostgreSQL: two instances together allow the configured rate,
// not twice it (a limit in process memory would let 2 × PER_MINUTE through here).
test.describe.configure({ mode: "serial" });

const PER_MINUTE = 30;
let database: OpsDatabase;
let instances: Instance[];

test.beforeAll(async ({}, info) => {
  skipUnlessPostgres(info);
  test.setTimeout(240_000);
  database = await createOpsDatabase("ratelimit");
  const env = { SCIM_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) };
  instances = [new Instance({ port: opsPort(5), databaseUrl: database.url, env }), new Instance({ port: opsPort(6), databaseUrl: database.url, env })];
  for (const instance of instances) await instance.start();
});

test.afterAll(async () => {
  await Promise.all(instances?.map((i) => i.stop("SIGKILL")) ?? []);
  await database?.drop();
});

test("the per-tenant rate limit holds across two instances, with 429 and an integer Retry-After", async () => {
  test.setTimeout(300_000);
  const options = instances[0].options;
  const tenant = async (slug: string) => {
    await opsCli(options, "tenant", "create", "--name", slug, "--slug", slug, "--admin", `admin@${slug}.example`);
    return (await opsCli(options, "scim", "connect", "--tenant", slug, "--provider", "okta")).token as string;
  };
  const stamp = Date.now().toString(36);
  const [busy, quiet] = [await tenant(`busy-${stamp}`), await tenant(`quiet-${stamp}`)];
  const get = async (token: string, instance: Instance) => {
    const response = await fetch(`${instance.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json() };
  };

  const started = Date.now();
  // The bucket starts full: a burst through the first instance alone takes it all (PER_MINUTE), then the second
  // instance, which has served nothing yet, refuses as the first one does, because the bucket is one. (A burst
  // spread over both at once would say nothing about which instance drains it first.)
  const burst = await Promise.all(Array.from({ length: PER_MINUTE }, () => get(busy, instances[0])));
  const after = await Promise.all(Array.from({ length: 20 }, (_, i) => get(busy, instances[i % 2])));
  const replies = [...burst, ...after];
  const elapsedSeconds = (Date.now() - started) / 1000;
  const allowed = replies.filter((r) => r.status === 200).length;
  const limited = replies.filter((r) => r.status === 429);
  expect(allowed + limited.length).toBe(replies.length);
  expect(burst.every((r) => r.status === 200)).toBe(true);
  // The bucket refills PER_MINUTE/60 a second while the requests are under way.
  expect(allowed).toBeLessThanOrEqual(PER_MINUTE + Math.ceil((elapsedSeconds * PER_MINUTE) / 60));
  for (const reply of limited) {
    expect(reply.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(reply.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429" });
  }
  // Each instance refused once the bucket was empty (the second had served nothing), and another tenant is not
  // affected.
  for (const i of [0, 1]) expect(after.filter((r, n) => n % 2 === i && r.status === 429).length).toBeGreaterThan(0);
  for (const instance of instances) expect((await get(quiet, instance)).status).toBe(200);
  console.log(`FIGURES rate-limit: ${replies.length} requests over 2 instances in ${elapsedSeconds.toFixed(1)} s at ${PER_MINUTE}/min: ${allowed} allowed, ${limited.length} answered 429`);
});
