// Small JSON helpers shared by the PATCH modules. Attribute names are case-insensitive (RFC 7643 §2.1), so keys
// are looked up that way: stored resources use canonical names, IdP values may not.

import type { JsonObject } from "./canonicalize";

export type { JsonObject };

export const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The key of `object` that spells `name` in any case, else `name` itself. */
export function keyOf(object: JsonObject, name: string): string {
  if (name in object) return name;
  return Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

/** Sets `object[name]` (in any case), or deletes it when `value` is undefined (RFC 7643 §2.5: unassigned). */
export function setField(object: JsonObject, name: string, value: unknown): void {
  const key = keyOf(object, name);
  if (value === undefined) delete object[key];
  else object[key] = value;
}
