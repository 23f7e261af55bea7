import { Resend } from "resend";
import type { DbOrTx } from "@/db";
import { deliverToMailbox } from "@/db/queries/mailbox";
import type { EmailKind } from "@/db/schema";
import { env } from "@/lib/env";
import { textWithLink, withLink, type LinkedContent } from "./templates/link";

export type EmailMessage = {
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: EmailKind;
  tenantId?: string | null;
};

/**
 * How one delivery went: sent, failed (an attempt that counts towards giving up), or deferred: not sent because the
 * provider asked to wait (its rate limit or quota), to be tried again after `deferSeconds` without counting an
 * attempt, so that no email is given up for having waited its turn.
 */
export type SendResult = { ok: true; id: string } | { ok: false; error: string; deferSeconds?: number };

let resendClient: Resend | undefined;

/**
 * An email made of a rendering many emails share (email_contents, `contentId`) and its own link
 * (templates/link.ts): Resend gets it whole, the local mailbox keeps the two.
 */
export type SharedMessage = Omit<EmailMessage, "subject" | "text" | "html"> & LinkedContent & { contentId: string };

/** An email to deliver now, whole or shared, with the key that makes its delivery exactly-once. */
export type Delivery = { message: EmailMessage | SharedMessage; idempotencyKey: string };

/**
 * Delivers emails now; one result per delivery, in order. With RESEND_API_KEY each goes through the Resend API
 * with its idempotency key (honoured for 24 h), one after the other, at the pace the API's rate limit allows
 * (resendPace); without it, they land in the local mailbox table shown at /dev/mailbox in one statement,
 * deduplicated by the same key. Callers normally do not call this directly: they enqueue into the outbox
 * (lib/email/outbox.ts).
 */
export async function sendEmails(db: DbOrTx, deliveries: Delivery[]): Promise<SendResult[]> {
  const config = env();
  if (config.resendApiKey) {
    resendClient ??= new Resend(config.resendApiKey);
    const results: SendResult[] = [];
    const deadline = Date.now() + SEND_BUDGET_MS;
    for (const delivery of deliveries) {
      // Once the API has asked to wait longer than a drain should, the rest of its deliveries wait with it, unsent.
      const deferred = results.at(-1);
      if (deferred && !deferred.ok && deferred.deferSeconds !== undefined) {
        results.push(deferred);
        continue;
      }
      const wait = resendPace.wait();
      if (wait > MAX_PACE_WAIT_MS || Date.now() + wait > deadline) {
        results.push({ ok: false, error: "not sent: the Resend API asked to wait (its rate limit or quota)", deferSeconds: Math.max(1, Math.ceil(wait / 1000)) });
        continue;
      }
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      results.push(await sendThroughResend(resendClient, config.emailFrom, delivery).catch((error: unknown) => ({ ok: false as const, error: errorMessage(error) })));
    }
    return results;
  }
  const ids = await deliverToMailbox(
    db,
    deliveries.map(({ message, idempotencyKey }) => {
      const row = { tenantId: message.tenantId ?? null, kind: message.kind, to: message.to, idempotencyKey };
      if (!("content" in message)) return { ...row, subject: message.subject, text: message.text, html: message.html, links: extractLinks(message.text) };
      // The mailbox keeps the rendering's id and the link; its links are those of the text alone.
      return { ...row, contentId: message.contentId, link: message.link, links: extractLinks(textWithLink(message)) };
    }),
  );
  return deliveries.map(({ idempotencyKey }) => {
    const id = ids.get(idempotencyKey);
    return id ? { ok: true, id } : { ok: false, error: "the local mailbox did not take the message" };
  });
}

/** The longest a drain waits for the rate limit before a send; a longer wait defers the rest of its deliveries. */
const MAX_PACE_WAIT_MS = 2_000;
/**
 * How long a drain's sends may go on waiting their turn: well inside the claim's lease (lib/email/outbox.ts), so
 * that no other drain claims the rows still being sent; what is left then is deferred.
 */
const SEND_BUDGET_MS = 60_000;

/**
 * Resend limits a team's API requests (2 a second by default, across all its keys and every instance) and answers
 * 429 `rate_limit_exceeded` beyond that; `daily_quota_exceeded` and `monthly_quota_exceeded` are 429s too. Every
 * answer carries `ratelimit-remaining` and `ratelimit-reset` (seconds until the window resets), and a 429
 * `retry-after` (resend.com/docs/api-reference/introduction, "Rate limit"; "API Rate Limit" in Resend's changelog).
 * This instance's drains share one pace: none sends before the time the last answer named. A 429 from requests of
 * other instances still happens; it defers the delivery (SendResult), it does not fail it.
 */
export class ResendPace {
  private notBefore = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds to wait before the next request. */
  wait(): number {
    return Math.max(0, this.notBefore - this.now());
  }

  /** Takes in an answer's headers; returns the seconds a 429 asks to wait before trying again, else undefined. */
  answered(status: number | null, headers: Record<string, string> | null, name?: string): number | undefined {
    const seconds = (header: string) => {
      const value = Number(headers?.[header]);
      return Number.isFinite(value) && value >= 0 ? value : undefined;
    };
    if (status === 429 || (name !== undefined && RATE_LIMITED.has(name))) {
      const quota = name === "daily_quota_exceeded" || name === "monthly_quota_exceeded";
      // A quota resets at the end of its day or month (`ratelimit-reset` is the request window's): without
      // `retry-after`, look again in an hour.
      const hint = seconds("retry-after") ?? (quota ? 3_600 : (seconds("ratelimit-reset") ?? 1));
      const after = Math.max(1, Math.ceil(hint));
      this.postpone(after);
      return after;
    }
    if (seconds("ratelimit-remaining") === 0) this.postpone(seconds("ratelimit-reset") ?? 1);
    return undefined;
  }

  private postpone(seconds: number): void {
    this.notBefore = Math.max(this.notBefore, this.now() + seconds * 1000);
  }
}

/** Resend's answers that mean "not now" rather than "not this email"; a 409 for a key in flight elsewhere too. */
const RATE_LIMITED = new Set(["rate_limit_exceeded", "daily_quota_exceeded", "monthly_quota_exceeded", "concurrent_idempotent_requests"]);

const resendPace = new ResendPace();

async function sendThroughResend(client: Resend, from: string, { message, idempotencyKey }: Delivery): Promise<SendResult> {
  // The SDK never throws: failures come back in `error` (the resend SDK returns `{ data, error, headers }`).
  const { subject, text, html } = "content" in message ? withLink(message) : message;
  const { data, error, headers } = await client.emails.send({ from, to: message.to, subject, text, html }, { idempotencyKey });
  const deferSeconds = resendPace.answered(error?.statusCode ?? (data ? 200 : null), headers, error?.name);
  if (error && deferSeconds !== undefined) return { ok: false, error: `${error.name}: ${error.message}`, deferSeconds };
  if (error || !data) return { ok: false, error: error ? `${error.name}: ${error.message}` : "no response" };
  return { ok: true, id: data.id };
}

/** An error as the message recorded for a failed attempt. */
export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The http(s) links in a plain-text body, in order; the mailbox shows and the CLI prints them. */
export function extractLinks(text: string): string[] {
  return text.match(/https?:\/\/[^\s<>"')]+/g) ?? [];
}
