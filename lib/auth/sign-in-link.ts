import { createHash, randomBytes } from "node:crypto";
import type { DbOrTx } from "@/db";
import { authVerificationTokens } from "@/db/schema";
import { env } from "@/lib/env";

/** Invitation links stay valid for a week; a sign-in link asked for on the sign-in page, a day. */
export const INVITATION_LINK_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
export const SIGN_IN_LINK_MAX_AGE_SECONDS = 24 * 60 * 60;

/**
 * Creates a one-time sign-in link for `email` the way next-auth's email provider does (a verification token
 * stored as sha256(token + secret)), inside the caller's transaction, so an invitation can sign its user in.
 */
export async function createSignInLink(tx: DbOrTx, email: string, maxAgeSeconds = INVITATION_LINK_MAX_AGE_SECONDS) {
  const { appUrl, authSecret } = env();
  const identifier = email.trim().toLowerCase();
  const token = randomBytes(32).toString("hex");
  await tx.insert(authVerificationTokens).values({
    identifier,
    token: createHash("sha256").update(`${token}${authSecret}`).digest("hex"),
    expires: new Date(Date.now() + maxAgeSeconds * 1000),
  });
  const url = new URL(`${appUrl}/api/auth/callback/email`);
  url.searchParams.set("callbackUrl", `${appUrl}/`);
  url.searchParams.set("token", token);
  url.searchParams.set("email", identifier);
  return url.toString();
}
