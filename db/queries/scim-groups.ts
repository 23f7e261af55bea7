import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { scimConnections, scimGroupMembers, scimGroups, scimUsers } from "@/db/schema";
import { connectionAnswered, liveTokenConnection, type TokenChecked } from "./scim-connections";
import { isUniqueViolation } from "@/db/errors";
import { jsonParam, placeholders, reusable } from "@/db/run";
import { ConflictError } from "@/lib/errors";
import { listPage, type ListQuery } from "./scim-users";

export type ScimGroupRow = typeof scimGroups.$inferSelect;
export type ScimGroupColumns = Pick<ScimGroupRow, "displayName" | "externalId">;

/** One group of a tenant. With `tokenHash` the statement also checks the request's token (see getScimUser). */
export async function getScimGroup(
  db: DbOrTx,
  tenantId: string,
  id: string,
  options: { tokenHash?: string } = {},
): Promise<{ group: ScimGroupRow | undefined } & Partial<TokenChecked>> {
  if (options.tokenHash === undefined) {
    const query = reusable(db, "scim_group_by_id", (handle) =>
      handle
        .select()
        .from(scimGroups)
        .where(and(eq(scimGroups.tenantId, sql.placeholder("tenantId")), eq(scimGroups.id, sql.placeholder("id"))))
        .prepare("scim_group_by_id"),
    );
    const [row] = await query.execute({ tenantId, id });
    return { group: row };
  }
  const query = reusable(db, "scim_group_by_id_checking_token", (handle) =>
    handle
      .select({ connection: liveTokenConnection.fields, row: scimGroups })
      .from(scimConnections)
      .leftJoin(scimGroups, and(eq(scimGroups.tenantId, scimConnections.tenantId), eq(scimGroups.id, sql.placeholder("id"))))
      .where(liveTokenConnection.where())
      .prepare("scim_group_by_id_checking_token"),
  );
  const answered = await query.execute({ tenantId, id, tokenHash: options.tokenHash });
  return { connection: connectionAnswered(answered), group: answered[0]?.row ?? undefined };
}

/**
 * Reads a group and locks it until commit. `write` (FOR KEY SHARE), for PATCH and PUT: held against deletion and a
 * mapping save only, not against other writers of the group, so member changes of one group run side by side
 * (each bumps the version with writeScimGroup as its last statement). `delete` (FOR UPDATE), for DELETE: against
 * every other writer and foreign-key check; the mapping save takes the same (lockScimGroups). Either waits for the
 * other's holders, and a group deleted meanwhile reads as missing.
 */
export async function getScimGroupLocked(db: DbOrTx, tenantId: string, id: string, lock: "write" | "delete"): Promise<ScimGroupRow | undefined> {
  const query = reusable(db, `scim_group_for_${lock}`, (handle) =>
    handle
      .select()
      .from(scimGroups)
      .where(and(eq(scimGroups.tenantId, sql.placeholder("tenantId")), eq(scimGroups.id, sql.placeholder("id"))))
      .for(lock === "write" ? "key share" : "update")
      .prepare(`scim_group_for_${lock}`),
  );
  const [row] = await query.execute({ tenantId, id });
  return row;
}

/**
 * Locks groups (ids sorted, so two lockers never wait on each other crosswise) until commit, against every
 * writer: member changes in flight (they hold FOR KEY SHARE, see getScimGroupLocked) finish first, and later
 * ones wait, then see what this transaction committed.
 */
export async function lockScimGroups(db: DbOrTx, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .select({ id: scimGroups.id })
    .from(scimGroups)
    .where(and(eq(scimGroups.tenantId, tenantId), inArray(scimGroups.id, ids)))
    .orderBy(asc(scimGroups.id))
    .for("update");
}

const uniqueDisplayName = (displayName: string) =>
  new ConflictError(`A group with displayName "${displayName}" already exists`);

/** Inserts a group; a displayName taken in the tenant (case-insensitively) is a ConflictError. */
export async function insertScimGroup(
  db: DbOrTx,
  tenantId: string,
  resource: Record<string, unknown>,
  columns: ScimGroupColumns,
): Promise<ScimGroupRow> {
  // ON CONFLICT DO NOTHING answers "taken" without aborting the transaction (Bulk keeps going).
  const query = reusable(db, "scim_group_insert", (handle) =>
    handle
      .insert(scimGroups)
      .values(placeholders("tenantId", "resource", "displayName", "externalId"))
      .onConflictDoNothing()
      .returning()
      .prepare("scim_group_insert"),
  );
  const [row] = await query.execute({ tenantId, resource, ...columns });
  if (!row) throw uniqueDisplayName(columns.displayName);
  return row;
}

/**
 * The last write of a group change: bumps version and lastModified and, when given, stores the new attributes.
 * It takes the group's row lock only now, at the end of the transaction, so writers of one group wait on each
 * other for no more than the commit. It writes only if the group still is as expected, else it returns undefined
 * and writes nothing: `version` (an If-Match) or `resource` (the attributes the caller read and changed;
 * member changes leave them alone, so only another write of the attributes makes this one stale).
 */
