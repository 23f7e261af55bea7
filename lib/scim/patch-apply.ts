import { isDeepStrictEqual } from "node:util";
import { ValidationError } from "@/lib/errors";
import { coerceValue } from "./canonicalize";
import type { PatchOperation } from "./patch";
import { filterEqTerms, matchesFilter } from "./patch-filter";
import { isObject, keyOf, setField, type JsonObject } from "./patch-json";
import { isExtensionKey, resolveTarget, type AttributeTarget } from "./patch-path";
import { findSubAttribute, type Attribute, type ResourceKind } from "./schemas";

type Op = PatchOperation["op"];
/** One operation aimed at one attribute: `holder` is the object (resource or extension) that holds it under `key`. */
type Change = { op: Op; target: AttributeTarget; holder: JsonObject; key: string; value: unknown; path: string };
type ListResult = { next: unknown[]; touched: unknown[] };

/** Applies one PATCH operation to `resource` in place; the caller owns that copy and drops it on any error. */
export function applyOperation(kind: ResourceKind, resource: JsonObject, { op, path, value }: PatchOperation): void {
  if (op !== "remove" && value === undefined) {
    throw new ValidationError(`"${op}" needs a "value" (RFC 7644 §3.5.2.1, §3.5.2.3)`, "invalidValue");
  }
  if (path !== undefined) return applyPath(kind, resource, op, path, value, false);
  if (op === "remove") throw new ValidationError('"remove" needs a "path" (RFC 7644 §3.5.2.2)', "noTarget");
  applyPathless(kind, resource, op, value);
}

/**
 * RFC 7644 §3.5.2.1/§3.5.2.3: without a path the value holds attributes of the resource itself. Entra
 * (aadOptscim062020) puts dotted and URN paths among its keys, Okta puts the read-only `id` there (Microsoft Learn, "Known issues and resolutions with SCIM 2.0 protocol compliance"), so every key is applied as a path of its own and read-only ones are skipped.
 */
function applyPathless(kind: ResourceKind, resource: JsonObject, op: Op, value: unknown): void {
  if (!isObject(value)) {
    throw new ValidationError(`"${op}" without "path" needs an object "value" (RFC 7644 §3.5.2)`, "invalidValue");
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.toLowerCase() === "schemas") continue;
    if (isExtensionKey(kind, key) && isObject(item)) {
      for (const [name, inner] of Object.entries(item)) applyPath(kind, resource, op, `${key}:${name}`, inner, true);
    } else {
      applyPath(kind, resource, op, key, item, true);
    }
  }
}

function applyPath(
  kind: ResourceKind,
  resource: JsonObject,
  op: Op,
  path: string,
  value: unknown,
  pathless: boolean,
): void {
  const target = resolveTarget(kind, path);
  if (target.type === "extension") {
    if (op === "remove" || value === null) return void delete resource[keyOf(resource, target.urn)];
    if (!isObject(value)) throw new ValidationError(`"${path}" must be an object`, "invalidValue");
    return applyPathless(kind, resource, op, { [target.urn]: value });
  }
  if (target.definition?.mutability === "readOnly" || target.subDefinition?.mutability === "readOnly") {
    if (pathless) return;
    throw new ValidationError(`"${path}" is read-only (RFC 7644 §3.5.2)`, "mutability");
  }
  if (op === "remove" && target.definition?.required && !target.sub && !target.filter) {
    throw new ValidationError(`"${path}" is required and cannot be removed (RFC 7644 §3.5.2.2)`, "mutability");
  }
  const holder = holderOf(resource, target.container, op !== "remove");
  if (!holder) return;
  const change: Change = { op, target, holder, key: keyOf(holder, target.name), value, path };
  if (isMultiValued(change)) applyMulti(change);
  else applySingle(change);
  if (target.container !== null) pruneEmpty(resource, keyOf(resource, target.container));
}

function holderOf(resource: JsonObject, container: string | null, create: boolean): JsonObject | undefined {
  if (container === null) return resource;
  const key = keyOf(resource, container);
  if (!isObject(resource[key]) && create) resource[key] = {};
  return isObject(resource[key]) ? resource[key] : undefined;
}

function isMultiValued({ target, holder, key }: Change): boolean {
  // Unknown attributes are multi-valued when filtered or already stored as an array.
  if (target.definition) return Boolean(target.definition.multiValued);
  return target.filter !== null || Array.isArray(holder[key]);
}

