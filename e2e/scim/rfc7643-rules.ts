// The rules RFC 7643 §7 (Schema), §6 (ResourceType) and §2 (attribute characteristics) set for discovery
// documents, as a walker that lists every violation it finds. The e2e suite runs it on the server's own answers.

type Json = Record<string, any>;

const SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const RESOURCE_TYPE_URN = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

const TYPES = ["string", "boolean", "decimal", "integer", "dateTime", "reference", "complex", "binary"];
const MUTABILITY = ["readOnly", "readWrite", "immutable", "writeOnly"];
const RETURNED = ["always", "never", "default", "request"];
const UNIQUENESS = ["none", "server", "global"];
/** RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; "$ref" is the one exception (§2.3.7). */
const ATTRNAME = /^(?:[A-Za-z][\w-]*|\$ref)$/;
const ALLOWED_KEYS = new Set([
  "name", "type", "multiValued", "description", "required", "canonicalValues", "caseExact", "mutability", "returned",
  "uniqueness", "referenceTypes", "subAttributes",
]);
/** How writable a sub-attribute may be, at most, under a parent of each mutability. */
const NO_MORE_WRITABLE_THAN: Record<string, string[]> = {
  readOnly: ["readOnly"],
  immutable: ["readOnly", "immutable"],
  writeOnly: ["writeOnly"],
  readWrite: MUTABILITY,
};

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/** Every violation of one attribute definition (and its sub-attributes) against RFC 7643 §7 and §2. */
function attributeViolations(a: Json, where: string, referenceTargets: Set<string>, parent: Json | null): string[] {
  const out: string[] = [];
  const at = `${where}.${a?.name ?? "?"}`;
  const fail = (message: string) => out.push(`${at}: ${message}`);
  for (const key of Object.keys(a)) if (!ALLOWED_KEYS.has(key)) fail(`unknown characteristic "${key}"`);
  if (!isNonEmptyString(a.name) || !ATTRNAME.test(a.name)) fail(`name ${JSON.stringify(a.name)} is not an ATTRNAME (§2.1)`);
  if (!TYPES.includes(a.type)) fail(`type ${JSON.stringify(a.type)} is none of ${TYPES.join(", ")} (§2.3)`);
  for (const key of ["multiValued", "required", "caseExact"]) {
    if (typeof a[key] !== "boolean") fail(`${key} must be a boolean (§7)`);
  }
  if (!isNonEmptyString(a.description)) fail("description must be a non-empty string (§7)");
  if (a.description === a.name) fail("description only repeats the name");
  if (!MUTABILITY.includes(a.mutability)) fail(`mutability ${JSON.stringify(a.mutability)} is not valid (§7)`);
  if (!RETURNED.includes(a.returned)) fail(`returned ${JSON.stringify(a.returned)} is not valid (§7)`);
  if (a.type !== "boolean" && a.type !== "complex" && !UNIQUENESS.includes(a.uniqueness)) fail(`uniqueness ${JSON.stringify(a.uniqueness)} is not valid (§7)`);
  if (a.uniqueness !== undefined && !UNIQUENESS.includes(a.uniqueness)) fail(`uniqueness ${JSON.stringify(a.uniqueness)} is not valid (§7)`);
  if (a.canonicalValues !== undefined) {
    const values = a.canonicalValues;
    if (!Array.isArray(values) || values.length === 0 || !values.every(isNonEmptyString)) fail("canonicalValues must be a non-empty array of strings");
    else if (new Set(values).size !== values.length) fail("canonicalValues repeat a value");
  }
  // §7 referenceTypes: "A multi-valued array of JSON strings that indicate the SCIM resource types that may be
  // referenced", or "external" / "uri"; required for reference attributes, meaningless elsewhere.
  if (a.type === "reference") {
    const types = a.referenceTypes;
    if (!Array.isArray(types) || types.length === 0) fail("a reference attribute needs referenceTypes (§7)");
    else for (const t of types) if (!referenceTargets.has(t)) fail(`referenceTypes names ${JSON.stringify(t)}, no resource type, "external" or "uri"`);
  } else if (a.referenceTypes !== undefined) {
    fail("referenceTypes on an attribute that is not a reference");
  }
  // §2.3.6: binary values are case exact and have no uniqueness.
  if (a.type === "binary" && a.caseExact !== true) fail("a binary attribute is caseExact (§2.3.6)");
  if (a.type === "complex") {
    if (parent) fail("a sub-attribute cannot be complex (§2.3.8)");
    const subs = a.subAttributes;
    if (!Array.isArray(subs) || subs.length === 0) fail("a complex attribute needs subAttributes (§7)");
    else {
      const names = subs.map((s: Json) => String(s?.name).toLowerCase());
      if (new Set(names).size !== names.length) fail("subAttributes repeat a name (names are case-insensitive, §2.1)");
      for (const sub of subs) out.push(...attributeViolations(sub, at, referenceTargets, a));
    }
  } else if (a.subAttributes !== undefined) {
    fail("subAttributes on an attribute that is not complex");
  }
  if (parent && MUTABILITY.includes(parent.mutability) && !NO_MORE_WRITABLE_THAN[parent.mutability].includes(a.mutability)) {
    fail(`mutability ${a.mutability} under a ${parent.mutability} attribute`);
  }
  if (a.returned === "never" && a.mutability !== "writeOnly" && a.mutability !== "readWrite") {
    fail(`returned "never" on a ${a.mutability} attribute can never be seen or set`);
  }
  return out;
}

