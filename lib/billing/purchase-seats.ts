import type { DbOrTx } from "@/db";
import { receiptFacts } from "@/db/queries/purchases";
import { receiptEmail, type RenderedEmail } from "@/lib/email/templates";
import { env } from "@/lib/env";

/**
 * The receipts of seats bought automatically, rendered for delivery. The outbox drain queues them after the
 * purchase committed (db/queries/purchases.ts queueReceipts), one per purchase for every admin with its own
 * idempotency key, holding only the purchase's id. Rendered here, from the purchase, in the admin's language, for
 * the outbox rows given by id; a row whose purchase is gone is left out.
 */
export async function renderReceipts(db: DbOrTx, outboxIds: string[]): Promise<Map<string, RenderedEmail>> {
  const rendered = new Map<string, RenderedEmail>();
  for (const facts of await receiptFacts(db, outboxIds)) {
    rendered.set(facts.outboxId, await receiptEmail(facts.locale, { ...facts, url: `${env().appUrl}/settings/users` }));
  }
  return rendered;
}
