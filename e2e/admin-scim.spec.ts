import type { APIRequestContext, Page } from "@playwright/test";
import { SCIM, createAdminTenant, expect, idpClient, test } from "./fixtures";
import { ScimIntegrationPage, UsersPage, type Provider } from "./pages/admin";
import { expectNoAxeViolations } from "./pages/axe";
import { labels, type Language } from "./pages/labels";
import { SignInPage } from "./pages/sign-in";

const userBody = (email: string, givenName: string) => ({
  schemas: [SCIM.user],
  userName: email,
  name: { givenName, familyName: "Muster" },
  emails: [{ primary: true, type: "work", value: email }],
  active: true,
});

/** Plays the IdP: the first sync of a small directory (users first, then groups with their members). */
async function firstSync(idp: APIRequestContext, domain: string) {
  const ids: Record<string, string> = {};
  for (const name of ["ann", "ben", "cay", "dan"]) {
    const res = await idp.post("Users", { data: userBody(`${name}@${domain}`, name) });
    expect(res.status(), await res.text()).toBe(201);
    ids[name] = (await res.json()).id;
  }
  const groups: Record<string, string[]> = {
    "Sally Users": ["ann", "ben", "cay", "dan"],
    "Sally Admins": ["cay"],
    Starter: ["ben"],
    Team: ["ann", "ben", "dan"],
    Enterprise: ["cay"],
  };
  const groupIds: Record<string, string> = {};
  for (const [displayName, members] of Object.entries(groups)) {
    const res = await idp.post("Groups", { data: { schemas: [SCIM.group], displayName, members: members.map((m) => ({ value: ids[m] })) } });
    expect(res.status(), await res.text()).toBe(201);
    groupIds[displayName] = (await res.json()).id;
  }
  return { ids, groupIds };
}

/** A marker in the window: it survives client-side updates and is gone after any reload or navigation. */
const markWindow = (page: Page) => page.evaluate(() => ((window as unknown as { __sallyMark: number }).__sallyMark = 42));
const windowMarked = (page: Page) => page.evaluate(() => (window as unknown as { __sallyMark?: number }).__sallyMark === 42);

