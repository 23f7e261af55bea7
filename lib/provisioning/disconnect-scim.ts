import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { users } from "@/db/schema";
import { lockTenant } from "@/db/queries/tenants";
import { revokeScimConnection } from "./scim-connection";

/**
 * Disconnects SCIM: the token is revoked at once and provisioned users keep their access but become manually
 * managed (an admin may now remove them). Their SCIM records stay, so reconnecting adopts them instead of
 * creating duplicates.
 */
export async function disconnectScim(db: DbOrTx, input: { tenantId: string; actor: string }) {
  return db.transaction(async (tx) => {
    await lockTenant(tx, input.tenantId);
    const connection = await revokeScimConnection(tx, input);
    const detached = await tx
      .update(users)
      .set({ source: "manual", updatedAt: sql`now()` })
      .where(and(eq(users.tenantId, input.tenantId), eq(users.source, "scim")))
      .returning({ id: users.id });
    return { connection, usersKept: detached.length };
  });
}
