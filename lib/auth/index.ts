import NextAuth from "next-auth";
import type { EmailConfig } from "next-auth/providers/email";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { getDb } from "@/db";
import { authAccounts, authSessions, authUsers, authVerificationTokens } from "@/db/schema";
import { getSignInUserByEmail } from "@/db/queries/users";
import { markSignedIn } from "./mark-signed-in";
import { env } from "@/lib/env";
import { appOrigin, onAppOrigin, sameOriginRedirect } from "./origin";
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
const nextAuth = NextAuth(async () => {
  const db = await getDb();
  // next-auth builds the URLs of sign-in links and server-side sign-in from AUTH_URL when set, and otherwise from
  // the request, whose URL under `next start` always says localhost. Pinning it to APP_URL's origin keeps the
  // session cookie on the origin users actually browse. (Its route handlers need more: see `handlers` below.)
  process.env.AUTH_URL = appOrigin();
  return {
    adapter: DrizzleAdapter(db, {
      usersTable: authUsers,
      accountsTable: authAccounts,
      sessionsTable: authSessions,
      verificationTokensTable: authVerificationTokens,
    }),
    secret: env().authSecret,
    // The Host header is never used for URLs: AUTH_URL (above) is.
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
      // Only to APP_URL's origin, whatever callbackUrl a request carries (no open redirect).
      redirect: ({ url }) => sameOriginRedirect(url),
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

export const { auth, signIn, signOut } = nextAuth;

/**
 * next-auth's route handlers, with every redirect they answer moved onto APP_URL's origin. They rebuild the
 * request URL from AUTH_URL as a NextRequest, and NextRequest rewrites a loopback host (127.0.0.1, [::1]) to
 * `localhost`, so with APP_URL=http://127.0.0.1:PORT their error and sign-in redirects would leave the origin
 * that holds the session cookie.
 */
export const handlers = {
  GET: onAppOrigin(nextAuth.handlers.GET),
  POST: onAppOrigin(nextAuth.handlers.POST),
};
