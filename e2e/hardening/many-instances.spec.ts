import { expect, test } from "@playwright/test";
import type { FakeResend } from "../fake-resend.mjs";
import { connectTenant, Instance, opsCli, startTwoInstances, stopTwoInstances, type InstanceOptions, type OpsDatabase } from "./instances";
import { SCIM_SCHEMAS, SimulatedIdp } from "./idp";
import { createGroups, expectedEnd, INITIAL_SEATS, invitationsDelivered, MAPPING_ARGS, snapshot, syncCycle } from "./scenario";

// Two production instances on one PostgreSQL database, three IdPs (one per tenant) spreading their requests over
// both at once. Needs PostgreSQL: embedded PGlite allows one process per database.
test.describe.configure({ mode: "serial" });

const TENANTS = 3;
let database: OpsDatabase;
let fake: FakeResend;
let instances: Instance[];
let options: InstanceOptions;

test.beforeAll(async ({}, info) => {
  ({ database, fake, instances } = await startTwoInstances(info, "many", 1));
  options = instances[0].options;
});

test.afterAll(() => stopTwoInstances({ database, fake, instances }));

test("IdPs syncing through two instances at once lose and double nothing, buy exactly the shortfall, invite once", async () => {
  test.setTimeout(300_000);
  const urls = () => instances.map((i) => i.url);
  const tenants = await Promise.all(
    Array.from({ length: TENANTS }, async (_, n) => {
      const { slug, token } = await connectTenant(options, `many-${n}`, "okta", "--seats", INITIAL_SEATS);
      return { slug, domain: `${slug}.example`, token, idp: new SimulatedIdp(token, urls) };
    }),
  );
  await Promise.all(
    tenants.map(async (t) => {
      const groups = await createGroups(t.idp);
      await opsCli(options, "scim", "mapping", "set", "--tenant", t.slug, ...MAPPING_ARGS);
      await syncCycle(t.idp, t.domain, groups);
    }),
  );

  const expected = expectedEnd();
  for (const t of tenants) {
    const state = await snapshot(database.sql, t.slug);
    expect(state.users).toEqual(expected.users);
    expect(state.members).toEqual(expected.members);
    expect(state.purchased).toEqual(expected.purchased);
    expect(state.groups).toEqual(["Project A (renamed)", "Sally Admins", "Sally Users", "Starter", "Team"]);
    expect(state.invitationsQueued).toEqual(Object.fromEntries(expected.invited.map((u) => [u, 1])));
    // Every request answered, none with a server error.
    expect(t.idp.stats.unanswered).toBe(0);
    expect([...t.idp.stats.byStatus.keys()].filter((status) => status >= 500)).toEqual([]);
    expect(t.idp.answered).toBe(t.idp.stats.sent);
  }
  // The outbox drains on both instances at once: each invitation reaches Resend exactly once.
  for (const t of tenants) {
    await expect.poll(() => Object.keys(invitationsDelivered(fake.outbox, t.domain)).length, { timeout: 90_000 }).toBe(expected.invited.length);
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  for (const t of tenants) {
    expect(invitationsDelivered(fake.outbox, t.domain)).toEqual(Object.fromEntries(expected.invited.map((u) => [u, 1])));
  }
  const sent = tenants.reduce((sum, t) => sum + t.idp.stats.sent, 0);
  console.log(`FIGURES many-instances: ${TENANTS} IdPs, 2 instances, ${sent} SCIM requests sent concurrently, ${sent} answered, 0 5xx; invariants per tenant: ${expected.users.length} users, ${Object.keys(expected.members).length} groups' members, purchases, invitations queued and delivered`);
});

test("Entra's profile PATCHes spread over two instances, each remembering the user as it last saw it, lose no change", async () => {
  test.setTimeout(120_000);
  const { slug, token } = await connectTenant(options, "seen", "entra");
  const idp = new SimulatedIdp(token, () => instances.map((i) => i.url));
  const id = await idp.createUser(`seen@${slug}.example`);
  const patch = (operations: object[], via: string) => idp.send("PATCH", `Users/${id}`, { schemas: [SCIM_SCHEMAS.patchOp], Operations: operations }, via);
  const [a, b] = instances.map((i) => i.url);
  // Both instances look the user up (Entra's query before an update), so each remembers it at version 1.
  for (const via of [a, b]) expect((await idp.send("GET", `Users?filter=${encodeURIComponent(`userName eq "seen@${slug}.example"`)}`, undefined, via)).body.totalResults).toBe(1);
  // In turn: each instance's entry is stale after the other one wrote, so it reads the user again before writing.
  const titles = ["One", "Two", "Three", "Four", "Five", "Six"];
  for (const [n, title] of titles.entries()) {
    const reply = await patch([{ op: "Replace", path: "title", value: title }, { op: "Add", path: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter`, value: `cc-${n}` }], n % 2 ? b : a);
    expect(reply.status).toBe(200);
    expect(reply.body.meta.version).toBe(`W/"${n + 2}"`);
  }
  // At once, on both: every phone number added, none lost, each PATCH one version step.
  const numbers = Array.from({ length: 16 }, (_, n) => `+49 30 ${1000 + n}`);
  const replies = await Promise.all(numbers.map((value, n) => patch([{ op: "Add", path: "phoneNumbers", value: [{ type: "work", value }] }], n % 2 ? b : a)));
  expect(replies.map((r) => r.status)).toEqual(numbers.map(() => 200));
  const [user] = await database.sql`select version, resource from scim_users where id = ${id}`;
  expect(user.version).toBe(1 + titles.length + numbers.length);
  expect(user.resource.title).toBe("Six");
  expect(user.resource["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]).toMatchObject({ costCenter: "cc-5" });
  expect((user.resource.phoneNumbers as { value: string }[]).map((p) => p.value).sort()).toEqual(numbers);
  // Profile changes only: the Sally user is still the IdP's, in no group and so without access.
  const [sally] = await database.sql`select source, role from users where scim_user_id = ${id}`;
  expect(sally).toEqual({ source: "scim", role: "none" });
});

test("token rotation and disconnect take effect on the next request on every instance", async () => {
  test.setTimeout(300_000);
  const { slug, token: first } = await connectTenant(options, "rot", "entra");
  const get = (token: string, instance: Instance) =>
    fetch(`${instance.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
  const idp = new SimulatedIdp(first, () => instances.map((i) => i.url));
  await idp.createUser(`kept@${slug}.example`);
  // Both instances have served (and may have cached anything they like about) the first token.
  for (const instance of instances) expect(await get(first, instance)).toBe(200);

  const { token: second } = await opsCli(options, "scim", "rotate", "--tenant", slug);
  expect(second).not.toBe(first);
  for (const instance of instances) {
    expect(await get(first, instance)).toBe(401);
    expect(await get(second, instance)).toBe(200);
  }

  await opsCli(options, "scim", "disconnect", "--tenant", slug);
  for (const instance of instances) expect(await get(second, instance)).toBe(401);
  // Disconnect keeps provisioned users.
  const users = (await opsCli(options, "users", "list", "--tenant", slug)) as { email: string }[];
  expect(users.map((u) => u.email)).toContain(`kept@${slug}.example`);
});
