import { sql, type SQL } from "drizzle-orm";
import { scimGroupMembers, scimGroups, scimUsers } from "@/db/schema";
import { jsonNode, type Operand } from "./filter-compare";
import { invalidFilter } from "./filter-parse";
import { findSubAttribute, resolvePath, type Attribute, type ResourceKind } from "./schemas";

/**
 * Where a filter or sortBy attribute path points:
 * - `operand`: one value (indexed column or jsonb node);
 * - `elements`: a multi-valued complex attribute stored as a jsonb array (`sub` null when none was named);
 * - `object`: a single-valued complex attribute named without a sub-attribute (`name`, `manager`);
 * - `membership`: Group `members` / User `groups`, which are rows of scim_group_members, not jsonb;
 * - `unsupported`: a defined attribute this service provider does not filter or sort on.
 */
export type Target =
  | { kind: "operand"; operand: Operand }
  | { kind: "elements"; node: SQL; attribute: Attribute; sub: Attribute | null }
  | { kind: "object"; node: SQL; attribute: Attribute }
  | { kind: "membership"; sub: Attribute | null }
  | { kind: "unsupported"; reason: string };

const table = (kind: ResourceKind) => (kind === "User" ? scimUsers : scimGroups);

/** Attributes with their own column (indexed, and kept in sync with `resource` on every write). */
function columnSql(kind: ResourceKind, name: string): SQL | null {
  const t = table(kind);
  switch (name) {
    case "id":
      // Compared as text so that a literal that is not a uuid matches nothing instead of failing the cast.
      return sql`${t.id}::text`;
    case "externalId":
      return sql`${t.externalId}`;
    case "displayName":
      return sql`${t.displayName}`;
    case "meta.created":
      return sql`${t.createdAt}`;
    case "meta.lastModified":
      return sql`${t.updatedAt}`;
    case "meta.resourceType":
      return sql`${kind}::text`;
    case "meta.version":
      // The weak ETag form meta.version is served in (RFC 7644 §3.14).
      return sql`concat('W/"', ${t.version}, '"')`;
    case "userName":
      return kind === "User" ? sql`${scimUsers.userName}` : null;
    case "active":
      return kind === "User" ? sql`${scimUsers.active}` : null;
    default:
      return null;
  }
}

/** Resolves a filter or sortBy attribute path (RFC 7644 §3.10 notation, case-insensitive per RFC 7643 §2.1). */
export function resolveTarget(kind: ResourceKind, path: string): Target {
  const resolved = resolvePath(kind, path);
  if (!resolved) return { kind: "operand", operand: unknownOperand(kind, path) };
  const { extension, attribute, subAttribute, names } = resolved;
  const name = names.join(".");
  const definition = subAttribute ?? attribute;
  if (!extension) {
    const column = columnSql(kind, name);
    if (column) return { kind: "operand", operand: { source: "column", sql: column, type: definition.type, caseExact: definition.caseExact ?? false } };
    if (attribute.name === "meta") return { kind: "unsupported", reason: `"${path}" is not supported in filters or sortBy` };
    // Group members and User groups are rows (scim_group_members), never part of `resource`.
    if (name.split(".")[0] === (kind === "Group" ? "members" : "groups")) return { kind: "membership", sub: subAttribute };
  }
  const resource = table(kind).resource;
  const keys = extension ? [extension, ...names] : names;
  if (attribute.multiValued) {
    return { kind: "elements", node: jsonNode(sql`${resource}`, keys.slice(0, extension ? 2 : 1)), attribute, sub: subAttribute };
  }
  if (attribute.type === "complex" && !subAttribute) return { kind: "object", node: jsonNode(sql`${resource}`, keys), attribute };
  const operand: Operand = { source: "json", base: sql`${resource}`, keys, type: definition.type, caseExact: definition.caseExact ?? false };
  return { kind: "operand", operand };
}

/** RFC 7644 §3.10 attribute notation: optional schema URN, attribute, optional sub-attribute. */
const ATTRIBUTE_PATH = /^(?:(urn:[^\s"()[\]]+):)?([A-Za-z][\w$-]*)(?:\.([A-Za-z$][\w$-]*))?$/i;

/**
 * An attribute the schema does not define. Such attributes are stored exactly as sent (canonicalize.ts), so the
 * filter reads them from `resource` by the name as given, as a case-insensitive string unless the filter value is
 * a boolean or number. They are never sortable.
 */
function unknownOperand(kind: ResourceKind, path: string): Operand {
  const match = ATTRIBUTE_PATH.exec(path);
  if (!match) throw invalidFilter(`"${path}" is not an attribute path (RFC 7644 §3.10)`);
  const keys = match.slice(1).filter((part): part is string => part !== undefined);
  return { source: "json", base: sql`${table(kind).resource}`, keys, type: "unknown", caseExact: false };
}

/** The sub-attribute `value` that a multi-valued attribute named alone stands for (`emails eq "x"`). */
export function defaultSubAttribute(attribute: Attribute): Attribute {
  const value = findSubAttribute(attribute, "value");
  if (!value) throw invalidFilter(`"${attribute.name}" needs a sub-attribute (RFC 7644 §3.4.2.2)`);
  return value;
}

/** A sub-attribute of one element of a complex attribute (`type` in `emails[type eq "work"]`), read from `base`. */
export function elementOperand(attribute: Attribute, base: SQL, path: string): Operand {
  const sub = findSubAttribute(attribute, path);
  if (sub) return { source: "json", base, keys: [sub.name], type: sub.type, caseExact: sub.caseExact ?? false };
  if (!/^[A-Za-z$][\w$-]*$/.test(path)) throw invalidFilter(`"${path}" is not a sub-attribute of "${attribute.name}"`);
  return { source: "json", base, keys: [path], type: "unknown", caseExact: false };
}

/** Which scim_group_members rows belong to the resource being filtered, and the column holding the other side's id. */
export function membership(kind: ResourceKind): { owned: SQL; value: SQL } {
  const m = scimGroupMembers;
  return kind === "Group"
    ? { owned: sql`${m.groupId} = ${scimGroups.id}`, value: sql`${m.userId}::text` }
    : { owned: sql`${m.userId} = ${scimUsers.id}`, value: sql`${m.groupId}::text` };
}

/** `members.value` / `groups.value`: the member's (or group's) SCIM id, caseExact like every id (RFC 7643 §3.1). */
export function membershipOperand(kind: ResourceKind, path: string): Operand {
  if (path.toLowerCase() !== "value") {
    throw invalidFilter(`Only "${kind === "Group" ? "members" : "groups"}.value" can be filtered on, not "${path}"`);
  }
  return { source: "column", sql: membership(kind).value, type: "string", caseExact: true };
}
