import { env } from "@/lib/env";
import { NotFoundError, ValidationError } from "@/lib/errors";
import type { DirectWrite, ScimContext } from "./context";
import { getResourceTypes, getSchemas, serviceProviderConfig } from "./discovery";
import { createGroup, deleteGroup, getGroup, groupListing, listGroups, patchGroup, replaceGroup } from "./groups";
import { searchAcross, searchPart } from "./list";
import { parseListParams } from "./list-params";
import type { ScimResult } from "./responses";
import { createUser, createUserDirectly, deleteUser, getUser, listUsers, patchUser, patchUserDirectly, replaceUser, replaceUserDirectly, userListing } from "./users";

export type Route = {
  /** A write runs in a transaction that also writes its activity entry (unless `direct` made it in one statement). */
  write: boolean;
  run: (ctx: ScimContext, body: unknown) => Promise<ScimResult>;
  /**
   * A write tried first outside a transaction (see DirectWrite): its answer, or null when it must `run` in one.
   * Bulk operations always `run`, in the Bulk request's transaction.
   */
  direct?: (ctx: ScimContext, body: unknown, direct: DirectWrite) => Promise<ScimResult | null>;
};

export class MethodNotAllowedError extends Error {
  constructor(readonly allowed: string[]) {
    super(`Method not allowed here; use ${allowed.join(", ")}`);
  }
}

const read = (run: Route["run"]): Route => ({ write: false, run });
const write = (run: Route["run"]): Route => ({ write: true, run });

const searchBody = (body: unknown) => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("The request body must be a SearchRequest object", "invalidSyntax");
  }
  return body as Record<string, unknown>;
};

type Table = Record<string, Route>;

function pick(table: Table, method: string): Route {
  const route = table[method];
  if (!route) throw new MethodNotAllowedError(Object.keys(table));
  return route;
}

/**
 * Maps a method and the path segments after /scim/v2 to a handler. Resource names match case-insensitively
 * (`/users` works); ids are passed through as sent. Bulk is routed by lib/scim/bulk.ts on top of this.
 */
export function resolveRoute(method: string, segments: string[]): Route {
  const [resource = "", id, extra] = segments;
  const name = resource.toLowerCase();
  const maxPageSize = env().scim.maxPageSize;
  if (extra !== undefined) throw new NotFoundError(`No such endpoint: /${segments.join("/")}`);

  if (name === "users" || name === "groups") {
    const isUsers = name === "users";
    if (id === undefined) {
      return pick(
        {
          GET: read((ctx) => (isUsers ? listUsers : listGroups)(ctx, parseListParams(ctx.query, maxPageSize))),
          POST: isUsers
            ? { ...write((ctx, body) => createUser(ctx, body)), direct: (ctx, body, direct) => createUserDirectly(ctx, body, direct) }
            : write((ctx, body) => createGroup(ctx, body)),
        },
        method,
      );
    }
    if (id.toLowerCase() === ".search") {
      // RFC 7644 §3.4.3: the same query as GET, in a body.
      return pick(
        { POST: read((ctx, body) => (isUsers ? listUsers : listGroups)(ctx, parseListParams(searchBody(body), maxPageSize))) },
        method,
      );
    }
    return pick(
      {
        GET: read((ctx) => (isUsers ? getUser : getGroup)(ctx, id)),
        PUT: isUsers
          ? { ...write((ctx, body) => replaceUser(ctx, id, body)), direct: (ctx, body, direct) => replaceUserDirectly(ctx, id, body, direct) }
          : write((ctx, body) => replaceGroup(ctx, id, body)),
        PATCH: isUsers
          ? { ...write((ctx, body) => patchUser(ctx, id, body)), direct: (ctx, body, direct) => patchUserDirectly(ctx, id, body, direct) }
          : write((ctx, body) => patchGroup(ctx, id, body)),
        DELETE: write((ctx) => (isUsers ? deleteUser : deleteGroup)(ctx, id)),
      },
      method,
    );
  }
  if (name === ".search" && id === undefined) {
    return pick(
      { POST: read((ctx, body) => searchAcross(ctx, parseListParams(searchBody(body), maxPageSize), [searchPart(userListing), searchPart(groupListing)])) },
      method,
    );
  }
  if (name === "serviceproviderconfig" && id === undefined) {
    return pick({ GET: read(async () => serviceProviderConfig()) }, method);
  }
  if (name === "resourcetypes") return pick({ GET: read(async () => getResourceTypes(id)) }, method);
  if (name === "schemas") return pick({ GET: read(async () => getSchemas(id)) }, method);
  throw new NotFoundError(`No such endpoint: /${segments.join("/")}`);
}
