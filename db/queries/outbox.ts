import { sql, type Placeholder, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { jsonParam, statement, uuidArray } from "@/db/run";
import type { EmailKind } from "@/db/schema";

/** An outbox row claimed for delivery: what sending it needs. Content is null on a receipt not yet rendered. */
export type ClaimedEmail = {
  id: string;
  tenantId: string | null;
  kind: EmailKind;
  to: string;
  subject: string | null;
  text: string | null;
  html: string | null;
  /** The shared rendering (email_contents) the email is, with `link` in it; null when its content is its own. */
  contentId: string | null;
  link: string | null;
  idempotencyKey: string;
  /** Attempts including this one. */
  attempts: number;
};

/**
 * A claim of the due pending rows `which` picks: the attempt counted and the lease set as the next attempt, so a
 * drainer that dies mid-send leaves the row due again once the lease passes. FOR UPDATE SKIP LOCKED lets drains on
 * several instances claim disjoint rows without waiting on each other.
 */
const claim = (leaseSeconds: Placeholder, which: SQL) => sql<ClaimedEmail>`update email_outbox
    set attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseSeconds}::int)
    where id in (select id from email_outbox where status = 'pending' and next_attempt_at <= now() ${which}
                 for update skip locked)
    returning id, tenant_id as "tenantId", kind, "to", subject, text, html, content_id as "contentId", link,
      idempotency_key as "idempotencyKey", attempts`;

const claimDueStatement = statement("outbox_claim_due", ["limit", "leaseSeconds"], (p) =>
  claim(p.leaseSeconds, sql`order by created_at limit ${p.limit}::int`),
);

const claimIdsStatement = statement("outbox_claim_ids", ["ids", "leaseSeconds"], (p) =>
  claim(p.leaseSeconds, sql`and id = any(${uuidArray(p.ids)})`),
);

/** Claims due pending rows, oldest first (or only those of `ids`), for `leaseSeconds`, counting the attempt. */
export async function claimDueEmails(db: DbOrTx, options: { ids?: string[]; limit: number; leaseSeconds: number }): Promise<ClaimedEmail[]> {
  if (options.ids) {
    if (options.ids.length === 0) return [];
    return claimIdsStatement(db, { ids: jsonParam(options.ids.slice(0, options.limit)), leaseSeconds: options.leaseSeconds });
  }
  return claimDueStatement(db, { limit: options.limit, leaseSeconds: options.leaseSeconds });
}

/**
 * The rows an update from `jsonb_to_recordset` writes, as an array of their ids beside the join: PostgreSQL plans a
 * function's rows as a hundred, whatever there are, and on some statistics of the outbox joins that many by hashing
 * the whole table. The ids find the rows by the primary key whichever join it picks (in `npm run bench`'s sync, a
 * drain's outcome read 722 buffers and took 3.3 ms of PostgreSQL's time without them, 0.57 ms with them).
 */
const byIds = (ids: Placeholder) => sql`o.id = any(${uuidArray(ids)})`;

const storeRenderingsStatement = statement(
  "outbox_store_renderings",
  ["rows", "ids"],
  (p) => sql`update email_outbox o set subject = v.subject, text = v.text, html = v.html
    from jsonb_to_recordset(${p.rows}::jsonb) as v(id uuid, subject text, text text, html text)
    where o.id = v.id and ${byIds(p.ids)}`,
);

/** Stores the content rendered for rows queued unrendered, in one statement. */
export async function storeRenderings(db: DbOrTx, rows: { id: string; subject: string; text: string; html: string }[]): Promise<void> {
  if (rows.length) await storeRenderingsStatement(db, { rows: jsonParam(rows), ids: jsonParam(rows.map((r) => r.id)) });
}

/** How one delivery attempt ended: sent with the provider's id, or not, to be retried after `retrySeconds` or given up. */
export type DeliveryOutcome =
  | { id: string; status: "sent"; providerMessageId: string }
  /** `deferred`: the attempt was not made (the provider asked to wait), so the claim's count is taken back. */
  | { id: string; status: "pending" | "failed"; error: string; retrySeconds: number; deferred?: boolean };

const recordOutcomesStatement = statement(
  "outbox_record_outcomes",
  ["rows", "ids"],
  (p) => sql`update email_outbox o set status = v.status::outbox_status,
      sent_at = case when v.status = 'sent' then now() else o.sent_at end,
      provider_message_id = coalesce(v."providerMessageId", o.provider_message_id),
      last_error = v.error,
      attempts = o.attempts - case when v.deferred then 1 else 0 end,
      next_attempt_at = case when v."retrySeconds" is null then o.next_attempt_at
                             else now() + make_interval(secs => v."retrySeconds") end
    from jsonb_to_recordset(${p.rows}::jsonb)
      as v(id uuid, status text, "providerMessageId" text, error text, "retrySeconds" int, deferred boolean)
    where o.id = v.id and ${byIds(p.ids)}`,
);

/** Records the outcomes of a drain's attempts, in one statement. */
export async function recordOutcomes(db: DbOrTx, outcomes: DeliveryOutcome[]): Promise<void> {
  if (outcomes.length) await recordOutcomesStatement(db, { rows: jsonParam(outcomes), ids: jsonParam(outcomes.map((o) => o.id)) });
}

const readContentsStatement = statement(
  "email_contents_read",
  ["ids"],
  (p) => sql<{ id: string; subject: string; text: string; html: string }>`select id, subject, text, html from email_contents
    where id = any(array(select value from jsonb_array_elements_text(${p.ids}::jsonb) as value))`,
);

/** Shared renderings (email_contents) by id, in one statement. */
export async function readEmailContents(db: DbOrTx, ids: string[]): Promise<{ id: string; subject: string; text: string; html: string }[]> {
  return ids.length ? readContentsStatement(db, { ids: jsonParam(ids) }) : [];
}
