import { parse, type Filter } from "scim2-parse-filter";
import { ValidationError } from "@/lib/errors";

export type { Compare, Filter, Suffix, ValuePath } from "scim2-parse-filter";

/** Longer filters are refused: no IdP sends one, and each condition costs bound parameters (Postgres allows 65535). */
const MAX_LENGTH = 10_000;
/** Deeper filters are refused: they are never sent by an IdP and would only exhaust the stack here or in Postgres. */
const MAX_DEPTH = 32;

/** `].sub <op> <value>` or `].sub pr` after a value path (Entra); string values are placeholders by then. */
const SUB_ATTRIBUTE_AFTER_VALUE_PATH =
  /^\.([A-Za-z$][\w$-]*)\s+(pr(?![\w-])|(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+(?:"\d+"|[\w.+-]+))/i;

export const invalidFilter = (message: string) => new ValidationError(message, "invalidFilter");
const nulRefused = () => invalidFilter("Filters may not contain the NUL character (U+0000)");

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2) into the scim2-parse-filter AST, with string values decoded as JSON
 * strings and Entra's `emails[type eq "work"].value eq "x"` kept as one value path over the same element.
 */
export function parseFilter(input: string): Filter {
  if (input.length > MAX_LENGTH) throw invalidFilter(`Filters may be at most ${MAX_LENGTH} characters long`);
  // PostgreSQL text cannot hold U+0000, so no value with it can match; and it must never reach the database.
  if (input.includes("\u0000")) throw nulRefused();
  const { text, literals } = protectStrings(input);
  const rewritten = moveSubAttributeIntoValuePath(quoteBareValues(text, literals));
  let ast: Filter;
  try {
    ast = parse(rewritten);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/"(\d+)"/g, (m, i) => literals[Number(i)]?.raw ?? m) : "";
    throw invalidFilter(`The filter ${JSON.stringify(input)} is not valid (RFC 7644 §3.4.2.2): ${reason}`);
  }
  return restoreStrings(ast, literals, 0);
}

type Literal = { raw: string; value: string };

/**
 * Replaces every quoted string by a numbered placeholder, so the rest of the pipeline never looks inside strings.
 * The library itself decodes escapes wrongly (`"a\\b"` stays `a\\b`, `"a\\"` fails), so strings are decoded here.
 */
function protectStrings(input: string): { text: string; literals: Literal[] } {
  const literals: Literal[] = [];
  let text = "";
  let i = 0;
  while (i < input.length) {
    if (input[i] !== '"') {
      text += input[i++];
      continue;
    }
    let end = i + 1;
    while (end < input.length && input[end] !== '"') end += input[end] === "\\" ? 2 : 1;
    if (end >= input.length) throw invalidFilter(`Unterminated string in filter ${JSON.stringify(input)}`);
    const raw = input.slice(i, end + 1);
    text += `"${literals.length}"`;
    literals.push({ raw, value: decodeString(raw) });
    i = end + 1;
  }
  return { text, literals };
}

/**
 * Decodes a JSON string (RFC 7644 §3.4.2.2 compValue). A backslash that starts no JSON escape is kept as a
 * character, because directory-sourced names such as `CONTOSO\jdoe` arrive unescaped.
 */
function decodeString(raw: string): string {
  let value: string;
  try {
    value = JSON.parse(raw.replace(/\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})/g, "\\\\")) as string;
  } catch {
    throw invalidFilter(`Invalid string ${raw} in filter`);
  }
  // The escape `\u0000` decodes to the NUL character that parseFilter refuses as it is written.
  if (value.includes("\u0000")) throw nulRefused();
  return value;
}

/**
 * Rewrites `attr[F].sub <op> <value>` to `attr[(F) and sub <op> <value>]`. Entra sends this form (its uniqueness
 * lookups on `emails[type eq "work"].value`); the library would split it into two conditions that may hold for
 * different elements. Nested value paths are refused here: RFC 7644 Figure 1 allows none.
 */
function moveSubAttributeIntoValuePath(text: string): string {
  let out = "";
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "[") {
      if (open >= 0) throw invalidFilter("Value paths cannot be nested");
      out += c;
      open = out.length;
    } else if (c === "]") {
      if (open < 0) throw invalidFilter("Unexpected ']' in filter");
      const match = SUB_ATTRIBUTE_AFTER_VALUE_PATH.exec(text.slice(i + 1));
      if (match) {
        out = `${out.slice(0, open)}(${out.slice(open)}) and ${match[1]} ${match[2]}]`;
        i += match[0].length;
      } else {
        out += c;
      }
      open = -1;
    } else {
      out += c;
    }
  }
  if (out.includes("].")) throw invalidFilter("A value path may be followed only by '.subAttribute <op> <value>'");
  return out;
}

/** A comparison operator and the unquoted word after it (strings are placeholders by now, so never inside one). */
const BARE_VALUE = /(\s(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+)([^\s()[\]"]+)/gi;
/** What the library reads as a JSON value by itself: numbers, true, false, null. */
const JSON_WORD = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)$/;
/** A logical operator where a value should be (`emails co and …`): the value is missing, not the word "and". */
const LOGICAL_WORD = /^(?:and|or|not)$/i;

/**
 * Turns unquoted comparison values (`userName sw O`, `emails.value co example.com`,
 * `meta.created gt 2015-10-10T14:38:21.8617979-07:00`) into string placeholders. RFC 7644 §3.4.2.2 quotes string
 * values, but Microsoft's SCIM samples and reference parser, and SCIMMY, accept a bare value and read it by the
 * attribute's type; filter-compare.ts does the same with these strings (string, boolean, number or dateTime).
 * Numbers, true, false and null are left to the library, which reads them as JSON.
 */
function quoteBareValues(text: string, literals: Literal[]): string {
  return text.replace(BARE_VALUE, (match, operator: string, word: string) => {
    if (JSON_WORD.test(word) || LOGICAL_WORD.test(word)) return match;
    literals.push({ raw: word, value: word });
    return `${operator}"${literals.length - 1}"`;
  });
}

function restoreStrings(node: Filter | undefined, literals: Literal[], depth: number): Filter {
  if (depth > MAX_DEPTH) throw invalidFilter(`Filters may nest at most ${MAX_DEPTH} levels deep`);
  // The library leaves a hole in the tree for some malformed input rather than failing: refused as malformed.
  if (typeof node !== "object" || node === null) throw invalidFilter("The filter is not valid (RFC 7644 §3.4.2.2)");
  switch (node.op) {
    case "and":
    case "or":
      return { ...node, filters: node.filters.map((f) => restoreStrings(f, literals, depth + 1)) };
    case "not":
      return { ...node, filter: restoreStrings(node.filter, literals, depth + 1) };
    case "[]":
      return { ...node, valFilter: restoreStrings(node.valFilter, literals, depth + 1) };
    case "pr":
      return node;
    default:
      // Every string in the rewritten text is a placeholder, so every string value here is an index.
      return typeof node.compValue === "string" ? { ...node, compValue: literals[Number(node.compValue)].value } : node;
  }
}
