import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { licenseTierEnum, mappedRoleEnum, providerEnum } from "./enums";
import { tenants } from "./tenants";

/**
 * A tenant's SCIM connection. The token is stored only as a SHA-256 hash; `tokenPrefix` is what the UI may show.
 * At most one connection per tenant is live (revokedAt null); revoked rows stay as history.
 * `keyId` is the public part of the current token (`sally_scim_<keyId>_<secret>`, lib/provisioning/scim-token.ts): not a
 * secret, it only lets a refused token be attributed to its tenant. Null for tokens issued before key ids.
 */
export const scimConnections = pgTable(
  "scim_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    provider: providerEnum("provider").notNull(),
    tokenHash: text("token_hash").notNull(),
    tokenPrefix: text("token_prefix").notNull(),
    keyId: text("key_id"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    rotatedAt: timestamp("rotated_at", { withTimezone: true, precision: 3 }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, precision: 3 }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    uniqueIndex("scim_connections_token_hash_key").on(t.tokenHash),
    uniqueIndex("scim_connections_key_id_key").on(t.keyId),
    uniqueIndex("scim_connections_live_key").on(t.tenantId).where(sql`${t.revokedAt} is null`),
  ],
);

/**
 * The key ids of a connection's former tokens (replaced by a rotation), so that an IdP still sending one can be
 * told "the token was rotated" rather than "wrong token". Only the public key id is kept, never the secret.
 */
export const scimRetiredTokenKeys = pgTable("scim_retired_token_keys", {
  keyId: text("key_id").primaryKey(),
  connectionId: uuid("connection_id")
    .notNull()
    .references(() => scimConnections.id, { onDelete: "cascade" }),
  retiredAt: timestamp("retired_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/**
 * A SCIM User resource as the IdP sent it (`resource`, attribute names canonicalised, values as sent) plus the
 * columns that filters, sorting and uniqueness need. `version` backs `meta.version` (a weak ETag). Its pages are
 * filled to 80 % (migration 0011), so that most updates by an IdP change no index.
 */
export const scimUsers = pgTable(
  "scim_users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userName: text("user_name").notNull(),
    externalId: text("external_id"),
    displayName: text("display_name"),
    email: text("email"),
    active: boolean("active").notNull().default(true),
    resource: jsonb("resource").$type<Record<string, unknown>>().notNull(),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    // RFC 7643 §4.1.1: userName is unique and case-insensitive within the service provider (here: the tenant).
    uniqueIndex("scim_users_tenant_user_name_key").on(t.tenantId, sql`lower(${t.userName})`),
    index("scim_users_tenant_external_id_idx").on(t.tenantId, t.externalId),
    index("scim_users_tenant_email_idx").on(t.tenantId, sql`lower(${t.email})`),
    index("scim_users_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

/** A SCIM Group resource; its members live in scimGroupMembers, never inside `resource`. */
export const scimGroups = pgTable(
  "scim_groups",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    displayName: text("display_name").notNull(),
    externalId: text("external_id"),
    resource: jsonb("resource").$type<Record<string, unknown>>().notNull(),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    // A group's displayName names it in the mapping screens and the CLI: unique per tenant, case-insensitive.
    uniqueIndex("scim_groups_tenant_display_name_key").on(t.tenantId, sql`lower(${t.displayName})`),
    index("scim_groups_tenant_external_id_idx").on(t.tenantId, t.externalId),
    index("scim_groups_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

/** One row per (group, user): membership changes cost O(members changed), not O(group size). */
export const scimGroupMembers = pgTable(
  "scim_group_members",
  {
    groupId: uuid("group_id")
      .notNull()
      .references(() => scimGroups.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => scimUsers.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** Position of insertion, so `members` lists come back in a stable order. */
    addedAt: timestamp("added_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index("scim_group_members_user_idx").on(t.userId)],
);

/**
 * What an IdP group grants: a role (one group per role per tenant) and/or a license tier.
 * Rows disappear with their group; a group may be mapped at any time after it first arrives.
 */
export const groupMappings = pgTable(
  "group_mappings",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    groupId: uuid("group_id")
      .notNull()
      .references(() => scimGroups.id, { onDelete: "cascade" }),
    role: mappedRoleEnum("role"),
    licenseTier: licenseTierEnum("license_tier"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.groupId] }),
    uniqueIndex("group_mappings_role_key").on(t.tenantId, t.role).where(sql`${t.role} is not null`),
  ],
);
