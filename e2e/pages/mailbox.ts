import { expect, type Locator, type Page } from "@playwright/test";
import { labels, type Language } from "./labels";

export type MailKind = "invitation" | "receipt" | "sign-in";

/** The local mailbox (/dev/mailbox, on when no RESEND_API_KEY is set): the newest emails first, optionally one recipient's. */
export class MailboxPage {
  /** `language`: the signed-in user's; the dev page speaks it too. */
  constructor(
    readonly page: Page,
    readonly language: Language = "en",
  ) {}

  async goto(to?: string) {
    await this.page.goto(to ? `/dev/mailbox?to=${encodeURIComponent(to)}` : "/dev/mailbox");
    await expect(this.page.getByRole("heading", { level: 1, name: labels[this.language].mailbox })).toBeVisible();
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
   * Every email to addresses at `since.to`'s domain (one tenant's people), as kind → recipient → how many. The page
   * shows the newest hundred: `since` (an email this tenant got before the ones counted) must be among them, else
   * older emails may be cut off and the counts would be incomplete; then this returns null.
   */
  async received(since: { to: string; kind: MailKind }): Promise<Map<MailKind, Map<string, number>> | null> {
    const domain = since.to.slice(since.to.lastIndexOf("@") + 1);
    // The emails are in the server's HTML; their sandboxed html parts need not finish loading to be counted.
    await this.page.goto(`/dev/mailbox?domain=${encodeURIComponent(domain)}`, { waitUntil: "domcontentloaded" });
    await expect(this.page.getByRole("heading", { level: 1, name: labels[this.language].mailbox })).toBeVisible();
    const kinds: MailKind[] = ["invitation", "receipt", "sign-in"];
    const counts = new Map<MailKind, Map<string, number>>();
    for (const kind of kinds) {
      const byRecipient = new Map<string, number>();
      for (const to of await this.mails(kind).getByTestId("mail-to").allTextContents()) {
        const key = to.trim().toLowerCase();
        byRecipient.set(key, (byRecipient.get(key) ?? 0) + 1);
      }
      counts.set(kind, byRecipient);
    }
    return counts.get(since.kind)?.has(since.to.toLowerCase()) ? counts : null;
  }
}
