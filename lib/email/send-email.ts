import { Resend } from "resend";
import type { DbOrTx } from "@/db";
import { mailbox } from "@/db/schema";
import type { EmailKind } from "@/db/schema";
import { env } from "@/lib/env";

export type EmailMessage = {
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: EmailKind;
  tenantId?: string | null;
};

export type SendResult = { ok: true; id: string } | { ok: false; error: string };

let resendClient: Resend | undefined;

/**
 * Delivers one email now. With RESEND_API_KEY it goes through the Resend API (which honours the idempotency
 * key for 24 h); without it, it lands in the local mailbox table shown at /dev/mailbox, deduplicated by the
 * same key. Callers normally do not call this directly: they enqueue into the outbox (lib/email/outbox.ts).
 */
export async function sendEmail(db: DbOrTx, message: EmailMessage, idempotencyKey: string): Promise<SendResult> {
  const config = env();
  if (config.resendApiKey) {
    resendClient ??= new Resend(config.resendApiKey);
    // The SDK never throws: failures come back in `error` (the resend SDK returns `{ data, error }` and does not throw).
    const { data, error } = await resendClient.emails.send(
      { from: config.emailFrom, to: message.to, subject: message.subject, text: message.text, html: message.html },
      { idempotencyKey },
    );
    if (error || !data) return { ok: false, error: error ? `${error.name}: ${error.message}` : "no response" };
    return { ok: true, id: data.id };
  }
  const [row] = await db
    .insert(mailbox)
    .values({ ...message, tenantId: message.tenantId ?? null, links: extractLinks(message.text), idempotencyKey })
    .onConflictDoUpdate({ target: mailbox.idempotencyKey, set: { idempotencyKey } })
    .returning({ id: mailbox.id });
  return { ok: true, id: row.id };
}

/** The http(s) links in a plain-text body, in order; the mailbox shows and the CLI prints them. */
export function extractLinks(text: string): string[] {
  return text.match(/https?:\/\/[^\s<>"')]+/g) ?? [];
}
