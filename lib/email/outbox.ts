import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db";
import { emailOutbox } from "@/db/schema";
import { jsonParam, statement } from "@/db/run";
import { renderReceipts } from "@/lib/billing/purchase-seats";
import { sendEmail, type EmailMessage, type SendResult } from "./send-email";
import type { RenderedEmail } from "./templates";

/** An email to queue, with the key that makes it exactly-once. */
export type QueuedEmail = { message: EmailMessage; idempotencyKey: string };

/** After this many failed attempts a message is marked failed and left for an operator. */
export const MAX_ATTEMPTS = 8;
/** How long a claimed message is hidden from other drainers while one sends it. */
const LEASE_SECONDS = 120;

/**
 * Queues an email in the caller's transaction, so it exists if and only if the change that causes it commits.
 * A second enqueue with the same idempotency key is a no-op: that is what makes invitations exactly-once.
 * Returns the new row id, or null when the key was already queued.
 */
export async function enqueueEmail(tx: DbOrTx, message: EmailMessage, idempotencyKey: string): Promise<string | null> {
  const [row] = await tx
    .insert(emailOutbox)
    .values({ ...message, tenantId: message.tenantId ?? null, idempotencyKey })
    .onConflictDoNothing({ target: emailOutbox.idempotencyKey })
    .returning({ id: emailOutbox.id });
  return row?.id ?? null;
}

const enqueueStatement = statement(
  "enqueue_emails",
  ["rows"],
  (p) => sql`insert into email_outbox (tenant_id, kind, "to", subject, text, html, idempotency_key)
    select v."tenantId", v.kind, v."to", v.subject, v.text, v.html, v."idempotencyKey"
    from jsonb_to_recordset(${p.rows}::jsonb)
      as v("tenantId" uuid, kind email_kind, "to" text, subject text, text text, html text, "idempotencyKey" text)
    on conflict (idempotency_key) do nothing`,
);

/** Several emails queued in one statement (invitations and receipts of one change); same rules as enqueueEmail. */
export async function enqueueEmails(tx: DbOrTx, emails: QueuedEmail[]): Promise<void> {
  if (emails.length === 0) return;
  const rows = emails.map(({ message, idempotencyKey }) => ({ ...message, tenantId: message.tenantId ?? null, idempotencyKey }));
  await enqueueStatement(tx, { rows: jsonParam(rows) });
}

export type DrainResult = { sent: number; failed: number };

/**
 * Sends due outbox messages (or just `ids`). Each is claimed with a lease (FOR UPDATE SKIP LOCKED) so several
 * instances can drain at once without sending twice; a crash mid-send lets the lease expire and a later drain
 * retries with the same idempotency key. Failures back off exponentially. A receipt queued unrendered (it holds
 * its purchase's id) is rendered at its first attempt and the rendering stored, so every attempt sends the same.
 */
export async function drainOutbox(db: Db, options: { ids?: string[]; limit?: number } = {}): Promise<DrainResult> {
  const due = db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(
      and(
        eq(emailOutbox.status, "pending"),
        lte(emailOutbox.nextAttemptAt, sql`now()`),
        options.ids ? inArray(emailOutbox.id, options.ids) : undefined,
      ),
    )
    .orderBy(asc(emailOutbox.createdAt))
    .limit(options.limit ?? 50)
    .for("update", { skipLocked: true });
  const claimed = await db
    .update(emailOutbox)
    .set({
      attempts: sql`${emailOutbox.attempts} + 1`,
      nextAttemptAt: sql`now() + make_interval(secs => ${LEASE_SECONDS})`,
    })
    .where(inArray(emailOutbox.id, due))
    .returning();

  const unrendered = claimed.filter((row) => row.html === null).map((row) => row.id);
  let rendered = new Map<string, RenderedEmail>();
  let renderError = "the purchase this receipt is for could not be read";
  try {
    if (unrendered.length) rendered = await renderReceipts(db, unrendered);
  } catch (error) {
    renderError = reason(error);
  }
  const result: DrainResult = { sent: 0, failed: 0 };
  for (const row of claimed) {
    const sent = await deliver(db, row, rendered.get(row.id) ?? renderError).catch((error: unknown) => ({ ok: false as const, error: reason(error) }));
    if (sent.ok) {
      result.sent++;
      await db
        .update(emailOutbox)
        .set({ status: "sent", sentAt: sql`now()`, providerMessageId: sent.id, lastError: null })
        .where(eq(emailOutbox.id, row.id));
    } else {
      result.failed++;
      const giveUp = row.attempts >= MAX_ATTEMPTS;
      await db
        .update(emailOutbox)
        .set({
          status: giveUp ? "failed" : "pending",
          lastError: sent.error.slice(0, 1000),
          nextAttemptAt: sql`now() + make_interval(secs => ${retryDelaySeconds(row.attempts)})`,
        })
        .where(eq(emailOutbox.id, row.id));
    }
  }
  return result;
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Sends one claimed row. A row queued unrendered gets `rendering` stored first; when there is none (`rendering` is
 * then the reason), the attempt fails.
 */
async function deliver(db: Db, row: typeof emailOutbox.$inferSelect, rendering: RenderedEmail | string): Promise<SendResult> {
  let content = row.subject !== null && row.text !== null && row.html !== null ? { subject: row.subject, text: row.text, html: row.html } : null;
  if (!content) {
    if (typeof rendering === "string") return { ok: false, error: rendering };
    await db.update(emailOutbox).set(rendering).where(eq(emailOutbox.id, row.id));
    content = rendering;
  }
  return sendEmail(db, { tenantId: row.tenantId, kind: row.kind, to: row.to, ...content }, row.idempotencyKey);
}

/** 30 s, 1 min, 2 min … capped at one hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}
