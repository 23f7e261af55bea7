import { sql, type SQL } from "drizzle-orm";
import type { Compare } from "./filter-parse";
import { invalidFilter } from "./filter-parse";
import type { AttributeType } from "./schemas";

/** The type an operand is compared as; "unknown" attributes take the type of the value they are compared with. */
export type OperandType = AttributeType | "unknown";

/**
 * Where an attribute's value lives in SQL: an indexed column (already of the right SQL type), or a node inside
 * a jsonb document (`base -> key -> key`).
 */
export type Operand =
  | { source: "column"; sql: SQL; type: AttributeType; caseExact: boolean }
  | { source: "json"; base: SQL; keys: string[]; type: OperandType; caseExact: boolean };

type Value = Compare["compValue"];

/** The jsonb node of a json operand; keys are bound parameters, never SQL text. */
export function jsonNode(base: SQL, keys: string[]): SQL {
  return keys.reduce((node, key) => sql`${node} -> ${key}`, base);
}

function jsonText(operand: Extract<Operand, { source: "json" }>): SQL {
  const keys = operand.keys;
  if (keys.length === 0) return sql`(${operand.base} #>> '{}')`;
  return sql`(${jsonNode(operand.base, keys.slice(0, -1))} ->> ${keys[keys.length - 1]})`;
}

/** RFC 7644 §3.4.2.2 `pr`: assigned and not null, "", [] or {} (RFC 7643 §2.5 treats those as unassigned). */
export function present(operand: Operand): SQL {
  if (operand.source === "json") {
    const node = jsonNode(operand.base, operand.keys);
    return sql`coalesce(${node} not in ('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb), false)`;
  }
  return isText(operand.type) ? sql`coalesce(${operand.sql} <> '', false)` : sql`(${operand.sql} is not null)`;
}

/** One comparison `attr <op> value` (RFC 7644 §3.4.2.2), by the attribute's type and caseExact (RFC 7643 §2.2). */
export function compare(operand: Operand, op: Compare["op"], value: Value): SQL {
  if (value === null) return compareNull(operand, op);
  const type = operand.type === "unknown" ? typeOfValue(value) : operand.type;
  switch (type) {
    case "boolean":
      return compareBoolean(sqlValue(operand, type), op, value);
    case "dateTime":
      return compareDateTime(sqlValue(operand, type), op, value);
    case "integer":
    case "decimal":
      return compareNumber(sqlValue(operand, type), op, value);
    case "complex":
      throw invalidFilter("Complex attributes are compared through a sub-attribute (RFC 7644 §3.4.2.2)");
    default:
      return compareText(sqlValue(operand, type), operand.caseExact, type, op, value);
  }
}

/** RFC 7643 §2.5: null and unassigned are the same state, so `eq null` means "not present". */
function compareNull(operand: Operand, op: Compare["op"]): SQL {
  if (op === "eq") return sql`not ${present(operand)}`;
  if (op === "ne") return present(operand);
  throw invalidFilter(`"${op}" cannot compare with null`);
}

function typeOfValue(value: Exclude<Value, null>): OperandType {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return "decimal";
  return "string";
}

const isText = (type: OperandType) => type === "string" || type === "reference" || type === "binary" || type === "unknown";

/** The operand as an SQL value of `type`; json values of another JSON type become null instead of a cast error. */
export function sqlValue(operand: Operand, type: OperandType): SQL {
  if (operand.source === "column") return operand.sql;
  const node = jsonNode(operand.base, operand.keys);
  if (type === "boolean") return sql`(case when jsonb_typeof(${node}) = 'boolean' then (${node})::boolean end)`;
  if (type === "integer" || type === "decimal") {
    return sql`(case when jsonb_typeof(${node}) = 'number' then (${node})::numeric end)`;
  }
  if (type === "dateTime") throw invalidFilter("dateTime comparisons are supported on meta.created and meta.lastModified only");
  return jsonText(operand);
}

/**
 * The ORDER BY key of an operand: strings in code-point order, folded unless caseExact, as RFC 7644 §3.4.2.3 asks
 * ("case-insensitive Unicode alphabetic sort order with no specific locale implied").
 */
export function sortKey(operand: Operand): SQL {
  const value = sqlValue(operand, operand.type);
  if (!isText(operand.type)) return value;
  return operand.caseExact ? sql`${value} collate "C"` : sql`lower(${value}) collate "C"`;
}

const ORDER: Partial<Record<Compare["op"], SQL>> = { gt: sql`>`, ge: sql`>=`, lt: sql`<`, le: sql`<=` };

