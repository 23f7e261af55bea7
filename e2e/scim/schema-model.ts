// Typed models of the server's resources, built the way a strict third-party client builds them: from the
// server's own /Schemas and /ResourceTypes, with SCIMMY (an independent SCIM 2.0 library). Every SCIM resource an
// e2e suite receives is validated against them (see expectJson in helpers.ts), so the advertised schema and what
// the server really returns cannot drift apart.
import { isDeepStrictEqual } from "node:util";
import SCIMMY from "scimmy";

type Json = Record<string, any>;
type SchemaDocument = { id: string; name: string; description: string; attributes: Json[] };
type ResourceTypeDocument = { id: string; name: string; schema: string; schemaExtensions?: { schema: string; required: boolean }[] };

/** One typed model per resource type; `relaxed` has no required attributes, for responses narrowed by `attributes`. */
export type ResourceModel = { name: string; schema: string; strict: SCIMMY.Types.SchemaDefinition; relaxed: SCIMMY.Types.SchemaDefinition };

const MUTABILITY: Record<string, boolean | string> = { readOnly: false, readWrite: true, immutable: "immutable", writeOnly: "writeOnly" };

/** SCIMMY defines the RFC 7643 §3.1 common attributes itself; the server's own listing of them is checked by the §7 walker. */
const COMMON = new Set(["id", "externalId", "meta"]);

/** An RFC 7643 §7 attribute definition as a SCIMMY Attribute; throws where SCIMMY finds the definition invalid. */
function toAttribute(definition: Json, relaxed: boolean): SCIMMY.Types.Attribute {
  const config = {
    required: relaxed ? false : definition.required,
    multiValued: definition.multiValued,
    description: definition.description,
    caseExact: definition.caseExact,
    canonicalValues: definition.canonicalValues ?? false,
    referenceTypes: definition.referenceTypes ?? false,
    uniqueness: definition.uniqueness,
    mutable: MUTABILITY[definition.mutability],
    returned: definition.returned,
  };
  const subAttributes = (definition.subAttributes ?? []).map((sub: Json) => toAttribute(sub, relaxed));
  return new SCIMMY.Types.Attribute(definition.type, definition.name, config, subAttributes);
}

function toDefinition(name: string, schema: SchemaDocument, relaxed: boolean): SCIMMY.Types.SchemaDefinition {
  const attributes = schema.attributes.filter((a) => !COMMON.has(a.name)).map((a) => toAttribute(a, relaxed));
  return new SCIMMY.Types.SchemaDefinition(name, schema.id, schema.description, attributes);
}

/** Builds a model for every resource type from the documents GET /Schemas and GET /ResourceTypes returned. */
export function buildModels(schemas: SchemaDocument[], resourceTypes: ResourceTypeDocument[]): ResourceModel[] {
  const byId = new Map(schemas.map((s) => [s.id, s]));
  const find = (id: string) => {
    const schema = byId.get(id);
    if (!schema) throw new Error(`ResourceTypes names the schema ${id}, which /Schemas does not serve`);
    return schema;
  };
  return resourceTypes.map((type) => {
    const build = (relaxed: boolean) => {
      const definition = toDefinition(type.name, find(type.schema), relaxed);
      for (const extension of type.schemaExtensions ?? []) {
        const schema = find(extension.schema);
        definition.extend(toDefinition(schema.name, schema, relaxed), relaxed ? false : extension.required);
      }
      return definition;
    };
    return { name: type.name, schema: type.schema, strict: build(false), relaxed: build(true) };
  });
}

/**
 * The violations of one resource against its model: what SCIMMY refuses (missing required attributes, wrong types,
 * a collection for a single value, a non-canonical value, a reference of the wrong kind…), and every value SCIMMY
 * drops or changes when it round-trips the resource through the model (an attribute the schema does not declare,
 * one declared `returned: "never"`, a dateTime that is not in ISO form).
 */
export function resourceViolations(models: ResourceModel[], resource: Json, projected: boolean): string[] {
  const core = Array.isArray(resource.schemas) ? resource.schemas[0] : undefined;
  const model = models.find((m) => m.schema === core);
  if (!model) return [`schemas[0] is ${JSON.stringify(core)}, the schema of no advertised resource type`];
  let coerced: Json;
  try {
    coerced = JSON.parse(JSON.stringify((projected ? model.relaxed : model.strict).coerce(resource, "out")));
  } catch (error) {
    return [`SCIMMY refuses the ${model.name}: ${(error as Error).message}`];
  }
  return differences(resource, coerced, "");
}

/** Paths where `sent` has a value that the round-tripped copy lacks or changed. */
function differences(sent: unknown, back: unknown, path: string): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(back) || back.length !== sent.length) return [`${path} did not survive the schema round trip`];
    return sent.flatMap((item, i) => differences(item, back[i], `${path}[${i}]`));
  }
  if (typeof sent === "object" && sent !== null) {
    if (typeof back !== "object" || back === null) return [`${path} did not survive the schema round trip`];
    const lookup = back as Json;
    return Object.entries(sent).flatMap(([key, value]) => {
      const match = Object.keys(lookup).find((k) => k.toLowerCase() === key.toLowerCase());
      const at = path ? `${path}.${key}` : key;
      if (match === undefined) return value === null ? [] : [`${at} is not declared by the advertised schema (or is never returned)`];
      return differences(value, lookup[match], at);
    });
  }
  return isDeepStrictEqual(sent, back) ? [] : [`${path} is ${JSON.stringify(sent)}, which the schema reads as ${JSON.stringify(back)}`];
}

const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/** The violations of a response body: a resource, or each resource of a ListResponse; other messages have none. */
export function bodyViolations(models: ResourceModel[], body: Json, projected: boolean): string[] {
  const schemas: string[] = Array.isArray(body?.schemas) ? body.schemas : [];
  if (schemas.includes(LIST_RESPONSE)) {
    const resources: Json[] = Array.isArray(body.Resources) ? body.Resources : [];
    return resources.flatMap((resource, i) => {
      const [core] = resource?.schemas ?? [];
      if (!models.some((m) => m.schema === core)) return [];
      return resourceViolations(models, resource, projected).map((v) => `Resources[${i}]: ${v}`);
    });
  }
  if (models.some((m) => m.schema === schemas[0])) return resourceViolations(models, body, projected);
  return [];
}
