import { SCIM, connectTenant, expect, runCli, test } from "./fixtures";

type UserRow = { email: string; userName: string; role: string; license: string; status: string; source: string };
type Mail = { to: string; subject: string; kind: string; links: string[] };

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [SCIM.user],
  userName,
  name: { givenName: userName.split("@")[0], familyName: "Test" },
  emails: [{ primary: true, type: "work", value: userName }],
  active: true,
  ...extra,
});
const members = (op: string, ids: string[]) => ({ schemas: [SCIM.patchOp], Operations: [{ op, path: "members", value: ids.map((value) => ({ value })) }] });

test("groups grant access, licenses and seats; deprovisioning, disconnect and reconnect behave", async ({ page, server }) => {
  // More than a dozen CLI runs, each a fresh process (5–11 s apiece under `tsx` while the other worker loaded both
  // cores; the bundled CLI of e2e/bin.ts starts faster, but the budget stays for a busy machine).
  test.setTimeout(240_000);
  const cli = (...args: string[]) => runCli(server, args);
  const tenant = await connectTenant(server, { provider: "okta", seats: "starter=1,team=1" });
  const { scim, slug } = tenant;
  const domain = `${slug}.example`;
  const listUsers = async () => new Map(((await cli("users", "list", "--tenant", slug)) as UserRow[]).map((u) => [u.email, u]));

  // The IdP's first sync: users and groups arrive before anything is mapped.
  const ids: Record<string, string> = {};
  for (const [name, extra] of [["ann", {}], ["ben", {}], ["cay", { preferredLanguage: "de-DE" }]] as const) {
    const res = await scim.post("Users", { data: user(`${name}@${domain}`, extra) });
    expect(res.status()).toBe(201);
    ids[name] = (await res.json()).id;
  }
  const groups: Record<string, string> = {};
  for (const name of ["Sally Users", "Sally Admins", "Starter", "Team"]) {
    const res = await scim.post("Groups", { data: { schemas: [SCIM.group], displayName: name } });
    groups[name] = (await res.json()).id;
  }
  await scim.patch(`Groups/${groups["Sally Users"]}`, { data: members("add", [ids.ann, ids.ben, ids.cay]) });
  await scim.patch(`Groups/${groups["Sally Admins"]}`, { data: members("add", [ids.cay]) });
  await scim.patch(`Groups/${groups.Team}`, { data: members("add", [ids.ann, ids.ben, ids.cay]) });
  await scim.patch(`Groups/${groups.Starter}`, { data: members("add", [ids.ben]) });
  let users = await listUsers();
  expect([...users.values()].filter((u) => u.source === "scim").map((u) => u.role)).toEqual(["none", "none", "none"]);

  // Mapping: preview first (nothing saved), then apply.
  const mappingArgs = ["scim", "mapping", "set", "--tenant", slug, "--user-group", "Sally Users", "--admin-group", "Sally Admins", "--license", "starter=Starter", "--license", "team=Team", "--invite", "on"];
  const preview = (await cli(...mappingArgs)) as { applied: boolean; preview: { gainAccess: { email: string }[]; seatsToBuy: Record<string, number>; costCents: { total: number } } };
  expect(preview.applied).toBe(false);
  expect(preview.preview.gainAccess.map((c) => c.email).sort()).toEqual([`ann@${domain}`, `ben@${domain}`, `cay@${domain}`]);
  expect(preview.preview.seatsToBuy).toEqual({ starter: 0, team: 1, enterprise: 0 });
  expect(preview.preview.costCents.total).toBe(1500);
  expect((await listUsers()).get(`ann@${domain}`)?.role).toBe("none");
  await cli(...mappingArgs, "--apply");
  expect(await cli("scim", "mapping", "show", "--tenant", slug)).toEqual({
    userGroup: "Sally Users",
    adminGroup: "Sally Admins",
    licenses: { starter: ["Starter"], team: ["Team"], enterprise: [] },
    invite: true,
  });

  users = await listUsers();
  expect(users.get(`ann@${domain}`)).toMatchObject({ role: "user", license: "team", status: "invited", source: "scim" });
  expect(users.get(`ben@${domain}`)).toMatchObject({ role: "user", license: "starter" }); // lowest tier wins
  expect(users.get(`cay@${domain}`)).toMatchObject({ role: "admin", license: "team" });
  let purchases = (await cli("purchases", "list", "--tenant", slug)) as { tier: string; quantity: number; unitPrice: number; total: number; reason: string }[];
  expect(purchases).toEqual([expect.objectContaining({ tier: "team", quantity: 1, unitPrice: 15, total: 15, reason: "admin save by cli" })]);

  // A member above the team seats: bought at once by the SCIM request that caused it.
  const dan = await scim.post("Users", { data: user(`dan@${domain}`) });
  ids.dan = (await dan.json()).id;
  await scim.patch(`Groups/${groups["Sally Users"]}`, { data: members("add", [ids.dan]) });
  await scim.patch(`Groups/${groups.Team}`, { data: members("Add", [ids.dan]) });
  purchases = (await cli("purchases", "list", "--tenant", slug)) as typeof purchases;
  expect(purchases).toHaveLength(2);
  expect(purchases[0]).toMatchObject({ tier: "team", quantity: 1, total: 15, reason: `SCIM PATCH /Groups/${groups.Team}` });

  // Emails: one invitation per new user (German for cay), a receipt per purchase to the admins.
  await expect
    .poll(async () => ((await cli("mail", "list", "--tenant", slug)) as Mail[]).filter((m) => m.kind === "invitation").length)
    .toBe(4);
  const mail = (await cli("mail", "list", "--tenant", slug)) as Mail[];
  const invitations = mail.filter((m) => m.kind === "invitation");
  expect(invitations.map((m) => m.to).sort()).toEqual([`ann@${domain}`, `ben@${domain}`, `cay@${domain}`, `dan@${domain}`]);
  expect(invitations.find((m) => m.to === `cay@${domain}`)?.subject).toMatch(/^Einladung zu Sally/);
  await expect.poll(async () => ((await cli("mail", "list", "--tenant", slug)) as Mail[]).filter((m) => m.kind === "receipt").length).toBeGreaterThanOrEqual(3);
  const receipts = ((await cli("mail", "list", "--tenant", slug)) as Mail[]).filter((m) => m.kind === "receipt");
  expect(new Set(receipts.map((m) => m.to))).toEqual(new Set([`admin@${domain}`, `cay@${domain}`]));

  // The invitation link signs ann in; not an admin, she lands on her own page with role and license.
  await page.goto(invitations.find((m) => m.to === `ann@${domain}`)!.links[0]);
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByText(`ann@${domain}`)).toBeVisible();
  await expect(page.getByText("Team", { exact: true })).toBeVisible();
  await page.goto("/settings/users");
  await expect(page).toHaveURL(/\/me$/);
  expect((await listUsers()).get(`ann@${domain}`)?.status).toBe("active");

  // Deactivated in the IdP: access and every session end at once.
  const off = await scim.patch(`Users/${ids.ann}`, { data: { schemas: [SCIM.patchOp], Operations: [{ op: "replace", value: { active: false } }] } });
  expect(off.status()).toBe(200);
  await page.goto("/me");
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await listUsers()).get(`ann@${domain}`)).toMatchObject({ role: "none", license: "none", status: "deactivated" });

  // Deleted in the IdP: gone from SCIM, deactivated in Sally.
  expect((await scim.delete(`Users/${ids.ben}`)).status()).toBe(204);
  expect((await scim.get(`Users/${ids.ben}`)).status()).toBe(404);
  expect((await listUsers()).get(`ben@${domain}`)).toMatchObject({ role: "none", status: "deactivated" });

  // Disconnect: the token dies at once, provisioned users stay as manual users.
  await cli("scim", "disconnect", "--tenant", slug);
  expect((await scim.get("Users")).status()).toBe(401);
  users = await listUsers();
  expect(users.get(`cay@${domain}`)).toMatchObject({ role: "admin", source: "manual" });
  expect(users.get(`dan@${domain}`)).toMatchObject({ role: "user", license: "team", source: "manual" });

  // Reconnect: the IdP finds or re-creates its users and they are adopted, not duplicated.
  const { token } = (await cli("scim", "connect", "--tenant", slug, "--provider", "entra")) as { token: string };
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
  const found = await page.request.get(`${tenant.tenantUrl}/Users?filter=${encodeURIComponent(`userName eq "dan@${domain}"`)}`, { headers });
  expect((await found.json()).Resources.map((r: { id: string }) => r.id)).toEqual([ids.dan]);
  const again = await page.request.post(`${tenant.tenantUrl}/Users`, { headers, data: user(`cay@${domain}`, { preferredLanguage: "de-DE" }) });
  expect(again.status()).toBe(201);
  expect((await again.json()).id).toBe(ids.cay);
  users = await listUsers();
  expect([...users.keys()].filter((e) => e === `cay@${domain}`)).toHaveLength(1);
  expect(users.get(`cay@${domain}`)).toMatchObject({ role: "admin", source: "scim" });
  expect((await cli("purchases", "list", "--tenant", slug)) as unknown[]).toHaveLength(2);
});
