import { createHash } from "node:crypto";
import type { Db } from "@/db";
import { getSignInUserByEmail } from "@/db/queries/users";
import { drainOutbox, enqueueEmail } from "@/lib/email/outbox";
import { signInEmail } from "@/lib/email/templates";

/**
 * Delivers a sign-in link through the outbox, but only to an address that belongs to a Sally user with access;
 * anyone else sees the same "check your email" page and gets nothing, so addresses cannot be probed.
 */
export async function sendSignInLink(db: Db, input: { email: string; url: string; token: string }): Promise<void> {
  const member = await getSignInUserByEmail(db, input.email);
  if (!member) return;
  const locale = member.user.locale ?? member.tenant.locale;
  const key = `sign-in:${createHash("sha256").update(input.token).digest("hex").slice(0, 32)}`;
  const id = await enqueueEmail(db, { ...(await signInEmail(locale, input.url)), to: input.email, kind: "sign-in", tenantId: member.tenant.id }, key);
  if (id) await drainOutbox(db, { ids: [id] });
}
