import { expect, type Locator, type Page, type TestInfo } from "@playwright/test";
import { labels, type Labels, type Language } from "./labels";

export type Provider = keyof Labels["providers"];

/** An admin page in one language: its labels are the accessible names of its controls. */
abstract class AdminPage {
  readonly l: Labels;
  constructor(
    readonly page: Page,
    readonly language: Language,
  ) {
    this.l = labels[language];
  }
}

/** Settings → Users: the list, its filters, seats, and the Management links. */
export class UsersPage extends AdminPage {

  async goto(query = "") {
    await this.page.goto(`/settings/users${query}`);
    await expect(this.page.getByRole("heading", { level: 1, name: this.l.users })).toBeVisible();
  }

  row(email: string): Locator {
    return this.page.getByTestId("user-row").filter({ has: this.page.getByRole("cell", { name: email, exact: true }) });
  }

  async openScimIntegration() {
    await expect(this.page.getByRole("heading", { name: this.l.management })).toBeVisible();
    await this.page.getByRole("link", { name: this.l.scimIntegration }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: this.l.scimIntegration })).toBeVisible();
  }

  async search(text: string) {
    await this.page.getByRole("searchbox", { name: this.l.search }).fill(text);
    await this.page.getByRole("button", { name: this.l.show, exact: true }).click();
  }

  /** Settings in the header → Users. */
  async openFromNavigation() {
    await this.page.getByRole("link", { name: this.l.settings, exact: true }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: this.l.users })).toBeVisible();
  }

  /**
   * Searches with the list's search box and reads every row of the result, by column header, back into the
   * values the labels stand for. Fails when the result runs onto a next page, so no row goes unchecked.
   */
  async listAll(search: string): Promise<Map<string, UserListRow>> {
    await this.search(search);
    await this.page.waitForURL((url) => url.pathname === "/settings/users" && url.searchParams.get("q") === search);
    await expect(this.page.getByRole("heading", { level: 1, name: this.l.users })).toBeVisible();
    await expect(this.page.getByRole("link", { name: this.l.nextPage })).toHaveCount(0);
    const members = this.page.getByRole("region", { name: this.l.members });
    const { header, rows } = await readTable(members.getByRole("table"));
    const column = (name: string) => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`no column "${name}" in ${header.join(", ")}`);
      return i;
    };
    const c = Object.fromEntries(Object.entries(this.l.userColumns).map(([key, name]) => [key, column(name)])) as Record<keyof Labels["userColumns"], number>;
    const list = new Map<string, UserListRow>();
    for (const cells of rows) {
      list.set(cells[c.email], {
        name: cells[c.name],
        email: cells[c.email],
        role: keyOf(this.l.roles, cells[c.role]),
        license: keyOf(this.l.tiers, cells[c.license]),
        status: keyOf(this.l.statuses, cells[c.status]),
        source: keyOf(this.l.sources, cells[c.source]),
      });
    }
    return list;
  }

  async remove(email: string) {
    await this.row(email).getByRole("button", { name: this.l.remove(email) }).click();
    const dialog = this.page.getByRole("dialog", { name: this.l.removeTitle(email) });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: this.l.confirm }).click();
    await expect(dialog).toBeHidden();
    await expect(this.row(email)).toHaveCount(0);
  }
}

/** Settings → Users → SCIM Integration, in every state of the connection. */
export class ScimIntegrationPage extends AdminPage {

  async goto() {
    await this.page.goto("/settings/users/scim");
    await expect(this.page.getByRole("heading", { level: 1, name: this.l.scimIntegration })).toBeVisible();
  }

  /** not-connected | waiting | connected, as the page reports it. */
  state(): Locator {
    return this.page.getByTestId("scim-page");
  }

  async pickProvider(provider: Provider) {
    await this.page.getByRole("group", { name: this.l.scimClient }).getByRole("radio", { name: this.l.providers[provider] }).check();
    const instructions = this.page.getByRole("region", { name: this.l.instructionsFor(this.l.providers[provider]) });
    await expect(instructions).toBeVisible();
    return instructions;
  }

  async setUp(provider: Provider) {
    await this.pickProvider(provider);
    await this.page.getByRole("button", { name: this.l.setUpScim }).click();
    await expect(this.tenantUrlField()).toBeVisible();
  }

  tenantUrlField = () => this.page.getByRole("textbox", { name: this.l.tenantUrl, exact: true });
  tokenField = () => this.page.getByRole("textbox", { name: this.l.token, exact: true });

