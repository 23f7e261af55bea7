import { expect, test } from "@playwright/test";
import { startOutageProxy } from "../../db/testing/outage-proxy";
import { SignInPage } from "../pages/sign-in";
import { SimulatedIdp, SCIM_SCHEMAS } from "./idp";
import { connectTenant, startInstance, type Instance, type OneInstance, type OpsDatabase } from "./instances";

// PostgreSQL cannot be reached for a while (down, restarting, a network partition): seen from the instance, its
// connections end and new ones are refused. Every request is still answered, with a 503 the IdP retries; nothing
// is half-written; once the database is back the instance serves again without a restart, and the activity
// entries of the reads it served just before the outage (buffered, not yet written) are all in the log. An
// admin's pages meanwhile say that something went wrong, keep the admin signed in, and come back with Try again.
test.describe.configure({ mode: "serial" });

let ops: OneInstance | undefined;
let database: OpsDatabase;
let proxy: Awaited<ReturnType<typeof startOutageProxy>>;
let instance: Instance;
let idp: SimulatedIdp;
let tenantId: string;

test.beforeAll(async ({}, info) => {
  ops = await startInstance(info, "down", 18, {
    through: async (databaseUrl) => {
      const url = new URL(databaseUrl);
      proxy = await startOutageProxy({ host: url.hostname, port: Number(url.port || 5432) });
      return { databaseUrl: proxy.url(databaseUrl), close: () => proxy.close() };
    },
  });
  ({ database, instance } = ops);
  const { slug, token } = await connectTenant(instance.options, "down", "entra");
  [{ id: tenantId }] = await database.sql<{ id: string }[]>`select id from tenants where slug = ${slug}`;
  idp = new SimulatedIdp(token, () => [instance.url]);
});

test.afterAll(async () => {
  await proxy?.up().catch(() => {});
  await ops?.stop();
});

test("while the database is unreachable every request gets a 503 to retry; afterwards all is served and no read's log entry is lost", async () => {
  test.setTimeout(240_000);
  const users: string[] = [];
  for (let i = 0; i < 4; i++) users.push(await idp.createUser(`user-${i}@down.example`));

  // Reads served just before the outage: their entries wait in the instance's buffer (written at least once a second).
  const marker = `Users/${users[0]}?attributes=userName&read=before-outage`;
  for (let i = 0; i < 40; i++) expect((await idp.send("GET", marker)).status).toBe(200);
  await proxy.down();

  const during: { status: number; retryAfter: string | null; schemas: unknown }[] = [];
  for (let i = 0; i < 6; i++) {
    const user = users[i % users.length];
    const reply =
      i % 2 === 0
        ? await idp.send("GET", `Users/${user}`)
        : await idp.send("PATCH", `Users/${user}`, { schemas: [SCIM_SCHEMAS.patchOp], Operations: [{ op: "replace", path: "displayName", value: `During ${i}` }] });
    during.push({ status: reply.status, retryAfter: reply.headers.get("retry-after"), schemas: (reply.body as { schemas?: unknown })?.schemas });
  }
  expect(during, instance.output.slice(-3000)).toEqual(
    during.map(() => ({ status: 503, retryAfter: "1", schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"] })),
  );

  await proxy.up();
  // postgres.js waits a little longer before each new attempt to connect (up to 20 s): the IdP retries meanwhile.
  await expect(async () => expect((await idp.send("GET", `Users/${users[0]}`)).status).toBe(200)).toPass({ timeout: 60_000 });
  // No write of the outage was applied, then or since.
  const names = await database.sql<{ name: string | null }[]>`select display_name as name from scim_users where tenant_id = ${tenantId}`;
  expect(names.filter((r) => r.name?.startsWith("During"))).toEqual([]);
  for (let i = 0; i < 8; i++) {
    const user = users[i % users.length];
    expect((await idp.send("GET", `Users/${user}`)).status).toBe(200);
    expect((await idp.send("PATCH", `Users/${user}`, { schemas: [SCIM_SCHEMAS.patchOp], Operations: [{ op: "replace", path: "displayName", value: `After ${i}` }] })).status).toBe(200);
  }
  const after = await database.sql<{ name: string }[]>`select display_name as name from scim_users where tenant_id = ${tenantId}`;
  expect(after.map((r) => r.name).every((name) => name.startsWith("After "))).toBe(true);

  // Every read served before the outage is in the activity log, once.
  await expect(async () => {
    const [{ n }] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from activity_log where tenant_id = ${tenantId} and method = 'GET' and path like ${"%read=before-outage%"}`;
    expect(n).toBe(40);
  }).toPass({ timeout: 15_000 });
  expect(instance.exits).toBe(0);
});

test("while the database is unreachable an admin's pages say so without signing them out; Try again brings them back", async ({ page }) => {
  test.setTimeout(240_000);
  const { slug } = await connectTenant(instance.options, "down-ui", "entra");
  await new SignInPage(page, instance.url).signIn(`admin@${slug}.example`);
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  const failed = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Something went wrong" }) });

  await proxy.down();
  // A link inside the admin shell: the SCIM segment's own boundary answers, under the shell.
  await page.getByRole("link", { name: "SCIM Integration" }).click();
  await expect(failed).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  // A page load: the shell itself cannot read the session. The admin is told so, not sent to sign in again.
  await page.goto(`${instance.url}/settings/users`);
  await expect(failed).toBeVisible();
  await expect(page).toHaveURL(/\/settings\/users$/);

  await proxy.up();
  // Try again fetches the page from the server again; postgres.js may take a few seconds to connect anew.
  // (A retry still under way may bring the page back between two rounds: no button to click then.)
  const tryAgain = page.getByRole("button", { name: "Try again" });
  await expect(async () => {
    if (await tryAgain.isVisible()) await tryAgain.click();
    await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 60_000 });
  await expect(failed).toHaveCount(0);
});
