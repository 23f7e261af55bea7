import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db";
import { queueReceipts } from "@/db/queries/purchases";
import { claimDueEmails, readEmailContents, recordOutcomes, storeRenderings, type ClaimedEmail, type DeliveryOutcome } from "@/db/queries/outbox";
import { emailOutbox } from "@/db/schema";
import { jsonParam, statement } from "@/db/run";
import { renderReceipts } from "@/lib/billing/purchase-seats";
import { errorMessage, sendEmails, type EmailMessage, type SendResult, type SharedMessage } from "./send-email";
import type { RenderedEmail } from "./templates";

/**
 * An email to queue, with the key that makes it exactly-once: what is delivered once it is due. Its content is
 * whole, or a rendering many emails share and this email's link (LinkedContent: the rendering is stored once).
 */
export type QueuedEmail = { message: EmailMessage | Omit<SharedMessage, "contentId">; idempotencyKey: string };

/** After this many failed attempts a message is marked failed and left for an operator. */
export const MAX_ATTEMPTS = 8;
/** Messages one drain claims and sends. */
const DRAIN_BATCH = 50;
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
  ["contents", "rows"],
  (p) => sql`with stored as (
      insert into email_contents (id, tenant_id, subject, text, html)
      select c.id, c."tenantId", c.subject, c.text, c.html
      from jsonb_to_recordset(${p.contents}::jsonb) as c(id text, "tenantId" uuid, subject text, text text, html text)
      on conflict (id) do nothing
    )
    insert into email_outbox (tenant_id, kind, "to", subject, text, html, content_id, link, idempotency_key)
    select v."tenantId", v.kind, v."to", v.subject, v.text, v.html, v."contentId", v.link, v."idempotencyKey"
    from jsonb_to_recordset(${p.rows}::jsonb)
      as v("tenantId" uuid, kind email_kind, "to" text, subject text, text text, html text, "contentId" text, link text, "idempotencyKey" text)
    on conflict (idempotency_key) do nothing`,
);

/**
 * Several emails queued in one statement (invitations and receipts of one change); same rules as enqueueEmail. A
 * rendering the emails share goes in once (email_contents; once ever, for the same tenant and content), each
 * email's row carrying its id and the email's link: an invitation's row holds a link, not 5 KB of html.
 */
export async function enqueueEmails(tx: DbOrTx, emails: QueuedEmail[]): Promise<void> {
  if (emails.length === 0) return;
  const contents = new Map<string, { tenantId: string | null; content: RenderedEmail }>();
  const rows = emails.map(({ message, idempotencyKey }) => {
    const tenantId = message.tenantId ?? null;
    const row = { tenantId, kind: message.kind, to: message.to, idempotencyKey };
    if (!("content" in message)) return { ...row, subject: message.subject, text: message.text, html: message.html };
    const contentId = sharedContentId(tenantId, message.content);
    contents.set(contentId, { tenantId, content: message.content });
    return { ...row, contentId, link: message.link };
  });
  const stored = [...contents].map(([id, { tenantId, content }]) => ({ id, tenantId, ...content }));
  await enqueueStatement(tx, { contents: jsonParam(stored), rows: jsonParam(rows) });
  for (const [id, { content }] of contents) rememberContent(id, content);
}

/**
 * A shared rendering's id: its hash with the tenant's, so a tenant's renderings go with it. Worked out once per
 * rendering object and tenant (the renderer hands out the same object for the same inputs).
 */
const contentIds = new WeakMap<RenderedEmail, Map<string | null, string>>();
function sharedContentId(tenantId: string | null, content: RenderedEmail): string {
  let byTenant = contentIds.get(content);
  if (!byTenant) contentIds.set(content, (byTenant = new Map()));
  let id = byTenant.get(tenantId);
  if (!id) {
    id = createHash("sha256").update(JSON.stringify([tenantId, content.subject, content.text, content.html])).digest("hex");
    byTenant.set(tenantId, id);
  }
  return id;
}

/**
 * Shared renderings this instance queued or read, by id, the latest MAX_REMEMBERED: a drain composes their emails
 * without reading them back. An id names one content forever, so what is remembered is never stale.
 */
const MAX_REMEMBERED = 500;
const remembered = new Map<string, RenderedEmail>();
function rememberContent(id: string, content: RenderedEmail): void {
  remembered.delete(id);
  remembered.set(id, content);
  if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
}

