import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { scimGroupMembers, scimGroups, scimUsers } from "@/db/schema";
import { isUniqueViolation } from "@/db/errors";
import { ConflictError } from "@/lib/errors";

export type ScimUserRow = typeof scimUsers.$inferSelect;
export type ScimUserColumns = Pick<ScimUserRow, "userName" | "externalId" | "displayName" | "email" | "active">;

const uniqueUserName = (userName: string) =>
  new ConflictError(`A user with userName "${userName}" already exists`);

export async function getScimUser(db: DbOrTx, tenantId: string, id: string): Promise<ScimUserRow | undefined> {
  const [row] = await db.select().from(scimUsers).where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.id, id)));
  return row;
}

/** Locks one user row for the rest of the transaction (read-modify-write of PATCH). */
export async function getScimUserForUpdate(db: DbOrTx, tenantId: string, id: string): Promise<ScimUserRow | undefined> {
  const [row] = await db
    .select()
    .from(scimUsers)
    .where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.id, id)))
    .for("update");
  return row;
}

export async function insertScimUser(
  db: DbOrTx,
  tenantId: string,
  resource: Record<string, unknown>,
  columns: ScimUserColumns,
): Promise<ScimUserRow> {
  try {
    // A savepoint, so a uniqueness failure does not poison an outer transaction (Bulk keeps going).
    return await db.transaction(async (tx) => {
      const [row] = await tx.insert(scimUsers).values({ tenantId, resource, ...columns }).returning();
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueUserName(columns.userName);
    throw error;
  }
}

export async function updateScimUser(
  db: DbOrTx,
  tenantId: string,
  id: string,
  resource: Record<string, unknown>,
  columns: ScimUserColumns,
): Promise<ScimUserRow> {
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .update(scimUsers)
        .set({ resource, ...columns, version: sql`${scimUsers.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.id, id)))
        .returning();
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueUserName(columns.userName);
    throw error;
  }
}

export async function deleteScimUser(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(scimUsers)
    .where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.id, id)))
    .returning({ id: scimUsers.id });
  return rows.length > 0;
}

export type ListQuery = { where?: SQL; orderBy?: SQL[]; offset: number; limit: number };

/** One page of a tenant's users and the total matching the filter. */
export async function listScimUsers(db: DbOrTx, tenantId: string, query: ListQuery) {
  const where = and(eq(scimUsers.tenantId, tenantId), query.where);
  const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(scimUsers).where(where);
  const rows =
    query.limit === 0
      ? []
      : await db
          .select()
          .from(scimUsers)
          .where(where)
          .orderBy(...(query.orderBy ?? []), asc(scimUsers.createdAt), asc(scimUsers.id))
          .offset(query.offset)
          .limit(query.limit);
  return { total, rows };
}

/** The groups each of the given users is a direct member of (the read-only `groups` attribute). */
export async function listGroupsOfUsers(db: DbOrTx, userIds: string[]) {
  const byUser = new Map<string, { id: string; displayName: string }[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .select({ userId: scimGroupMembers.userId, id: scimGroups.id, displayName: scimGroups.displayName })
    .from(scimGroupMembers)
    .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
    .where(inArray(scimGroupMembers.userId, userIds))
    .orderBy(asc(scimGroups.displayName));
  for (const { userId, ...group } of rows) byUser.set(userId, [...(byUser.get(userId) ?? []), group]);
  return byUser;
}

/** Of the given ids, those that are users of this tenant (member references must stay inside the tenant). */
export async function existingScimUserIds(db: DbOrTx, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: scimUsers.id })
    .from(scimUsers)
    .where(and(eq(scimUsers.tenantId, tenantId), inArray(scimUsers.id, ids)));
  return new Set(rows.map((r) => r.id));
}
