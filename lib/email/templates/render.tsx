import { render, toPlainText } from "@react-email/render";
import type { ReactElement } from "react";
import type { RenderedEmail } from "./index";
import { InvitationEmail, invitationSubject, type InvitationEmailProps } from "./invitation";
import { ReceiptEmail, receiptSubject, type ReceiptEmailProps } from "./receipt";
import { SignInEmail, signInSubject, type SignInEmailProps } from "./sign-in";

/** The plain-text part is derived from the rendered html, so both parts always say the same. */
async function renderEmail(subject: string, email: ReactElement): Promise<RenderedEmail> {
  const html = await render(email);
  return { subject, html, text: toPlainText(html) };
}

export const renderSignInEmail = (props: SignInEmailProps) => renderEmail(signInSubject(props), <SignInEmail {...props} />);

export const renderInvitationEmail = (props: InvitationEmailProps) =>
  renderEmail(invitationSubject(props), <InvitationEmail {...props} />);

export const renderReceiptEmail = (props: ReceiptEmailProps) => renderEmail(receiptSubject(props), <ReceiptEmail {...props} />);