/** Forgets the shared renderings remembered: a drain then reads them as one on an instance that did not queue them. */
export function forgetSharedContents(): void {
  remembered.clear();
}

/** The shared renderings claimed rows use, remembered or read in one statement. */
async function sharedContents(db: DbOrTx, claimed: ClaimedEmail[]): Promise<Map<string, RenderedEmail>> {
  const ids = [...new Set(claimed.flatMap((row) => (row.contentId ? [row.contentId] : [])))];
  const found = new Map<string, RenderedEmail>();
  const missing = ids.filter((id) => {
    const content = remembered.get(id);
    if (content) found.set(id, content);
    return !content;
  });
  for (const { id, ...content } of await readEmailContents(db, missing)) {
    rememberContent(id, content);
    found.set(id, content);
  }
  return found;
}

export type DrainResult = { sent: number; failed: number; deferred: number };

/**
 * Sends due outbox messages (or just `ids`), up to `limit` (50) per call, in a fixed number of statements however
 * many there are; a drain of all due messages first queues the receipts of seat purchases made since the last one
 * (a purchase commits without them, to hold its seats lock for less time). Each message is claimed with a lease
 * (FOR UPDATE SKIP LOCKED) so several instances can drain at once without sending twice; a crash mid-send lets the
 * lease expire and a later drain retries with the same idempotency key, which the provider (and the local mailbox)
 * honour. Failures back off exponentially. A receipt queued unrendered (it holds its purchase's id) is rendered at
 * its first attempt and the rendering stored before it is sent, so every attempt sends the same. An invitation's
 * shared rendering comes from memory, or from one more statement for those this instance did not queue or read
 * before. A delivery the provider asks to wait for is deferred, its attempt not counted (deferral). The outcomes are
 * recorded together after the sends.
 */
export async function drainOutbox(db: Db, options: { ids?: string[]; limit?: number } = {}): Promise<DrainResult> {
  // Seat purchases committed since the last drain get their receipts first, so this drain can send them.
  if (!options.ids) await queueReceipts(db);
  const claimed = await claimDueEmails(db, { ids: options.ids, limit: options.limit ?? DRAIN_BATCH, leaseSeconds: LEASE_SECONDS });
  if (claimed.length === 0) return { sent: 0, failed: 0, deferred: 0 };

  let shared = new Map<string, RenderedEmail>();
  let sharedError = "its shared rendering could not be read";
  try {
    shared = await sharedContents(db, claimed);
  } catch (error) {
    sharedError = errorMessage(error);
  }
  const storedContent = (row: ClaimedEmail) => contentOf(row, shared);
  const unrendered = claimed.filter((row) => !storedContent(row) && !row.contentId).map((row) => row.id);
  let rendered = new Map<string, RenderedEmail>();
  let renderError = "the purchase this receipt is for could not be read";
  try {
    if (unrendered.length) rendered = await renderReceipts(db, unrendered);
  } catch (error) {
    renderError = errorMessage(error);
  }
  const outcomes: DeliveryOutcome[] = [];
  const ready: { row: ClaimedEmail; content: RenderedEmail | SharedContent }[] = [];
  for (const row of claimed) {
    const content = storedContent(row) ?? rendered.get(row.id);
    if (content) ready.push({ row, content });
    else outcomes.push(failure(row, row.contentId ? sharedError : renderError));
  }
  // What was rendered now is stored before it is sent (only rows claimed unrendered were rendered).
  const renderings = [...rendered].map(([id, content]) => ({ id, ...content }));
  let results: SendResult[];
  try {
    await storeRenderings(db, renderings);
    results = await sendEmails(
      db,
      ready.map(({ row, content }) => ({ message: { tenantId: row.tenantId, kind: row.kind, to: row.to, ...content }, idempotencyKey: row.idempotencyKey })),
    );
  } catch (error) {
    results = ready.map(() => ({ ok: false, error: errorMessage(error) }));
  }
  ready.forEach(({ row }, n) => {
    const sent = results[n];
    outcomes.push(sent.ok ? { id: row.id, status: "sent", providerMessageId: sent.id } : sent.deferSeconds !== undefined ? deferral(row, sent.error, sent.deferSeconds) : failure(row, sent.error));
  });
  await recordOutcomes(db, outcomes);
  const sent = outcomes.filter((o) => o.status === "sent").length;
  const deferred = outcomes.filter((o) => o.status === "pending" && o.deferred).length;
  return { sent, failed: outcomes.length - sent - deferred, deferred };
}

