import { and, asc, eq, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { authSessions, authUsers, scimUsers, tenants, users } from "@/db/schema";

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
