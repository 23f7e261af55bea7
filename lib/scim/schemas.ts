// RFC 7643 §4 and §8.7.1: the User, EnterpriseUser and Group schemas this service provider supports.
// One registry serves /Schemas, attribute-name canonicalisation (names are case-insensitive, §2.1),
// type coercion of IdP dialects (Entra's "False"), filters and PATCH paths.

export const SCHEMA = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  enterpriseUser: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  searchRequest: "urn:ietf:params:scim:api:messages:2.0:SearchRequest",
  bulkRequest: "urn:ietf:params:scim:api:messages:2.0:BulkRequest",
  bulkResponse: "urn:ietf:params:scim:api:messages:2.0:BulkResponse",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
} as const;

export type AttributeType = "string" | "boolean" | "decimal" | "integer" | "dateTime" | "reference" | "complex" | "binary";

export type Attribute = {
  name: string;
  type: AttributeType;
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: "readOnly" | "readWrite" | "immutable" | "writeOnly";
  returned?: "always" | "never" | "default" | "request";
  uniqueness?: "none" | "server" | "global";
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: Attribute[];
  description?: string;
};

export type ResourceSchema = { id: string; name: string; description: string; attributes: Attribute[] };

const str = (name: string, extra: Partial<Attribute> = {}): Attribute => ({ name, type: "string", ...extra });
const bool = (name: string, extra: Partial<Attribute> = {}): Attribute => ({ name, type: "boolean", ...extra });

/** A multi-valued complex attribute of the usual `value/display/type/primary` shape (RFC 7643 §2.4). */
const multi = (name: string, valueType: AttributeType = "string", types: string[] = [], more: Attribute[] = []): Attribute => ({
  name,
  type: "complex",
  multiValued: true,
  subAttributes: [
    { name: "value", type: valueType },
    str("display"),
    str("type", types.length ? { canonicalValues: types } : {}),
    bool("primary"),
    ...more,
  ],
});

export const userSchema: ResourceSchema = {
  id: SCHEMA.user,
  name: "User",
  description: "User Account",
  attributes: [
    str("userName", { required: true, uniqueness: "server" }),
    {
      name: "name",
      type: "complex",
      subAttributes: [
        str("formatted"),
        str("familyName"),
        str("givenName"),
        str("middleName"),
        str("honorificPrefix"),
        str("honorificSuffix"),
      ],
    },
    str("displayName"),
    str("nickName"),
    { name: "profileUrl", type: "reference", referenceTypes: ["external"] },
    str("title"),
    str("userType"),
    str("preferredLanguage"),
    str("locale"),
    str("timezone"),
    bool("active"),
    str("password", { mutability: "writeOnly", returned: "never" }),
    multi("emails", "string", ["work", "home", "other"]),
    multi("phoneNumbers", "string", ["work", "home", "mobile", "fax", "pager", "other"]),
    multi("ims", "string", ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
    multi("photos", "reference", ["photo", "thumbnail"]),
    {
      name: "addresses",
      type: "complex",
      multiValued: true,
      subAttributes: [
        str("formatted"),
        str("streetAddress"),
        str("locality"),
        str("region"),
        str("postalCode"),
        str("country"),
        str("type", { canonicalValues: ["work", "home", "other"] }),
        bool("primary"),
      ],
    },
    {
      name: "groups",
      type: "complex",
      multiValued: true,
      mutability: "readOnly",
      subAttributes: [
        str("value", { mutability: "readOnly" }),
        { name: "$ref", type: "reference", referenceTypes: ["Group"], mutability: "readOnly" },
        str("display", { mutability: "readOnly" }),
        str("type", { mutability: "readOnly", canonicalValues: ["direct", "indirect"] }),
      ],
    },
    multi("entitlements"),
    multi("roles"),
    multi("x509Certificates", "binary"),
  ],
};

export const enterpriseUserSchema: ResourceSchema = {
  id: SCHEMA.enterpriseUser,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    str("employeeNumber"),
    str("costCenter"),
    str("organization"),
    str("division"),
    str("department"),
    {
      name: "manager",
      type: "complex",
      subAttributes: [
        str("value"),
        { name: "$ref", type: "reference", referenceTypes: ["User"] },
        str("displayName", { mutability: "readOnly" }),
      ],
    },
  ],
};