  /** Clicks the Copy button beside a field and returns what landed on the clipboard. */
  async copy(field: "tenantUrl" | "token"): Promise<string> {
    const name = field === "tenantUrl" ? this.l.tenantUrl : this.l.token;
    const button = this.page.getByRole("button", { name: new RegExp(`^(${this.l.copy} ${name}|${name} ${this.l.copy.toLowerCase()})$`) });
    await expect(button).toHaveText(this.l.copy);
    await button.click();
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  /** Both credentials through their Copy buttons, as an admin pastes them into the IdP; each matches its field. */
  async copyCredentials(): Promise<{ tenantUrl: string; token: string }> {
    const tenantUrl = await this.copy("tenantUrl");
    await expect(this.tenantUrlField()).toHaveValue(tenantUrl);
    const token = await this.copy("token");
    await expect(this.tokenField()).toHaveValue(token);
    return { tenantUrl, token };
  }

  async chooseGroups(userGroup: string, adminGroup: string) {
    await this.page.getByRole("combobox", { name: this.l.userGroup }).selectOption({ label: userGroup });
    await this.page.getByRole("combobox", { name: this.l.adminGroup }).selectOption({ label: adminGroup });
  }

  async chooseLicense(group: string, tier: keyof Labels["tiers"]) {
    await this.page.getByRole("combobox", { name: this.l.licenseFor(group), exact: true }).selectOption({ label: this.l.tiers[tier] });
  }

  inviteSwitch = () => this.page.getByRole("switch", { name: this.l.invite });

  /** Save → the confirmation dialog with the preview. */
  async save(): Promise<Locator> {
    await this.page.getByRole("button", { name: this.l.save, exact: true }).click();
    const dialog = this.page.getByRole("dialog", { name: this.l.previewTitle });
    await expect(dialog).toBeVisible();
    return dialog;
  }

  async confirmIn(dialog: Locator) {
    await dialog.getByRole("button", { name: this.l.confirm }).click();
  }

  async rotateToken(): Promise<string> {
    await this.page.getByRole("button", { name: this.l.rotateToken }).click();
    const dialog = this.page.getByRole("dialog", { name: this.l.rotateTitle });
    await expect(dialog).toBeVisible();
    const before = (await this.tokenField().count()) ? await this.tokenField().inputValue() : null;
    await dialog.getByRole("button", { name: this.l.confirm }).click();
    await expect(dialog).toBeHidden();
    await expect(this.tokenField()).not.toHaveValue(before ?? "");
    return this.tokenField().inputValue();
  }

  async disconnect() {
    await this.page.getByRole("button", { name: this.l.disconnect, exact: true }).click();
    const dialog = this.page.getByRole("dialog", { name: this.l.disconnectTitle });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: this.l.confirm }).click();
    await expect(dialog).toBeHidden();
    await expect(this.state()).toHaveAttribute("data-state", "not-connected");
  }

  /** A full-page screenshot attached to the test's report (and kept in its output folder). */
  async screenshot(testInfo: TestInfo, name: string) {
    const path = testInfo.outputPath(`${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    await testInfo.attach(name, { path, contentType: "image/png" });
  }
}

/** Settings → Billing: seats held, owned and free per tier, and the purchase history. */
export class BillingPage extends AdminPage {

  async goto() {
    await this.page.goto("/settings/billing");
    await expect(this.page.getByRole("heading", { level: 1, name: this.l.billing })).toBeVisible();
  }

  /** From the Users page's Management links. */
  async openFromUsers() {
    await this.page.getByRole("link", { name: this.l.billing, exact: true }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: this.l.billing })).toBeVisible();
  }

  /** The seats table, by tier: held, owned, free. */
  async seats(): Promise<Record<Tier, { held: number; owned: number; free: number }>> {
    const { header, rows } = await readTable(this.page.getByRole("region", { name: this.l.seatsPerTier }).getByRole("table"), { rowHeaders: true });
    const col = columnsOf(header, this.l.billingColumns);
    const seats = {} as Record<Tier, { held: number; owned: number; free: number }>;
    for (const cells of rows) {
      seats[keyOf(this.l.tiers, cells[col.tier]) as Tier] = { held: Number(cells[col.held]), owned: Number(cells[col.owned]), free: Number(cells[col.free]) };
    }
    return seats;
  }

  /** The purchase history, newest first; empty when nothing was bought. */
  async purchases(): Promise<Purchase[]> {
    const region = this.page.getByRole("region", { name: this.l.purchases });
    await expect(region).toBeVisible();
    if ((await region.getByRole("table").count()) === 0) return [];
    const { header, rows } = await readTable(region.getByRole("table"));
    const col = columnsOf(header, this.l.billingColumns);
    return rows.map((cells) => ({
      tier: keyOf(this.l.tiers, cells[col.tier]) as Tier,
      quantity: Number(cells[col.quantity]),
      unitPrice: cells[col.unitPrice],
      total: cells[col.total],
      cause: cells[col.cause],
    }));
  }
}

export type Tier = Exclude<keyof Labels["tiers"], "none">;
export type UserListRow = {
  name: string;
  email: string;
  role: keyof Labels["roles"];
  license: keyof Labels["tiers"];
  status: keyof Labels["statuses"];
  source: keyof Labels["sources"];
};
export type Purchase = { tier: Tier; quantity: number; unitPrice: string; total: string; cause: string };

/** The key whose label is `text` (labels are the page's contract; an unknown text fails the test). */
function keyOf<T extends Record<string, string>>(values: T, text: string): keyof T & string {
  const key = Object.keys(values).find((k) => values[k] === text);
  if (key === undefined) throw new Error(`"${text}" is none of ${Object.values(values).join(", ")}`);
  return key;
}

function columnsOf<T extends Record<string, string>>(header: string[], names: T): Record<keyof T, number> {
  return Object.fromEntries(
    Object.entries(names)
      .map(([key, name]) => [key, header.indexOf(name)] as const)
      .filter(([, i]) => i >= 0),
  ) as Record<keyof T, number>;
}

/** A table's column headers and its body rows' cell texts (row headers count as cells when `rowHeaders`). */
async function readTable(table: Locator, { rowHeaders = false } = {}): Promise<{ header: string[]; rows: string[][] }> {
  await expect(table).toBeVisible();
  const header = (await table.getByRole("columnheader").allTextContents()).map((t) => t.trim());
  const cell = rowHeaders ? "td, th[scope=row]" : "td";
  const rows = await table
    .getByRole("row")
    .filter({ has: table.page().getByRole(rowHeaders ? "rowheader" : "cell") })
    .evaluateAll((trs, selector) => trs.map((tr) => [...tr.querySelectorAll(selector)].map((c) => (c.textContent ?? "").trim())), cell);
  return { header, rows };
}

export const settingsPages = (page: Page, language: Language) => ({
  users: new UsersPage(page, language),
  scim: new ScimIntegrationPage(page, language),
  billing: new BillingPage(page, language),
});
