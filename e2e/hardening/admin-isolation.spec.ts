// Tenant isolation of the admin side that exists today: Settings → Users shows only the signed-in admin's tenant,
// and the internal CLI bridge answers nobody without its key (and nobody at all on PostgreSQL).
import { createHash } from "node:crypto";
import { connectTenant, expect, test } from "../fixtures";
import { SignInPage } from "../pages/sign-in";
import { createUser } from "../scim/helpers";
import { E2E_AUTH_SECRET } from "../servers";
import { rawRequest } from "./raw-http";

// Two fresh tenants and a sign-in: more than the default minute on a busy CI machine.
test.describe.configure({ timeout: 300_000 });

test("Settings → Users shows only the admin's own tenant, never another tenant's users", async ({ page, server }) => {
  const a = await connectTenant(server);
  const b = await connectTenant(server);
  await createUser(a.scim, `own@${a.slug}.example`);
  await createUser(b.scim, `other@${b.slug}.example`);
  await new SignInPage(page).signIn(`admin@${a.slug}.example`);
  await expect(page).toHaveURL(/\/settings\/users$/);
  await expect(page.getByRole("cell", { name: `admin@${a.slug}.example` })).toBeVisible();
  await expect(page.getByRole("cell", { name: `own@${a.slug}.example` })).toBeVisible();
  const html = await page.content();
  for (const secret of [b.slug, `other@${b.slug}.example`, `admin@${b.slug}.example`, b.token, a.token]) expect(html).not.toContain(secret);
  await a.scim.dispose();
  await b.scim.dispose();
});

test("the CLI bridge refuses every request without its key, and exists only on embedded PGlite", async ({ server }) => {
  const key = createHash("sha256").update(`sally-cli-bridge:${E2E_AUTH_SECRET}`).digest("hex");
  const body = JSON.stringify({ argv: ["tenant", "list"] });
  const post = (headers: Record<string, string>, data = body) =>
    rawRequest(server.port, "POST", "/api/internal/cli", { "content-type": "application/json", ...headers }, data);
  for (const headers of [{} as Record<string, string>, { "x-sally-cli-key": "" }, { "x-sally-cli-key": key.slice(0, -1) }, { "x-sally-cli-key": `${key}0` }, { "x-sally-cli-key": key.toUpperCase() }]) {
    const reply = await post(headers);
    expect(reply.status, JSON.stringify(headers)).toBe(404);
    expect(reply.body).not.toContain("tenant");
  }
  const withKey = await post({ "x-sally-cli-key": key });
  if (server.name === "postgres") {
    expect(withKey.status).toBe(404);
  } else {
    expect(withKey.status).toBe(200);
    for (const bad of ["", "{", "[]", '{"argv":[]}', '{"argv":[1]}', JSON.stringify({ argv: ["x".repeat(10_000)] })]) {
      const reply = await post({ "x-sally-cli-key": key }, bad);
      expect(reply.status, bad.slice(0, 50)).toBeGreaterThanOrEqual(400);
      expect(reply.status, bad.slice(0, 50)).toBeLessThan(500);
    }
  }
});
