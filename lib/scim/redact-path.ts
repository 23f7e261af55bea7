const OPERATORS = "eq|ne|co|sw|ew|gt|ge|lt|le";
const QUOTED = /"(?:[^"\\]|\\.)*"/g;
/** An operator and the unquoted value after it (a number, a date, `true`); `replace` starts each search afresh. */
const UNQUOTED = new RegExp(`\\b(${OPERATORS})\\s+(?!"…")[^\\s()\\]]+`, "gi");

/**
 * A filter's shape without its values (RFC 7644 §3.4.2.2): `userName eq "ada@x"` → `userName eq "…"`. The
 * activity log shows what was asked, never whom: filter values are often emails.
 */
export function filterShape(filter: string): string {
  return filter.replace(QUOTED, '"…"').replace(UNQUOTED, "$1 …");
}

/** The path and query as stored in the activity log: every `filter` reduced to its shape. */
export function loggedPath(path: string, search: URLSearchParams): string {
  if (search.size === 0) return path;
  const kept = new URLSearchParams();
  for (const [key, value] of search) kept.append(key, key.toLowerCase() === "filter" ? filterShape(value) : value);
  return `${path}?${decodeURIComponent(kept.toString().replace(/\+/g, "%20"))}`;
}
