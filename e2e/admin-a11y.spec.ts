import { SCIM, createAdminTenant, expect, idpClient, runCli, test } from "./fixtures";
import { ScimIntegrationPage, UsersPage } from "./pages/admin";
import { expectNoAxeViolations } from "./pages/axe";
import { labels, type Language } from "./pages/labels";
import { SignInPage } from "./pages/sign-in";
import { baseUrl, type E2EServer } from "./servers";

/** A connected tenant with an IdP's users and groups, mapped through the CLI (so every admin page has content). */
async function connectedTenant(server: E2EServer, locale: Language) {
  const tenant = await createAdminTenant(server, { locale, seats: "starter=2,team=2,enterprise=1", prefix: "a11y" });
  const { tenantUrl, token } = (await runCli(server, ["scim", "connect", "--tenant", tenant.slug, "--provider", "entra"])) as { tenantUrl: string; token: string };
  const idp = await idpClient(tenantUrl, token);
  const ids: string[] = [];
  for (const name of ["ann", "ben", "cay"]) {
    const res = await idp.post("Users", { data: { schemas: [SCIM.user], userName: `${name}@${tenant.domain}`, name: { givenName: name, familyName: "Test" }, emails: [{ value: `${name}@${tenant.domain}`, primary: true }] } });
    ids.push((await res.json()).id);
  }
  for (const [displayName, members] of [["Sally Users", ids], ["Sally Admins", [ids[2]]], ["Team", ids]] as const) {
    await idp.post("Groups", { data: { schemas: [SCIM.group], displayName, members: members.map((value) => ({ value })) } });
  }
  await idp.get(`Users?filter=${encodeURIComponent("bad filter")}`);
  await runCli(server, ["scim", "mapping", "set", "--tenant", tenant.slug, "--user-group", "Sally Users", "--admin-group", "Sally Admins", "--license", "team=Team", "--apply"]);
  await idp.dispose();
  return tenant;
}

for (const language of ["en", "de"] as const) {
  const l = labels[language];

  test(`[${language}] every admin page and dialog passes axe; the language select is remembered`, async ({ page, server }) => {
    test.setTimeout(420_000);
    // An English tenant: German is chosen in the header and must stick (cookie) across pages and reloads.
    const tenant = await connectedTenant(server, "en");
    await page.goto("/sign-in");
    await expectNoAxeViolations(page, "sign-in");
    await new SignInPage(page).signIn(tenant.adminEmail);
    await expect(page).toHaveURL(/\/settings\/users$/);
    if (language === "de") {
      await page.getByRole("combobox", { name: labels.en.language }).selectOption({ label: "Deutsch" });
      await expect(page.getByRole("heading", { level: 1, name: l.users })).toBeVisible();
      await page.reload();
      await expect(page.locator("html")).toHaveAttribute("lang", "de");
    }
    await expect(page.getByRole("combobox", { name: l.language })).toHaveValue(language);

    const users = new UsersPage(page, language);
    await users.goto();
    await expectNoAxeViolations(page, `users (${language})`);
    await users.search("ann@");
    await expect(page.getByTestId("user-row")).toHaveCount(1);
    await page.getByRole("combobox", { name: l.role }).selectOption({ label: l.roles.admin });
    await page.getByRole("button", { name: l.show, exact: true }).click();
    await expect(page.getByTestId("user-row")).toHaveCount(0);
    await users.goto();
    await users.row(tenant.adminEmail).waitFor();

    const scim = new ScimIntegrationPage(page, language);
    await scim.goto();
    await expect(scim.state()).toHaveAttribute("data-state", "connected");
    await expectNoAxeViolations(page, `scim connected (${language})`);
    const dialog = await scim.save();
    await expectNoAxeViolations(page, `scim preview dialog (${language})`);
    await dialog.getByRole("button", { name: l.cancel }).click();
    await page.getByRole("button", { name: l.rotateToken }).click();
    await expect(page.getByRole("dialog", { name: l.rotateTitle })).toBeVisible();
    await expectNoAxeViolations(page, `rotate dialog (${language})`);
    await page.keyboard.press("Escape");

    await page.getByRole("link", { name: l.fullLog }).click();
    await expect(page.getByRole("heading", { level: 1, name: l.activityHeading })).toBeVisible();
    await expectNoAxeViolations(page, `activity (${language})`);
    // Each entry in the reader's language (the IdP's requests are logged with a message key and its values).
    await expect(page.getByTestId("activity-row").filter({ hasText: l.createdGroupWithMembers("Team", 3) })).toHaveCount(1);
    await page.getByRole("combobox", { name: l.outcome }).selectOption({ label: l.outcomeFailed });
    await page.getByRole("button", { name: l.show, exact: true }).click();
    await expect(page).toHaveURL(/outcome=failure/);
    const rows = page.getByTestId("activity-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-outcome", "failure");

    await page.goto("/settings/billing");
    await expect(page.getByRole("heading", { level: 1, name: l.billing })).toBeVisible();
    await expect(page.getByTestId("purchase-row")).toHaveCount(1);
    await expectNoAxeViolations(page, `billing (${language})`);
  });
}

