import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { env } from "@/lib/env";
import { requestSignInLinkAction } from "./actions";

export const metadata: Metadata = { title: "Sign in" };

const errors: Record<string, string> = {
  InvalidEmail: "Please enter a valid email address.",
  AccessDenied: "This address has no access to Sally. Ask your administrator.",
  Verification: "This sign-in link has expired or was already used. Request a new one.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  const message = error ? (errors[error] ?? "Sign-in failed. Please try again.") : null;
  const { mailboxEnabled, resendApiKey } = env();
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <h1 className="mb-1 text-2xl font-bold">Sign in to Sally</h1>
      <p className="mb-6 text-sm text-gray-600">We email you a link that signs you in.</p>
      {message ? (
        <p role="alert" className="mb-4 rounded-md bg-red-50 p-3 text-sm text-red-800">
          {message}
        </p>
      ) : null}
      <form action={requestSignInLinkAction} className="space-y-4">
        <label className="block text-sm font-medium">
          Email
          <input
            name="email"
            type="email"
            required
            autoComplete="email"
            className="mt-1 block w-full rounded-md border-0 px-3 py-2 ring-1 ring-gray-300 focus:ring-2 focus:ring-brand"
          />
        </label>
        <Button type="submit" className="w-full">
          Email me a sign-in link
        </Button>
      </form>
      {mailboxEnabled && !resendApiKey ? (
        <p className="mt-6 text-xs text-gray-500">
          Development: emails land in the <Link className="underline" href="/dev/mailbox">local mailbox</Link>.
        </p>
      ) : null}
    </main>
  );
}
