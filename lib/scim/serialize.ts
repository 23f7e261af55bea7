import type { ScimGroupRow, Member } from "@/db/queries/scim-groups";
import type { ScimUserRow } from "@/db/queries/scim-users";
import { scimTenantUrl } from "@/lib/provisioning/scim-connection";
import type { JsonObject } from "./canonicalize";
import { etag } from "./responses";
import { SCHEMA } from "./schemas";

export const location = (kind: "Users" | "Groups", id: string) => `${scimTenantUrl()}/${kind}/${id}`;

/**
 * RFC 7643 §3: `schemas` names the core schema and every extension the resource carries — ours (stored under its
 * URN) and unknown ones kept as sent (an Entra custom extension), whether the IdP listed them or a PATCH added them.
 */
function schemasOf(core: string, sent: unknown, attributes: JsonObject): string[] {
  const listed = Array.isArray(sent) ? sent.filter((s): s is string => typeof s === "string") : [];
  const carried = Object.keys(attributes).filter((key) => /^urn:/i.test(key));
  const present = [...listed, ...carried].filter((s) => s !== core && typeof attributes[s] === "object" && attributes[s] !== null);
  return [core, ...new Set(present)];
}

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
  const { schemas: sent, ...attributes } = row.resource;
  return {
    schemas: schemasOf(SCHEMA.user, sent, attributes),
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
  return {
    schemas: schemasOf(SCHEMA.group, sent, attributes),
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
