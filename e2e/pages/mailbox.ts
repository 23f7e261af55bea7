import { expect, type Locator, type Page } from "@playwright/test";

export type MailKind = "invitation" | "receipt" | "sign-in";

/** The local mailbox (/dev/mailbox, on when no RESEND_API_KEY is set): one recipient's emails, newest first. */
export class MailboxPage {
  constructor(readonly page: Page) {}

  async goto(to: string) {
    await this.page.goto(`/dev/mailbox?to=${encodeURIComponent(to)}`);
    await expect(this.page.getByRole("heading", { level: 1, name: "Local mailbox" })).toBeVisible();
  }

  /** Each email is an article named by its subject; its kind is a badge (the subject is in the user's language). */
  mails(kind?: MailKind): Locator {
    const all = this.page.getByRole("article");
    return kind ? all.filter({ has: this.page.getByText(kind, { exact: true }) }) : all;
  }

  /** How many emails of this kind `to` has received so far. */
  async count(to: string, kind: MailKind): Promise<number> {
    await this.goto(to);
    return this.mails(kind).count();
  }
}
