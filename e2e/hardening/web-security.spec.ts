import fs from "node:fs";
import path from "node:path";
import type { APIResponse } from "@playwright/test";
import { connectTenant, expect, runCli, test } from "../fixtures";
import { SignInPage } from "../pages/sign-in";
import { E2E_AUTH_SECRET } from "../servers";

// The web-security basics, checked on the suite's production servers and on the build output itself, so pages,
// route handlers and server actions added later are covered without editing this file.

const NEXT = path.join(process.cwd(), ".next");
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(NEXT, file), "utf8"));

/** Every route of the build: `{ route, kind, group }`, e.g. `/settings/users` is a page in the (admin) group. */
function builtRoutes() {
  const manifest = readJson("app-path-routes-manifest.json") as Record<string, string>;
  return Object.entries(manifest).map(([entry, route]) => ({
    route,
    kind: entry.endsWith("/route") ? ("handler" as const) : ("page" as const),
    admin: entry.startsWith("/(admin)/"),
  }));
}

/** A concrete URL for a route pattern: dynamic segments get an id that exists nowhere. */
const concrete = (route: string) =>
  route
    .replace(/\/\[\[\.\.\.[^\]]+\]\]/g, "")
    .replace(/\[\.\.\.[^\]]+\]|\[[^\]]+\]/g, "00000000-0000-4000-8000-000000000000");

/** Pages anyone may open, and route handlers with their own authentication (bearer token, bridge key). */
const PUBLIC_PAGES = new Set(["/sign-in", "/sign-in/check-email", "/dev/mailbox", "/_not-found", "/_global-error"]);
const SELF_AUTHENTICATED_HANDLERS = new Set(["/api/auth/[...nextauth]", "/api/health", "/scim/v2/[[...path]]"]);
// Anyone may ask for a sign-in link, sign out, or pick the page's language (a cookie).
const PUBLIC_ACTIONS = new Set([
  "app/(auth)/sign-in/actions.ts#requestSignInLinkAction",
  "components/sign-out-button.tsx#$$RSC_SERVER_ACTION_0",
  "lib/i18n/set-locale.ts#setLocaleAction",
]);

/**
 * A refused action either redirects (to sign-in, or a member to their own page) or answers the form a refusal
 * (`ok: false` with a readable message, as the admin screens' actions do for a lost session or a non-admin).
 */
async function expectRefused(response: APIResponse, redirectTo: RegExp, what: string) {
  const redirect = response.headers()["x-action-redirect"] ?? response.headers().location ?? "";
  if (redirect) expect(redirect, what).toMatch(redirectTo);
  else expect(await response.text(), what).toMatch(/"ok":false/);
}

type Action = { id: string; name: string; page: string; admin: boolean };

/** Every server action of the build, with a page that serves it. */
function builtActions(): Action[] {
  const manifest = readJson("server/server-reference-manifest.json") as { node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }> };
  return Object.entries(manifest.node).map(([id, action]) => {
    const worker = Object.keys(action.workers)[0];
    const page = `/${worker.replace(/^app\//, "").replace(/\/page$/, "").replace(/\([^)]+\)\/?/g, "")}`.replace(/\/$/, "") || "/";
    return {
      id,
      name: `${action.filename}#${action.exportedName}`,
      page: concrete(page),
      admin: Boolean(action.filename?.startsWith("app/(admin)/")) || Object.keys(action.workers).every((w) => w.startsWith("app/(admin)/")),
    };
  });
}

/** A tenant with a SCIM-provisioned member who has the user role (not admin). */
async function memberOfNewTenant(server: Parameters<typeof runCli>[0]) {
  const tenant = await connectTenant(server, { provider: "okta" });
  const member = `member@${tenant.slug}.example`;
  const user = await tenant.scim.post("Users", {
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: member, emails: [{ primary: true, value: member }], active: true },
  });
  const group = await tenant.scim.post("Groups", {
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Sally Users", members: [{ value: (await user.json()).id }] },
  });
  expect(group.status()).toBe(201);
  await runCli(server, ["scim", "mapping", "set", "--tenant", tenant.slug, "--user-group", "Sally Users", "--apply"]);
  await tenant.scim.dispose();
  return { ...tenant, member, admin: `admin@${tenant.slug}.example` };
}

