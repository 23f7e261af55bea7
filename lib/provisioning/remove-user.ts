import { and, eq, isNotNull, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { scimUsers, users } from "@/db/schema";
import { lockTenant } from "@/db/queries/tenants";
import { deleteSessionsByEmail } from "@/db/queries/users";
import { recordActivity } from "@/lib/activity";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { summarize } from "@/lib/activity-summary";
import { applyDirectoryChange } from "./sync-users";

/** Why a user may not be removed; the admin screen says it in the admin's language. */
export class RemovalRefusedError extends ConflictError {
  constructor(
    message: string,
    readonly reason: "managed" | "lastAdmin" | "ambiguous",
    readonly email: string,
  ) {
    super(message);
  }
}

/** Which user to remove: by id (the admin screen), or by email when only one user of the tenant has it (the CLI). */
export type UserRef = { userId: string } | { email: string };

async function findUser(tx: DbOrTx, tenantId: string, ref: UserRef) {
  const found = await tx
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), "userId" in ref ? eq(users.id, ref.userId) : sql`lower(${users.email}) = lower(${ref.email})`))
    .limit(2);
  if (found.length === 0) throw new NotFoundError("userId" in ref ? `no user ${ref.userId}` : `no user with email ${ref.email}`);
  if (found.length > 1) throw new RemovalRefusedError(`several users have the email ${found[0].email}: remove one by its id`, "ambiguous", found[0].email);
  return found[0];
}

/**
 * An admin removes a user: their sessions end and their seat is freed. Users the IdP manages are removed in the
 * IdP instead (Sally would only get them back); after a disconnect they are manual and removable, together with
 * their leftover SCIM record, so a later reconnect provisions them afresh. The last admin cannot be removed.
 * Users kept from access because the removed user held their email are evaluated again: one may hold it now.
 */
export async function removeUser(db: DbOrTx, input: UserRef & { tenantId: string; actor: string }) {
  return db.transaction(async (tx) => {
    await lockTenant(tx, input.tenantId);
    const user = await findUser(tx, input.tenantId, input);
    if (user.source === "scim") {
      throw new RemovalRefusedError(`${user.email} is managed by your identity provider: unassign them there, or disconnect SCIM first`, "managed", user.email);
    }
    if (user.role === "admin") {
      const [{ admins }] = await tx
        .select({ admins: sql<number>`count(*)::int` })
        .from(users)
        .where(and(eq(users.tenantId, input.tenantId), eq(users.role, "admin"), ne(users.status, "deactivated")));
      if (admins <= 1) throw new RemovalRefusedError(`${user.email} is the last admin of this tenant`, "lastAdmin", user.email);
    }
    if (user.role !== "none") await deleteSessionsByEmail(tx, user.email);
    await tx.delete(users).where(eq(users.id, user.id));
    if (user.scimUserId) await tx.delete(scimUsers).where(eq(scimUsers.id, user.scimUserId));
    await recordActivity(tx, { tenantId: input.tenantId, actor: input.actor, ...summarize("removedUser", { email: user.email }) });
    const sharing = await tx
      .select({ scimUserId: users.scimUserId })
      .from(users)
      .where(and(eq(users.tenantId, input.tenantId), eq(users.source, "scim"), isNotNull(users.scimUserId), sql`lower(${users.email}) = lower(${user.email})`));
    if (user.role !== "none" && sharing.length) {
      const reevaluate = sharing.map((s) => s.scimUserId!);
      await applyDirectoryChange(tx, { tenant: { id: input.tenantId }, reevaluate, cause: `user removed by ${input.actor}`, fromIdp: false });
    }
    return { id: user.id, email: user.email };
  });
}