test("keyboard only: set up SCIM, and a dialog traps focus and gives it back", async ({ page, context, server }) => {
  test.setTimeout(300_000);
  const l = labels.en;
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const tenant = await createAdminTenant(server, { prefix: "kbd" });
  await new SignInPage(page).signIn(tenant.adminEmail);
  const scim = new ScimIntegrationPage(page, "en");
  await scim.goto();
  await expectNoAxeViolations(page, "scim not connected");

  // Radios: focus the group, move with the arrow keys; Set up SCIM with Enter.
  await page.getByRole("radio", { name: l.providers.entra }).focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("radio", { name: l.providers.google })).toBeChecked();
  await expect(page.getByRole("region", { name: l.instructionsFor(l.providers.google) })).toBeVisible();
  await page.getByRole("button", { name: l.setUpScim }).focus();
  await page.keyboard.press("Enter");
  await expect(scim.tokenField()).toBeVisible();
  await expectNoAxeViolations(page, "scim credentials + waiting");

  // Copy with the keyboard.
  await page.getByRole("button", { name: `${l.copy} ${l.tenantUrl}` }).focus();
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await scim.tenantUrlField().inputValue());

  // The rotate dialog: opened with Enter, Tab stays inside, Escape closes and focus returns to its button.
  const rotate = page.getByRole("button", { name: l.rotateToken });
  await rotate.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: l.rotateTitle });
  await expect(dialog).toBeVisible();
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press("Tab");
    expect(await dialog.evaluate((node) => node.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(rotate).toBeFocused();
});

test("failures are readable: invalid input, a conflict, a lost session", async ({ browser, page, server }) => {
  test.setTimeout(300_000);
  const l = labels.en;
  const tenant = await connectedTenant(server, "en");
  await new SignInPage(page).signIn(tenant.adminEmail);
  const scim = new ScimIntegrationPage(page, "en");
  await scim.goto();

  // Invalid input: the same group for both roles is refused with a field error; nothing opens.
  await scim.chooseGroups(l.groupOption("Sally Admins", 1), l.groupOption("Sally Admins", 1));
  await page.getByRole("button", { name: l.save, exact: true }).click();
  await expect(page.getByText(l.sameGroup)).toBeVisible();
  await expect(page.getByRole("combobox", { name: l.adminGroup })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // A conflict: a second admin tab still shows "not connected" after the first set SCIM up.
  const other = await createAdminTenant(server, { prefix: "conf" });
  const second = await browser.newContext({ baseURL: baseUrl(server) });
  const tab = await second.newPage();
  await new SignInPage(tab).signIn(other.adminEmail);
  const stale = new ScimIntegrationPage(tab, "en");
  await stale.goto();
  await runCli(server, ["scim", "connect", "--tenant", other.slug, "--provider", "okta"]);
  await tab.getByRole("button", { name: l.setUpScim }).click();
  await expect(tab.getByRole("alert").filter({ hasText: l.alreadyConnected })).toBeVisible();

  // A lost session: the action answers with a sign-in hint instead of failing silently.
  await second.clearCookies();
  await tab.getByRole("button", { name: l.setUpScim }).click();
  await expect(tab.getByRole("alert").filter({ hasText: l.signedOut })).toBeVisible();
  await second.close();
});
