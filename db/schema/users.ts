import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { localeEnum, userLicenseEnum, userRoleEnum, userSourceEnum, userStatusEnum } from "./enums";
import { scimUsers } from "./scim";
import { tenants } from "./tenants";

/**
 * A Sally user of one tenant. Role, license and status are derived by lib/provisioning from SCIM groups
 * (source `scim`) or set by an admin (source `manual`); they are stored so every screen reads them cheaply.
 */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    name: text("name"),
    /** The user's own language; null falls back to the tenant's. */
    locale: localeEnum("locale"),
    role: userRoleEnum("role").notNull().default("none"),
    license: userLicenseEnum("license").notNull().default("none"),
    status: userStatusEnum("status").notNull().default("invited"),
    source: userSourceEnum("source").notNull().default("manual"),
    /** The SCIM resource this user is provisioned from; null for manual users and after disconnect or delete. */
    scimUserId: uuid("scim_user_id").references(() => scimUsers.id, { onDelete: "set null" }),
    /** Set once when the invitation is queued: the marker that makes invitations exactly-once. */
    invitedAt: timestamp("invited_at", { withTimezone: true, precision: 3 }),
    /**
     * Set while the rules would give this user access but another user of the tenant holds their email (one email
     * signs in one user, see lib/provisioning/email-claims.ts); cleared when either side changes.
     */
    emailConflictWith: uuid("email_conflict_with").references((): AnyPgColumn => users.id, { onDelete: "set null" }),
    /** First successful sign-in; turns `invited` into `active`. */
    firstSignInAt: timestamp("first_sign_in_at", { withTimezone: true, precision: 3 }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    // Not unique: SCIM makes only userName unique, and IdPs send several users with one email. The constraint
    // users_email_access_excl (migration 0005, hand-written: drizzle cannot declare it) allows one user with access per email.
    index("users_tenant_email_idx").on(t.tenantId, sql`lower(${t.email})`, t.id),
    index("users_email_conflict_idx").on(t.emailConflictWith).where(sql`${t.emailConflictWith} is not null`),
    uniqueIndex("users_scim_user_key").on(t.scimUserId),
    index("users_email_idx").on(sql`lower(${t.email})`),
    // A tenant's active admins (a purchase's receipts, the last-admin check), found without walking all its users
    // (db/queries/purchases.ts queueReceipts).
    index("users_tenant_admins_idx").on(t.tenantId).where(sql`${t.role} = 'admin' and ${t.status} <> 'deactivated'`),
  ],
);
