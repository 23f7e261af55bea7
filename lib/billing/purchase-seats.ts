import type { Locale } from "@/db/schema";
import type { PurchaseRow } from "@/db/queries/access";
import type { EmailMessage } from "@/lib/email/send-email";
import { receiptEmail } from "@/lib/email/templates";
import { env } from "@/lib/env";

export type QueuedEmail = { message: EmailMessage; idempotencyKey: string };

/**
 * The receipts of seats bought automatically (buySeatsShort in db/queries/access.ts, which records the charge and
 * raises the seats): one per purchase for every admin, in the admin's language, each with its own idempotency key
 * so a receipt goes out once whatever happens to the outbox.
 */
export async function seatReceipts(
  tenant: { id: string; name: string; locale: Locale },
  bought: { purchases: PurchaseRow[]; admins: { email: string; locale: Locale | null }[] },
): Promise<QueuedEmail[]> {
  const receipts: QueuedEmail[] = [];
  for (const purchase of bought.purchases) {
    for (const admin of bought.admins) {
      const rendered = await receiptEmail(admin.locale ?? tenant.locale, { ...purchase, tenantName: tenant.name, url: `${env().appUrl}/settings/users` });
      receipts.push({
        message: { ...rendered, to: admin.email, kind: "receipt", tenantId: tenant.id },
        idempotencyKey: `receipt:${purchase.id}:${admin.email.toLowerCase()}`,
      });
    }
  }
  return receipts;
}
