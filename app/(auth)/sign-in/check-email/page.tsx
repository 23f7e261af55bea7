import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Check your email" };

export default async function CheckEmailPage() {
  await connection();
  const { mailboxEnabled, resendApiKey } = env();
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <h1 className="mb-2 text-2xl font-bold">Check your email</h1>
      <p className="text-sm text-gray-600">
        If this address belongs to a Sally user, a sign-in link is on its way. It works once and expires in 24 hours.
      </p>
      {mailboxEnabled && !resendApiKey ? (
        <p className="mt-6 text-sm">
          <Link className="font-medium text-brand underline" href="/dev/mailbox">
            Open the local mailbox
          </Link>
        </p>
      ) : null}
    </main>
  );
}
