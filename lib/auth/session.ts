import { cache } from "react";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { getSignInUserByEmail } from "@/db/queries/users";
import { auth } from "./index";

/** The signed-in Sally user and their tenant, or null when nobody (with access) is signed in. Once per request. */
export const getCurrentUser = cache(async () => {
  const session = await auth();
  const email = session?.user?.email;
  if (!email) return null;
  return (await getSignInUserByEmail(await getDb(), email)) ?? null;
});

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
