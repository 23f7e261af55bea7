import type { ScimGroupRow, Member } from "@/db/queries/scim-groups";
import type { ScimUserRow } from "@/db/queries/scim-users";
import { scimTenantUrl } from "@/lib/provisioning/scim-connection";
import type { JsonObject } from "./canonicalize";
import { etag } from "./responses";
import { SCHEMA, coreAndCommon, findAttribute, resourceSchemas, type Attribute, type ResourceKind } from "./schemas";

export const location = (kind: "Users" | "Groups", id: string) => `${scimTenantUrl()}/${kind}/${id}`;

/**
 * RFC 7643 §3: `schemas` names the core schema and every extension the resource carries; it "MUST only contain
 * values defined as schema and schemaExtensions for the resource's resourceType", so only extensions we serve.
 */
function schemasOf(kind: ResourceKind, attributes: JsonObject): string[] {
  const { core, extensions } = resourceSchemas[kind];
  return [core.id, ...extensions.map((e) => e.id).filter((id) => typeof attributes[id] === "object" && attributes[id] !== null)];
}

/**
 * The stored attributes that /Schemas declares, each as its declared type. Attributes no schema declares (an Entra
 * custom extension, a template's extra field) stay stored as sent, so filters still find them, but are not
 * returned: RFC 7644 §3.3 lets the server ignore what it does not support, and strict clients that build models
 * from /Schemas (RFC 7643 §7) refuse resources with attributes those models lack. Numbers that template-driven
 * IdPs sent for string attributes are returned as strings.
 */
function declaredOnly(pool: Attribute[], stored: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(stored)) {
    const attribute = findAttribute(pool, key);
    if (!attribute || value === null || value === undefined) continue;
    out[attribute.name] = Array.isArray(value) ? value.map((item) => declaredValue(attribute, item)) : declaredValue(attribute, value);
  }
  return out;
}

function declaredValue(attribute: Attribute, value: unknown): unknown {
  if (attribute.type === "complex") {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    return declaredOnly(attribute.subAttributes ?? [], value as JsonObject);
  }
  const text = attribute.type === "string" || attribute.type === "reference" || attribute.type === "binary";
  return text && typeof value === "number" ? String(value) : value;
}

/** A stored resource's attributes as served: core and common attributes, then each of our extensions. */
function servedAttributes(kind: ResourceKind, stored: JsonObject): JsonObject {
  const { extensions } = resourceSchemas[kind];
  const out = declaredOnly(coreAndCommon[kind], stored);
  for (const extension of extensions) {
    const value = stored[extension.id];
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    const served = declaredOnly(extension.attributes, value as JsonObject);
    if (Object.keys(served).length) out[extension.id] = served;
  }
  return out;
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
  const attributes = servedAttributes("User", row.resource);
  return {
    schemas: schemasOf("User", attributes),
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
  const attributes = servedAttributes("Group", row.resource);
  return {
    schemas: schemasOf("Group", attributes),
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
