import { after } from "next/server";
import { getDatabase, type Database, type Db } from "@/db";
import { touchConnection } from "@/db/queries/scim-connections";
import { lockTenant } from "@/db/queries/tenants";
import { recordActivity } from "@/lib/activity";
import { drainOutbox } from "@/lib/email/outbox";
import { env } from "@/lib/env";
import { authenticate } from "./bearer";
import { PayloadTooLargeError, UnsupportedMediaTypeError, readJsonBody } from "./body";
import { runBulk } from "./bulk";
import type { ScimContext } from "./context";
import { errorResult } from "./errors";
import { takeRateLimitToken } from "./rate-limit";
import { scimError, toResponse, type ScimResult } from "./responses";
import { resolveRoute, type Route } from "./routes";

const unauthorized = (): ScimResult =>
  scimError(401, "Missing, unknown or revoked bearer token", undefined, { "www-authenticate": 'Bearer realm="Sally SCIM"' });

const bulkRoute: Route = { write: true, run: runBulk };

/**
 * Serves one SCIM request: authenticate the bearer token (it names the tenant), rate-limit, read the body,
 * run the handler in one transaction (writes serialised per tenant), answer in SCIM form, log the request to
 * the tenant's activity, and drain the email outbox after the response.
 */
export async function handleScimRequest(
  request: Request,
  segments: string[],
  /** Tests pass their own database, and leave draining the outbox to themselves. */
  options: { database?: Database; drainOutbox?: boolean } = {},
): Promise<Response> {
  const started = performance.now();
  const method = request.method.toUpperCase();
  const url = new URL(request.url);
  const path = `/${segments.join("/")}`;
  const { db } = options.database ?? (await getDatabase());

  const auth = await authenticate(db, request.headers.get("authorization"));
  if (!auth) return toResponse(unauthorized());
  const { tenant, connection } = auth;

  const result = await (async (): Promise<ScimResult> => {
    const wait = await takeRateLimitToken(db, tenant.id, env().scim.rateLimitPerMinute);
    if (wait > 0) {
      return scimError(429, `Too many requests; retry in ${wait} s`, undefined, { "retry-after": String(wait) });
    }
    try {
      const route = segments.length === 1 && segments[0].toLowerCase() === "bulk" ? bulkRoute : resolveRoute(method, segments);
      if (route === bulkRoute && method !== "POST") return scimError(405, "Use POST for /Bulk", undefined, { allow: "POST" });
      const body = ["POST", "PUT", "PATCH"].includes(method) ? await readJsonBody(request, env().scim.maxPayloadBytes) : undefined;
      return await db.transaction(async (tx) => {
        const current = route.write ? await lockTenant(tx, tenant.id) : tenant;
        if (!connection.lastUsedAt || Date.now() - connection.lastUsedAt.getTime() > 60_000) {
          await touchConnection(tx, connection.id);
        }
        const ctx: ScimContext = {
          tx,
          tenant: current,
          query: Object.fromEntries(url.searchParams),
          headers: request.headers,
          cause: `SCIM ${method} ${path}`,
        };
        return route.run(ctx, body);
      });
    } catch (error) {
      if (error instanceof PayloadTooLargeError) return scimError(413, error.message);
      if (error instanceof UnsupportedMediaTypeError) return scimError(415, error.message);
      return errorResult(error);
    }
  })();

  const durationMs = Math.round(performance.now() - started);
  await recordActivity(db, {
    tenantId: tenant.id,
    actor: "scim",
    method,
    path: path + (url.search.length > 1 ? url.search : ""),
    status: result.status,
    durationMs,
    summary: result.summary ?? `${method} ${path}`,
  }).catch((error: unknown) => console.error("activity log failed:", error));
  if (method !== "GET" && options.drainOutbox !== false) scheduleDrain(db);
  return toResponse(result);
}

/** Emails queued by the request go out right after the response; the background drain is the backstop. */
function scheduleDrain(db: Db): void {
  const drain = () => drainOutbox(db).then(
    () => undefined,
    (error: unknown) => console.error("outbox drain failed:", error),
  );
  after(drain);
}
