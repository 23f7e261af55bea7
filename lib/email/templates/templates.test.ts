import { render, toPlainText } from "@react-email/render";
import { createElement, type ReactElement } from "react";
import { describe, expect, it } from "vitest";
import type { LicenseTier, Locale, UserLicense } from "@/db/schema";
import { extractLinks } from "@/lib/email/send-email";
import { invitationEmail, receiptEmail, signInEmail, type RenderedEmail } from "./index";
import { InvitationEmail } from "./invitation";
import { ReceiptEmail } from "./receipt";
import { renderParts } from "./render";
import { SignInEmail } from "./sign-in";
import { emailTranslator } from "./translator";

// Intl puts a no-break space between amount and sign in German ("8,00 €"); compare with plain spaces.
const plain = (s: string) => s.replace(/\u00a0/g, " ");

const decode = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");

/** The paragraphs a reader sees in the html part, minus the ones marked to stay out of the text part. */
function htmlParagraphs(html: string): string[] {
  return [...html.matchAll(/<p(?![^>]*data-skip-in-text)[^>]*>(.*?)<\/p>/g)].map((m) =>
    plain(decode(m[1].replace(/<!--.*?-->/g, "").replace(/<[^>]+>/g, ""))),
  );
}

/** Every paragraph of the html is in the text part and every line of the text part is in the html. */
function expectMirrored(email: RenderedEmail) {
  const text = plain(email.text);
  const paragraphs = htmlParagraphs(email.html);
  expect(paragraphs.length).toBeGreaterThan(2);
  for (const p of paragraphs) expect(text).toContain(p);
  const visible = plain(decode(email.html.replace(/<!--.*?-->/g, "").replace(/<[^>]+>/g, " ")));
  for (const line of text.split("\n").filter((l) => l.trim() && !/^-+$/.test(l))) {
    // The button becomes "label url" in text; in html the url is the href.
    const [label, url] = line.split(/ (?=https?:\/\/)/);
    expect(visible).toContain(label);
    if (url) expect(email.html).toContain(`href="${url.replace(/&/g, "&amp;")}"`);
  }
  expect(email.text).not.toMatch(/<[a-z]|\{|Emails\./);
}

const url = "https://sally.example/api/auth/callback/email?callbackUrl=https%3A%2F%2Fsally.example%2F&token=abc123&email=ann%40acme.example";

describe("sign-in email", () => {
  it.each<[Locale, string, string, string]>([
    ["en", "Your sign-in link for Sally", "It is valid for 15 minutes and works once.", "Sign in to Sally"],
    ["de", "Dein Anmeldelink für Sally", "Mit dem folgenden Link meldest du dich bei Sally an. Er ist 15 Minuten gültig", "Bei Sally anmelden"],
  ])("in %s: subject, validity, button and the one link", async (locale, subject, body, button) => {
    const email = await signInEmail(locale, url);
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(body);
    expect(email.text).toContain(`${button} ${url}`);
    expect(email.html).toContain(`lang="${locale}"`);
    expect(email.html).toContain(`href="${url.replace(/&/g, "&amp;")}"`);
    // The local mailbox and the CLI read links from the text part: exactly the sign-in link, whole.
    expect(extractLinks(email.text)).toEqual([url]);
    expectMirrored(email);
  });
});

describe("invitation email", () => {
  it.each<[Locale, "admin" | "user", UserLicense, string, string[]]>([
    ["en", "user", "team", "You’re invited to Sally by Acme", ["Acme has given you access to Sally.", "Role: User", "License: Team", "valid for 7 days"]],
    ["en", "admin", "none", "You’re invited to Sally by Acme", ["Role: Administrator", "License: No license"]],
    ["de", "user", "enterprise", "Einladung zu Sally von Acme", ["Acme hat dir Zugang zu Sally gegeben.", "Rolle: Benutzer", "Lizenz: Enterprise", "Mit dem folgenden Link meldest du dich an. Er ist 7 Tage gültig"]],
    ["de", "admin", "starter", "Einladung zu Sally von Acme", ["Rolle: Administrator", "Lizenz: Starter"]],
    ["de", "user", "none", "Einladung zu Sally von Acme", ["Lizenz: Keine Lizenz"]],
  ])("in %s for a %s with license %s", async (locale, role, license, subject, fragments) => {
    const email = await invitationEmail(locale, { tenantName: "Acme", role, license, url: "https://sally.example/invite/1" });
    expect(email.subject).toBe(subject);
    for (const fragment of fragments) {
      expect(email.text).toContain(fragment);
      expect(decode(email.html)).toContain(fragment);
    }
    expect(extractLinks(email.text)).toEqual(["https://sally.example/invite/1"]);
    expect(email.html).toContain('href="https://sally.example/invite/1"');
    expectMirrored(email);
  });
});

describe("receipt email", () => {
  const purchase = (tier: LicenseTier, quantity: number, unitPriceCents: number) => ({
    tenantName: "Acme",
    tier,
    quantity,
    unitPriceCents,
    totalCents: quantity * unitPriceCents,
    reason: "SCIM PATCH /Groups/g-1",
    url: "https://sally.example/settings/users",
  });

  it.each<[Locale, LicenseTier, number, number, string, string[]]>([
    ["en", "starter", 1, 800, "Receipt: 1 Starter seat for Acme", ["One Starter seat was bought automatically for Acme and billed immediately", "Price per seat: €8.00", "Total, billed immediately: €8.00"]],
    ["en", "team", 3, 1500, "Receipt: 3 Team seats for Acme", ["3 Team seats were bought", "Seats bought: 3", "Price per seat: €15.00", "€45.00", "Cause: SCIM PATCH /Groups/g-1"]],
    ["en", "enterprise", 100, 123456, "Receipt: 100 Enterprise seats for Acme", ["Price per seat: €1,234.56", "Total, billed immediately: €123,456.00"]],
    ["de", "starter", 1, 800, "Beleg: 1 Starter-Platz für Acme", ["Für Acme wurde ein Starter-Platz automatisch gekauft und sofort berechnet", "Preis pro Platz: 8,00 €", "Gesamt, sofort berechnet: 8,00 €"]],
    ["de", "team", 3, 1500, "Beleg: 3 Team-Plätze für Acme", ["wurden 3 Team-Plätze", "Gekaufte Plätze: 3", "Preis pro Platz: 15,00 €", "45,00 €", "Anlass: SCIM PATCH /Groups/g-1"]],
    ["de", "enterprise", 100, 123456, "Beleg: 100 Enterprise-Plätze für Acme", ["Preis pro Platz: 1.234,56 €", "Gesamt, sofort berechnet: 123.456,00 €"]],
  ])("in %s for %s × %i at %i cents", async (locale, tier, quantity, cents, subject, fragments) => {
    const email = await receiptEmail(locale, purchase(tier, quantity, cents));
    expect(email.subject).toBe(subject);
    for (const fragment of fragments) {
      expect(plain(email.text)).toContain(fragment);
      expect(plain(decode(email.html))).toContain(fragment);
    }
    expect(extractLinks(email.text)).toEqual(["https://sally.example/settings/users"]);
    expectMirrored(email);
  });
});

describe("every email", () => {
  const tenantName = `Bits <b>&</b> "Bobs"`;
  const all = (locale: Locale) => [
    invitationEmail(locale, { tenantName, role: "admin", license: "team", url: "https://sally.example/i" }),
    receiptEmail(locale, { tenantName, tier: "team", quantity: 2, unitPriceCents: 1500, totalCents: 3000, reason: "<script>", url: "https://sally.example/r" }),
  ];

  it.each<Locale>(["en", "de"])("in %s escapes a tenant name with < and & in the html, and keeps it as is in subject and text", async (locale) => {
    for (const email of await Promise.all(all(locale))) {
      expect(email.subject).toContain(tenantName);
      expect(email.text).toContain(tenantName);
      expect(email.html).toContain("Bits &lt;b&gt;&amp;&lt;/b&gt; &quot;Bobs&quot;");
      expect(email.html).not.toContain("<b>");
      expect(email.html).not.toContain("<script>");
    }
  });

  it("in German says du, never the formal Sie or Ihr", async () => {
    const emails = await Promise.all([signInEmail("de", url), ...all("de")]);
    for (const email of emails) expect(`${email.subject}\n${email.text}`).not.toMatch(/\b(Sie|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres|Ihnen)\b/);
    expect(emails[0].text).toMatch(/\bdu\b/);
  });

  it("fails instead of sending a message key or a half-formatted text", () => {
    const t = emailTranslator("en");
    expect(() => t("invitation.subject" as never)).toThrow(/tenant/);
    expect(() => t("missing.key" as never)).toThrow();
  });
});

describe("rendering once per content", () => {
  // Emails that differ only in their link share one React render; the link is put in afterwards.
  const input = { tenantName: "Acme & Co", role: "user" as const, license: "team" as const };
  const tricky = `https://sally.example/api/auth/callback/email?token=t1&email=o'neil%40acme.example&x="<>"`;

  it.each<Locale>(["en", "de"])("in %s gives exactly what a fresh render of that link gives", async (locale) => {
    await invitationEmail(locale, { ...input, url: "https://sally.example/warm-the-cache" });
    const cached = await invitationEmail(locale, { ...input, url: tricky });
    const fresh = await renderParts(createElement(InvitationEmail, { locale, ...input, url: tricky, validDays: 7 }));
    expect(cached.html).toBe(fresh.html);
    expect(cached.text).toBe(fresh.text);
  });

  it("never lets one recipient's link into another's email", async () => {
    const [first, second] = await Promise.all(
      ["https://sally.example/l/first", "https://sally.example/l/second"].map((url) => invitationEmail("en", { ...input, url })),
    );
    expect(extractLinks(first.text)).toEqual(["https://sally.example/l/first"]);
    expect(extractLinks(second.text)).toEqual(["https://sally.example/l/second"]);
    expect(first.html).not.toContain("second");
    expect(second.html).not.toContain("first");
    expect(`${first.html}${second.html}`).not.toContain("link.invalid");
  });
});

describe("rendering", () => {
  // React Email's render streams the markup through a Suspense boundary, and React's streaming renderer marks it
  // (and separates adjacent pieces of text with an empty comment, for hydration).
  const streamMarkers = /<!--(\$|\/\$|html|head|body| )-->/g;
  const emails: [string, (locale: Locale) => ReactElement][] = [
    ["sign-in", (locale) => createElement(SignInEmail, { locale, url, validMinutes: 15 })],
    ["invitation", (locale) => createElement(InvitationEmail, { locale, tenantName: "Acme & Co", role: "admin", license: "team", url, validDays: 7 })],
    [
      "receipt",
      (locale) =>
        createElement(ReceiptEmail, {
          locale,
          tenantName: "Acme & Co",
          tier: "team",
          quantity: 3,
          unitPriceCents: 1500,
          totalCents: 4500,
          reason: 'SCIM PATCH /Groups/g-1 <"b">',
          url: "https://sally.example/settings/users",
        }),
    ],
  ];

  it.each(emails.flatMap(([name, element]) => (["en", "de"] as const).map((locale) => [name, locale, element] as const)))(
    "of the %s email in %s gives React Email's markup and plain text, less the stream's markers",
    async (_name, locale, element) => {
      const reference = await render(element(locale));
      // (String.match with a global pattern starts from the beginning each time, whatever the test before it did.)
      expect(reference.match(streamMarkers)?.length).toBeGreaterThan(0);
      const rendered = await renderParts(element(locale));
      expect(rendered.html).toBe(reference.replace(streamMarkers, ""));
      expect(rendered.text).toBe(toPlainText(reference));
    },
  );
});
