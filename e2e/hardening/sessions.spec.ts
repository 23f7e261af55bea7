import { expect, test, type Page } from "@playwright/test";
import { connectTenant, opsCli, startInstance, type Instance, type InstanceOptions, type OneInstance, type OpsDatabase } from "./instances";
import { SimulatedIdp } from "./idp";

// An instance whose APP_URL is http://127.0.0.1:PORT, reached both by that origin and by http://localhost:PORT:
// every link and redirect stays on APP_URL's origin, so the session cookie is always sent. Also: sign-in links
// are short-lived and single-use, and a member deprovisioned over SCIM is signed out on the next page load.
test.describe.configure({ mode: "serial" });

let ops: OneInstance | undefined;
let database: OpsDatabase;
let instance: Instance;
let options: InstanceOptions;

test.beforeAll(async ({}, info) => {
  ops = await startInstance(info, "sessions", 15);
  ({ database, instance } = ops);
  options = instance.options;
});

test.afterAll(() => ops?.stop());

const appOrigin = () => instance.url;
const otherOrigin = () => instance.url.replace("127.0.0.1", "localhost");

/** A tenant with one SCIM-provisioned member (user role) and its admin. */
async function tenantWithMember() {
  const { slug, token } = await connectTenant(options, "s", "okta");
  const idp = new SimulatedIdp(token, () => [instance.url]);
  const member = `member@${slug}.example`;
  const memberId = await idp.createUser(member);
  const group = await idp.createGroup("Sally Users");
  await idp.members("add", group, [memberId]);
  await opsCli(options, "scim", "mapping", "set", "--tenant", slug, "--user-group", "Sally Users", "--apply");
  return { slug, idp, member, memberId, admin: `admin@${slug}.example` };
}

/** Asks for a sign-in link on the sign-in page reached at `origin`; returns the new link from the local mailbox. */
async function requestLink(page: Page, origin: string, email: string): Promise<string> {
  const links = async () =>
    (await database.sql`select links from mailbox where "to" = ${email} and kind = 'sign-in' order by created_at`).map((m) => m.links[0] as string);
  const before = (await links()).length;
  await page.goto(`${origin}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect.poll(async () => (await links()).length, { timeout: 60_000 }).toBe(before + 1);
  return (await links())[before];
}

test("with APP_URL on 127.0.0.1, a sign-in begun on localhost links and redirects to 127.0.0.1 and signs in", async ({ page }) => {
  test.setTimeout(300_000);
  const { admin } = await tenantWithMember();
  const link = await requestLink(page, otherOrigin(), admin);
  expect(new URL(link).origin).toBe(appOrigin());
  expect(new URL(new URL(link).searchParams.get("callbackUrl")!, appOrigin()).origin).toBe(appOrigin());

  // The callback answers with a redirect on the same origin that set the session cookie.
  const callback = await page.request.get(link, { maxRedirects: 0 });
  expect(callback.status()).toBe(302);
  expect(new URL(callback.headers().location, appOrigin()).origin).toBe(appOrigin());
  expect(callback.headers()["set-cookie"]).toMatch(/authjs\.session-token=/);

  // In the browser, following a fresh link ends signed in on APP_URL's origin.
  const second = await requestLink(page, appOrigin(), admin);
  await page.goto(second);
  await expect(page).toHaveURL(`${appOrigin()}/settings/users`);
});

test("a callbackUrl to another origin is not followed", async ({ page }) => {
  test.setTimeout(300_000);
  const { admin } = await tenantWithMember();
  const link = new URL(await requestLink(page, appOrigin(), admin));
  for (const evil of ["https://evil.example/x", "//evil.example/x", `${otherOrigin()}/me`]) {
    link.searchParams.set("callbackUrl", evil);
    const response = await page.request.get(link.toString(), { maxRedirects: 0 });
    const location = response.headers().location ?? "";
    expect(location === "" || new URL(location, appOrigin()).origin === appOrigin()).toBe(true);
  }
  for (const path of ["/api/auth/signin", "/api/auth/signout", `/api/auth/signin?callbackUrl=${encodeURIComponent("https://evil.example/")}`]) {
    const response = await page.request.get(`${otherOrigin()}${path}`, { maxRedirects: 0 });
    const location = response.headers().location;
    if (location) expect(new URL(location, appOrigin()).origin).toBe(appOrigin());
  }
});

test("sign-in links live 15 minutes and work once; the email says so", async ({ page }) => {
  test.setTimeout(300_000);
  const { member } = await tenantWithMember();
  const asked = Date.now();
  const link = await requestLink(page, appOrigin(), member);
  const [token] = await database.sql`select expires from auth_verification_tokens where identifier = ${member} order by expires desc limit 1`;
  const lifetimeMinutes = (new Date(token.expires).getTime() - asked) / 60_000;
  expect(lifetimeMinutes).toBeGreaterThan(14);
  expect(lifetimeMinutes).toBeLessThan(16);
  const [mail] = await database.sql`select text from mailbox where "to" = ${member} and kind = 'sign-in' order by created_at desc limit 1`;
  expect(mail.text).toContain("valid for 15 minutes and works once");

  await page.goto(link);
  await expect(page).toHaveURL(`${appOrigin()}/me`);
  await page.context().clearCookies();
  await page.goto(link);
  await expect(page).toHaveURL(/\/sign-in\?error=Verification/);

  // An expired link does not sign in either.
  const late = await requestLink(page, appOrigin(), member);
  await database.sql`update auth_verification_tokens set expires = now() - interval '1 second' where identifier = ${member}`;
  await page.goto(late);
  await expect(page).toHaveURL(/\/sign-in\?error=Verification/);
});

test("a signed-in member deactivated over SCIM is signed out on the next page load", async ({ page }) => {
  test.setTimeout(300_000);
  const { idp, member, memberId } = await tenantWithMember();
  await page.goto(await requestLink(page, appOrigin(), member));
  await expect(page).toHaveURL(`${appOrigin()}/me`);
  await expect(page.getByRole("heading", { name: "Welcome to Sally" })).toBeVisible();

  await idp.deactivate(memberId);
  await page.reload();
  await expect(page).toHaveURL(`${appOrigin()}/sign-in`);
  const session = await page.request.get(`${appOrigin()}/api/auth/session`);
  expect(await session.json()).toBeNull();
  const [{ n }] = await database.sql`
    select count(*)::int as n from auth_sessions s join auth_users u on u.id = s.user_id where lower(u.email) = ${member}`;
  expect(n).toBe(0);
});
