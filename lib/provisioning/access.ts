import type { LicenseTier, UserLicense, UserRole, UserStatus } from "@/db/schema";
import { licenseTiers } from "@/db/schema";

/** What a tenant's group mappings say: one group per role, any number of license groups. */
export type Mapping = {
  adminGroupId: string | null;
  userGroupId: string | null;
  /** groupId → tier. */
  licenseGroups: ReadonlyMap<string, LicenseTier>;
};

export type AccessInput = {
  /** SCIM `active`; false means no access whatever the groups say. */
  active: boolean;
  groupIds: ReadonlySet<string>;
};

/** Only groups grant access: the admin group makes an admin, the active-user group a user, neither nobody. */
export function resolveRole(input: AccessInput, mapping: Mapping): UserRole {
  if (!input.active) return "none";
  if (mapping.adminGroupId && input.groupIds.has(mapping.adminGroupId)) return "admin";
  if (mapping.userGroupId && input.groupIds.has(mapping.userGroupId)) return "user";
  return "none";
}

/** The lowest tier among the user's license groups (Starter < Team < Enterprise); none without access. */
export function resolveLicense(input: AccessInput, role: UserRole, mapping: Mapping): UserLicense {
  if (role === "none") return "none";
  let lowest: number | null = null;
  for (const groupId of input.groupIds) {
    const tier = mapping.licenseGroups.get(groupId);
    if (tier === undefined) continue;
    const rank = licenseTiers.indexOf(tier);
    if (lowest === null || rank < lowest) lowest = rank;
  }
  return lowest === null ? "none" : licenseTiers[lowest];
}

export type Access = { role: UserRole; license: UserLicense };

/** Role and license together, as every writer and the preview compute them. */
export function resolveAccess(input: AccessInput, mapping: Mapping): Access {
  const role = resolveRole(input, mapping);
  return { role, license: resolveLicense(input, role, mapping) };
}

/**
 * Setting up SCIM must not lock out the admin doing it: a manually created admin whom the IdP provisions too
 * stays a manual admin until the tenant maps an admin group; from then on only groups grant access.
 */
export function keepsManualAdmin(user: { source: "manual" | "scim"; role: UserRole }, active: boolean, mapping: Mapping): boolean {
  return user.source === "manual" && user.role === "admin" && active && !mapping.adminGroupId;
}

/** Without access a user is deactivated; with access, invited until their first sign-in, then active. */
export function resolveStatus(role: UserRole, hasSignedIn: boolean): UserStatus {
  if (role === "none") return "deactivated";
  return hasSignedIn ? "active" : "invited";
}
