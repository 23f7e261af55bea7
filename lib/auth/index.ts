import NextAuth from "next-auth";
import type { EmailConfig } from "next-auth/providers/email";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { getDb } from "@/db";
import { authAccounts, authSessions, authUsers, authVerificationTokens } from "@/db/schema";
import { getSignInUserByEmail, markSignedIn } from "@/db/queries/users";
import { env } from "@/lib/env";
import { sendSignInLink } from "./send-sign-in-link";

/** Sign-in links are valid for a day and work once (next-auth deletes the verification token on use). */
const LINK_MAX_AGE_SECONDS = 24 * 60 * 60;

const magicLink: EmailConfig = {
  id: "email",
  type: "email",
  name: "Email",
  maxAge: LINK_MAX_AGE_SECONDS,
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
    pages: { signIn: "/sign-in", verifyRequest: "/sign-in/check-email", error: "/sign-in" },
    callbacks: {
      // Only Sally users with access may complete a sign-in; the link is not even sent to others.
      async signIn({ user }) {
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
