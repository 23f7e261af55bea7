import { env } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { scimTenantUrl } from "@/lib/provisioning/scim-connection";
import { summarize } from "@/lib/activity-summary";
import type { ScimResult } from "./responses";
import { SCHEMA, allSchemas, commonAttributes, resourceSchemas, type Attribute, type ResourceSchema } from "./schemas";
import { listResponse } from "./serialize";

/**
 * RFC 7643 §7: every characteristic spelled out, defaults included, so that clients which build typed models from
 * /Schemas need no defaults of their own. `referenceTypes` only on references, `subAttributes` only on complex.
 */
function describeAttribute(a: Attribute): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued ?? false,
    description: a.description ?? a.name,
    required: a.required ?? false,
    caseExact: a.caseExact ?? false,
    mutability: a.mutability ?? "readWrite",
    returned: a.returned ?? "default",
    uniqueness: a.uniqueness ?? "none",
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(describeAttribute) } : {}),
  };
}

const coreSchemaIds = new Set(Object.values(resourceSchemas).map((r) => r.core.id));

/**
 * One schema as served by /Schemas. Core schemas also list the common attributes id, externalId and meta, as
 * RFC 7643 §3.1 allows, so that every attribute a resource carries — meta.location included — is described.
 */
function describeSchema(schema: ResourceSchema) {
  const attributes = coreSchemaIds.has(schema.id) ? [...schema.attributes, ...commonAttributes] : schema.attributes;
  return {
    schemas: [SCHEMA.schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: attributes.map(describeAttribute),
    meta: { resourceType: "Schema", location: `${scimTenantUrl()}/Schemas/${schema.id}` },
  };
}

const resourceTypes = () =>
  (["User", "Group"] as const).map((name) => ({
    schemas: [SCHEMA.resourceType],
    id: name,
    name,
    endpoint: name === "User" ? "/Users" : "/Groups",
    description: name === "User" ? "User Account" : "Group",
    schema: resourceSchemas[name].core.id,
    schemaExtensions: resourceSchemas[name].extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: "ResourceType", location: `${scimTenantUrl()}/ResourceTypes/${name}` },
  }));

/** Sally's ServiceProviderConfig extension: request limits beyond the ones RFC 7644 defines. */
export const LIMITS_EXTENSION = "urn:sally:params:scim:schemas:extension:limits:2.0:ServiceProviderConfig";

/** RFC 7644 §4 and RFC 9865 §4: what this service provider supports, with its limits. */
export function serviceProviderConfig(): ScimResult {
  const { maxPageSize, maxPayloadBytes, maxBulkOperations, rateLimitPerMinute } = env().scim;
  return {
    status: 200,
    body: {
      schemas: [SCHEMA.serviceProviderConfig, LIMITS_EXTENSION],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: maxBulkOperations, maxPayloadSize: maxPayloadBytes },
      filter: { supported: true, maxResults: maxPageSize },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      pagination: {
        cursor: true,
        index: true,
        defaultPaginationMethod: "index",
        defaultPageSize: maxPageSize,
        maxPageSize,
        cursorTimeout: 3600,
      },
      authenticationSchemes: [
        {
          type: "oauthbearertoken",
          name: "Bearer token",
          description: "The token from Settings → Users → SCIM Integration, as `Authorization: Bearer <token>`",
          primary: true,
        },
      ],
      // RFC 7643 §3.3 extension: the limits RFC 7644 §5 has no attribute for (every request body, not only Bulk,
      // is capped at maxPayloadSize; over the rate, 429 with Retry-After).
      [LIMITS_EXTENSION]: { maxPayloadSize: maxPayloadBytes, rateLimit: { requestsPerMinute: rateLimitPerMinute, per: "tenant" } },
      meta: { resourceType: "ServiceProviderConfig", location: `${scimTenantUrl()}/ServiceProviderConfig` },
    },
    summary: summarize("readServiceProviderConfig"),
  };
}

/** GET /ResourceTypes and /ResourceTypes/{id}. */
export function getResourceTypes(id?: string): ScimResult {
  const all = resourceTypes();
  if (id === undefined) return { status: 200, body: listResponse(all, all.length, 1), summary: summarize("readResourceTypes") };
  const one = all.find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (!one) throw new NotFoundError(`ResourceType ${id} not found`);
  return { status: 200, body: one, summary: summarize("readResourceType", { id: one.id }) };
}

/** GET /Schemas and /Schemas/{urn}. The common attributes (id, externalId, meta) belong to every resource. */
export function getSchemas(id?: string): ScimResult {
  const described = allSchemas.map(describeSchema);
  if (id === undefined) return { status: 200, body: listResponse(described, described.length, 1), summary: summarize("readSchemas") };
  const one = described.find((s) => s.id.toLowerCase() === id.toLowerCase());
  if (!one) throw new NotFoundError(`Schema ${id} not found`);
  return { status: 200, body: one, summary: summarize("readSchema", { name: one.name }) };
}