test.describe("who may open what", () => {
  test("the build's routes are enumerated (this test sees the pages it must check)", () => {
    const routes = builtRoutes().map((r) => r.route);
    expect(routes).toEqual(expect.arrayContaining(["/", "/me", "/settings/users", "/sign-in", "/api/health", "/scim/v2/[[...path]]"]));
    const actions = builtActions().map((a) => a.name);
    expect(actions).toEqual(expect.arrayContaining([...PUBLIC_ACTIONS]));
  });

  test("anonymous visitors are sent to sign in from every non-public page, and every non-public handler refuses them", async ({ page, request }) => {
    const pages = builtRoutes().filter((r) => r.kind === "page" && !PUBLIC_PAGES.has(r.route));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const { route } of pages) {
      await page.goto(concrete(route));
      await expect(page, `anonymous ${route}`).toHaveURL(/\/sign-in$/);
    }
    for (const { route } of builtRoutes().filter((r) => r.kind === "handler" && !SELF_AUTHENTICATED_HANDLERS.has(r.route))) {
      for (const method of ["GET", "POST"] as const) {
        const response = await request.fetch(concrete(route), { method, maxRedirects: 0, data: method === "POST" ? { argv: ["tenant", "list"] } : undefined });
        expect([401, 403, 404, 405], `anonymous ${method} ${route}`).toContain(response.status());
      }
    }
  });

  test("a member who is not an admin is kept out of every admin page and admin action", async ({ page, server }) => {
    // CLI calls and a sign-in: slow on a busy machine.
    test.setTimeout(300_000);
    const { member } = await memberOfNewTenant(server);
    await new SignInPage(page).signIn(member);
    await expect(page).toHaveURL(/\/me$/);
    for (const { route } of builtRoutes().filter((r) => r.kind === "page" && r.admin)) {
      await page.goto(concrete(route));
      await expect(page, `member ${route}`).toHaveURL(/\/me$/);
    }
    for (const action of builtActions().filter((a) => !PUBLIC_ACTIONS.has(a.name))) {
      const response = await page.request.post(action.page, {
        headers: { "next-action": action.id, "content-type": "text/plain;charset=UTF-8", origin: new URL(page.url()).origin },
        data: "[]",
        maxRedirects: 0,
      });
      if (action.admin) await expectRefused(response, /^\/(me|sign-in)\b/, `member calling ${action.name}`);
    }
  });

  test("anonymous calls to every non-public server action are sent to sign in", async ({ request, baseURL }) => {
    for (const action of builtActions().filter((a) => !PUBLIC_ACTIONS.has(a.name))) {
      const response = await request.post(action.page, {
        headers: { "next-action": action.id, "content-type": "text/plain;charset=UTF-8", origin: baseURL! },
        data: "[]",
        maxRedirects: 0,
      });
      await expectRefused(response, /^\/sign-in\b/, `anonymous calling ${action.name}`);
    }
  });
});

test("a server action posted from another site is refused; the same form from the app's own origin works", async ({ request, baseURL, server }) => {
  test.setTimeout(300_000);
  const { slug, admin } = await memberOfNewTenant(server);
  const action = builtActions().find((a) => a.name === "app/(auth)/sign-in/actions.ts#requestSignInLinkAction")!;
  const post = (origin: string) =>
    request.post("/sign-in", { headers: { origin }, multipart: { [`$ACTION_ID_${action.id}`]: "", email: admin }, maxRedirects: 0 });
  const signInMails = async () => ((await runCli(server, ["mail", "list", "--tenant", slug])) as { kind: string }[]).filter((m) => m.kind === "sign-in").length;

  const crossSite = await post("https://evil.example");
  expect(crossSite.status()).toBeGreaterThanOrEqual(400);
  expect(await signInMails()).toBe(0);

  const sameSite = await post(baseURL!);
  expect(sameSite.status()).toBeLessThan(400);
  await expect.poll(signInMails, { timeout: 120_000 }).toBe(1);
});

