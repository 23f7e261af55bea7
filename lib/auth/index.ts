import NextAuth from "next-auth";
import type { EmailConfig } from "next-auth/providers/email";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { getDb } from "@/db";
import { authAccounts, authSessions, authUsers, authVerificationTokens } from "@/db/schema";
import { getSignInUserByEmail, markSignedIn } from "@/db/queries/users";
import { env } from "@/lib/env";
import { sendSignInLink } from "./send-sign-in-link";
import { SIGN_IN_LINK_MAX_AGE_SECONDS } from "./sign-in-link";

const magicLink: EmailConfig = {
  id: "email",
  type: "email",
  name: "Email",
  // Valid for a day and works once: next-auth deletes the verification token on use.
  maxAge: SIGN_IN_LINK_MAX_AGE_SECONDS,
  options: {},
  sendVerificationRequest: async ({ identifier, url, token }) => {
    await sendSignInLink(await getDb(), { email: identifier, url, token });
  },
};

/**
 * next-auth with database sessions (so deprovisioning can end every session of a user at once) and the
 * email magic link as the only provider. The config is lazy so the database is opened and migrated first.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(async () => {
  const db = await getDb();
  return {
    adapter: DrizzleAdapter(db, {
      usersTable: authUsers,
      accountsTable: authAccounts,
      sessionsTable: authSessions,
      verificationTokensTable: authVerificationTokens,
    }),
    secret: env().authSecret,
    // Links follow the host the user came from; the SCIM tenant URL uses APP_URL instead.
    trustHost: true,
    session: { strategy: "database" },
    providers: [magicLink],
    logger: {
      // A used or expired link is an expected user error (shown on the sign-in page), not a server fault.
      error(error) {
        if ((error as { type?: string }).type !== "Verification") console.error(error);
      },
    },
    pages: { signIn: "/sign-in", verifyRequest: "/sign-in/check-email", error: "/sign-in" },
    callbacks: {
      // Only Sally users with access complete a sign-in. The request step always "succeeds" so nobody can probe
      // which addresses exist; sendSignInLink simply sends nothing to an address without access.
      async signIn({ user, email }) {
        if (email?.verificationRequest) return true;
        return Boolean(user.email && (await getSignInUserByEmail(db, user.email)));
      },
    },
    events: {
      async signIn({ user }) {
        if (user.email) await markSignedIn(db, user.email);
      },
    },
  };
});
