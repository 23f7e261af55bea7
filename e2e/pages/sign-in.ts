import { expect, type Page } from "@playwright/test";

/**
 * The sign-in page and the local mailbox, as a user who signs in by email link experiences them; on the suite's
 * server, or on another instance at `origin` (e2e/hardening).
 */
export class SignInPage {
  constructor(
    private readonly page: Page,
    private readonly origin = "",
  ) {}

  async requestLink(email: string) {
    await this.page.goto(`${this.origin}/sign-in`);
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(this.page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  }

  /** Opens the newest sign-in link sent to `email` from the dev mailbox page. */
  async followLinkFromMailbox(email: string) {
    await this.page.goto(`${this.origin}/dev/mailbox?to=${encodeURIComponent(email)}`);
    // By the mailbox's kind label, not the subject: the email is in the user's (or tenant's) language.
    const mail = this.page.getByTestId("mail").filter({ has: this.page.getByText("sign-in", { exact: true }) }).first();
    await expect(mail).toBeVisible();
    await mail.getByRole("link").first().click();
  }

  async signIn(email: string) {
    await this.requestLink(email);
    await this.followLinkFromMailbox(email);
  }
}
