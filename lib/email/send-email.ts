import { Resend } from "resend";
import type { DbOrTx } from "@/db";
import { deliverToMailbox } from "@/db/queries/mailbox";
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

/** An email to deliver now, with the key that makes its delivery exactly-once. */
export type Delivery = { message: EmailMessage; idempotencyKey: string };

/**
 * Delivers emails now; one result per delivery, in order. With RESEND_API_KEY each goes through the Resend API
 * with its idempotency key (honoured for 24 h), one after the other; without it, they land in the local mailbox
 * table shown at /dev/mailbox in one statement, deduplicated by the same key. Callers normally do not call this
 * directly: they enqueue into the outbox (lib/email/outbox.ts).
 */
export async function sendEmails(db: DbOrTx, deliveries: Delivery[]): Promise<SendResult[]> {
  const config = env();
  if (config.resendApiKey) {
    resendClient ??= new Resend(config.resendApiKey);
    const results: SendResult[] = [];
    for (const delivery of deliveries) {
      results.push(await sendThroughResend(resendClient, config.emailFrom, delivery).catch((error: unknown) => ({ ok: false as const, error: errorMessage(error) })));
    }
    return results;
  }
  const ids = await deliverToMailbox(
    db,
    deliveries.map(({ message, idempotencyKey }) => ({
      tenantId: message.tenantId ?? null,
      kind: message.kind,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      links: extractLinks(message.text),
      idempotencyKey,
    })),
  );
  return deliveries.map(({ idempotencyKey }) => {
    const id = ids.get(idempotencyKey);
    return id ? { ok: true, id } : { ok: false, error: "the local mailbox did not take the message" };
  });
}

async function sendThroughResend(client: Resend, from: string, { message, idempotencyKey }: Delivery): Promise<SendResult> {
  // The SDK never throws: failures come back in `error` (the resend SDK returns `{ data, error }` and does not throw).
  const { data, error } = await client.emails.send(
    { from, to: message.to, subject: message.subject, text: message.text, html: message.html },
    { idempotencyKey },
  );
  if (error || !data) return { ok: false, error: error ? `${error.name}: ${error.message}` : "no response" };
  return { ok: true, id: data.id };
}

/** An error as the message recorded for a failed attempt. */
export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The http(s) links in a plain-text body, in order; the mailbox shows and the CLI prints them. */
export function extractLinks(text: string): string[] {
  return text.match(/https?:\/\/[^\s<>"')]+/g) ?? [];
}
