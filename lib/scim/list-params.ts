import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { isResourceId } from "./context";
import type { Projection } from "./projection";

export type ListParams = Projection & {
  filter?: string;
  sortBy?: string;
  sortOrder: "ascending" | "descending";
  startIndex: number;
  count: number;
  /** RFC 9865: present (possibly "") when the client asks for cursor paging. */
  cursor?: string;
};

/** `attributes=a,b` (or an array in a SearchRequest); commas inside a value filter's brackets or quotes do not split. */
const csv = (v: unknown) =>
  (Array.isArray(v) ? v.flatMap((s) => splitList(String(s))) : typeof v === "string" ? splitList(v) : [])
    .map((s) => s.trim())
    .filter(Boolean);

function splitList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "[") depth++;
    else if (c === "]") depth = Math.max(0, depth - 1);
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

const integer = (name: string) =>
  z
    .union([z.number(), z.string()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return undefined;
      const n = typeof v === "number" ? v : Number(v);
      if (!Number.isInteger(n)) {
        ctx.addIssue({ code: "custom", message: `${name} must be an integer` });
        return z.NEVER;
      }
      // Past 2^53 a number is no longer exact, and past 2^63 PostgreSQL refuses it as an OFFSET.
      if (n > Number.MAX_SAFE_INTEGER) {
        ctx.addIssue({ code: "custom", message: `${name} must be at most ${Number.MAX_SAFE_INTEGER}` });
        return z.NEVER;
      }
      return n;
    });

const listParamsSchema = z.object({
  filter: z.string().optional(),
  sortBy: z.string().trim().min(1).optional(),
  sortOrder: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const order = (v ?? "ascending").toLowerCase();
      if (order !== "ascending" && order !== "descending") {
        ctx.addIssue({ code: "custom", message: 'sortOrder must be "ascending" or "descending"' });
        return z.NEVER;
      }
      return order as "ascending" | "descending";
    }),
  startIndex: integer("startIndex"),
  count: integer("count"),
  cursor: z.string().optional(),
  attributes: z.unknown().optional(),
  excludedAttributes: z.unknown().optional(),
});

/**
 * Reads list parameters from a query string or a POST /.search body (RFC 7644 §3.4.2 and §3.4.3).
 * Parameter names are matched case-insensitively. startIndex < 1 counts as 1; a negative count as 0; a count
 * above the maximum page size is clamped to it (RFC 7644 §3.4.2.4 lets the server return fewer).
 */
export function parseListParams(source: Record<string, unknown>, maxPageSize: number): ListParams {
  const normalized: Record<string, unknown> = {};
  const known = ["filter", "sortBy", "sortOrder", "startIndex", "count", "cursor", "attributes", "excludedAttributes"];
  for (const [key, value] of Object.entries(source)) {
    const name = known.find((k) => k.toLowerCase() === key.toLowerCase());
    if (name) normalized[name] = value;
  }
  const parsed = listParamsSchema.safeParse(normalized);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0].message, "invalidValue");
  const p = parsed.data;
  // PostgreSQL text cannot hold U+0000, so such a filter could only fail in the database.
  if (p.filter?.includes("\u0000")) throw new ValidationError("A filter may not contain the NUL character (U+0000)", "invalidFilter");
  return {
    filter: p.filter?.trim() ? p.filter : undefined,
    sortBy: p.sortBy,
    sortOrder: p.sortOrder,
    startIndex: Math.max(1, p.startIndex ?? 1),
    count: Math.min(maxPageSize, Math.max(0, p.count ?? maxPageSize)),
    cursor: p.cursor,
    attributes: csv(p.attributes),
    excludedAttributes: csv(p.excludedAttributes),
  };
}

/** Only the projection parameters (for GET of one resource and for write responses). */
export function parseProjection(source: Record<string, unknown>): Projection {
  const { attributes, excludedAttributes } = parseListParams(source, 1);
  return { attributes, excludedAttributes };
}

export type Cursor = { createdAt: string; id: string };

/** RFC 9865 cursors are opaque to clients; ours encode the keyset position of the last row returned. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString("base64url");
}

/**
 * Reads a cursor back; anything this server could not have issued (not our encoding, an id that is not a UUID,
 * a time outside the years 1–9999) is an invalidCursor error here rather than a database error later.
 */
export function decodeCursor(value: string): Cursor {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [createdAt, id] = decoded as unknown[];
      const time = typeof createdAt === "string" ? Date.parse(createdAt) : NaN;
      const year = new Date(time).getUTCFullYear();
      if (typeof createdAt === "string" && typeof id === "string" && isResourceId(id) && year >= 1 && year <= 9999) {
        return { createdAt, id };
      }
    }
  } catch {
    // Fall through to the SCIM error below.
  }
  throw new ValidationError("The cursor is not valid", "invalidCursor");
}
