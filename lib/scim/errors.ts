import { isConnectionLost, isDatabaseUnavailable, isRetryable } from "@/db/errors";
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from "@/lib/errors";
import { withImplicitMethods } from "./methods";
import { MethodNotAllowedError } from "./routes";
import { scimError, type ScimResult } from "./responses";

/** Maps the app's error family to RFC 7644 §3.12 errors; anything unexpected is logged and answered 500. */
export function errorResult(error: unknown): ScimResult {
  if (error instanceof ValidationError) return scimError(400, error.message, error.scimType);
  if (error instanceof NotFoundError) return scimError(404, error.message);
  if (error instanceof ConflictError) return scimError(409, error.message, "uniqueness");
  if (error instanceof PreconditionFailedError) return scimError(412, error.message);
  if (error instanceof MethodNotAllowedError) {
    return scimError(405, error.message, undefined, { allow: withImplicitMethods(error.allowed).join(", ") });
  }
  // Still conflicting after the retries (a deadlock, a group changed by others each time): nothing was written;
  // a 503 with Retry-After makes the IdP send it again shortly (RFC 9110 §15.6.4), where a 500 might not.
  if (isRetryable(error)) {
    return scimError(503, "The resource was being changed by other requests; nothing was written, try again", undefined, { "retry-after": "1" });
  }
  // The database connection was lost under the request (PostgreSQL restarted, failed over, ended it): a temporary
  // condition, and the IdP sends the request again (RFC 9110 §15.6.4). Whether a write committed cannot be known
  // when the connection went with its COMMIT unanswered; the IdP's retry finds it done or does it.
  if (isConnectionLost(error)) {
    console.error("SCIM request failed: the database connection was lost");
    return scimError(503, "The database connection was lost while the request ran; try again", undefined, { "retry-after": "1" });
  }
  // No connection could be made (PostgreSQL down or restarting, its connection limit reached): nothing ran.
  if (isDatabaseUnavailable(error)) {
    console.error("SCIM request failed: the database is unavailable");
    return scimError(503, "The database is unavailable; nothing was written, try again", undefined, { "retry-after": "1" });
  }
  console.error("SCIM request failed:", error);
  return scimError(500, "Internal server error");
}
