import { render, toPlainText } from "@react-email/render";
import type { ReactElement } from "react";
import type { LicenseTier, Locale, UserLicense } from "@/db/schema";
import { INVITATION_LINK_MAX_AGE_SECONDS, SIGN_IN_LINK_MAX_AGE_SECONDS } from "@/lib/auth/sign-in-link";
import { InvitationEmail, invitationSubject, type InvitationEmailProps } from "./invitation";
import { ReceiptEmail, receiptSubject, type ReceiptEmailProps } from "./receipt";
import { SignInEmail, signInSubject, type SignInEmailProps } from "./sign-in";

export type RenderedEmail = { subject: string; text: string; html: string };

/** The plain-text part is derived from the rendered html, so both parts always say the same. */
async function renderEmail(subject: string, email: ReactElement): Promise<RenderedEmail> {
  const html = await render(email);
  return { subject, html, text: toPlainText(html) };
}

/** The magic sign-in link next-auth asks us to deliver. */
export function signInEmail(locale: Locale, url: string): Promise<RenderedEmail> {
  const props: SignInEmailProps = { locale, url, validHours: SIGN_IN_LINK_MAX_AGE_SECONDS / 3600 };
  return renderEmail(signInSubject(props), <SignInEmail {...props} />);
}

/** The invitation a user gets the first time IdP groups grant them access. */
export function invitationEmail(
  locale: Locale,
  input: { tenantName: string; role: "admin" | "user"; license: UserLicense; url: string },
): Promise<RenderedEmail> {
  const props: InvitationEmailProps = { locale, ...input, validDays: INVITATION_LINK_MAX_AGE_SECONDS / 86_400 };
  return renderEmail(invitationSubject(props), <InvitationEmail {...props} />);
}

/** The receipt sent to a tenant's admins when seats were bought automatically. */
export function receiptEmail(
  locale: Locale,
  input: { tenantName: string; tier: LicenseTier; quantity: number; unitPriceCents: number; totalCents: number; reason: string; url: string },
): Promise<RenderedEmail> {
  const props: ReceiptEmailProps = {
    locale,
    tenantName: input.tenantName,
    tier: input.tier,
    quantity: input.quantity,
    unitPriceCents: input.unitPriceCents,
    totalCents: input.totalCents,
    reason: input.reason,
    url: input.url,
  };
  return renderEmail(receiptSubject(props), <ReceiptEmail {...props} />);
}
