import { render, toPlainText } from "@react-email/render";
import type { ReactElement } from "react";
import type { RenderedEmail } from "./index";
import { InvitationEmail, invitationSubject, type InvitationEmailProps } from "./invitation";
import { ReceiptEmail, receiptSubject, type ReceiptEmailProps } from "./receipt";
import { SignInEmail, signInSubject, type SignInEmailProps } from "./sign-in";
import { LINK_PLACEHOLDER, withLink, type LinkedContent } from "./link";

type Rendered = { html: string; text: string };

// Rendering costs ~15 ms of CPU per email and invitations are rendered inside the transaction that grants access
// (one per new user, so a bulk SCIM PATCH may render hundreds). Emails that differ only in their one-time link
// are rendered once with a placeholder (link.ts); each email then puts its own link in.
const MAX_CACHED = 200;
const cache = new Map<string, Promise<RenderedEmail>>();

/** Renders one email; the plain-text part is derived from the html, so both parts always say the same. */
export async function renderParts(email: ReactElement): Promise<Rendered> {
  const html = await render(email);
  return { html, text: toPlainText(html) };
}

/**
 * The rendering of an email with LINK_PLACEHOLDER for its link, and the link: the same object for every email of
 * the same kind and inputs while it stays among the last MAX_CACHED rendered.
 */
async function renderLinked(
  kind: string,
  props: { url: string } & Record<string, unknown>,
  subject: () => string,
  element: (url: string) => ReactElement,
): Promise<LinkedContent> {
  const { url, ...rest } = props;
  const key = JSON.stringify([kind, rest]);
  let rendered = cache.get(key);
  if (!rendered) {
    // The subject too is the rendering's: formatting it costs about as much as finding the rendering.
    rendered = renderParts(element(LINK_PLACEHOLDER)).then((parts) => ({ subject: subject(), ...parts }));
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, rendered);
    rendered.catch(() => cache.delete(key));
  }
  return { content: await rendered, link: url };
}

export const renderSignInEmail = async (props: SignInEmailProps): Promise<RenderedEmail> =>
  withLink(await renderLinked("sign-in", props, () => signInSubject(props), (url) => <SignInEmail {...props} url={url} />));

/** An invitation as its shared rendering and its link (the outbox stores the rendering once for many). */
export const renderInvitationContent = (props: InvitationEmailProps): Promise<LinkedContent> =>
  renderLinked("invitation", props, () => invitationSubject(props), (url) => <InvitationEmail {...props} url={url} />);

export const renderReceiptEmail = async (props: ReceiptEmailProps): Promise<RenderedEmail> =>
  withLink(await renderLinked("receipt", props, () => receiptSubject(props), (url) => <ReceiptEmail {...props} url={url} />));
