import { and, asc, desc, eq, ilike, ne, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { authSessions, authUsers, scimUsers, tenants, users } from "@/db/schema";
import type { UserLicense, UserRole, UserSource, UserStatus } from "@/db/schema";

export type User = typeof users.$inferSelect;

/**
 * The Sally user (with tenant) an email address signs in as: one with access (a role and not deactivated),
 * preferring an admin membership when the address belongs to several tenants.
 */
export async function getSignInUserByEmail(db: DbOrTx, email: string) {
  const [row] = await db
    .select({ user: users, tenant: tenants })
    .from(users)
    .innerJoin(tenants, eq(tenants.id, users.tenantId))
    .where(and(sql`lower(${users.email}) = lower(${email})`, ne(users.role, "none"), ne(users.status, "deactivated")))
    .orderBy(sql`case ${users.role} when 'admin' then 0 else 1 end`, asc(users.createdAt))
    .limit(1);
  return row;
}

export async function getUserByEmail(db: DbOrTx, tenantId: string, email: string): Promise<User | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), sql`lower(${users.email}) = lower(${email})`));
  return row;
}

/** The users (of every tenant) an email address belongs to. */
export async function listUsersByEmail(db: DbOrTx, email: string): Promise<User[]> {
  return db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
}

/** Stores a user's first sign-in and the status that follows from it. */
export async function updateSignIn(db: DbOrTx, id: string, values: { firstSignInAt: Date | null; status: User["status"] }) {
  await db
    .update(users)
    .set({ firstSignInAt: values.firstSignInAt ?? sql`now()`, status: values.status, updatedAt: sql`now()` })
    .where(eq(users.id, id));
}

/** Ends every session of the sign-in identity behind `email`: the user is signed out everywhere at once. */
export async function deleteSessionsByEmail(db: DbOrTx, email: string): Promise<void> {
  await db
    .delete(authSessions)
    .where(
      sql`${authSessions.userId} in (select ${authUsers.id} from ${authUsers} where lower(${authUsers.email}) = lower(${email}))`,
    );
}

/** A tenant's users as the user list shows them, with the IdP userName of provisioned ones. */
export async function listUsersWithUserName(db: DbOrTx, tenantId: string) {
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      userName: scimUsers.userName,
      role: users.role,
      license: users.license,
      status: users.status,
      source: users.source,
      createdAt: users.createdAt,
      /** The user holding this user's email, named: `Name <email> (id)`. */
      emailConflictWith: sql<string | null>`(select coalesce(h.name || ' ', '') || '<' || h.email || '> (' || h.id || ')'
        from users h where h.id = "users"."email_conflict_with")`,
    })
    .from(users)
    .leftJoin(scimUsers, eq(scimUsers.id, users.scimUserId))
    .where(eq(users.tenantId, tenantId))
    .orderBy(sql`lower(${users.email})`, users.createdAt, users.id);
}

export type UserFilter = {
  /** Part of the name or email, any case. */
  search?: string;
  role?: UserRole;
  license?: UserLicense;
  status?: UserStatus;
  source?: UserSource;
};

/**
 * Where a page starts: after or before the user with this key. The list is sorted by lower-cased email, then
 * id (several users may share an email); the key is both, as `userKey` writes it, so it fits in a link.
 */
export type UserCursor = { after: string } | { before: string };

/** The sort key of a user in the list, for a cursor: `<id>:<email>` (an id has a fixed length). */
export const userKey = (user: { id: string; email: string }) => `${user.id}:${user.email.toLowerCase()}`;

const UUID_LENGTH = 36;
const parseUserKey = (key: string) => ({ id: key.slice(0, UUID_LENGTH), email: key.slice(UUID_LENGTH + 1).toLowerCase() });
const isUserKey = (key: string) => key[UUID_LENGTH] === ":" && /^[0-9a-f-]{36}$/i.test(key.slice(0, UUID_LENGTH));

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * One page of a tenant's users for the Users list, ordered by email. Keyset paging on (lower(email), id) reads
 * the (tenant_id, lower(email), id) index from the cursor on, so any page of 100,000 users costs what the first
 * does. Returns up to `limit` rows plus whether more lie in the paging direction; a cursor that is no user key
 * starts at the beginning.
 */
export async function listUsersPage(db: DbOrTx, tenantId: string, options: { filter: UserFilter; cursor?: UserCursor; limit: number }) {
  const { filter, cursor, limit } = options;
  const email = sql`lower(${users.email})`;
  const backwards = cursor !== undefined && "before" in cursor;
  const key = cursor ? ("after" in cursor ? cursor.after : cursor.before) : "";
  const from = isUserKey(key) ? parseUserKey(key) : null;
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      license: users.license,
      status: users.status,
      source: users.source,
      updatedAt: users.updatedAt,
      /** The user who holds this user's email (an email conflict), by name and email. */
      // Qualified by hand: in a select without joins drizzle writes the bare column name, which inside the subquery
      // would mean h's own column.
      emailConflictWith: sql<{ id: string; name: string | null; email: string } | null>`(select json_build_object('id', h.id, 'name', h.name, 'email', h.email)
        from users h where h.id = "users"."email_conflict_with")`,
    })
    .from(users)
    .where(
      and(
        eq(users.tenantId, tenantId),
        filter.search ? or(ilike(users.email, likePattern(filter.search)), ilike(users.name, likePattern(filter.search))) : undefined,
        filter.role ? eq(users.role, filter.role) : undefined,
        filter.license ? eq(users.license, filter.license) : undefined,
        filter.status ? eq(users.status, filter.status) : undefined,
        filter.source ? eq(users.source, filter.source) : undefined,
        from ? (backwards ? sql`(${email}, ${users.id}) < (${from.email}, ${from.id}::uuid)` : sql`(${email}, ${users.id}) > (${from.email}, ${from.id}::uuid)`) : undefined,
      ),
    )
    .orderBy(...(backwards ? [sql`${email} desc`, desc(users.id)] : [sql`${email} asc`, asc(users.id)]))
    .limit(limit + 1);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  return { rows: backwards ? page.reverse() : page, more };
}

/** Users per role and license, for seat counts (countSeatsHeld takes these grouped rows). */
export async function countUsersByAccess(db: DbOrTx, tenantId: string) {
  return db
    .select({ role: users.role, license: users.license, count: sql<number>`count(*)::int` })
    .from(users)
    .where(eq(users.tenantId, tenantId))
    .groupBy(users.role, users.license);
}
