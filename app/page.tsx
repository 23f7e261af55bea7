import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";

/** The front door: admins go to their settings, members to their own page, everyone else to sign in. */
export default async function Home() {
  const current = await getCurrentUser();
  if (!current) redirect("/sign-in");
  redirect(current.user.role === "admin" ? "/settings/users" : "/me");
}