function equality(left: SQL, op: Compare["op"], right: SQL): SQL | null {
  // `ne` holds for an absent attribute (RFC 7644 §3.4.2.2 compares values; absent is not equal to anything).
  if (op === "eq") return sql`${left} = ${right}`;
  if (op === "ne") return sql`${left} is distinct from ${right}`;
  return null;
}

/** Booleans: eq/ne only (RFC 7644 §3.4.2.2 makes gt/ge/lt/le on booleans an invalidFilter). */
function compareBoolean(left: SQL, op: Compare["op"], value: Exclude<Value, null>): SQL {
  // Entra sends booleans as strings ("False"); accept them in filters as canonicalize does in bodies.
  const text = typeof value === "string" ? value.trim().toLowerCase() : null;
  const bool = typeof value === "boolean" ? value : text === "true" ? true : text === "false" ? false : null;
  if (bool === null) throw invalidFilter(`A boolean attribute needs true or false, not ${JSON.stringify(value)}`);
  const condition = equality(left, op, sql`${bool}`);
  if (!condition) throw invalidFilter(`"${op}" is not defined for boolean attributes (RFC 7644 §3.4.2.2)`);
  return condition;
}

/**
 * xsd:dateTime (RFC 7643 §2.3.5), with an optional time so that `gt "2024-01-31"` works too. Any number of
 * fractional digits (.NET sends 7: `2015-10-10T14:38:21.8617979-07:00`) and any offset are accepted.
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/;

/** The instant a filter's dateTime names, or null; digits past the millisecond are dropped before parsing. */
export function parseDateTime(value: string): Date | null {
  const text = value.trim();
  if (!DATE_TIME.test(text)) return null;
  const time = new Date(text.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(time.getTime()) ? null : time;
}

/** Dates compare chronologically at millisecond precision, the precision meta.* is serialised with. */
function compareDateTime(left: SQL, op: Compare["op"], value: Exclude<Value, null>): SQL {
  const time = typeof value === "string" ? parseDateTime(value) : null;
  if (!time || Number.isNaN(time.getTime())) throw invalidFilter(`${JSON.stringify(value)} is not a dateTime (RFC 7643 §2.3.5)`);
  const l = sql`date_trunc('milliseconds', ${left})`;
  const r = sql`${time.toISOString()}::timestamptz`;
  const condition = equality(l, op, r) ?? (ORDER[op] ? sql`${l} ${ORDER[op]} ${r}` : null);
  if (!condition) throw invalidFilter(`"${op}" is not defined for dateTime attributes`);
  return condition;
}

function compareNumber(left: SQL, op: Compare["op"], value: Exclude<Value, null>): SQL {
  // A quoted number ("5") is read by the attribute's type, as an unquoted word is for the other types.
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number)) {
    throw invalidFilter(`A number attribute needs a number, not ${JSON.stringify(value)}`);
  }
  const r = sql`${number}::numeric`;
  const condition = equality(left, op, r) ?? (ORDER[op] ? sql`${left} ${ORDER[op]} ${r}` : null);
  if (!condition) throw invalidFilter(`"${op}" is not defined for number attributes`);
  return condition;
}

/** LIKE pattern for co/sw/ew with the literal's own `%`, `_` and `\` escaped (matched with ESCAPE '\'). */
function likePattern(op: "co" | "sw" | "ew", value: string): string {
  const escaped = value.replace(/[\\%_]/g, "\\$&");
  return op === "sw" ? `${escaped}%` : op === "ew" ? `%${escaped}` : `%${escaped}%`;
}

/**
 * Strings compare case-insensitively unless the attribute is caseExact (RFC 7643 §2.2); gt/ge/lt/le use code-point
 * order (collation "C"), the "Unicode alphabetic sort order with no specific locale" of RFC 7644 §3.4.2.3.
 */
function compareText(left: SQL, caseExact: boolean, type: OperandType, op: Compare["op"], value: Exclude<Value, null>): SQL {
  // A value is read by the attribute's type: `userName eq true` and `employeeNumber eq 42` compare the text
  // "true" and "42" (template-driven IdPs also send numbers for string attributes, which canonicalize keeps).
  const text = String(value);
  const fold = (s: SQL) => (caseExact ? s : sql`lower(${s})`);
  const l = fold(left);
  if (op === "co" || op === "sw" || op === "ew") return sql`${l} like ${fold(sql`${likePattern(op, text)}`)} escape '\\'`;
  const r = fold(sql`${text}`);
  const eq = equality(l, op, r);
  if (eq) return eq;
  // RFC 7644 §3.4.2.2: gt/ge/lt/le on binary attributes is an invalidFilter.
  if (type === "binary") throw invalidFilter(`"${op}" is not defined for binary attributes`);
  return sql`${l} collate "C" ${ORDER[op]!} ${r}`;
}
