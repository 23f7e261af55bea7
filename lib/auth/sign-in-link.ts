import { createHash, randomBytes } from "node:crypto";
import type { DbOrTx } from "@/db";
import { sql } from "drizzle-orm";
import { jsonParam, statement } from "@/db/run";
import { authVerificationTokens } from "@/db/schema";
import { env } from "@/lib/env";
import { INVITATION_LINK_DAYS, SIGN_IN_LINK_MINUTES } from "./link-lifetime";

export const INVITATION_LINK_MAX_AGE_SECONDS = INVITATION_LINK_DAYS * 24 * 60 * 60;
export const SIGN_IN_LINK_MAX_AGE_SECONDS = SIGN_IN_LINK_MINUTES * 60;

/**
 * Creates a one-time sign-in link for `email` the way next-auth's email provider does (a verification token
 * stored as sha256(token + secret)), inside the caller's transaction, so an invitation can sign its user in.
 */
export async function createSignInLink(tx: DbOrTx, email: string, maxAgeSeconds = INVITATION_LINK_MAX_AGE_SECONDS) {
  const links = newSignInLinks([email], maxAgeSeconds);
  await storeSignInLinks(tx, links);
  return links.urls[0];
}

const insertTokensStatement = statement(
  "insert_verification_tokens",
  ["expires", "rows"],
  (p) => sql`insert into ${authVerificationTokens} (identifier, token, expires)
    select v.identifier, v.token, ${p.expires}::timestamp
    from jsonb_to_recordset(${p.rows}::jsonb) as v(identifier text, token text)`,
);

/** Sign-in links for several emails (the invitations of one change), made but not stored yet: `urls` to send. */
export type NewSignInLinks = { urls: string[]; expires: Date; rows: { identifier: string; token: string }[] };

/** Makes the links' tokens and URLs without the database, so emails can be written before they are stored. */
export function newSignInLinks(emails: string[], maxAgeSeconds = INVITATION_LINK_MAX_AGE_SECONDS): NewSignInLinks {
  const { authSecret } = env();
  const expires = new Date(Date.now() + maxAgeSeconds * 1000);
  const links = emails.map((email) => ({ identifier: email.trim().toLowerCase(), token: randomBytes(32).toString("hex") }));
  const rows = links.map((l) => ({ identifier: l.identifier, token: createHash("sha256").update(`${l.token}${authSecret}`).digest("hex") }));
  return { urls: links.map((l) => linkUrl(l.identifier, l.token)), expires, rows };
}

/** Stores links made by newSignInLinks, in one statement; none is usable before. */
export async function storeSignInLinks(tx: DbOrTx, links: NewSignInLinks): Promise<void> {
  if (links.rows.length === 0) return;
  await insertTokensStatement(tx, { expires: links.expires.toISOString(), rows: jsonParam(links.rows) });
}

function linkUrl(identifier: string, token: string): string {
  const { appUrl } = env();
  const url = new URL(`${appUrl}/api/auth/callback/email`);
  url.searchParams.set("callbackUrl", `${appUrl}/`);
  url.searchParams.set("token", token);
  url.searchParams.set("email", identifier);
  return url.toString();
}
