import { ValidationError } from "@/lib/errors";
import { parseFilter, type Filter } from "./filter-parse";
import {
  coreAndCommon,
  extensionUrn,
  findAttribute as findAttributeIn,
  findSubAttribute,
  resourceSchemas,
  type Attribute,
  type ResourceKind,
} from "./schemas";

/** Where a PATCH path points: a whole extension object, or an attribute (maybe filtered, maybe a sub-attribute). */
export type PatchTarget = { type: "extension"; urn: string } | AttributeTarget;

export type AttributeTarget = {
  type: "attribute";
  /** Key of the extension object holding the attribute (`urn:…:enterprise:2.0:User`), or null for the top level. */
  container: string | null;
  /** Canonical attribute name when known, else as sent (unknown attributes round-trip). */
  name: string;
  definition: Attribute | null;
  filter: Filter | null;
  sub: string | null;
  subDefinition: Attribute | null;
};

// RFC 7644 §3.5.2 Figure 1 / RFC 7643 §2.1: [URI ":"] ATTRNAME [ "." subAttr ]; `$ref` is a valid name too.
const ATTR_PATH = /^(?:urn:[^\s"[\]]+:)?[a-z$][\w$-]*(?:\.[a-z$][\w$-]*)?$/i;
const SUB_ATTR = /^\.([a-z$][\w$-]*)$/i;

const invalidPath = (path: string, why = "is not a valid attribute path (RFC 7644 §3.5.2)") =>
  new ValidationError(`PATCH path ${JSON.stringify(path)} ${why}`, "invalidPath");

/** Resolves a PATCH path case-insensitively against the resource's schemas; unknown attributes get no definition. */
export function resolveTarget(kind: ResourceKind, path: string): PatchTarget {
  const { attrPath, filter, subAttr } = splitPath(path);
  const urn = extensionUrn(kind, attrPath);
  if (urn) {
    if (filter || subAttr) throw invalidPath(path);
    return { type: "extension", urn };
  }
  const { container, rest } = splitSchemaPrefix(kind, attrPath);
  const [head, inner] = rest.split(".");
  if (inner !== undefined && (filter || subAttr)) throw invalidPath(path);
  const sub = inner ?? subAttr;
  const found = findAttribute(kind, container, head);
  const { definition } = found;
  if (definition && sub && definition.type !== "complex") {
    throw invalidPath(path, `is not valid: "${definition.name}" has no sub-attributes`);
  }
  if (definition && filter && !definition.multiValued) {
    throw invalidPath(path, "is not valid: only multi-valued attributes take a filter");
  }
  const subDefinition = definition && sub ? (findSubAttribute(definition, sub) ?? null) : null;
  return {
    type: "attribute",
    container: found.container,
    name: definition?.name ?? head,
    definition,
    filter,
    sub: subDefinition?.name ?? sub ?? null,
    subDefinition,
  };
}

/** Does a key of a pathless value name an extension object (`"urn:…:enterprise:2.0:User": {…}`), not an attribute? */
export function isExtensionKey(kind: ResourceKind, key: string): boolean {
  if (extensionUrn(kind, key)) return true;
  // Under one of our schema URNs the key is an attribute path (`urn:…:enterprise:2.0:User:manager`); any other
  // URN names an extension we do not know (Entra custom extensions), whose object is kept as sent.
  return /^urn:/i.test(key) && !ownSchema(kind, key);
}

/** Splits `attrPath[valFilter].subAttr` into its three parts; throws invalidPath on malformed syntax. */
function splitPath(path: string): { attrPath: string; filter: Filter | null; subAttr: string | null } {
  const open = path.indexOf("[");
  const attrPath = open === -1 ? path : path.slice(0, open);
  if (!ATTR_PATH.test(attrPath)) throw invalidPath(path);
  if (open === -1) return { attrPath, filter: null, subAttr: null };
  const close = closingBracket(path, open);
  if (close === -1) throw invalidPath(path, "has an unclosed '['");
  const rest = path.slice(close + 1);
  const subAttr = rest === "" ? null : SUB_ATTR.exec(rest)?.[1];
  if (subAttr === undefined) throw invalidPath(path);
  return { attrPath, filter: parseFilter(path.slice(open + 1, close)), subAttr };
}

/** Index of the `]` closing the value filter opened at `open`, skipping quoted strings; -1 if none. */
function closingBracket(path: string, open: number): number {
  let quoted = false;
  for (let i = open + 1; i < path.length; i++) {
    const c = path[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (c === "]" && !quoted) return i;
  }
  return -1;
}

/** Strips a schema URN prefix (RFC 7644 §3.10): ours map to their canonical URN, unknown ones split at the last ':'. */
function splitSchemaPrefix(kind: ResourceKind, attrPath: string): { container: string | null; rest: string } {
  const schema = ownSchema(kind, attrPath);
  if (schema) {
    const container = schema === resourceSchemas[kind].core ? null : schema.id;
    return { container, rest: attrPath.slice(schema.id.length + 1) };
  }
  if (!/^urn:/i.test(attrPath)) return { container: null, rest: attrPath };
  const colon = attrPath.lastIndexOf(":");
  return { container: attrPath.slice(0, colon), rest: attrPath.slice(colon + 1) };
}

/** The core or extension schema of this resource kind whose URN prefixes `attrPath`, if any. */
function ownSchema(kind: ResourceKind, attrPath: string) {
  const { core, extensions } = resourceSchemas[kind];
  return [core, ...extensions].find((schema) => attrPath.toLowerCase().startsWith(`${schema.id.toLowerCase()}:`));
}

function findAttribute(kind: ResourceKind, container: string | null, name: string) {
  const { extensions } = resourceSchemas[kind];
  const byName = (pool: Attribute[]) => findAttributeIn(pool, name) ?? null;
  if (container !== null) {
    return { container, definition: byName(extensions.find((s) => s.id === container)?.attributes ?? []) };
  }
  const definition = byName(coreAndCommon[kind]);
  if (definition) return { container, definition };
  // Entra sends the enterprise `manager` as a bare `path:"manager"` (Microsoft Learn, "Tutorial: Develop and plan provisioning for a SCIM endpoint"), without the URN that
  // RFC 7644 §3.10 asks for; core attributes win any clash.
  for (const schema of extensions) {
    const found = byName(schema.attributes);
    if (found) return { container: schema.id, definition: found };
  }
  return { container, definition: null };
}
