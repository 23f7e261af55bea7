import type { LicenseTier, Locale } from "@/db/schema";
import { INVITATION_LINK_DAYS, SIGN_IN_LINK_MINUTES } from "@/lib/auth/link-lifetime";

export type RenderedEmail = { subject: string; text: string; html: string };

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function layout(paragraphs: string[], action?: { label: string; url: string }): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join("");
  const button = action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:#4f46e5;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(action.label)}</a></p>`
    : "";
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#111827;max-width:560px;margin:0 auto;padding:24px">${body}${button}</body></html>`;
}

function render(paragraphs: string[], subject: string, action?: { label: string; url: string }): RenderedEmail {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : [])].join("\n\n");
  return { subject, text, html: layout(paragraphs, action) };
}

/** The magic sign-in link next-auth asks us to deliver. */
export function signInEmail(locale: Locale, url: string): RenderedEmail {
  return locale === "de"
    ? render(
        ["Hallo,", `mit dem folgenden Link melden Sie sich bei Sally an. Er ist ${SIGN_IN_LINK_MINUTES} Minuten gültig und nur einmal verwendbar.`],
        "Ihr Anmeldelink für Sally",
        { label: "Bei Sally anmelden", url },
      )
    : render(
        ["Hello,", `use the link below to sign in to Sally. It is valid for ${SIGN_IN_LINK_MINUTES} minutes and works once.`],
        "Your sign-in link for Sally",
        { label: "Sign in to Sally", url },
      );
}

const tierNames: Record<LicenseTier | "none", Record<Locale, string>> = {
  starter: { de: "Starter", en: "Starter" },
  team: { de: "Team", en: "Team" },
  enterprise: { de: "Enterprise", en: "Enterprise" },
  none: { de: "keine Lizenz", en: "no license" },
};

/** The invitation a user gets the first time IdP groups grant them access. */
export function invitationEmail(
  locale: Locale,
  input: { tenantName: string; role: "admin" | "user"; license: LicenseTier | "none"; url: string },
): RenderedEmail {
  const license = tierNames[input.license][locale];
  return locale === "de"
    ? render(
        [
          "Hallo,",
          `${input.tenantName} hat Ihnen Zugang zu Sally gegeben (${input.role === "admin" ? "Administrator" : "Benutzer"}, Lizenz: ${license}).`,
          `Mit dem folgenden Link melden Sie sich an. Er ist ${INVITATION_LINK_DAYS} Tage gültig und nur einmal verwendbar.`,
        ],
        `Einladung zu Sally von ${input.tenantName}`,
        { label: "Einladung annehmen", url: input.url },
      )
    : render(
        [
          "Hello,",
          `${input.tenantName} has given you access to Sally (${input.role === "admin" ? "administrator" : "user"}, license: ${license}).`,
          `Use the link below to sign in. It is valid for ${INVITATION_LINK_DAYS} days and works once.`,
        ],
        `You're invited to Sally by ${input.tenantName}`,
        { label: "Accept invitation", url: input.url },
      );
}

export function formatMoney(cents: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US", { style: "currency", currency: "EUR" }).format(
    cents / 100,
  );
}

/** The receipt sent to a tenant's admins when seats were bought automatically. */
export function receiptEmail(
  locale: Locale,
  input: { tenantName: string; tier: LicenseTier; quantity: number; unitPriceCents: number; totalCents: number; reason: string; url: string },
): RenderedEmail {
  const tier = tierNames[input.tier][locale];
  const unit = formatMoney(input.unitPriceCents, locale);
  const total = formatMoney(input.totalCents, locale);
  return locale === "de"
    ? render(
        [
          "Hallo,",
          `für ${input.tenantName} wurden automatisch ${input.quantity} ${tier}-Plätze zu je ${unit} gekauft und sofort berechnet: ${total}.`,
          `Anlass: ${input.reason}.`,
        ],
        `Beleg: ${input.quantity} ${tier}-Plätze für ${input.tenantName}`,
        { label: "Benutzer ansehen", url: input.url },
      )
    : render(
        [
          "Hello,",
          `${input.quantity} ${tier} seats at ${unit} each were bought automatically for ${input.tenantName} and billed at once: ${total}.`,
          `Cause: ${input.reason}.`,
        ],
        `Receipt: ${input.quantity} ${tier} seats for ${input.tenantName}`,
        { label: "View users", url: input.url },
      );
}