export const groupSchema: ResourceSchema = {
  id: SCHEMA.group,
  name: "Group",
  description: "Group",
  attributes: [
    str("displayName", { required: true }),
    {
      name: "members",
      type: "complex",
      multiValued: true,
      subAttributes: [
        str("value", { mutability: "immutable" }),
        { name: "$ref", type: "reference", referenceTypes: ["User", "Group"], mutability: "immutable" },
        str("display"),
        str("type", { mutability: "immutable", canonicalValues: ["User", "Group"] }),
      ],
    },
  ],
};

/** RFC 7643 §3.1: attributes every resource has. */
export const commonAttributes: Attribute[] = [
  str("id", { caseExact: true, mutability: "readOnly", returned: "always", uniqueness: "server" }),
  str("externalId", { caseExact: true }),
  {
    name: "meta",
    type: "complex",
    mutability: "readOnly",
    subAttributes: [
      str("resourceType", { caseExact: true }),
      { name: "created", type: "dateTime" },
      { name: "lastModified", type: "dateTime" },
      { name: "location", type: "reference", caseExact: true },
      str("version", { caseExact: true }),
    ],
  },
];

export type ResourceKind = "User" | "Group";

export const resourceSchemas: Record<ResourceKind, { core: ResourceSchema; extensions: ResourceSchema[] }> = {
  User: { core: userSchema, extensions: [enterpriseUserSchema] },
  Group: { core: groupSchema, extensions: [] },
};

export const allSchemas = [userSchema, enterpriseUserSchema, groupSchema];

/** A resolved attribute path: `emails.value`, `name.givenName`, `urn:…:enterprise:2.0:User:manager.value`. */
export type ResolvedPath = {
  /** The extension schema URN when the attribute lives in an extension, else null. */
  extension: string | null;
  attribute: Attribute;
  subAttribute: Attribute | null;
  /** Canonical spelling, e.g. ["name", "givenName"]. */
  names: string[];
};

const lower = (s: string) => s.toLowerCase();

/**
 * Resolves an attribute path case-insensitively against a resource's core schema, its extensions and the
 * common attributes. Returns null for unknown attributes (callers decide: keep as sent, or invalidPath).
 */
export function resolvePath(kind: ResourceKind, path: string): ResolvedPath | null {
  const { core, extensions } = resourceSchemas[kind];
  let rest = path;
  let scope: ResourceSchema = core;
  let extension: string | null = null;
  for (const schema of [core, ...extensions]) {
    // Full URN prefix: "urn:…:User:employeeNumber" (RFC 7644 §3.10). The core URN may prefix core attributes.
    if (lower(path).startsWith(lower(schema.id) + ":")) {
      rest = path.slice(schema.id.length + 1);
      scope = schema;
      extension = schema === core ? null : schema.id;
      break;
    }
  }
  const [head, sub, ...more] = rest.split(".");
  if (more.length) return null;
  const pool = extension ? scope.attributes : [...scope.attributes, ...commonAttributes];
  const attribute = pool.find((a) => lower(a.name) === lower(head));
  if (!attribute) return null;
  if (sub === undefined) return { extension, attribute, subAttribute: null, names: [attribute.name] };
  const subAttribute = attribute.subAttributes?.find((a) => lower(a.name) === lower(sub));
  if (!subAttribute) return null;
  return { extension, attribute, subAttribute, names: [attribute.name, subAttribute.name] };
}

/** Finds a sub-attribute definition of a complex attribute, case-insensitively. */
export function findSubAttribute(attribute: Attribute, name: string): Attribute | undefined {
  return attribute.subAttributes?.find((a) => lower(a.name) === lower(name));
}

/** Is `name` the URN of an extension schema of this resource kind? Returns its canonical URN. */
export function extensionUrn(kind: ResourceKind, name: string): string | null {
  return resourceSchemas[kind].extensions.find((s) => lower(s.id) === lower(name))?.id ?? null;
}
