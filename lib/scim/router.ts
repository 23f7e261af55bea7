import { after } from "next/server";
import { getDatabase, type Database, type Db, type DbOrTx } from "@/db";
import { retrying } from "@/db/errors";
import { touchConnection, type LiveTokenConnection } from "@/db/queries/scim-connections";
import { alongsideCommit } from "@/db/transaction";
import { bufferActivity, cleanEntry, recordActivity, recordRejectedCall, type ActivityEntry } from "@/lib/activity";
import { drainOutbox } from "@/lib/email/outbox";
import { env } from "@/lib/env";
import { plainSummary, type Summary } from "@/lib/activity-summary";
import { TokenCheck, authenticate, bearerHash, spendKnownToken, verifyKnownToken, type Authenticated } from "./bearer";
import type { RateLimitLeases } from "./rate-limit-lease";
import { PayloadTooLargeError, UnsupportedMediaTypeError, readJsonBody } from "./body";
import { runBulk } from "./bulk";
import type { DirectWrite, ScimContext } from "./context";
import { errorResult } from "./errors";
import { attributeRejectedToken, rejectionSummaries } from "./rejected-token";
import { loggedPath } from "./redact-path";
import { committedResult, scimError, toResponse, type ScimResult } from "./responses";
import { resolveRoute, type Route } from "./routes";

const unauthorized = (): ScimResult =>
  scimError(401, "Missing, unknown or revoked bearer token", undefined, { "www-authenticate": 'Bearer realm="Sally SCIM"' });

const bulkRoute: Route = { write: true, run: runBulk };

/** A known token found revoked while its request ran: the request's work is dropped or rolled back. */
class TokenRefusedError extends Error {
  constructor() {
    super("The bearer token was revoked while the request ran");
  }
}

/**
 * Serves one SCIM request: authenticate the bearer token (it names the tenant), rate-limit, read the body, run
 * the handler, answer in SCIM form, and drain the email outbox after the response. A read runs without a
 * transaction and is logged through the activity buffer; a write runs in one transaction that also writes its
 * activity entry, so no change commits unlogged, unless its route can make it in one statement that writes the
 * entry too (Route.direct: a new user in no group, a profile-only update). Writes of a tenant run side by side:
 * the provisioning verb locks only the rows it changes (see lib/provisioning/sync-users.ts).
 *
 * A token this instance found live before, and holds a rate-limit token for, is checked again alongside the
 * request's first statements rather than before them (bearer.ts spendKnownToken): a read of users or groups makes
 * the check in its own statement (bearer.ts TokenCheck), any other read sends it beside its first statement, a
 * write without a transaction makes it in its read or in its one statement, and a write's check in a transaction is the
 * first statement of that transaction, in BEGIN's round trip. Should the
 * check find the token revoked, the read's rows are dropped and the write rolled back, and the answer is the
 * same 401 as for any refused token: nothing is answered or committed before the check has passed.
 */
