import { expect, type Locator, type Page } from "@playwright/test";

export type MailKind = "invitation" | "receipt" | "sign-in";

/** The local mailbox (/dev/mailbox, on when no RESEND_API_KEY is set): the newest emails first, optionally one recipient's. */
export class MailboxPage {
  constructor(readonly page: Page) {}

  async goto(to?: string) {
    await this.page.goto(to ? `/dev/mailbox?to=${encodeURIComponent(to)}` : "/dev/mailbox");
    await expect(this.page.getByRole("heading", { level: 1, name: "Local mailbox" })).toBeVisible();
  }

  /** Each email is an article named by its subject; its kind is a badge (the subject is in the user's language). */
  mails(kind?: MailKind): Locator {
    const all = this.page.getByRole("article");
    return kind ? all.filter({ has: this.page.getByText(kind, { exact: true }) }) : all;
  }

  /** How many emails of this kind `to` has received so far (one recipient's page). */
  async count(to: string, kind: MailKind): Promise<number> {
    await this.goto(to);
    return this.mails(kind).count();
  }

  /**
   * The recipients of this kind of email on the unfiltered page, with how many each got. The page shows the newest
   * hundred emails of every tenant; `since` (an email this tenant received before the ones counted) must be on it,
   * else older emails may be cut off and the counts are incomplete: then this returns null.
   */
  async recipients(kind: MailKind, since: { to: string; kind: MailKind }): Promise<Map<string, number> | null> {
    await this.goto();
    const recipientsOf = async (k: MailKind) => (await this.mails(k).getByTestId("mail-to").allTextContents()).map((to) => to.trim().toLowerCase());
    if (!(await recipientsOf(since.kind)).includes(since.to.toLowerCase())) return null;
    const counts = new Map<string, number>();
    for (const to of await recipientsOf(kind)) counts.set(to, (counts.get(to) ?? 0) + 1);
    return counts;
  }
}