test.describe("security headers", () => {
  test("pages carry a nonce CSP without unsafe-inline scripts, and every script tag carries the nonce", async ({ request }) => {
    for (const route of ["/sign-in", "/sign-in/check-email", "/nowhere-at-all"]) {
      const response = await request.get(route, { maxRedirects: 0 });
      const csp = response.headers()["content-security-policy"];
      const scriptSrc = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src"))!;
      expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/);
      expect(scriptSrc).not.toContain("unsafe-inline");
      expect(scriptSrc).not.toContain("unsafe-eval");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1];
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, route).toContain(`nonce="${nonce}"`);
    }
    const [a, b] = [await request.get("/sign-in"), await request.get("/sign-in")];
    expect(a.headers()["content-security-policy"]).not.toBe(b.headers()["content-security-policy"]);
  });

  test("every kind of response has nosniff, a referrer policy, no framing and HSTS", async ({ request }) => {
    const html = await (await request.get("/sign-in")).text();
    const asset = /\/_next\/static\/[^"']+\.js/.exec(html)![0];
    for (const route of ["/sign-in", "/api/health", "/api/auth/session", "/scim/v2/ServiceProviderConfig", "/scim/v2/Users", asset, "/favicon.svg", "/robots.txt"]) {
      const headers = (await request.get(route, { maxRedirects: 0 })).headers();
      expect(headers["x-content-type-options"], route).toBe("nosniff");
      expect(headers["referrer-policy"], route).toBe("same-origin");
      expect(headers["x-frame-options"], route).toBe("DENY");
      expect(headers["strict-transport-security"], route).toMatch(/^max-age=\d{7,}/);
      expect(headers["x-powered-by"], route).toBeUndefined();
    }
    for (const route of ["/api/health", "/scim/v2/Users"]) {
      expect((await request.get(route)).headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  test("the public files are served as what they are, and search engines are kept out", async ({ request }) => {
    const html = await (await request.get("/sign-in")).text();
    expect(html).toMatch(/<link rel="icon" href="\/favicon\.svg" type="image\/svg\+xml"/);
    const icon = await request.get("/favicon.svg");
    expect(icon.status()).toBe(200);
    expect(icon.headers()["content-type"]).toMatch(/^image\/svg\+xml/);
    const robots = await request.get("/robots.txt");
    expect(robots.status()).toBe(200);
    expect(await robots.text()).toMatch(/^User-agent: \*\nDisallow: \/$/m);
  });

  test("the sign-in page runs in Chromium without a single CSP violation", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill("nobody@nowhere.example");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    expect(violations).toEqual([]);
  });
});

test("no secret and no server-only code in the client bundles", async () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(path.join(NEXT, "static"));
  expect(files.filter((f) => f.endsWith(".js")).length).toBeGreaterThan(0);
  const localSecret = (() => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(process.cwd(), ".data", "secrets.json"), "utf8")) as { authSecret?: string }).authSecret;
    } catch {
      return undefined;
    }
  })();
  const secrets = [E2E_AUTH_SECRET, process.env.AUTH_SECRET, process.env.DATABASE_URL, process.env.RESEND_API_KEY, localSecret].filter(
    (s): s is string => Boolean(s && s.length >= 8),
  );
  // Names of server-only configuration and strings only server modules contain (SQL, the CLI bridge).
  const markers = ["DATABASE_URL", "AUTH_SECRET", "RESEND_API_KEY", "PGLITE_DIR", "sally-cli-bridge", "pg_advisory_lock", "token_hash", "email_outbox", "auth_verification_tokens", "server-only"];
  const found: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, "latin1");
    for (const needle of [...secrets, ...markers]) if (text.includes(needle)) found.push(`${path.relative(NEXT, file)}: ${secrets.includes(needle) ? "a secret value" : needle}`);
  }
  expect(found).toEqual([]);
});