/**
 * Every violation of RFC 7643 §6 and §7 in the documents of GET /Schemas and GET /ResourceTypes (and of their
 * consistency with each other: every schema a resource type names is served, every reference type exists).
 */
export function discoveryViolations(schemas: Json[], resourceTypes: Json[], tenantUrl: string): string[] {
  const out: string[] = [];
  const referenceTargets = new Set(["external", "uri", ...resourceTypes.map((t) => t.name)]);
  const schemaIds = new Set<string>();
  for (const schema of schemas) {
    const where = `Schema ${schema?.id}`;
    const fail = (message: string) => out.push(`${where}: ${message}`);
    if (JSON.stringify(schema.schemas) !== JSON.stringify([SCHEMA_URN])) fail(`schemas must be ["${SCHEMA_URN}"]`);
    if (!isNonEmptyString(schema.id) || !/^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i.test(schema.id)) fail("id must be a URN (§7)");
    if (schemaIds.has(String(schema.id).toLowerCase())) fail("served twice");
    schemaIds.add(String(schema.id).toLowerCase());
    if (!isNonEmptyString(schema.name)) fail("name must be a non-empty string");
    if (!isNonEmptyString(schema.description)) fail("description must be a non-empty string");
    if (schema.meta?.resourceType !== "Schema") fail('meta.resourceType must be "Schema"');
    if (schema.meta?.location !== `${tenantUrl}/Schemas/${schema.id}`) fail(`meta.location ${schema.meta?.location} is not its URL`);
    const attributes = schema.attributes;
    if (!Array.isArray(attributes) || attributes.length === 0) {
      fail("attributes must be a non-empty array");
      continue;
    }
    const names = attributes.map((a: Json) => String(a?.name).toLowerCase());
    if (new Set(names).size !== names.length) fail("attributes repeat a name (names are case-insensitive, §2.1)");
    for (const attribute of attributes) out.push(...attributeViolations(attribute, where, referenceTargets, null));
  }
  const typeNames = new Set<string>();
  for (const type of resourceTypes) {
    const where = `ResourceType ${type?.id}`;
    const fail = (message: string) => out.push(`${where}: ${message}`);
    if (JSON.stringify(type.schemas) !== JSON.stringify([RESOURCE_TYPE_URN])) fail(`schemas must be ["${RESOURCE_TYPE_URN}"]`);
    for (const key of ["id", "name", "description"]) if (!isNonEmptyString(type[key])) fail(`${key} must be a non-empty string (§6)`);
    if (typeNames.has(type.name)) fail("name served twice");
    typeNames.add(type.name);
    if (!isNonEmptyString(type.endpoint) || !type.endpoint.startsWith("/")) fail("endpoint must be a path relative to the base URL (§6)");
    if (!schemaIds.has(String(type.schema).toLowerCase())) fail(`schema ${type.schema} is not served by /Schemas`);
    for (const extension of type.schemaExtensions ?? []) {
      if (!schemaIds.has(String(extension?.schema).toLowerCase())) fail(`extension ${extension?.schema} is not served by /Schemas`);
      if (typeof extension?.required !== "boolean") fail("schemaExtensions[].required must be a boolean (§6)");
    }
    if (type.meta?.resourceType !== "ResourceType") fail('meta.resourceType must be "ResourceType"');
    if (type.meta?.location !== `${tenantUrl}/ResourceTypes/${type.id}`) fail(`meta.location ${type.meta?.location} is not its URL`);
  }
  return out;
}
