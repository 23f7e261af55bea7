import type { LicenseTier, Locale, UserLicense } from "@/db/schema";
import { INVITATION_LINK_MAX_AGE_SECONDS, SIGN_IN_LINK_MAX_AGE_SECONDS } from "@/lib/auth/sign-in-link";
import { withLink, type LinkedContent } from "./link";

export type RenderedEmail = { subject: string; text: string; html: string };

// React Email and the templates are loaded on the first render, not on import: every CLI command and SCIM route
// imports the verbs that send email, and most of them never render one. The module's promise is kept: under tsx
// (the CLI) every dynamic import goes through the module loader again, ~0.9 ms a call, against ~0.04 ms for a render
// from the cache (render.tsx), and a mapping that gives 10,000 users access renders 10,000 invitations.
let renderer: Promise<typeof import("./render")> | undefined;
const loadRenderer = () => (renderer ??= import("./render"));

/** The magic sign-in link next-auth asks us to deliver. */
export async function signInEmail(locale: Locale, url: string): Promise<RenderedEmail> {
  const { renderSignInEmail } = await loadRenderer();
  return renderSignInEmail({ locale, url, validMinutes: SIGN_IN_LINK_MAX_AGE_SECONDS / 60 });
}

type InvitationInput = { tenantName: string; role: "admin" | "user"; license: UserLicense; url: string };

/** The invitation a user gets the first time IdP groups grant them access. */
export async function invitationEmail(locale: Locale, input: InvitationInput): Promise<RenderedEmail> {
  return withLink(await invitationContent(locale, input));
}

/**
 * The invitation as its rendering shared by every invitation with the same inputs, and this one's link: what the
 * outbox stores (the rendering once, see email_contents).
 */
export async function invitationContent(locale: Locale, input: InvitationInput): Promise<LinkedContent> {
  const { renderInvitationContent } = await loadRenderer();
  return renderInvitationContent({ locale, ...input, validDays: INVITATION_LINK_MAX_AGE_SECONDS / 86_400 });
}

/** The receipt sent to a tenant's admins when seats were bought automatically. */
export async function receiptEmail(
  locale: Locale,
  input: { tenantName: string; tier: LicenseTier; quantity: number; unitPriceCents: number; totalCents: number; reason: string; url: string },
): Promise<RenderedEmail> {
  const { renderReceiptEmail } = await loadRenderer();
  // Only the purchase's fields the receipt shows: callers pass a whole purchase row.
  const { tenantName, tier, quantity, unitPriceCents, totalCents, reason, url } = input;
  return renderReceiptEmail({ locale, tenantName, tier, quantity, unitPriceCents, totalCents, reason, url });
}
