import type { DbOrTx } from "@/db";
import type { TokenCheck } from "./bearer";

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
  warnings: string[];
  /**
   * Emails the request put in the outbox (shared by a Bulk request's operations): the router drains the outbox
   * after the response only when some were.
   */
  outbox: { queued: number };
  /** A read's offer to carry the token's check in its own statement (bearer.ts TokenCheck); absent for writes. */
  tokenCheck?: TokenCheck;
};

/** RFC 7644 ids are ours: UUIDs. Anything else cannot exist, so it is a 404, not a database error. */
export const isResourceId = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
