import type { JsonObject } from "./canonicalize";
import { resolvePath, type ResourceKind } from "./schemas";

export type Projection = { attributes: string[]; excludedAttributes: string[] };

/** Returned whatever `attributes`/`excludedAttributes` say (RFC 7643 §7 `returned: "always"`). */
const ALWAYS = new Set(["id", "schemas"]);

/** The key segments of a path in a serialised resource: `["name","givenName"]`, `["urn:…:User","manager","value"]`. */
function segmentsOf(kind: ResourceKind, path: string): string[] | null {
  const resolved = resolvePath(kind, path);
  if (!resolved) return null;
  return resolved.extension ? [resolved.extension, ...resolved.names] : resolved.names;
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

/** Would this projection return the top-level attribute? Lets handlers skip reading group members entirely. */
export function includesAttribute(kind: ResourceKind, projection: Projection, attribute: string): boolean {
  const top = (path: string) => segmentsOf(kind, path)?.[0];
  if (projection.attributes.length > 0) return projection.attributes.some((p) => top(p) === attribute);
  return !projection.excludedAttributes.some((p) => top(p) === attribute && segmentsOf(kind, p)!.length === 1);
}

/**
 * RFC 7644 §3.4.2.5 and §3.9: `attributes` returns only the named attributes (plus `id` and `schemas`);
 * `excludedAttributes` removes the named ones. Names are case-insensitive; sub-attributes (`name.givenName`,
 * `emails.value`) and URN-qualified extension attributes work in both. Unknown names are ignored.
 */
export function project(kind: ResourceKind, resource: JsonObject, projection: Projection): JsonObject {
  if (projection.attributes.length > 0) {
    const out: JsonObject = {};
    for (const key of ALWAYS) if (resource[key] !== undefined) out[key] = resource[key];
    for (const path of projection.attributes) {
      const segments = segmentsOf(kind, path);
      if (segments) copyPath(resource, out, segments);
    }
    return out;
  }
  if (projection.excludedAttributes.length === 0) return resource;
  const out = structuredClone(resource);
  for (const path of projection.excludedAttributes) {
    const segments = segmentsOf(kind, path);
    if (segments && !ALWAYS.has(segments[0])) deletePath(out, segments);
  }
  return out;
}
