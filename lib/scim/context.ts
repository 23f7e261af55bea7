import type { DbOrTx } from "@/db";
import type { ActivityEntry } from "@/db/queries/activity";
import type { Summary } from "@/lib/activity-summary";
import type { TokenCheck } from "./bearer";
import type { ScimResult } from "./responses";

/**
 * Everything a SCIM resource handler needs: the request's database handle (a transaction for writes; the plain
 * handle for reads, which need none) and tenant, and the request itself.
 */
export type ScimContext = {
  tx: DbOrTx;
  /**
   * The tenant the token names: only its id, which never changes. Its settings are read by the statements that
   * need them, as of then (a request may run before its token is checked again: router.ts).
   */
  tenant: { id: string };
  /** Query parameters, names as sent (handlers match them case-insensitively). */
  query: Record<string, string>;
  headers: Headers;
  /** What caused a change, e.g. `SCIM PATCH /Groups/1f0…`: recorded with seat purchases. */
  cause: string;
  /** Warnings for the tenant's activity log (e.g. a skipped unknown group member), written with the request. */
  warnings: Summary[];
  /**
   * Emails the request put in the outbox (shared by a Bulk request's operations): the router drains the outbox
   * after the response only when some were.
   */
  outbox: { queued: number };
  /** A read's offer to carry the token's check in its own statement (bearer.ts TokenCheck); absent for writes. */
  tokenCheck?: TokenCheck;
};

/**
 * What the router offers a write it first runs outside a transaction, on the shared pool (Route.direct): a write
 * that can be made in one statement (all or nothing without BEGIN and COMMIT) makes it there, with the request's
 * activity entries in the same statement; a write that cannot returns null, having written nothing, and the
 * router runs it again in a transaction.
 */
export type DirectWrite = {
  /** Resolves once the request's token is known to be live, else throws (the answer is then a 401): await it before writing. */
  verified: () => Promise<void>;
  /** The request's activity entries, as stored, for the result it is about to answer. */
  entries: (result: ScimResult) => ActivityEntry[];
};

/** RFC 7644 ids are ours: UUIDs. Anything else cannot exist, so it is a 404, not a database error. */
export const isResourceId = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