export async function handleScimRequest(
  request: Request,
  segments: string[],
  /**
   * Tests pass their own database, leave draining the outbox to themselves, and may stand for another instance
   * with its own share of the rate limits.
   */
  options: { database?: Database; drainOutbox?: boolean; leases?: RateLimitLeases } = {},
): Promise<Response> {
  const started = performance.now();
  const method = request.method.toUpperCase();
  const url = new URL(request.url);
  const path = `/${segments.join("/")}`;
  const { db } = options.database ?? (await getDatabase());
  const authorization = request.headers.get("authorization");
  const refused = async () => {
    await logRejectedCall(db, authorization, { method, path: loggedPath(path, url.searchParams), started });
    return toResponse(unauthorized());
  };

  const hash = bearerHash(authorization);
  if (!hash) return refused();
  const known = spendKnownToken(hash, options.leases);
  let authenticated: Authenticated | null = null;
  if (!known) {
    try {
      authenticated = await authenticate(db, hash, env().scim.rateLimitPerMinute, options.leases);
    } catch (error) {
      return toResponse(errorResult(error));
    }
    if (!authenticated) return refused();
  }
  const tenant = { id: known?.tenantId ?? authenticated!.tenant.id };
  // The known token's check: a read's own statement may carry it (TokenCheck); else it is a statement of its own,
  // started on the handle the request's first statement runs on (once: a write that runs again keeps the first
  // answer).
  const tokenCheck = known ? new TokenCheck(known) : undefined;
  let verified: Promise<{ connection: LiveTokenConnection } | null> | undefined;
  const verify = (handle: DbOrTx) =>
    (verified ??= !known
      ? Promise.resolve(authenticated)
      : (tokenCheck?.settled?.then((connection) => connection && { connection }) ?? verifyKnownToken(handle, known)));
  /**
   * Runs `run` with the token's check going out alongside its first statement: before it (a write: the first
   * statement after BEGIN), or, for a read offered `check`, in the read's own statement or else right behind its
   * first one. `run`'s answer or error counts once the check passed.
   */
  const passed = async (handle: DbOrTx) => {
    if (!(await verify(handle))) throw new TokenRefusedError();
  };
  const checked = async <T>(handle: DbOrTx, run: () => Promise<T>, check?: TokenCheck): Promise<T> => {
    if (!check) verify(handle).catch(() => {});
    const running = run();
    if (check && !check.close()) verify(handle).catch(() => {});
    const value = await running.catch(async (error: unknown) => {
      await passed(handle);
      throw error;
    });
    await passed(handle);
    return value;
  };

  // The time is taken here, not by the database: a buffered entry is inserted later but sorts where it happened.
  const entry = (result: ScimResult): ActivityEntry => ({
    tenantId: tenant.id,
    at: new Date(),
    actor: "scim",
    method,
    path: loggedPath(path, url.searchParams),
    status: result.status,
    durationMs: Math.round(performance.now() - started),
    ...(result.summary ?? plainSummary(`${method} ${path}`)),
  });
  const warningEntries = (warnings: Summary[]): ActivityEntry[] =>
    warnings.map((summary) => ({ tenantId: tenant.id, at: new Date(), actor: "scim", method, path: loggedPath(path, url.searchParams), ...summary }));

  let logged = false;
  let emailsQueued = 0;
  const result = await (async (): Promise<ScimResult | "refused"> => {
    if (authenticated && authenticated.wait > 0) {
      const { wait } = authenticated;
      return scimError(429, `Too many requests; retry in ${wait} s`, undefined, { "retry-after": String(wait) });
    }
    try {
      const route = segments.length === 1 && segments[0].toLowerCase() === "bulk" ? bulkRoute : resolveRoute(method, segments);
      if (route === bulkRoute && method !== "POST") return scimError(405, "Use POST for /Bulk", undefined, { allow: "POST" });
      const body = ["POST", "PUT", "PATCH"].includes(method) ? await readJsonBody(request, env().scim.maxPayloadBytes) : undefined;
      const context = (tx: ScimContext["tx"], offered?: TokenCheck): ScimContext => ({
        tx,
        tenant,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        cause: `SCIM ${method} ${path}`,
        warnings: [],
        outbox: { queued: 0 },
        tokenCheck: offered,
      });
      if (!route.write) {
        // A read runs on the shared pool, without a transaction: its statement carries the token's check, or the
        // check goes out beside it; the read's answer (or error) counts only once the check passed.
        return await checked(db, () => route.run(context(db, tokenCheck), body), tokenCheck);
      }
      if (route.direct) {
        // Tried first on the shared pool, as a read is: its read carries the token's check, and the write, in one
        // statement with its activity entry, goes out only once the check has passed.
        const direct: DirectWrite = {
          verified: () => passed(db),
          entries: (result) => [entry(result)].map(cleanEntry),
        };
        // The offer of the token's check stands for the attempt's first statement only. An attempt that wrote
        // passed the check first (DirectWrite.verified); one that comes back without writing is refused if its
        // statement found the token revoked, and else leaves the check to the transaction, out with BEGIN.
        const attempt = route.direct(context(db, tokenCheck), body, direct);
        tokenCheck?.close();
        const answered = await attempt.catch(async (error: unknown) => {
          await passed(db);
          throw error;
        });
        if (answered || tokenCheck?.settled) await passed(db);
        if (answered) {
          logged = true;
          return answered;
        }
      }
      // Logged and queued count only once an attempt has committed.
      const committed = await retrying(() =>
        db.transaction(async (tx) => {
          // The check is the transaction's first statement, out with BEGIN and the handler's first statement.
          const ctx = context(tx);
          const written = await checked(tx, () => route.run(ctx, body));
          await alongsideCommit(tx, () => recordActivity(tx, entry(written), ...warningEntries(ctx.warnings)));
          return { written, queued: ctx.outbox.queued };
        }),
      );
      logged = true;
      emailsQueued = committed.queued;
      return await committedResult(committed.written);
    } catch (error) {
      if (error instanceof TokenRefusedError) return "refused";
      if (error instanceof PayloadTooLargeError) return scimError(413, error.message);
      if (error instanceof UnsupportedMediaTypeError) return scimError(415, error.message);
      return errorResult(error);
    }
  })();
  if (result === "refused") return refused();
  // A request answered before it ran a statement (a bad body, an unknown route) has its token checked now; a check
  // that failed (the database, not the token) answers as the database's failure would.
  let auth: { connection: LiveTokenConnection } | null;
  try {
    auth = await verify(db);
  } catch (error) {
    return toResponse(errorResult(error));
  }
  if (!auth) return refused();

  if (!logged) await bufferActivity(db, entry(result));
  // Last use is recorded at most once a minute, and only for a request that was served: a rejected request
  // changes nothing in the database (its activity entry and the rate limit's bucket aside).
  const { connection } = auth;
  if (result.status < 400 && (!connection.lastUsedAt || Date.now() - connection.lastUsedAt.getTime() > 60_000)) {
    // The request is served (a write committed): failing to note the use must not turn its answer into an error.
    await touchConnection(db, connection.id).catch((error: unknown) =>
      console.error("SCIM: the connection's last use could not be recorded:", error instanceof Error ? error.message.split("\n")[0] : "unknown error"),
    );
  }
  // Only a committed write that queued emails has anything to send; the background drain is the backstop.
  if (emailsQueued > 0 && options.drainOutbox !== false) scheduleDrain(db);
  return toResponse(result);
}

