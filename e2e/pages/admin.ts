import { expect, type Locator, type Page, type TestInfo } from "@playwright/test";
import { labels, type Labels, type Language } from "./labels";

export type Provider = keyof Labels["providers"];

/** Settings → Users: the list, its filters, seats, and the Management links. */
export class UsersPage {
  readonly l: Labels;
  constructor(
    readonly page: Page,
    readonly language: Language,
  ) {
    this.l = labels[language];
  }

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
export class ScimIntegrationPage {
  readonly l: Labels;
  constructor(
    readonly page: Page,
    readonly language: Language,
  ) {
    this.l = labels[language];
  }

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

export const settingsPages = (page: Page, language: Language) => ({
  users: new UsersPage(page, language),
  scim: new ScimIntegrationPage(page, language),
});
