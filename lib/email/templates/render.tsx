import { plainTextSelectors } from "@react-email/render";
import { compile } from "html-to-text";
import type { ReactElement } from "react";
import type { RenderedEmail } from "./index";
import { InvitationEmail, invitationSubject, type InvitationEmailProps } from "./invitation";
import { ReceiptEmail, receiptSubject, type ReceiptEmailProps } from "./receipt";
import { SignInEmail, signInSubject, type SignInEmailProps } from "./sign-in";
import { LINK_PLACEHOLDER, withLink, type LinkedContent } from "./link";

type Rendered = { html: string; text: string };

// A receipt costs 1.9 ms of CPU to render (4.9 with React Email's own render: see renderParts). Emails that differ
// only in their one-time link are rendered once with a placeholder (link.ts), each email then putting its own link
// in: invitations are rendered inside the transaction that grants access, one per new user, so a bulk SCIM PATCH
// would render hundreds. A receipt is rendered once per purchase that differs from the last MAX_CACHED rendered
// (its quantity, price, tier and cause).
const MAX_CACHED = 200;
const cache = new Map<string, Promise<RenderedEmail>>();

/** The doctype React Email gives an email (XHTML 1.0 Transitional, which email clients expect). */
const DOCTYPE = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">';

// React Email's toPlainText (html-to-text with its options), compiled once: toPlainText compiles them at each call,
// 1.9 ms of the 2.4 a receipt's text took.
const toPlainText = compile({ wordwrap: false, selectors: plainTextSelectors });

// Loaded when first needed, as React Email loads it: Next.js refuses a static import of react-dom/server in server
// code (it would have pages rendered as Server Components instead), and an email is a string, not a page.
let server: Promise<typeof import("react-dom/server")> | undefined;
const reactDomServer = () => (server ??= import("react-dom/server"));

/**
 * Renders one email; the plain-text part is derived from the html, so both parts always say the same. The markup is
 * React Email's render less the markers of React's streaming renderer (`<!--$-->`, `<!--html-->`, `<!-- -->` …),
 * which that render goes through for Suspense: renderToStaticMarkup is React's API for non-interactive HTML such as
 * email (react.dev, "renderToStaticMarkup"), and took 1.5 ms for a receipt where the stream took 3.3.
 */
export async function renderParts(email: ReactElement): Promise<Rendered> {
  const { renderToStaticMarkup } = await reactDomServer();
  const html = DOCTYPE + renderToStaticMarkup(email);
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
