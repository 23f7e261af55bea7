import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { pingDatabase } from "@/db/queries/health";
import { getSignInUserByEmail } from "@/db/queries/users";
import { auth } from "./index";

/** The signed-in Sally user and their tenant, or null when nobody (with access) is signed in. Once per request. */
export const getCurrentUser = cache(async () => {
  const session = await auth();
  const email = session?.user?.email;
  if (!email) {
    await throwIfSessionUnreadable();
    return null;
  }
  return (await getSignInUserByEmail(await getDb(), email)) ?? null;
});

/** Auth.js's session cookie, plain on http and with the `__Secure-` prefix it uses on https. */
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

/**
 * next-auth answers "no session" when its database cannot be read as well (it logs the adapter's error and goes
 * on), which would send a signed-in admin to sign in again during an outage, and sign-in cannot work then. So when
 * the request carries a session cookie next-auth did not accept, the database is asked once: if it cannot answer,
 * its error goes to the page's error boundary ("Something went wrong", Try again) and the session stays.
 */
async function throwIfSessionUnreadable(): Promise<void> {
  const jar = await cookies();
  if (!SESSION_COOKIES.some((name) => jar.has(name))) return;
  await pingDatabase(await getDb());
}

/** For pages any signed-in user may see; sends everyone else to sign in. */
export async function requireUser() {
  const current = await getCurrentUser();
  if (!current) redirect("/sign-in");
  return current;
}

/** For admin pages and actions: non-admins go to their own page, anonymous visitors to sign in. */
export async function requireAdmin() {
  const current = await requireUser();
  if (current.user.role !== "admin") redirect("/me");
  return current;
}
