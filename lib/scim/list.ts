import { asc, desc, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { ListQuery } from "@/db/queries/scim-users";
import { ValidationError } from "@/lib/errors";
import { summarize } from "@/lib/activity-summary";
import type { JsonObject } from "./canonicalize";
import type { ScimContext } from "./context";
import { compileFilter, compileSortBy } from "./filter";
import { decodeCursor, encodeCursor, type ListParams } from "./list-params";
import type { ScimResult } from "./responses";
import type { ResourceKind } from "./schemas";
import { listResponse } from "./serialize";

type Row = { id: string; createdAt: Date };

/** How one resource type is listed: its keyset columns, its query, and how a page of rows is rendered. */
export type Listing<R extends Row> = {
  kind: ResourceKind;
  columns: { createdAt: AnyPgColumn; id: AnyPgColumn };
  query: (ctx: ScimContext, query: ListQuery) => Promise<{ total: number; rows: R[] }>;
  render: (ctx: ScimContext, rows: R[], params: ListParams) => Promise<JsonObject[]>;
};

/**
 * A list request: filter and sort compiled to SQL, then index paging (RFC 7644 §3.4.2.4: startIndex/count in a
 * stable order, created-then-id after any sortBy) or, when `cursor` is present, keyset cursor paging (RFC 9865).
 */
export async function listResources<R extends Row>(ctx: ScimContext, params: ListParams, listing: Listing<R>): Promise<ScimResult> {
  const filter = params.filter ? compileFilter(listing.kind, params.filter) : undefined;
  const summary = (shown: number, total: number) =>
    summarize(`listed${listing.kind === "User" ? "Users" : "Groups"}${params.filter ? "Filtered" : ""}`, { shown, total });
  if (params.cursor !== undefined) {
    if (params.sortBy) throw new ValidationError("sortBy cannot be combined with cursor paging", "invalidValue");
    const after = params.cursor ? decodeCursor(params.cursor) : null;
    const { createdAt, id } = listing.columns;
    // A row comparison, which the (tenant, created, id) index answers as where to start: the page reads its own
    // rows wherever the cursor points. An `or` of its two cases gave the index nowhere to start: PostgreSQL walked
    // the tenant's rows up to the cursor and filtered them, or read and sorted every row after it.
    const position: SQL | undefined = after ? sql`(${createdAt}, ${id}) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : undefined;
    // One row more than the page says whether another follows; the total counts every match, not those after.
    const { total, rows } = await listing.query(ctx, { where: filter, after: position, offset: 0, limit: params.count + 1 });
    const page = rows.slice(0, params.count);
    const last = page.at(-1);
    const next = rows.length > params.count && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : undefined;
    const body = listResponse(await listing.render(ctx, page, params), total, 1, next ? { nextCursor: next } : {});
    return { status: 200, body, summary: summary(page.length, total) };
  }
  const direction = params.sortOrder === "descending" ? desc : asc;
  const orderBy = params.sortBy ? [direction(compileSortBy(listing.kind, params.sortBy))] : undefined;
  const { total, rows } = await listing.query(ctx, { where: filter, orderBy, offset: params.startIndex - 1, limit: params.count });
  const body = listResponse(await listing.render(ctx, rows, params), total, params.startIndex);
  return { status: 200, body, summary: summary(rows.length, total) };
}

/** One resource type's part of a root search, its row type hidden: query and render in one step. */
export type SearchPart = {
  kind: ResourceKind;
  run: (ctx: ScimContext, query: ListQuery, params: ListParams) => Promise<{ total: number; resources: JsonObject[] }>;
};

export function searchPart<R extends Row>(listing: Listing<R>): SearchPart {
  return {
    kind: listing.kind,
    run: async (ctx, query, params) => {
      const { total, rows } = await listing.query(ctx, query);
      return { total, resources: await listing.render(ctx, rows, params) };
    },
  };
}

/**
 * POST /.search at the root (RFC 7644 §3.4.3): the filter runs against every resource type (an attribute a type
 * does not have matches none of it) and the results are paged as one list, Users first. Cursor paging and sortBy
 * have no meaning across types here and are refused.
 */
export async function searchAcross(ctx: ScimContext, params: ListParams, parts: SearchPart[]): Promise<ScimResult> {
  if (params.cursor !== undefined || params.sortBy) {
    throw new ValidationError("A search across resource types supports neither cursor nor sortBy; search /Users or /Groups", "invalidValue");
  }
  let skip = params.startIndex - 1;
  let total = 0;
  const resources: JsonObject[] = [];
  for (const part of parts) {
    const where = params.filter ? compileFilter(part.kind, params.filter) : undefined;
    const page = await part.run(ctx, { where, offset: skip, limit: params.count - resources.length }, params);
    total += page.total;
    resources.push(...page.resources);
    skip = Math.max(0, skip - page.total);
  }
  const body = listResponse(resources, total, params.startIndex);
  return { status: 200, body, summary: summarize("searchedAll", { shown: resources.length, total }) };
}
