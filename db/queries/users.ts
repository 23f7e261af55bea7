import { and, asc, eq, ilike, ne, or, sql } from "drizzle-orm";
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
    })
    .from(users)
    .leftJoin(scimUsers, eq(scimUsers.id, users.scimUserId))
    .where(eq(users.tenantId, tenantId))
    .orderBy(sql`lower(${users.email})`);
}

export type UserFilter = {
  /** Part of the name or email, any case. */
  search?: string;
  role?: UserRole;
  license?: UserLicense;
  status?: UserStatus;
  source?: UserSource;
};

/** Where a page starts: after or before the user with this (lower-cased) email, the list's unique sort key. */
export type UserCursor = { after: string } | { before: string };

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * One page of a tenant's users for the Users list, ordered by email. Keyset paging on lower(email) reads the
 * (tenant_id, lower(email)) unique index from the cursor on, so any page of 100,000 users costs what the first
 * does. Returns up to `limit` rows plus whether more lie in the paging direction.
 */
export async function listUsersPage(db: DbOrTx, tenantId: string, options: { filter: UserFilter; cursor?: UserCursor; limit: number }) {
  const { filter, cursor, limit } = options;
  const email = sql`lower(${users.email})`;
  const backwards = cursor !== undefined && "before" in cursor;
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
        cursor ? ("after" in cursor ? sql`${email} > ${cursor.after.toLowerCase()}` : sql`${email} < ${cursor.before.toLowerCase()}`) : undefined,
      ),
    )
    .orderBy(backwards ? sql`${email} desc` : sql`${email} asc`)
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
