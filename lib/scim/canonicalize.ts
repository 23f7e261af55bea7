import { ValidationError } from "@/lib/errors";
import {
  coreAndCommon,
  extensionUrn,
  findAttribute,
  resourceSchemas,
  type Attribute,
  type ResourceKind,
} from "./schemas";

export type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Coerces one value to an attribute's type. IdPs send booleans as strings (Entra `"False"`, OneLogin templates
 * `"{$user.active}"`), so `"true"`/`"false"` in any case become booleans; everything else must match the type.
 * Returns undefined for null (RFC 7643 §2.5: null is "unassigned"; Entra sends explicit nulls).
 */
export function coerceValue(attribute: Attribute, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (attribute.multiValued) {
    const items = Array.isArray(value) ? value : [value];
    return items
      .map((item) => coerceValue({ ...attribute, multiValued: false }, item, path))
      .filter((item) => item !== undefined);
  }
  switch (attribute.type) {
    case "complex":
      if (!isObject(value)) throw new ValidationError(`Attribute "${path}" must be an object`, "invalidValue");
      return canonicalizeAttributes(attribute.subAttributes ?? [], value, path);
    case "boolean":
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === "true";
      throw new ValidationError(`Attribute "${path}" must be a boolean`, "invalidValue");
    case "integer":
    case "decimal":
      if (typeof value === "number") return value;
      throw new ValidationError(`Attribute "${path}" must be a number`, "invalidValue");
    default:
      // string, reference, dateTime, binary: strings; numbers are accepted as sent (template-driven IdPs).
      if (typeof value === "string" || typeof value === "number") return value;
      throw new ValidationError(`Attribute "${path}" must be a string`, "invalidValue");
  }
}

function canonicalizeAttributes(pool: Attribute[], input: JsonObject, prefix: string): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(input)) {
    const attribute = findAttribute(pool, key);
    if (!attribute) {
      // Unknown attributes are kept exactly as sent (IdP-specific extras must round-trip).
      if (value !== null && value !== undefined) out[key] = value;
      continue;
    }
    if (attribute.mutability === "readOnly" || attribute.mutability === "writeOnly") continue;
    const coerced = coerceValue(attribute, value, prefix ? `${prefix}.${attribute.name}` : attribute.name);
    if (coerced !== undefined) out[attribute.name] = coerced;
  }
  return out;
}

/**
 * Turns a request body into the stored resource: attribute names in their canonical case (RFC 7643 §2.1 makes
 * them case-insensitive), booleans coerced, nulls dropped, read-only (`id`, `meta`, `groups`) and write-only
 * (`password`, which Okta always sends) attributes removed, extensions keyed by their URN, unknown kept as sent.
 */
export function canonicalizeResource(kind: ResourceKind, body: JsonObject): JsonObject {
  const pool = coreAndCommon[kind];
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === "schemas") {
      if (!Array.isArray(value) || !value.every((s) => typeof s === "string")) {
        throw new ValidationError('"schemas" must be an array of URIs', "invalidValue");
      }
      out.schemas = value;
      continue;
    }
    const urn = extensionUrn(kind, key);
    if (urn) {
      if (value === null) continue;
      if (!isObject(value)) throw new ValidationError(`Extension "${urn}" must be an object`, "invalidValue");
      const extension = resourceSchemas[kind].extensions.find((s) => s.id === urn)!;
      out[urn] = canonicalizeAttributes(extension.attributes, value, urn);
      continue;
    }
    Object.assign(out, canonicalizeAttributes(pool, { [key]: value }, ""));
  }
  // Group members are stored as rows (lib/scim/groups), never inside the resource.
  if (kind === "Group") delete out.members;
  delete out.id;
  delete out.meta;
  return out;
}

/** The value of the primary email, else the first, else null. */
export function primaryEmail(resource: JsonObject): string | null {
  const emails = Array.isArray(resource.emails) ? (resource.emails as JsonObject[]) : [];
  const chosen = emails.find((e) => e?.primary === true) ?? emails[0];
  return typeof chosen?.value === "string" ? chosen.value : null;
}

/** The indexed columns of a stored User resource; validates what the columns require. */
export function userColumns(resource: JsonObject) {
  const userName = resource.userName;
  if (typeof userName !== "string" || userName.trim() === "") {
    throw new ValidationError('"userName" is required and must be a non-empty string', "invalidValue");
  }
  const displayName = typeof resource.displayName === "string" ? resource.displayName : null;
  return {
    userName,
    externalId: typeof resource.externalId === "string" ? resource.externalId : null,
    displayName,
    email: primaryEmail(resource),
    active: resource.active !== false,
  };
}

/** The indexed columns of a stored Group resource. */
export function groupColumns(resource: JsonObject) {
  const displayName = resource.displayName;
  if (typeof displayName !== "string" || displayName.trim() === "") {
    throw new ValidationError('"displayName" is required and must be a non-empty string', "invalidValue");
  }
  return { displayName, externalId: typeof resource.externalId === "string" ? resource.externalId : null };
}
