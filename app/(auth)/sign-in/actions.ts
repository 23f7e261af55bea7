"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { signIn } from "@/lib/auth";

const signInSchema = z.object({ email: z.email() });

/** Requests a sign-in link; next-auth redirects to the "check your email" page. */
export async function requestSignInLinkAction(formData: FormData): Promise<void> {
  const parsed = signInSchema.safeParse({ email: String(formData.get("email") ?? "").trim() });
  if (!parsed.success) redirect("/sign-in?error=InvalidEmail");
  await signIn("email", { email: parsed.data.email, redirectTo: "/" });
}
