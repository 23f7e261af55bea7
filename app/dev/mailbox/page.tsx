import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { listMailbox } from "@/db/queries/mailbox";
import { env } from "@/lib/env";
import { Badge } from "@/components/ui/badge";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Mailbox"))("title") };
}

/** Dev-only: the emails delivered without RESEND_API_KEY. Off in production unless MAILBOX_ENABLED=1. */
export default async function MailboxPage({ searchParams }: { searchParams: Promise<{ to?: string; domain?: string }> }) {
  // Rendered per request: whether the mailbox is on is a runtime setting, not a build-time one.
  await connection();
  if (!env().mailboxEnabled) notFound();
  // `?to=` one recipient's emails, `?domain=` those to every address at a domain (one company's people).
  const { to, domain } = await searchParams;
  const messages = await listMailbox(await getDb(), { to, domain });
  const t = await getTranslations("Mailbox");
  return (
    <main className="mx-auto max-w-3xl px-6 py-10">
      <h1 className="text-2xl font-bold">{t("heading")}</h1>
      <p className="mb-6 text-sm text-gray-600">{to ? t("introTo", { to }) : domain ? t("introDomain", { domain }) : t("intro")}</p>
      {messages.length === 0 ? <p className="text-sm text-gray-500">{t("empty")}</p> : null}
      <ul className="space-y-4">
        {messages.map((m) => (
          <li key={m.id} data-testid="mail">
            <article aria-labelledby={`mail-${m.id}`} className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-gray-200">
              <div className="flex items-center justify-between gap-2 text-sm">
                <h2 id={`mail-${m.id}`} className="font-semibold">
                  {m.subject}
                </h2>
                <Badge>{m.kind}</Badge>
              </div>
              <p className="text-xs text-gray-500">
                {t.rich("to", {
                  to: m.to,
                  recipient: (chunks) => <span data-testid="mail-to">{chunks}</span>,
                  at: m.createdAt.toISOString(),
                })}
              </p>
              {/* The html part as a mail client shows it: sandboxed, so no script runs and nothing reaches this page;
                  popups are allowed so its button opens the link in a new tab. */}
              <iframe
                title={t("htmlPart", { subject: m.subject })}
                srcDoc={m.html}
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                referrerPolicy="no-referrer"
                className="mt-3 h-96 w-full rounded border border-gray-200 bg-white"
              />
              <h3 className="mt-3 text-xs font-semibold uppercase tracking-wide text-gray-500">{t("plainText")}</h3>
              <pre className="mt-1 whitespace-pre-wrap text-sm text-gray-700">{m.text}</pre>
              <ul className="mt-2 space-y-1" aria-label={t("links")}>
                {m.links.map((link) => (
                  <li key={link}>
                    <a className="break-all text-sm font-medium text-brand underline" href={link}>
                      {link}
                    </a>
                  </li>
                ))}
              </ul>
            </article>
          </li>
        ))}
      </ul>
    </main>
  );
}
