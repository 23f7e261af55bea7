import type { ScimGroupRow, Member } from "@/db/queries/scim-groups";
import type { ScimUserRow } from "@/db/queries/scim-users";
import { scimTenantUrl } from "@/lib/provisioning/scim-connection";
import type { JsonObject } from "./canonicalize";
import { etag } from "./responses";
import { SCHEMA, enterpriseUserSchema } from "./schemas";

export const location = (kind: "Users" | "Groups", id: string) => `${scimTenantUrl()}/${kind}/${id}`;

function meta(resourceType: "User" | "Group", row: { id: string; createdAt: Date; updatedAt: Date; version: number }) {
  return {
    resourceType,
    created: row.createdAt.toISOString(),
    lastModified: row.updatedAt.toISOString(),
    location: location(resourceType === "User" ? "Users" : "Groups", row.id),
    version: etag(row.version),
  };
}

/**
 * A stored User as the IdP sent it, plus what the server owns: `id`, `active` (always present), the read-only
 * `groups`, `meta`, and `schemas` naming exactly the schemas present (RFC 7643 §3).
 */
export function serializeUser(row: ScimUserRow, groups: { id: string; displayName: string }[] | null): JsonObject {
  const { schemas: _sent, ...attributes } = row.resource;
  const schemas: string[] = [SCHEMA.user];
  if (attributes[enterpriseUserSchema.id] !== undefined) schemas.push(enterpriseUserSchema.id);
  return {
    schemas,
    id: row.id,
    ...attributes,
    active: row.active,
    ...(groups
      ? { groups: groups.map((g) => ({ value: g.id, display: g.displayName, $ref: location("Groups", g.id), type: "direct" })) }
      : {}),
    meta: meta("User", row),
  };
}

/** A stored Group with its members (when read) as `{value, display, $ref, type}`. */
export function serializeGroup(row: ScimGroupRow, members: Member[] | null): JsonObject {
  const { schemas: sent, ...attributes } = row.resource;
  const extra = Array.isArray(sent) ? (sent as string[]).filter((s) => s !== SCHEMA.group && attributes[s] !== undefined) : [];
  return {
    schemas: [SCHEMA.group, ...extra],
    id: row.id,
    ...attributes,
    ...(members
      ? { members: members.map((m) => ({ value: m.value, display: m.display, $ref: location("Users", m.value), type: "User" })) }
      : {}),
    meta: meta("Group", row),
  };
}

export function listResponse(resources: JsonObject[], total: number, startIndex: number, extra: JsonObject = {}) {
  return {
    schemas: [SCHEMA.listResponse],
    totalResults: total,
    itemsPerPage: resources.length,
    startIndex,
    ...extra,
    Resources: resources,
  };
}
