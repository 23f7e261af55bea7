import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { getDb } from "@/db";
import { listMailbox } from "@/db/queries/mailbox";
import { env } from "@/lib/env";
import { Badge } from "@/components/ui/badge";

export const metadata: Metadata = { title: "Local mailbox" };

/** Dev-only: the emails delivered without RESEND_API_KEY. Off in production unless MAILBOX_ENABLED=1. */
export default async function MailboxPage({ searchParams }: { searchParams: Promise<{ to?: string }> }) {
  // Rendered per request: whether the mailbox is on is a runtime setting, not a build-time one.
  await connection();
  if (!env().mailboxEnabled) notFound();
  const { to } = await searchParams;
  const messages = await listMailbox(await getDb(), { to });
  return (
    <main className="mx-auto max-w-3xl px-6 py-10">
      <h1 className="text-2xl font-bold">Local mailbox</h1>
      <p className="mb-6 text-sm text-gray-600">
        Emails sent while no RESEND_API_KEY is set{to ? ` to ${to}` : ""}, newest first.
      </p>
      {messages.length === 0 ? <p className="text-sm text-gray-500">No messages yet.</p> : null}
      <ul className="space-y-4">
        {messages.map((m) => (
          <li key={m.id} className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-gray-200" data-testid="mail">
            <div className="flex items-center justify-between gap-2 text-sm">
              <span className="font-semibold">{m.subject}</span>
              <Badge>{m.kind}</Badge>
            </div>
            <p className="text-xs text-gray-500">
              To <span data-testid="mail-to">{m.to}</span> · {m.createdAt.toISOString()}
            </p>
            <pre className="mt-3 whitespace-pre-wrap text-sm text-gray-700">{m.text}</pre>
            <ul className="mt-2 space-y-1">
              {m.links.map((link) => (
                <li key={link}>
                  <a className="break-all text-sm font-medium text-brand underline" href={link}>
                    {link}
                  </a>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </main>
  );
}
