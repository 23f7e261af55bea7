// The setup flow of each of the five IdPs, played by the IdP simulator (e2e/idp) against the production server: an
// admin connects SCIM in the browser and hands the Tenant URL and Token from the Copy buttons to the simulator, which
// runs as a separate process like QA runs it. The page leaves the waiting state by itself, the admin maps the IdP's
// groups and confirms the purchase; then an incremental and a deprovision cycle follow. After each step the Users
// page, the Billing page and the local mailbox must agree with the IdP's directory (the simulator's state file) by
// the product's rules: who has which role, license and status, which seats were bought, who was invited.
import type { Page } from "@playwright/test";
import { connectScimThroughUi, expect, idpSimulator, signInAsNewAdmin, test } from "./fixtures";
import { SALLY_GROUPS, displayNameOf } from "./idp/directory";
import { providers } from "./idp/providers/types";
import type { SimulatorState } from "./idp/state";
import { BillingPage, ScimIntegrationPage, UsersPage, type Tier, type UserListRow } from "./pages/admin";
import { labels, type Language } from "./pages/labels";
import { MailboxPage } from "./pages/mailbox";

/** Fewer seats than the directory's license groups hold, so the mapping buys the shortfall in every tier. */
const SEATS: Record<Tier, number> = { starter: 4, team: 2, enterprise: 1 };
/** The default prices per seat in EUR (`tenant create` without --prices). */
const PRICES: Record<Tier, number> = { starter: 8, team: 15, enterprise: 30 };
/** Small, so five IdPs on two databases stay within minutes: the Sally groups, the departments and one project. */
const USERS = 16;
const GROUPS = 14;
const TIERS = ["starter", "team", "enterprise"] as const;

type Expected = UserListRow;

/** What the Users page must show for each person the IdP pushed (by directory key), by the rules applied to the IdP's directory. */
function expectedUsers(state: SimulatorState): Map<string, Expected> {
  const groups = new Map(state.directory.groups.filter((g) => !g.deleted).map((g) => [g.displayName, new Set(g.memberKeys)]));
  const inGroup = (name: string, key: string) => groups.get(name)?.has(key) ?? false;
  const expected = new Map<string, Expected>();
  for (const u of state.directory.users) {
    // A deleted person stays in Sally, deactivated (Okta deactivates instead of deleting); a leaver the IdP never pushed is not there.
    if (!state.pushed.users[u.key] && !u.deleted) continue;
    const role = !u.active || u.deleted ? "none" : inGroup(SALLY_GROUPS.admins, u.key) ? "admin" : inGroup(SALLY_GROUPS.users, u.key) ? "user" : "none";
    const license = role === "none" ? "none" : (TIERS.find((t) => inGroup(SALLY_GROUPS[t], u.key)) ?? "none");
    expected.set(u.key, { name: displayNameOf(u), email: u.email, role, license, status: role === "none" ? "deactivated" : "invited", source: "scim" });
  }
  return expected;
}

const holders = (users: Iterable<{ license: string }>, tier: Tier) => [...users].filter((u) => u.license === tier).length;

/** A marker in the window: it survives client-side updates and is gone after any reload or navigation. */
const markWindow = (page: Page) => page.evaluate(() => ((window as unknown as { __sallyMark: number }).__sallyMark = 42));
const windowMarked = (page: Page) => page.evaluate(() => (window as unknown as { __sallyMark?: number }).__sallyMark === 42);

test.describe.configure({ mode: "parallel" });

