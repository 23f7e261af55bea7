import type { RenderedEmail } from "./index";

/**
 * Emails that differ only in their one-time link are rendered once, with this placeholder where the link goes;
 * each email then puts its own link in (withLink). The rendering is what the outbox stores once for many emails
 * (email_contents); the link is what each outbox row carries.
 */
export const LINK_PLACEHOLDER = "https://link.invalid/sally-email-link";

/** A rendering with LINK_PLACEHOLDER for the link, and the link one email puts in its place. */
export type LinkedContent = { content: RenderedEmail; link: string };

// The escaping React applies to attribute values and text, so the link reads the same as if React had rendered it.
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!);

/** The plain-text part of the email a shared rendering makes with one link in it. */
export function textWithLink({ content, link }: LinkedContent): string {
  return content.text.replaceAll(LINK_PLACEHOLDER, link);
}

/** The email a shared rendering makes with one link in it. */
export function withLink(linked: LinkedContent): RenderedEmail {
  return {
    subject: linked.content.subject,
    text: textWithLink(linked),
    html: linked.content.html.replaceAll(LINK_PLACEHOLDER, escapeHtml(linked.link)),
  };
}
