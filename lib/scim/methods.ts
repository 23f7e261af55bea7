import { NotFoundError } from "@/lib/errors";
import { MethodNotAllowedError, resolveRoute } from "./routes";

/** The methods Next.js routes to a route handler; any other never reaches app code (see method-guard.ts). */
export const ROUTED_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * The methods a SCIM path answers, for `Allow` (RFC 9110 §10.2.1), or null when the path names no endpoint.
 * HEAD goes with GET (RFC 9110 §9.3.2) and OPTIONS with every endpoint (§9.3.7).
 */
export function allowedMethods(segments: string[]): string[] | null {
  let allowed: string[];
  if (segments.length === 1 && segments[0].toLowerCase() === "bulk") {
    allowed = ["POST"];
  } else {
    try {
      resolveRoute("OPTIONS", segments);
      return null;
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      if (!(error instanceof MethodNotAllowedError)) throw error;
      allowed = error.allowed;
    }
  }
  return withImplicitMethods(allowed);
}

/** A route's methods plus the ones every endpoint answers: HEAD with GET, and OPTIONS. */
export function withImplicitMethods(allowed: string[]): string[] {
  return [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"];
}

/** The SCIM path segments of a raw request target (`/scim/v2/Users/1?x` → ["Users", "1"]), or null for other paths. */
export function scimSegments(target: string): string[] | null {
  const path = target.split(/[?#]/)[0];
  const match = /^\/scim\/v2(?=\/|$)/i.exec(path);
  if (!match) return null;
  return path
    .slice(match[0].length)
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/** Is this a SCIM path with a percent-escape that decodes to nothing (`%E0%A4%A`)? Next.js answers those 500. */
export function malformedScimTarget(target: string): boolean {
  const path = target.split(/[?#]/)[0];
  if (!/^\/scim\/v2(?=\/|$)/i.test(path)) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}
