import { pgEnum } from "drizzle-orm/pg-core";

/** The identity providers the SCIM Integration page offers instructions for. */
export const identityProviders = ["entra", "google", "okta", "onelogin", "pingone"] as const;
export type IdentityProvider = (typeof identityProviders)[number];

/** Starter < Team < Enterprise: the order matters, the lowest tier wins (see lib/provisioning/license-tier.ts). */
export const licenseTiers = ["starter", "team", "enterprise"] as const;
export type LicenseTier = (typeof licenseTiers)[number];

/**
 * Why a SCIM request with a token that names a known key id (lib/provisioning/scim-token.ts) was refused: its secret is wrong,
 * it was replaced by a rotation, or its connection was disconnected. Stored in activity_log.reason.
 */
export const rejectionReasons = ["wrong_token", "token_rotated", "token_revoked"] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

export const locales = ["de", "en"] as const;
export type Locale = (typeof locales)[number];

export const providerEnum = pgEnum("identity_provider", identityProviders);
export const licenseTierEnum = pgEnum("license_tier", licenseTiers);
export const userLicenseEnum = pgEnum("user_license", [...licenseTiers, "none"]);
export const userRoleEnum = pgEnum("user_role", ["admin", "user", "none"]);
export const userStatusEnum = pgEnum("user_status", ["invited", "active", "deactivated"]);
export const userSourceEnum = pgEnum("user_source", ["manual", "scim"]);
export const localeEnum = pgEnum("locale", locales);
export const mappedRoleEnum = pgEnum("mapped_role", ["admin", "user"]);
export const emailKindEnum = pgEnum("email_kind", ["invitation", "receipt", "sign-in"]);
export const outboxStatusEnum = pgEnum("outbox_status", ["pending", "sent", "failed"]);

export type UserRole = (typeof userRoleEnum.enumValues)[number];
export type UserLicense = (typeof userLicenseEnum.enumValues)[number];
export type UserStatus = (typeof userStatusEnum.enumValues)[number];
export type UserSource = (typeof userSourceEnum.enumValues)[number];
export type MappedRole = (typeof mappedRoleEnum.enumValues)[number];
export type EmailKind = (typeof emailKindEnum.enumValues)[number];