function applySingle(change: Change): void {
  const { op, target, holder, key, value, path } = change;
  if (op === "remove") return removeSingle(change);
  if (isReference(target.definition) && (target.sub === null || target.sub === "value")) {
    return setField(holder, key, coerce(target.definition, referenceValue(value, path), path));
  }
  if (target.sub !== null) {
    setField(childObject(holder, key), target.sub, coerce(target.subDefinition, value, path));
    return pruneEmpty(holder, key);
  }
  if (target.definition?.type === "complex") return mergeComplex(change, target.definition);
  setField(holder, key, coerce(target.definition, value, path));
}

function removeSingle({ target, holder, key }: Change): void {
  if (target.sub === null) return void delete holder[key];
  const parent = holder[key];
  if (!isObject(parent)) return;
  delete parent[keyOf(parent, target.sub)];
  pruneEmpty(holder, key);
}

/** RFC 7644 §3.5.2.1/§3.5.2.3: add and replace on a complex attribute set the sub-attributes given, keep the rest. */
function mergeComplex(change: Change, definition: Attribute): void {
  const { value, target, path } = change;
  if (value === null) return void delete change.holder[change.key];
  if (!isObject(value)) throw new ValidationError(`"${path}" must be an object`, "invalidValue");
  for (const [name, item] of Object.entries(value)) {
    const subDefinition = findSubAttribute(definition, name) ?? null;
    if (subDefinition?.mutability === "readOnly") continue;
    const sub = subDefinition?.name ?? name;
    applySingle({ ...change, target: { ...target, sub, subDefinition }, value: item, path: `${path}.${sub}` });
  }
}

/** A single-valued complex attribute that points at something by `value` (the enterprise `manager`, RFC 7643 §4.3). */
function isReference(definition: Attribute | null): definition is Attribute {
  return definition?.type === "complex" && !definition.multiValued && Boolean(findSubAttribute(definition, "value"));
}

/**
 * Entra adds a manager as a one-element array `[{"value":…,"$ref":…}]`, its schema example stores a bare id, and
 * it clears the manager with `""` (Microsoft Learn, "Tutorial: Develop and plan provisioning for a SCIM endpoint"). A new `value` replaces the whole reference, so the `$ref`
 * of the previous manager never survives a merge.
 */
function referenceValue(value: unknown, path: string): unknown {
  if (Array.isArray(value) && value.length > 1) {
    throw new ValidationError(`"${path}" takes a single value`, "invalidValue");
  }
  const single = Array.isArray(value) ? (value[0] ?? null) : value;
  if (typeof single === "string") return single === "" ? null : { value: single };
  if (isObject(single) && single[keyOf(single, "value")] === "") return null;
  return single;
}

function applyMulti(change: Change): void {
  const stored = change.holder[change.key];
  const list = Array.isArray(stored) ? stored : stored === undefined || stored === null ? [] : [stored];
  const perValue = change.target.filter !== null || change.target.sub !== null;
  const { next, touched } = perValue ? patchValues(change, list) : patchWhole(change, list);
  keepOnePrimary(next, touched);
  setField(change.holder, change.key, next.length ? next : undefined);
}

/** RFC 7644 §3.5.2: add appends (skipping exact duplicates), replace swaps the whole list, remove drops it. */
function patchWhole(change: Change, list: unknown[]): ListResult {
  if (change.op === "remove") {
    // Entra's default lists the values to remove in `value` (Microsoft Learn, "Known issues and resolutions with SCIM 2.0 protocol compliance"); RFC: no value removes all.
    if (change.value === undefined || change.value === null) return { next: [], touched: [] };
    const doomed = coerceList(change);
    return { next: list.filter((item) => !doomed.some((gone) => sameValue(item, gone))), touched: [] };
  }
  const items = coerceList(change);
  if (change.op === "replace") return { next: items, touched: items };
  const fresh: unknown[] = [];
  for (const item of items) {
    if (![...list, ...fresh].some((old) => isDeepStrictEqual(old, item))) fresh.push(item);
  }
  return { next: [...list, ...fresh], touched: fresh };
}

