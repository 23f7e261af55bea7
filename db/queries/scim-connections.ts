import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { scimConnections, tenants } from "@/db/schema";
import type { IdentityProvider } from "@/db/schema";

export type ScimConnection = typeof scimConnections.$inferSelect;

/** The tenant's live (not revoked) connection, if any. */
export async function getLiveConnection(db: DbOrTx, tenantId: string): Promise<ScimConnection | undefined> {
  const [row] = await db
    .select()
    .from(scimConnections)
    .where(and(eq(scimConnections.tenantId, tenantId), isNull(scimConnections.revokedAt)));
  return row;
}

/**
 * The live connection and tenant a token hash belongs to: one indexed lookup (the unique index on the hash),
 * prepared, on every SCIM request.
 */
export async function getConnectionByTokenHash(db: DbOrTx, tokenHash: string) {
  const [row] = await db
    .select({ connection: scimConnections, tenant: tenants })
    .from(scimConnections)
    .innerJoin(tenants, eq(tenants.id, scimConnections.tenantId))
    .where(and(eq(scimConnections.tokenHash, sql.placeholder("hash")), isNull(scimConnections.revokedAt)))
    .prepare("scim_connection_by_token")
    .execute({ hash: tokenHash });
  return row;
}

export async function insertConnection(
  db: DbOrTx,
  values: { tenantId: string; provider: IdentityProvider; tokenHash: string; tokenPrefix: string },
): Promise<ScimConnection> {
  const [row] = await db.insert(scimConnections).values(values).returning();
  return row;
}

export async function updateConnectionToken(db: DbOrTx, id: string, tokenHash: string, tokenPrefix: string) {
  await db.update(scimConnections).set({ tokenHash, tokenPrefix, rotatedAt: sql`now()` }).where(eq(scimConnections.id, id));
}

export async function revokeConnection(db: DbOrTx, id: string) {
  await db.update(scimConnections).set({ revokedAt: sql`now()` }).where(eq(scimConnections.id, id));
}

/** Records use at most once a minute per connection (callers skip it when their copy is fresh), so the hot path does not write on every request. */
export async function touchConnection(db: DbOrTx, id: string) {
  await db
    .update(scimConnections)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(scimConnections.id, id),
        sql`(${scimConnections.lastUsedAt} is null or ${scimConnections.lastUsedAt} < now() - interval '1 minute')`,
      ),
    );
}
