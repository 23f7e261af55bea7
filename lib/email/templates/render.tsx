import { render, toPlainText } from "@react-email/render";
import type { ReactElement } from "react";
import type { RenderedEmail } from "./index";
import { InvitationEmail, invitationSubject, type InvitationEmailProps } from "./invitation";
import { ReceiptEmail, receiptSubject, type ReceiptEmailProps } from "./receipt";
import { SignInEmail, signInSubject, type SignInEmailProps } from "./sign-in";

type Rendered = { html: string; text: string };

// Rendering costs ~15 ms of CPU per email and invitations are rendered inside the transaction that grants access
// (one per new user, so a bulk SCIM PATCH may render hundreds). Emails that differ only in their one-time link
// are rendered once with a placeholder; each send then puts its own link in.
const LINK_PLACEHOLDER = "https://link.invalid/sally-email-link";
const MAX_CACHED = 200;
const cache = new Map<string, Promise<Rendered>>();

/** Renders one email; the plain-text part is derived from the html, so both parts always say the same. */
export async function renderParts(email: ReactElement): Promise<Rendered> {
  const html = await render(email);
  return { html, text: toPlainText(html) };
}

// The escaping React applies to attribute values and text, so the link reads the same as if React had rendered it.
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!);

async function renderWithLink(
  kind: string,
  props: { url: string } & Record<string, unknown>,
  element: (url: string) => ReactElement,
): Promise<Omit<RenderedEmail, "subject">> {
  const { url, ...rest } = props;
  const key = JSON.stringify([kind, rest]);
  let rendered = cache.get(key);
  if (!rendered) {
    rendered = renderParts(element(LINK_PLACEHOLDER));
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, rendered);
    rendered.catch(() => cache.delete(key));
  }
  const { html, text } = await rendered;
  return { html: html.replaceAll(LINK_PLACEHOLDER, escapeHtml(url)), text: text.replaceAll(LINK_PLACEHOLDER, url) };
}

export const renderSignInEmail = async (props: SignInEmailProps): Promise<RenderedEmail> => ({
  subject: signInSubject(props),
  ...(await renderWithLink("sign-in", props, (url) => <SignInEmail {...props} url={url} />)),
});

export const renderInvitationEmail = async (props: InvitationEmailProps): Promise<RenderedEmail> => ({
  subject: invitationSubject(props),
  ...(await renderWithLink("invitation", props, (url) => <InvitationEmail {...props} url={url} />)),
});

export const renderReceiptEmail = async (props: ReceiptEmailProps): Promise<RenderedEmail> => ({
  subject: receiptSubject(props),
  ...(await renderWithLink("receipt", props, (url) => <ReceiptEmail {...props} url={url} />)),
});
