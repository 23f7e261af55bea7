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

const str = (name: string, description: string, extra: Partial<Attribute> = {}): Attribute => ({ name, type: "string", description, ...extra });
const bool = (name: string, description: string, extra: Partial<Attribute> = {}): Attribute => ({ name, type: "boolean", description, ...extra });
/** RFC 7643 §7: every reference attribute names what it may point at (a resource type, "external" or "uri"). */
const ref = (name: string, referenceTypes: string[], description: string, extra: Partial<Attribute> = {}): Attribute => ({
  name,
  type: "reference",
  referenceTypes,
  description,
  ...extra,
});

type ValueSpec = { type?: AttributeType; referenceTypes?: string[]; caseExact?: boolean; description: string };

/** A multi-valued complex attribute of the usual `value/display/type/primary` shape (RFC 7643 §2.4, §4.1.2). */
const multi = (name: string, description: string, value: ValueSpec, types: string[] = []): Attribute => ({
  name,
  type: "complex",
  multiValued: true,
  description,
  subAttributes: [
    {
      name: "value",
      type: value.type ?? "string",
      description: value.description,
      ...(value.referenceTypes ? { referenceTypes: value.referenceTypes } : {}),
      ...(value.caseExact !== undefined ? { caseExact: value.caseExact } : {}),
    },
    str("display", "A human-readable name, primarily used for display purposes"),
    str("type", `A label indicating the attribute's function${types.length ? `, e.g. ${types.map((t) => `'${t}'`).join(", ")}` : ""}`, types.length ? { canonicalValues: types } : {}),
    bool("primary", "Whether this is the preferred value of the attribute; at most one value is primary"),
  ],
});

// Attribute characteristics and canonical values follow RFC 7643 §8.7.1 (User, Group) and §8.7.2 (EnterpriseUser).
export const userSchema: ResourceSchema = {
  id: SCHEMA.user,
  name: "User",
  description: "User Account",
  attributes: [
    str("userName", "Unique identifier for the User, typically used to sign in; unique within the tenant", { required: true, uniqueness: "server" }),
    {
      name: "name",
      type: "complex",
      description: "The components of the user's real name",
      subAttributes: [
        str("formatted", "The full name, formatted for display"),
        str("familyName", "The family name of the User, or last name"),
        str("givenName", "The given name of the User, or first name"),
        str("middleName", "The middle name(s) of the User"),
        str("honorificPrefix", "The honorific prefix(es) of the User, or title, e.g. 'Ms.'"),
        str("honorificSuffix", "The honorific suffix(es) of the User, e.g. 'III'"),
      ],
    },
    str("displayName", "The name of the User, suitable for display to end-users"),
    str("nickName", "The casual way to address the user in real life"),
    ref("profileUrl", ["external"], "A fully qualified URL pointing to a page representing the User's online profile"),
    str("title", "The user's title, such as 'Vice President'"),
    str("userType", "The relationship between the organization and the user, e.g. 'Employee' or 'Contractor'"),
    str("preferredLanguage", "The User's preferred written or spoken language (RFC 7231 Accept-Language format)"),
    str("locale", "The User's default location for localizing, e.g. 'en-US'"),
    str("timezone", "The User's time zone in IANA Time Zone database format, e.g. 'Europe/Berlin'"),
    bool("active", "The User's administrative status; false means the user has no access to Sally"),
    str("password", "The User's cleartext password; accepted and discarded, never returned", { mutability: "writeOnly", returned: "never" }),
    multi("emails", "Email addresses for the user", { description: "Email address for the user (RFC 5321 addr-spec)" }, ["work", "home", "other"]),
    multi(
      "phoneNumbers",
      "Phone numbers for the User",
      { description: "Phone number of the User (RFC 3966 form recommended)" },
      ["work", "home", "mobile", "fax", "pager", "other"],
    ),
    multi("ims", "Instant messaging addresses for the User", { description: "Instant messaging address for the User" }, [
      "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo",
    ]),
    multi(
      "photos",
      "URLs of images of the User",
      { type: "reference", referenceTypes: ["external"], description: "URL of a photo of the User" },
      ["photo", "thumbnail"],
    ),
    {
      name: "addresses",
      type: "complex",
      multiValued: true,
      description: "A physical mailing address for this User",
      subAttributes: [
        str("formatted", "The full mailing address, formatted for display or use with a mailing label"),
        str("streetAddress", "The full street address component"),
        str("locality", "The city or locality component"),
        str("region", "The state or region component"),
        str("postalCode", "The zip code or postal code component"),
        str("country", "The country name component (ISO 3166-1 alpha-2)"),
        str("type", "A label indicating the attribute's function, e.g. 'work' or 'home'", { canonicalValues: ["work", "home", "other"] }),
        bool("primary", "Whether this is the preferred mailing address"),
      ],
    },
    {
      name: "groups",
      type: "complex",
      multiValued: true,
      mutability: "readOnly",
      description: "The groups the user belongs to; changed through the Group resource, not here",
      subAttributes: [
        str("value", "The id of the Group", { mutability: "readOnly" }),
        ref("$ref", ["Group"], "The URI of the Group", { mutability: "readOnly", caseExact: true }),
        str("display", "The displayName of the Group", { mutability: "readOnly" }),
        str("type", "How the membership is derived: 'direct' or 'indirect'", { mutability: "readOnly", canonicalValues: ["direct", "indirect"] }),
      ],
    },
    multi("entitlements", "Entitlements of the User", { description: "The value of an entitlement" }),
    multi("roles", "Roles of the User", { description: "The value of a role" }),
    multi("x509Certificates", "X.509 certificates issued to the User", {
      type: "binary",
      // RFC 7643 §2.3.6: binary values are case exact.
      caseExact: true,
      description: "A DER-encoded X.509 certificate, base64",
    }),
  ],
};

