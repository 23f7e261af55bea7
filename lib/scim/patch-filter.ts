import { ValidationError } from "@/lib/errors";
import type { Compare, Filter } from "./filter-parse";
import { isObject, keyOf, type JsonObject } from "./patch-json";
import { findSubAttribute, type Attribute } from "./schemas";

type Scalar = string | number | boolean;

/**
 * Does one value of a multi-valued attribute match a PATCH value filter (`emails[type eq "work"]`)? Sub-attribute
 * names match case-insensitively and so do strings, unless the sub-attribute is caseExact (RFC 7643 §2.1, §7).
 * scim2-parse-filter's own tester compares strings exactly, so `type eq "Work"` would miss `"work"`.
 */
export function matchesFilter(element: unknown, filter: Filter, definition: Attribute | null): boolean {
  // A multi-valued simple attribute has no sub-attributes: RFC 7644 §3.4.2.2 calls its item "value".
  const item = isObject(element) ? element : { value: element };
  switch (filter.op) {
    case "and":
      return filter.filters.every((f) => matchesFilter(element, f, definition));
    case "or":
      return filter.filters.some((f) => matchesFilter(element, f, definition));
    case "not":
      return !matchesFilter(element, filter.filter, definition);
    case "[]":
      throw new ValidationError("Value filters cannot be nested (RFC 7644 §3.5.2 Figure 1)", "invalidFilter");
    case "pr":
      return isAssigned(field(item, filter.attrPath));
    default:
      return compare(filter, field(item, filter.attrPath), isCaseExact(definition, filter.attrPath));
  }
}

/**
 * The sub-attributes a value must have to match a filter built only from `eq` joined by `and`, or null if the
 * filter says more than that. Used to create the value an IdP patches into a filtered path that matches nothing.
 */
export function filterEqTerms(filter: Filter, definition: Attribute | null): JsonObject | null {
  if (filter.op === "eq") return { [subName(definition, filter.attrPath)]: filter.compValue };
  if (filter.op !== "and") return null;
  const parts = filter.filters.map((f) => filterEqTerms(f, definition));
  return parts.every(isObject) ? Object.assign({}, ...parts) : null;
}

/** Inside a value filter, `type` and `emails.type` both name the sub-attribute `type`. */
function subName(definition: Attribute | null, attrPath: string): string {
  const name = attrPath.slice(attrPath.lastIndexOf(".") + 1);
  return (definition && findSubAttribute(definition, name)?.name) ?? name;
}

/** RFC 7643 §2.5: null, "", [] and {} are all unassigned (as in filter-compare.ts `present`). */
function isAssigned(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  return !isObject(value) || Object.keys(value).length > 0;
}

function field(item: JsonObject, attrPath: string): unknown {
  return item[keyOf(item, attrPath.slice(attrPath.lastIndexOf(".") + 1))];
}

function isCaseExact(definition: Attribute | null, attrPath: string): boolean {
  return (definition && findSubAttribute(definition, subName(definition, attrPath))?.caseExact) ?? false;
}

function compare({ op, compValue }: Compare, actual: unknown, caseExact: boolean): boolean {
  if (compValue === null) return op === "eq" ? actual == null : op === "ne" && actual != null;
  if (actual === undefined || actual === null || typeof actual === "object") return op === "ne";
  const fold = (v: Scalar) => (typeof v === "string" && !caseExact ? v.toLowerCase() : v);
  const a = fold(actual as Scalar);
  const e = fold(asTypeOf(actual as Scalar, compValue));
  switch (op) {
    case "eq":
      return a === e;
    case "ne":
      return a !== e;
    case "co":
      return String(a).includes(String(e));
    case "sw":
      return String(a).startsWith(String(e));
    case "ew":
      return String(a).endsWith(String(e));
    case "gt":
      return a > e;
    case "ge":
      return a >= e;
    case "lt":
      return a < e;
    case "le":
      return a <= e;
  }
}

/**
 * The filter value read by the type of the value it is compared with, as filter-compare.ts reads it by the
 * attribute's type: an unquoted `primary eq True` arrives as the string "True", `value eq 42` as a number.
 */
function asTypeOf(actual: Scalar, value: Scalar): Scalar {
  if (typeof actual === typeof value) return value;
  if (typeof actual === "string") return String(value);
  if (typeof actual === "boolean" && typeof value === "string") {
    const text = value.trim().toLowerCase();
    return text === "true" ? true : text === "false" ? false : value;
  }
  if (typeof actual === "number" && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return value;
}