/**
 * A refused token that names one of a tenant's key ids is shown to that tenant's admin (at most once a minute),
 * so a wrong or stale token in the IdP can be seen and fixed. The answer is the same 401 either way, also when
 * this log entry cannot be written (like a buffered entry, it is then reported on the console, without the token).
 */
async function logRejectedCall(db: Db, authorization: string | null, call: { method: string; path: string; started: number }): Promise<void> {
  try {
    const rejected = await attributeRejectedToken(db, authorization);
    if (!rejected) return;
    await recordRejectedCall(
      db,
      {
        tenantId: rejected.tenantId,
        at: new Date(),
        actor: "scim",
        method: call.method,
        path: call.path,
        status: 401,
        durationMs: Math.round(performance.now() - call.started),
        summary: rejectionSummaries[rejected.reason],
        reason: rejected.reason,
      },
      env().scim.rateLimitPerMinute,
    );
  } catch (error) {
    console.error("activity log: a refused SCIM call could not be attributed or written:", error instanceof Error ? error.message : "unknown error");
  }
}

/**
 * Emails queued by the request go out right after the response, a batch of up to 50 per request; the background
 * drain is the backstop. Not drainSoon: one drain at a time per instance served a U=3,000 sync faster in the bench
 * and a U=10,000 one slower (e2e/bench/JOURNAL.md), so the IdP's requests keep a drain each.
 */
function scheduleDrain(db: Db): void {
  const drain = () => drainOutbox(db).then(
    () => undefined,
    (error: unknown) => console.error("outbox drain failed:", error),
  );
  after(drain);
}