export const enterpriseUserSchema: ResourceSchema = {
  id: SCHEMA.enterpriseUser,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person by the organization"),
    str("costCenter", "Identifies the name of a cost center"),
    str("organization", "Identifies the name of an organization"),
    str("division", "Identifies the name of a division"),
    str("department", "Identifies the name of a department"),
    {
      name: "manager",
      type: "complex",
      description: "The User's manager",
      subAttributes: [
        str("value", "The id of the SCIM resource representing the User's manager"),
        ref("$ref", ["User"], "The URI of the SCIM resource representing the User's manager", { caseExact: true }),
        str("displayName", "The displayName of the User's manager", { mutability: "readOnly" }),
      ],
    },
  ],
};

export const groupSchema: ResourceSchema = {
  id: SCHEMA.group,
  name: "Group",
  description: "Group",
  attributes: [
    str("displayName", "A human-readable name for the Group", { required: true }),
    {
      name: "members",
      type: "complex",
      multiValued: true,
      description: "The members of the Group (users of this tenant)",
      subAttributes: [
        str("value", "The id of the member", { mutability: "immutable" }),
        ref("$ref", ["User", "Group"], "The URI of the member", { mutability: "immutable", caseExact: true }),
        str("display", "The member's displayName, filled in by the server", { mutability: "readOnly" }),
        str("type", "The type of the member", { mutability: "immutable", canonicalValues: ["User", "Group"] }),
      ],
    },
  ],
};

/** RFC 7643 §3.1: attributes every resource has. */
export const commonAttributes: Attribute[] = [
  str("id", "The resource's unique identifier, issued by the service provider", {
    caseExact: true,
    mutability: "readOnly",
    returned: "always",
    uniqueness: "server",
  }),
  str("externalId", "The resource's identifier in the provisioning client (the identity provider)", { caseExact: true }),
  {
    name: "meta",
    type: "complex",
    mutability: "readOnly",
    description: "Resource metadata maintained by the service provider",
    subAttributes: [
      str("resourceType", "The name of the resource type of the resource", { caseExact: true, mutability: "readOnly" }),
      { name: "created", type: "dateTime", description: "When the resource was added to the service provider", mutability: "readOnly" },
      { name: "lastModified", type: "dateTime", description: "When the resource was last updated", mutability: "readOnly" },
      ref("location", ["uri"], "The URI of the resource being returned", { caseExact: true, mutability: "readOnly" }),
      str("version", "The version (ETag, RFC 7232) of the resource", { caseExact: true, mutability: "readOnly" }),
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

/** Each pool's attributes by lower-case name, the first of a name kept; built once per pool (the schemas' arrays). */
const indexes = new WeakMap<readonly Attribute[], Map<string, Attribute>>();

/**
 * Finds an attribute in a pool by name, case-insensitively (RFC 7643 §2.1). Pools are the schemas' own arrays
 * (or `coreAndCommon`), so each is indexed once: this is on the path of every resource served or written.
 */
export function findAttribute(pool: readonly Attribute[], name: string): Attribute | undefined {
  let index = indexes.get(pool);
  if (!index) {
    index = new Map();
    for (const attribute of pool) if (!index.has(lower(attribute.name))) index.set(lower(attribute.name), attribute);
    indexes.set(pool, index);
  }
  return index.get(lower(name));
}

/** Each resource's core attributes and the common ones (`id`, `externalId`, `meta`): one pool per kind. */
export const coreAndCommon: Record<ResourceKind, Attribute[]> = {
  User: [...resourceSchemas.User.core.attributes, ...commonAttributes],
  Group: [...resourceSchemas.Group.core.attributes, ...commonAttributes],
};

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
  const attribute = findAttribute(extension ? scope.attributes : coreAndCommon[kind], head);
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
