import type { JsonObject } from "./canonicalize";
import { parseFilter, type Filter } from "./filter-parse";
import { matchesFilter } from "./patch-filter";
import { resolvePath, type Attribute, type ResourceKind } from "./schemas";

export type Projection = { attributes: string[]; excludedAttributes: string[] };

/** Returned whatever `attributes`/`excludedAttributes` say (RFC 7643 §7 `returned: "always"`). */
const ALWAYS = new Set(["id", "schemas"]);

/**
 * One entry of `attributes`/`excludedAttributes`, resolved: the key segments in a serialised resource
 * (`["name","givenName"]`, `["urn:…:User","manager","value"]`) and, for a value path such as
 * `emails[type eq "work"]` or `emails[type eq "work"].value`, the filter on the multi-valued attribute's values.
 */
type Selection = { segments: string[]; filter: { attribute: Attribute; filter: Filter; depth: number } | null };

/** `attr[filter]` or `attr[filter].sub` (RFC 7644 §3.10 valuePath, as clients also send it in `attributes`). */
const VALUE_PATH = /^([^[\]]+)\[(.*)\](?:\.([A-Za-z$][\w$-]*))?$/s;

/** Resolves one entry; unknown attributes and unparseable filters give null (the entry is ignored). */
function select(kind: ResourceKind, path: string): Selection | null {
  const valuePath = VALUE_PATH.exec(path.trim());
  if (!valuePath) {
    const resolved = resolvePath(kind, path.trim());
    if (!resolved) return null;
    return { segments: resolved.extension ? [resolved.extension, ...resolved.names] : resolved.names, filter: null };
  }
  const [, attributePath, filterText, sub] = valuePath;
  const resolved = resolvePath(kind, sub ? `${attributePath}.${sub}` : attributePath);
  if (!resolved?.attribute.multiValued) return null;
  let filter: Filter;
  try {
    filter = parseFilter(filterText);
  } catch {
    return null;
  }
  const segments = resolved.extension ? [resolved.extension, ...resolved.names] : resolved.names;
  return { segments, filter: { attribute: resolved.attribute, filter, depth: resolved.extension ? 2 : 1 } };
}

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Copies the value at `segments` from `source` into `target`, walking through multi-valued arrays. */
function copyPath(source: unknown, target: JsonObject, segments: string[]): void {
  const [head, ...rest] = segments;
  if (!isObject(source) || source[head] === undefined) return;
  const value = source[head];
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  if (Array.isArray(value)) {
    const existing = Array.isArray(target[head]) ? (target[head] as JsonObject[]) : value.map(() => ({}));
    value.forEach((item, i) => copyPath(item, existing[i], rest));
    target[head] = existing;
  } else {
    const child = isObject(target[head]) ? (target[head] as JsonObject) : {};
    copyPath(value, child, rest);
    target[head] = child;
  }
}

/** Deletes the value at `segments`, walking through multi-valued arrays. */
function deletePath(target: unknown, segments: string[]): void {
  const [head, ...rest] = segments;
  if (Array.isArray(target)) return target.forEach((item) => deletePath(item, segments));
  if (!isObject(target)) return;
  if (rest.length === 0) delete target[head];
  else deletePath(target[head], rest);
}

/** The object holding the multi-valued attribute of a value path (the resource, or its extension object). */
function holderOf(resource: JsonObject, segments: string[], depth: number): JsonObject | null {
  let holder: unknown = resource;
  for (const key of segments.slice(0, depth - 1)) holder = isObject(holder) ? holder[key] : undefined;
  return isObject(holder) ? holder : null;
}

/**
 * Copies the values of a multi-valued attribute that match the selection's filter (their `sub` only, when one is
 * named) into `target`, at their positions; returns those positions so that unmatched values can be left out.
 */
