import { and, eq, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { scimUsers, users } from "@/db/schema";
import { lockTenant } from "@/db/queries/tenants";
import { deleteSessionsByEmail, getUserByEmail } from "@/db/queries/users";
import { recordActivity } from "@/lib/activity";
import { ConflictError, NotFoundError } from "@/lib/errors";

/**
 * An admin removes a user: their sessions end and their seat is freed. Users the IdP manages are removed in the
 * IdP instead (Sally would only get them back); after a disconnect they are manual and removable, together with
 * their leftover SCIM record, so a later reconnect provisions them afresh. The last admin cannot be removed.
 */
export async function removeUser(db: DbOrTx, input: { tenantId: string; email: string; actor: string }) {
  return db.transaction(async (tx) => {
    await lockTenant(tx, input.tenantId);
    const user = await getUserByEmail(tx, input.tenantId, input.email);
    if (!user) throw new NotFoundError(`no user with email ${input.email}`);
    if (user.source === "scim") {
      throw new ConflictError(`${user.email} is managed by your identity provider: unassign them there, or disconnect SCIM first`);
    }
    if (user.role === "admin") {
      const [{ admins }] = await tx
        .select({ admins: sql<number>`count(*)::int` })
        .from(users)
        .where(and(eq(users.tenantId, input.tenantId), eq(users.role, "admin"), ne(users.status, "deactivated")));
      if (admins <= 1) throw new ConflictError(`${user.email} is the last admin of this tenant`);
    }
    await deleteSessionsByEmail(tx, user.email);
    await tx.delete(users).where(eq(users.id, user.id));
    if (user.scimUserId) await tx.delete(scimUsers).where(eq(scimUsers.id, user.scimUserId));
    await recordActivity(tx, { tenantId: input.tenantId, actor: input.actor, summary: `Removed user ${user.email}` });
    return { email: user.email };
  });
}