for (const provider of providers) {
  // One of the five in German: the page objects read both languages' labels back into the same values.
  const language: Language = provider === "pingone" ? "de" : "en";
  const l = labels[language];

  test(`${provider}: setup through the UI with the simulator as IdP, then incremental and deprovision cycles, reach users, licenses, purchases and mail`, async ({
    page,
    server,
  }, testInfo) => {
    test.setTimeout(300_000);
    const seats = TIERS.map((t) => `${t}=${SEATS[t]}`).join(",");
    const { domain, adminEmail } = await signInAsNewAdmin(page, server, { locale: language, seats, prefix: provider });
    const users = new UsersPage(page, language);
    const scim = new ScimIntegrationPage(page, language);
    const billing = new BillingPage(page, language);
    const mailbox = new MailboxPage(page, language);

    // Settings → Users → SCIM Integration: the provider's steps, Set up SCIM, both values copied.
    const { tenantUrl, token } = await connectScimThroughUi(page, provider, language);
    const idp = idpSimulator({ provider, tenantUrl, token, stateFile: testInfo.outputPath("idp-state.json"), domain, users: USERS, groups: GROUPS, seed: 5 });

    // The initial cycle: the page leaves the waiting state by itself (no reload) once the IdP's groups arrive; the
    // one-time token stays on screen.
    await markWindow(page);
    const [initial] = await Promise.all([
      test.step(`simulator: ${provider} initial`, () => idp.run("initial")),
      expect(scim.state()).toHaveAttribute("data-state", "connected", { timeout: 60_000 }),
    ]);
    expect(initial.cycle).toMatchObject({ usersCreated: USERS, groupsCreated: GROUPS });
    await expect(page.getByRole("heading", { name: l.groupAssignment })).toBeVisible();
    expect(await windowMarked(page)).toBe(true);
    await expect(scim.tokenField()).toHaveValue(token);
    let state = idp.state();

    // Group assignment with the member counts the IdP pushed (the options update as its requests arrive),
    // the three license groups, invitations on.
    const members = (name: string) => state.pushed.groups[state.directory.groups.find((g) => g.displayName === name)!.key].length;
    await scim.chooseGroups(l.groupOption(SALLY_GROUPS.users, members(SALLY_GROUPS.users)), l.groupOption(SALLY_GROUPS.admins, members(SALLY_GROUPS.admins)));
    for (const tier of TIERS) await scim.chooseLicense(SALLY_GROUPS[tier], tier);
    await expect(scim.inviteSwitch()).toHaveAttribute("aria-checked", "false");
    await scim.inviteSwitch().click();
    await expect(scim.inviteSwitch()).toHaveAttribute("aria-checked", "true");

    // Save → the preview: everyone with access gains it, the shortfall per tier is to be bought at its price.
    let expected = expectedUsers(state);
    const gaining = [...expected.values()].filter((u) => u.role !== "none");
    expect(gaining.length).toBeGreaterThan(USERS / 2);
    const shortfall = Object.fromEntries(TIERS.map((t) => [t, Math.max(0, holders(gaining, t) - SEATS[t])])) as Record<Tier, number>;
    expect(TIERS.filter((t) => shortfall[t] > 0).length, "the directory must exceed the seats").toBeGreaterThan(0);
    const dialog = await scim.save();
    const gainList = dialog.getByTestId("gain-access").getByRole("listitem");
    await expect(gainList).toHaveCount(gaining.length);
    expect((await gainList.allTextContents()).map((text) => text.split(": ")[0]).sort()).toEqual(gaining.map((u) => u.email).sort());
    const toBuy = dialog.getByTestId("seats-to-buy");
    for (const tier of TIERS.filter((t) => shortfall[t] > 0)) {
      await expect(toBuy).toContainText(l.seatLine(shortfall[tier], l.tiers[tier], l.euros(PRICES[tier]), l.euros(shortfall[tier] * PRICES[tier])));
    }
    await expect(toBuy).toContainText(l.total(l.euros(TIERS.reduce((sum, t) => sum + shortfall[t] * PRICES[t], 0))));
    await scim.confirmIn(dialog);
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: l.saved })).toBeVisible();

    // What each step must leave on the pages. Seats are never refunded, so each tier owns its initial seats plus
    // the most it was ever short. With seed 5 no cycle holds more seats midway than at its end (the hire is in one
    // license group; leavers are disabled before groups change; a license move never holds two tiers at once).
    const mostHeld: Record<Tier, number> = { starter: 0, team: 0, enterprise: 0 };
    /** Directory key → the address the person had when first gaining access: exactly one invitation went there. */
    const invited = new Map<string, string>();
    const expectPagesMatchDirectory = async (step: string): Promise<{ purchases: number }> => {
      await test.step(`users page after ${step}`, async () => {
        await users.goto();
        const rows = await users.listAll(domain);
        // The admin who set it up is not in the IdP: still a manual admin, active since signing in.
        expect(rows.get(adminEmail)).toMatchObject({ role: "admin", license: "none", status: "active", source: "manual" });
        rows.delete(adminEmail);
        expect([...rows.keys()].sort()).toEqual([...expected.values()].map((u) => u.email).sort());
        for (const want of expected.values()) expect(rows.get(want.email), want.email).toEqual(want);
      });
      const purchases = await test.step(`billing page after ${step}`, async () => {
        await billing.openFromUsers();
        const table = await billing.seats();
        const purchases = await billing.purchases();
        for (const tier of TIERS) {
          const held = holders(expected.values(), tier);
          mostHeld[tier] = Math.max(mostHeld[tier], held);
          const owned = Math.max(SEATS[tier], mostHeld[tier]);
          expect(table[tier], tier).toEqual({ held, owned, free: owned - held });
          const bought = purchases.filter((p) => p.tier === tier);
          expect(bought.reduce((n, p) => n + p.quantity, 0), `${tier} seats bought`).toBe(owned - SEATS[tier]);
          for (const p of bought) expect(p).toMatchObject({ unitPrice: l.euros(PRICES[tier]), total: l.euros(p.quantity * PRICES[tier]) });
        }
        return purchases.length;
      });
      await test.step(`mailbox after ${step}`, async () => {
        for (const [key, u] of expected) if (u.role !== "none" && !invited.has(key)) invited.set(key, u.email);
        const sentTo = [...invited.values()].map((email) => email.toLowerCase()).sort();
        const ofTenant = (byRecipient: Map<string, number> | undefined) =>
          [...(byRecipient ?? [])].filter(([to]) => to.endsWith(`@${domain}`)).sort(([a], [b]) => a.localeCompare(b));
        // The tenant's whole mailbox at once, while it still shows the admin's sign-in link (older than every invitation) …
        let complete = true;
        await expect(async () => {
          const received = await mailbox.received({ to: adminEmail, kind: "sign-in" });
          if (!received) return void (complete = false);
          expect(ofTenant(received.get("invitation")), "invitations").toEqual(sentTo.map((to) => [to, 1]));
          // One receipt per purchase to the admin who set it up (they were admin at every purchase).
          expect(received.get("receipt")?.get(adminEmail) ?? 0, "receipts").toBe(purchases);
        }).toPass({ timeout: 60_000 });
        if (complete) return;
        // … else each person's own mailbox page (more than a page of this tenant's emails).
        for (const email of new Set([...sentTo, ...[...expected.values()].map((u) => u.email.toLowerCase())])) {
          await expect.poll(() => mailbox.count(email, "invitation"), { message: `invitations to ${email}` }).toBe(sentTo.includes(email) ? 1 : 0);
        }
        await expect.poll(() => mailbox.count(adminEmail, "receipt"), { message: "receipts" }).toBe(purchases);
      });
      return { purchases };
    };

    // The mapping: access, licenses (lowest tier wins), the shortfall bought once with a receipt, one invitation each.
    const mapped = await expectPagesMatchDirectory("the mapping");
    expect(mapped.purchases).toBe(TIERS.filter((t) => shortfall[t] > 0).length);

    // Incremental: a rename, moves, a hire and a leaver; newcomers with access get their one invitation.
    const incremental = await test.step(`simulator: ${provider} incremental`, () => idp.run("incremental"));
    expect(incremental.changes).toMatchObject({ renamed: 1, hired: 1, left: 1 });
    state = idp.state();
    expected = expectedUsers(state);
    const afterIncremental = await expectPagesMatchDirectory("the incremental cycle");

    // Deprovision: a slice disabled, a slice deleted (Okta only deactivates); no seat bought, no invitation re-sent.
    const deprovision = await test.step(`simulator: ${provider} deprovision`, () => idp.run("deprovision"));
    expect(deprovision.cycle.usersDeactivated + deprovision.cycle.usersDeleted).toBeGreaterThan(0);
    state = idp.state();
    expected = expectedUsers(state);
    const gone = state.directory.users.filter((u) => u.deleted || !u.active);
    expect(gone.length).toBeGreaterThan(2);
    for (const u of gone) expect(expected.get(u.key), u.email).toMatchObject({ role: "none", license: "none", status: "deactivated" });
    expect(await expectPagesMatchDirectory("the deprovision cycle")).toEqual({ purchases: afterIncremental.purchases });
  });
}