function copyMatching(source: JsonObject, target: JsonObject, selection: Selection): number[] {
  const { segments, filter } = selection;
  const depth = filter!.depth;
  const from = holderOf(source, segments, depth);
  const key = segments[depth - 1];
  const values = from?.[key];
  if (!Array.isArray(values)) return [];
  const matching = values.flatMap((value, i) => (matchesFilter(value, filter!.filter, filter!.attribute) ? [i] : []));
  if (matching.length === 0) return [];
  let into = target;
  for (const part of segments.slice(0, depth - 1)) into = (into[part] = isObject(into[part]) ? into[part] : {}) as JsonObject;
  const copied = Array.isArray(into[key]) ? (into[key] as unknown[]) : values.map(() => ({}));
  const sub = segments[depth];
  for (const i of matching) {
    const value = values[i];
    if (sub === undefined || !isObject(value)) copied[i] = value;
    else if (value[sub] !== undefined) (copied[i] as JsonObject)[sub] = value[sub];
  }
  into[key] = copied;
  return matching;
}

/** Would this projection return the top-level attribute? Lets handlers skip reading group members entirely. */
export function includesAttribute(kind: ResourceKind, projection: Projection, attribute: string): boolean {
  if (projection.attributes.length > 0) return projection.attributes.some((p) => select(kind, p)?.segments[0] === attribute);
  return !projection.excludedAttributes.some((p) => {
    const selection = select(kind, p);
    return selection?.segments[0] === attribute && selection.segments.length === 1 && !selection.filter;
  });
}

/**
 * RFC 7644 §3.4.2.5 and §3.9: `attributes` returns only the named attributes (plus `id` and `schemas`);
 * `excludedAttributes` removes the named ones. Names are case-insensitive; sub-attributes (`name.givenName`,
 * `emails.value`) and URN-qualified extension attributes work in both. A value path (`emails[type eq "work"]`,
 * RFC 7644 §3.10) selects or removes only the matching values. Unknown names are ignored.
 */
export function project(kind: ResourceKind, resource: JsonObject, projection: Projection): JsonObject {
  if (projection.attributes.length > 0) return include(kind, resource, projection.attributes);
  if (projection.excludedAttributes.length === 0) return resource;
  const out = structuredClone(resource);
  for (const path of projection.excludedAttributes) {
    const selection = select(kind, path);
    if (!selection || ALWAYS.has(selection.segments[0])) continue;
    if (selection.filter) excludeMatching(out, selection);
    else deletePath(out, selection.segments);
  }
  return out;
}

function include(kind: ResourceKind, resource: JsonObject, paths: string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of ALWAYS) if (resource[key] !== undefined) out[key] = resource[key];
  // Per multi-valued attribute named only through value paths: the positions of the values to return.
  const kept = new Map<string, { selection: Selection; positions: Set<number> }>();
  const whole = new Set<string>();
  for (const path of paths) {
    const selection = select(kind, path);
    if (!selection) continue;
    const id = selection.segments.slice(0, selection.filter?.depth ?? 1).join("\u0000");
    if (!selection.filter) {
      whole.add(selection.segments[0]);
      copyPath(resource, out, selection.segments);
      continue;
    }
    const positions = copyMatching(resource, out, selection);
    const entry = kept.get(id) ?? { selection, positions: new Set<number>() };
    positions.forEach((i) => entry.positions.add(i));
    kept.set(id, entry);
  }
  for (const { selection, positions } of kept.values()) {
    const { segments, filter } = selection;
    if (whole.has(segments[0])) continue;
    const holder = holderOf(out, segments, filter!.depth);
    const key = segments[filter!.depth - 1];
    if (!holder || !Array.isArray(holder[key])) continue;
    const values = (holder[key] as unknown[]).filter((_, i) => positions.has(i));
    if (values.length) holder[key] = values;
    else delete holder[key];
  }
  return out;
}

/** `excludedAttributes=emails[type eq "home"]` drops the matching values (or their `sub`), keeping the others. */
function excludeMatching(out: JsonObject, selection: Selection): void {
  const { segments, filter } = selection;
  const holder = holderOf(out, segments, filter!.depth);
  const key = segments[filter!.depth - 1];
  const values = holder?.[key];
  if (!holder || !Array.isArray(values)) return;
  const sub = segments[filter!.depth];
  const matches = (value: unknown) => matchesFilter(value, filter!.filter, filter!.attribute);
  if (sub === undefined) {
    const rest = values.filter((value) => !matches(value));
    if (rest.length) holder[key] = rest;
    else delete holder[key];
    return;
  }
  for (const value of values) if (isObject(value) && matches(value)) delete value[sub];
}