export async function writeScimGroup(
  db: DbOrTx,
  tenantId: string,
  id: string,
  change: {
    attributes?: { resource: Record<string, unknown>; columns: ScimGroupColumns };
    expected?: { version?: number; resource?: Record<string, unknown> };
  },
): Promise<ScimGroupRow | undefined> {
  const { attributes, expected = {} } = change;
  const name = ["scim_group_write", attributes && "attributes", expected.version !== undefined && "version", expected.resource && "resource"]
    .filter(Boolean)
    .join("_");
  try {
    // One statement per combination of what is written and checked, each built once (see reusable).
    const query = reusable(db, name, (handle) =>
      handle
        .update(scimGroups)
        .set({
          // drizzle encodes a placeholder in `set` by its column, as in `values`; only its types leave it out.
          ...(attributes ? (placeholders("resource", "displayName", "externalId") as unknown as Partial<ScimGroupRow>) : {}),
          version: sql`${scimGroups.version} + 1`,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(scimGroups.tenantId, sql.placeholder("tenantId")),
            eq(scimGroups.id, sql.placeholder("id")),
            expected.version === undefined ? undefined : eq(scimGroups.version, sql.placeholder("expectedVersion")),
            expected.resource === undefined ? undefined : eq(scimGroups.resource, sql.placeholder("expectedResource")),
          ),
        )
        .returning()
        .prepare(name),
    );
    const [row] = await query.execute({
      tenantId,
      id,
      ...(attributes ? { resource: attributes.resource, ...attributes.columns } : {}),
      ...(expected.version === undefined ? {} : { expectedVersion: expected.version }),
      // A placeholder in a condition is not encoded by its column (in `set` it is): jsonb goes as JSON text.
      ...(expected.resource === undefined ? {} : { expectedResource: jsonParam(expected.resource) }),
    });
    return row;
  } catch (error) {
    if (attributes && isUniqueViolation(error)) throw uniqueDisplayName(attributes.columns.displayName);
    throw error;
  }
}

export async function deleteScimGroup(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(scimGroups)
    .where(and(eq(scimGroups.tenantId, tenantId), eq(scimGroups.id, id)))
    .returning({ id: scimGroups.id });
  return rows.length > 0;
}

/**
 * One page of a tenant's groups and the total matching the filter, in one statement (listPage); a group's members
 * are read apart, and only when returned.
 */
export async function listScimGroups(
  db: DbOrTx,
  tenantId: string,
  query: ListQuery,
  /** `tokenHash`: the page's statement also checks the request's token (liveTokenConnection). */
  options: { tokenHash?: string } = {},
): Promise<{ total: number; rows: ScimGroupRow[] } & Partial<TokenChecked>> {
  const { page, ...answer } = await listPage<ScimGroupRow>(db, scimGroups, tenantId, query, options);
  return { ...answer, rows: page.map((p) => p.row) };
}

export type Member = { value: string; display: string };

/** Members of the given groups, in the order they were added; read only when `members` is to be returned. */
export async function listMembersOfGroups(db: DbOrTx, groupIds: string[]) {
  const byGroup = new Map<string, Member[]>();
  if (groupIds.length === 0) return byGroup;
  const rows = await db
    .select({
      groupId: scimGroupMembers.groupId,
      value: scimUsers.id,
      display: sql<string>`coalesce(${scimUsers.displayName}, ${scimUsers.userName})`,
    })
    .from(scimGroupMembers)
    .innerJoin(scimUsers, eq(scimUsers.id, scimGroupMembers.userId))
    .where(sql`${scimGroupMembers.groupId} = any(${sql.param(`{${groupIds.join(",")}}`)}::uuid[])`)
    .orderBy(asc(scimGroupMembers.addedAt), asc(scimUsers.id))
    .prepare("members_of_groups")
    .execute();
  for (const { groupId, ...member } of rows) {
    const list = byGroup.get(groupId);
    if (list) list.push(member);
    else byGroup.set(groupId, [member]);
  }
  return byGroup;
}

/** Current member ids of one group (for PUT, which states the whole list). */
export async function listMemberIds(db: DbOrTx, groupId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: scimGroupMembers.userId })
    .from(scimGroupMembers)
    .where(eq(scimGroupMembers.groupId, groupId));
  return rows.map((r) => r.userId);
}

/** The distinct members of some groups. */
export async function listMemberIdsOfGroups(db: DbOrTx, groupIds: string[]): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const rows = await db
    .selectDistinct({ userId: scimGroupMembers.userId })
    .from(scimGroupMembers)
    .where(inArray(scimGroupMembers.groupId, groupIds));
  return rows.map((r) => r.userId);
}

/** A tenant's groups with their member counts, by name. */
export async function listGroupsWithMemberCounts(db: DbOrTx, tenantId: string) {
  return db
    .select({
      id: scimGroups.id,
      displayName: scimGroups.displayName,
      members: sql<number>`(select count(*)::int from ${scimGroupMembers} where ${scimGroupMembers.groupId} = ${scimGroups.id})`,
    })
    .from(scimGroups)
    .where(eq(scimGroups.tenantId, tenantId))
    .orderBy(sql`lower(${scimGroups.displayName})`, asc(scimGroups.id));
}

/** Direct group ids per user: of the given users, or of every user of a tenant. */
export async function listGroupIdsByUser(
  db: DbOrTx,
  of: { userIds: string[] } | { tenantId: string },
): Promise<Map<string, Set<string>>> {
  const byUser = new Map<string, Set<string>>();
  if ("userIds" in of && of.userIds.length === 0) return byUser;
  const rows = await db
    .select({ userId: scimGroupMembers.userId, groupId: scimGroupMembers.groupId })
    .from(scimGroupMembers)
    .where("userIds" in of ? inArray(scimGroupMembers.userId, of.userIds) : eq(scimGroupMembers.tenantId, of.tenantId));
  for (const { userId, groupId } of rows) byUser.set(userId, (byUser.get(userId) ?? new Set()).add(groupId));
  return byUser;
}