for (const language of ["en", "de"] as const satisfies Language[]) {
  const l = labels[language];

  test(`[${language}] an admin connects an IdP, maps groups and licenses, confirms the purchase, rotates, disconnects and removes a user`, async ({
    page,
    context,
    server,
  }, testInfo) => {
    test.setTimeout(420_000);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    // The tenant's language is the default: a German tenant's admin sees German without choosing it.
    const { domain, adminEmail } = await createAdminTenant(server, { locale: language, seats: "starter=1,team=1,enterprise=0" });
    await new SignInPage(page).signIn(adminEmail);
    const users = new UsersPage(page, language);
    const scim = new ScimIntegrationPage(page, language);

    // Settings → Users → (Management) SCIM Integration.
    await expect(page).toHaveURL(/\/settings\/users$/);
    await expect(page.getByRole("combobox", { name: l.language })).toHaveValue(language);
    await users.openScimIntegration();
    await expect(scim.state()).toHaveAttribute("data-state", "not-connected");

    // Every provider has its own steps, with the Tenant URL filled in.
    for (const provider of Object.keys(l.providers) as Provider[]) {
      const steps = await scim.pickProvider(provider);
      await expect(steps.getByRole("listitem")).toHaveCount(6);
      await expect(steps).toContainText(`${server.port}/scim/v2`);
    }
    await scim.screenshot(testInfo, `scim-${language}-1-not-connected`);
    await expectNoAxeViolations(page, `scim 1-not-connected (${language})`);

    // Set up SCIM: Tenant URL and Token, each copied through its Copy button.
    await scim.setUp("okta");
    await expect(page.getByText(l.shownOnce)).toBeVisible();
    const tenantUrl = await scim.copy("tenantUrl");
    expect(tenantUrl).toBe(await scim.tenantUrlField().inputValue());
    expect(tenantUrl).toMatch(/\/scim\/v2$/);
    const token = await scim.copy("token");
    expect(token).toBe(await scim.tokenField().inputValue());
    expect(token).toMatch(/^sally_scim_/);
    await expect(page.getByRole("region", { name: l.instructionsFor(l.providers.okta) })).toContainText(token);
    await expect(scim.state()).toHaveAttribute("data-state", "waiting");
    await expect(page.getByRole("heading", { name: l.waiting })).toBeVisible();
    await scim.screenshot(testInfo, `scim-${language}-2-credentials-waiting`);
    await expectNoAxeViolations(page, `scim 2-credentials-waiting (${language})`);

    // The IdP calls: a failed request is shown with its reason, then the first sync; no reload.
    await markWindow(page);
    const idp = await idpClient(tenantUrl, token);
    expect((await idp.get(`Users?filter=${encodeURIComponent("userName xx 1")}`)).status()).toBe(400);
    await expect(page.getByTestId("last-call")).toContainText(l.lastCallFailed);
    await scim.screenshot(testInfo, `scim-${language}-3-waiting-failed-call`);
    // A wrong token (this connection's key id, another secret) gets the same 401 as any refused token, and the
    // page shows the call with its reason.
    const wrongToken = `${token.slice(0, -4)}${token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    const wrongIdp = await idpClient(tenantUrl, wrongToken);
    const refused = await wrongIdp.get("Users");
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({ status: "401", detail: "Missing, unknown or revoked bearer token" });
    await wrongIdp.dispose();
    await expect(page.getByTestId("last-call")).toContainText(l.lastCallRefused);
    await expect(page.getByTestId("last-call")).toContainText(l.wrongToken);
    await expect(page.getByRole("region", { name: l.latestActivity })).toContainText(l.wrongToken);
    await expect(scim.state()).toHaveAttribute("data-state", "waiting");
    await scim.screenshot(testInfo, `scim-${language}-3b-waiting-wrong-token`);
    await firstSync(idp, domain);
    await expect(scim.state()).toHaveAttribute("data-state", "connected");
    await expect(page.getByRole("heading", { name: l.groupAssignment })).toBeVisible();
    expect(await windowMarked(page)).toBe(true);
    // The one-time token stays on screen across the update until the admin dismisses it.
    await expect(scim.tokenField()).toHaveValue(token);

    // Group assignment and license assignment, with member counts and the lowest-tier rule.
    await expect(page.getByText(l.lowestTierRule)).toBeVisible();
    await scim.chooseGroups(l.groupOption("Sally Users", 4), l.groupOption("Sally Admins", 1));
    await scim.chooseLicense("Starter", "starter");
    await scim.chooseLicense("Team", "team");
    await scim.chooseLicense("Enterprise", "enterprise");
    await expect(scim.inviteSwitch()).toHaveAttribute("aria-checked", "false");
    await scim.inviteSwitch().click();
    await expect(scim.inviteSwitch()).toHaveAttribute("aria-checked", "true");
    await scim.screenshot(testInfo, `scim-${language}-4-connected`);
    await expectNoAxeViolations(page, `scim 4-connected (${language})`);

    // Save → preview: four gain access; 1 Team and 1 Enterprise seat are short (ben holds the one Starter seat).
    let dialog = await scim.save();
    await expect(dialog.getByTestId("gain-access").getByRole("listitem")).toHaveCount(4);
    const seats = dialog.getByTestId("seats-to-buy");
    await expect(seats).toContainText(l.seatLine(1, "Team", l.euros(15), l.euros(15)));
    await expect(seats).toContainText(l.seatLine(1, "Enterprise", l.euros(30), l.euros(30)));
    await expect(seats).toContainText(l.total(l.euros(45)));
    await scim.screenshot(testInfo, `scim-${language}-5-preview`);

    // Cancel changes nothing; the focus returns to Save.
    await dialog.getByRole("button", { name: l.cancel }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("button", { name: l.save, exact: true })).toBeFocused();

    dialog = await scim.save();
    if (language === "en") {
      // Meanwhile the IdP adds a member: Confirm saves nothing and shows the new preview (2 Team seats now).
      const eve = await idp.post("Users", { data: userBody(`eve@${domain}`, "eve") });
      const eveId = (await eve.json()).id;
      const groups = (await (await idp.get(`Groups?filter=${encodeURIComponent('displayName eq "Team"')}`)).json()).Resources;
      const userGroups = (await (await idp.get(`Groups?filter=${encodeURIComponent('displayName eq "Sally Users"')}`)).json()).Resources;
      for (const group of [groups[0], userGroups[0]]) {
        const res = await idp.patch(`Groups/${group.id}`, { data: { schemas: [SCIM.patchOp], Operations: [{ op: "add", path: "members", value: [{ value: eveId }] }] } });
        expect(res.status()).toBeLessThan(300);
      }
      await scim.confirmIn(dialog);
      await expect(dialog.getByRole("alert")).toContainText(l.stale);
      await expect(dialog.getByTestId("seats-to-buy")).toContainText(l.seatLine(2, "Team", l.euros(15), l.euros(30)));
      await expect(dialog.getByTestId("gain-access").getByRole("listitem")).toHaveCount(5);
    }
    await scim.confirmIn(dialog);
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: l.saved })).toBeVisible();

    // The members in the list with role and license.
    await users.goto();
    await expect(users.row(`cay@${domain}`)).toContainText(l.roles.admin);
    await expect(users.row(`cay@${domain}`)).toContainText("Enterprise");
    await expect(users.row(`ben@${domain}`)).toContainText("Starter"); // lowest of Starter and Team
    await expect(users.row(`ann@${domain}`)).toContainText(l.roles.user);
    await expect(users.row(`ann@${domain}`)).toContainText("Team");
    await expect(users.row(`ann@${domain}`)).toContainText(l.sources.scim);
    await expect(page.getByTestId("seats-enterprise")).toHaveText(language === "en" ? "1 held / 1 owned" : "1 belegt / 1 gekauft");

    // The purchase on the billing page.
    await page.getByRole("link", { name: l.billing, exact: true }).click();
    const purchases = page.getByTestId("purchase-row");
    await expect(purchases).toHaveCount(2);
    await expect(purchases.filter({ hasText: "Enterprise" })).toContainText(l.euros(30));
    await expect(purchases.filter({ hasText: "Team" })).toContainText(l.euros(language === "en" ? 30 : 15));

    // The invitations in the mailbox.
    await expect(async () => {
      await page.goto(`/dev/mailbox?to=${encodeURIComponent(`ann@${domain}`)}`);
      await expect(page.getByTestId("mail").filter({ has: page.getByText("invitation", { exact: true }) })).toHaveCount(1, { timeout: 1000 });
    }).toPass();

    // Rotate: the old token answers 401 at once, the new one works.
    await scim.goto();
    const rotated = await scim.rotateToken();
    expect(rotated).not.toBe(token);
    expect((await idp.get("Users")).status()).toBe(401);
    const idp2 = await idpClient(tenantUrl, rotated);
    expect((await idp2.get("Users")).status()).toBe(200);
    await expect(page.getByRole("region", { name: l.latestActivity })).toBeVisible();

    // Disconnect: the IdP gets 401, the users stay (now manual).
    await scim.disconnect();
    await expect(page.getByRole("status").filter({ hasText: l.disconnected })).toBeVisible();
    await scim.screenshot(testInfo, `scim-${language}-6-disconnected`);
    await expectNoAxeViolations(page, `scim 6-disconnected (${language})`);
    expect((await idp2.get("Users")).status()).toBe(401);
    await users.goto();
    await expect(users.row(`dan@${domain}`)).toContainText(l.sources.manual);

    // Remove a user by hand.
    await users.remove(`dan@${domain}`);
    await expect(users.row(`ann@${domain}`)).toBeVisible();
    await idp.dispose();
    await idp2.dispose();
  });
}