/** Per database handle, the drain drainSoon is running and the one asked for to follow it, if any. */
const drains = new WeakMap<Db, { current: Promise<DrainResult>; next: Promise<DrainResult> | null }>();

/**
 * Drains everything due, one drain at a time per database handle: after an admin's mapping save (which may invite
 * thousands) and as the background drain (OUTBOX_DRAIN_INTERVAL_SECONDS), each of which used to send one batch of
 * 50 and leave the rest for the next background drain. A caller that asks while a drain runs gets the one run after
 * it, shared by everyone who asks meanwhile (the running drain may have claimed before that caller's change
 * committed), and a drain that fills its batch is followed by another, until fewer are due. The promise settles with
 * the run the caller needed, not with the runs that follow: Next.js's `after` keeps a request's state until it
 * settles. A failure is the caller's error; the background drain is the backstop. Other instances drain side by
 * side: the claims keep them apart.
 */
export function drainSoon(db: Db): Promise<void> {
  const state = drains.get(db);
  if (!state) return startDrain(db).then(() => undefined);
  state.next ??= state.current.then(
    () => startDrain(db),
    () => startDrain(db),
  );
  return state.next.then(() => undefined);
}

/** Resolves once no drainSoon run is going on for `db` (the last batch of a backlog included). */
export async function drainsSettled(db: Db): Promise<void> {
  for (let state = drains.get(db); state; state = drains.get(db)) {
    await (state.next ?? state.current).catch(() => undefined);
  }
}

function startDrain(db: Db): Promise<DrainResult> {
  const current = drainOutbox(db, { limit: DRAIN_BATCH });
  const state = { current, next: null as Promise<DrainResult> | null };
  drains.set(db, state);
  // Registered before any `next` is chained on `current`, so this runs first when it settles.
  const settled = (full: boolean) => {
    if (state.next) return; // someone asked meanwhile: their run starts now, and takes over from here
    if (full) {
      startDrain(db).catch((error: unknown) => console.error("outbox drain failed:", error));
    } else if (drains.get(db) === state) {
      drains.delete(db);
    }
  };
  current.then(
    ({ sent, failed }) => settled(sent + failed >= DRAIN_BATCH),
    () => settled(false),
  );
  return current;
}

/** A shared rendering, its id and an email's link: the part of a SharedMessage that is the content. */
type SharedContent = Pick<SharedMessage, "content" | "link" | "contentId">;

/**
 * The content a row was queued with (whole, or a shared rendering with its link) or rendered at an earlier
 * attempt; null for a receipt not rendered yet, or a shared rendering that could not be read.
 */
function contentOf({ subject, text, html, contentId, link }: ClaimedEmail, shared: Map<string, RenderedEmail>): RenderedEmail | SharedContent | null {
  if (subject !== null && text !== null && html !== null) return { subject, text, html };
  const content = contentId ? shared.get(contentId) : undefined;
  return content && contentId && link !== null ? { content, link, contentId } : null;
}

/** A failed attempt: retried after a growing delay, given up after MAX_ATTEMPTS (the row stays, for an operator). */
function failure(row: ClaimedEmail, error: string): DeliveryOutcome {
  return {
    id: row.id,
    status: row.attempts >= MAX_ATTEMPTS ? "failed" : "pending",
    // jsonb (the statement's parameter) and text refuse NUL; a provider's message should not lose the outcome.
    error: error.replaceAll("\0", "").slice(0, 1000),
    retrySeconds: retryDelaySeconds(row.attempts),
  };
}

/**
 * A delivery the provider asked to wait for (its rate limit or quota): due again when it said, and the claim's
 * attempt given back, so waiting never counts towards MAX_ATTEMPTS and a directory's worth of invitations is
 * delivered at the provider's pace rather than given up.
 */
function deferral(row: ClaimedEmail, error: string, seconds: number): DeliveryOutcome {
  return { id: row.id, status: "pending", error: error.replaceAll("\0", "").slice(0, 1000), retrySeconds: seconds, deferred: true };
}

/** 30 s, 1 min, 2 min … capped at one hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}
