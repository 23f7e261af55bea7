import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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
    /** First successful sign-in; turns `invited` into `active`. */
    firstSignInAt: timestamp("first_sign_in_at", { withTimezone: true, precision: 3 }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_tenant_email_key").on(t.tenantId, sql`lower(${t.email})`),
    uniqueIndex("users_scim_user_key").on(t.scimUserId),
    index("users_email_idx").on(sql`lower(${t.email})`),
  ],
);
