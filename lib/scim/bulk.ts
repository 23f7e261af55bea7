import { z } from "zod";
import { retrying } from "@/db/errors";
import { env } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { summarize } from "@/lib/activity-summary";
import type { ScimContext } from "./context";
import { PayloadTooLargeError } from "./body";
import { errorResult } from "./errors";
import { committedResult, type ScimResult } from "./responses";
import { resolveRoute } from "./routes";
import { SCHEMA } from "./schemas";

const bulkRequestSchema = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(SCHEMA.bulkRequest), `schemas must contain ${SCHEMA.bulkRequest}`),
  failOnErrors: z.number().int().min(1).optional(),
  Operations: z
    .array(
      z.object({
        method: z.string().transform((m) => m.toUpperCase()).pipe(z.enum(["POST", "PUT", "PATCH", "DELETE"])),
        bulkId: z.string().min(1).optional(),
        version: z.string().optional(),
        path: z.string().startsWith("/"),
        data: z.unknown().optional(),
      }),
    )
    .min(1),
});

type Operation = z.infer<typeof bulkRequestSchema>["Operations"][number];

const BULK_REF = /bulkId:([A-Za-z0-9._~-]+)/g;

/** Replaces `bulkId:x` references with the ids created earlier in the request; returns null if one is unknown yet. */
function resolveRefs<T>(value: T, ids: Map<string, string>): T | null {
  let unresolved = false;
  const json = JSON.stringify(value ?? null).replace(BULK_REF, (ref, bulkId: string) => {
    const id = ids.get(bulkId);
    if (!id) unresolved = true;
    return id ?? ref;
  });
  return unresolved ? null : (JSON.parse(json) as T);
}

/** Reads the Bulk body: case-insensitive `Operations`, advertised limits enforced (RFC 7644 §3.7.4 → 413). */
function parseBulk(body: unknown) {
  const source = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const key = Object.keys(source).find((k) => k.toLowerCase() === "operations");
  const parsed = bulkRequestSchema.safeParse({ ...source, Operations: key ? source[key] : undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Invalid BulkRequest: ${issue.path.join(".")} ${issue.message}`, "invalidSyntax");
  }
  return parsed.data;
}

/**
 * POST /Bulk (RFC 7644 §3.7): operations run in order, each in its own savepoint, so one failure does not undo
 * the others; `bulkId:` references resolve to ids created earlier (an operation whose reference is not created
 * yet is retried once after the rest); processing stops after `failOnErrors` failures.
 */
export async function runBulk(ctx: ScimContext, body: unknown): Promise<ScimResult> {
  const request = parseBulk(body);
  const { maxBulkOperations } = env().scim;
  if (request.Operations.length > maxBulkOperations) {
    // Thrown, not returned: the request's transaction rolls back, so a refused bulk leaves no trace but its log entry.
    const detail = `The bulk request has ${request.Operations.length} operations; the maximum is ${maxBulkOperations}`;
    throw new PayloadTooLargeError(maxBulkOperations, detail);
  }
  const ids = new Map<string, string>();
  const results: Record<string, unknown>[] = [];
  let errors = 0;
  let queue: Operation[] = request.Operations;
  for (let pass = 0; pass < 2 && queue.length > 0; pass++) {
    const deferred: Operation[] = [];
    for (const op of queue) {
      if (request.failOnErrors && errors >= request.failOnErrors) break;
      const path = resolveRefs(op.path, ids);
      const data = resolveRefs(op.data, ids);
      if (path === null || data === null) {
        if (pass === 0) {
          deferred.push(op);
          continue;
        }
      }
      // An operation's savepoint is not pipelined: what it sent to go with COMMIT has been answered already.
      const result = await committedResult(await runOperation(ctx, op, path ?? op.path, data ?? op.data));
      if (result.status >= 400) errors++;
      const created = result.status === 201 ? (result.body as { id?: string } | undefined)?.id : undefined;
      if (op.bulkId && created) ids.set(op.bulkId, created);
      results.push({
        method: op.method,
        ...(op.bulkId ? { bulkId: op.bulkId } : {}),
        ...(result.headers?.etag ? { version: result.headers.etag } : {}),
        ...(result.headers?.location ? { location: result.headers.location } : {}),
        status: String(result.status),
        ...(result.status >= 400 ? { response: result.body } : {}),
      });
    }
    queue = deferred;
  }
  return {
    status: 200,
    body: { schemas: [SCHEMA.bulkResponse], Operations: results },
    summary: summarize("bulk", { operations: results.length, failed: errors }),
  };
}

/** A bulk operation's path in segments, percent-decoded as the router's are; a malformed escape is a 400. */
function pathSegments(path: string): string[] {
  try {
    return path.split("?")[0].split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new ValidationError(`The operation path ${JSON.stringify(path)} has a malformed percent-encoding`, "invalidValue");
  }
}

async function runOperation(ctx: ScimContext, op: Operation, path: string, data: unknown): Promise<ScimResult> {
  try {
    const segments = pathSegments(path);
    if (segments[0]?.toLowerCase() === "bulk") throw new ValidationError("Bulk operations cannot nest", "invalidValue");
    const route = resolveRoute(op.method, segments);
    const headers = new Headers(op.version ? { "if-match": op.version } : {});
    // A retryable failure (a deadlock, a concurrent change of the same group) rolls back only this operation's
    // savepoint; run it again, as the router runs a whole request again.
    return await retrying(() =>
      ctx.tx.transaction((tx) => route.run({ ...ctx, tx, headers, query: {}, cause: `${ctx.cause} → ${op.method} ${path}` }, data)),
    );
  } catch (error) {
    return errorResult(error);
  }
}