/** A filtered (`emails[type eq "work"]`) or sub-attribute (`emails.display`) path acts on each matching value. */
function patchValues(change: Change, list: unknown[]): ListResult {
  const { op, target } = change;
  const { filter, definition } = target;
  const matched = new Set(filter ? list.filter((item) => matchesFilter(item, filter, definition)) : list);
  if (op === "remove") {
    if (target.sub === null) return { next: list.filter((item) => !matched.has(item)), touched: [] };
    for (const item of matched) if (isObject(item)) delete item[keyOf(item, target.sub)];
    return { next: list.filter((item) => !isObject(item) || Object.keys(item).length > 0), touched: [] };
  }
  if (matched.size === 0) {
    const created = createValue(change);
    return created === undefined ? { next: list, touched: [] } : { next: [...list, created], touched: [created] };
  }
  const touched: unknown[] = [];
  const next = list.map((item) => {
    if (!matched.has(item)) return item;
    const updated = updateValue(change, item);
    touched.push(updated);
    return updated;
  });
  return { next, touched };
}

function updateValue({ op, target, value, path }: Change, item: unknown): unknown {
  if (target.sub !== null) {
    if (isObject(item)) setField(item, target.sub, coerce(target.subDefinition, value, path));
    return item;
  }
  const incoming = coerceItem(target, value, path);
  // RFC 7644 §3.5.2.3 replaces each matching value; the filter's `eq` terms stay so `type: "work"` is not lost.
  const terms = target.filter ? filterEqTerms(target.filter, target.definition) : null;
  if (op === "replace") return isObject(incoming) ? { ...terms, ...incoming } : incoming;
  return isObject(item) && isObject(incoming) ? { ...item, ...incoming } : incoming;
}

/**
 * An add or replace on a filtered path that matches nothing creates the value from the filter's `eq` terms. Entra
 * sends `replace emails[type eq "work"].value` to users without a work email (Microsoft Learn, "Known issues and resolutions with SCIM 2.0 protocol compliance"); the RFC 7644
 * §3.5.2.3 `noTarget` would abort the whole PATCH, so it is kept for filters that cannot describe a new value.
 */
function createValue({ target, value, path }: Change): unknown {
  const terms = target.filter ? filterEqTerms(target.filter, target.definition) : {};
  if (!terms) throw new ValidationError(`No value matches "${path}" and its filter cannot create one`, "noTarget");
  if (target.sub === null) return coerceItem(target, isObject(value) ? { ...terms, ...value } : value, path);
  return value === null ? undefined : coerceItem(target, { ...terms, [target.sub]: value }, path);
}

/** RFC 7643 §2.4: at most one value is primary; the one this operation made primary wins. */
function keepOnePrimary(list: unknown[], touched: unknown[]): void {
  const winner = touched.filter((item) => isObject(item) && item.primary === true).at(-1);
  if (winner === undefined) return;
  for (const item of list) if (item !== winner && isObject(item) && item.primary === true) delete item.primary;
}

/** Entra lists values to remove by their `value` alone (Microsoft Learn, "Tutorial: Develop and plan provisioning for a SCIM endpoint"); other values compare whole. */
function sameValue(stored: unknown, gone: unknown): boolean {
  if (isObject(gone) && gone.value !== undefined) return isObject(stored) && stored.value === gone.value;
  return isDeepStrictEqual(stored, gone);
}

/** Canonical names and types (Entra's `"True"`) via canonicalize.ts; null means unassigned (RFC 7643 §2.5). */
function coerce(definition: Attribute | null, value: unknown, path: string): unknown {
  if (definition) return coerceValue(definition, value, path);
  return value === null ? undefined : value;
}

function coerceList({ target, value, path }: Change): unknown[] {
  const items = coerce(target.definition, value, path);
  if (items === undefined) return [];
  return Array.isArray(items) ? items.filter((item) => item !== null) : [items];
}

function coerceItem(target: AttributeTarget, value: unknown, path: string): unknown {
  return coerce(target.definition && { ...target.definition, multiValued: false }, value, path);
}

function childObject(holder: JsonObject, key: string): JsonObject {
  if (!isObject(holder[key])) holder[key] = {};
  return holder[key] as JsonObject;
}

function pruneEmpty(holder: JsonObject, key: string): void {
  const value = holder[key];
  if (isObject(value) && Object.keys(value).length === 0) delete holder[key];
}
