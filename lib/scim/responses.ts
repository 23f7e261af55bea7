import { plainSummary, type Summary } from "@/lib/activity-summary";
import { SCHEMA } from "./schemas";

export const SCIM_CONTENT_TYPE = "application/scim+json";

export type ScimTypeCode =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive"
  | "invalidCursor"
  | "expiredCursor";

/** What a SCIM handler answers; the router turns it into a Response. */
export type ScimResult = {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** One line for the tenant's activity log. Never a token or a request body. */
  summary?: Summary;
  /** The body and headers known only once the request's transaction has committed (from a write sent with COMMIT). */
  afterCommit?: Promise<{ body?: unknown; headers?: Record<string, string> }>;
};

/**
 * What a result will add once committed (ScimResult.afterCommit). Should the transaction fail instead, the
 * failure is the request's answer and this promise is never read: its rejection is not reported as unhandled.
 */
export function afterCommit(answer: Promise<{ body?: unknown; headers?: Record<string, string> }>): ScimResult["afterCommit"] {
  answer.catch(() => {});
  return answer;
}

/** The result complete: call once the transaction that made it has committed. */
export async function committedResult({ afterCommit: later, ...result }: ScimResult): Promise<ScimResult> {
  if (!later) return result;
  const { body, headers } = await later;
  return { ...result, ...(body === undefined ? {} : { body }), headers: { ...result.headers, ...headers } };
}

/** RFC 7644 §3.12 error body: `status` is a string; `scimType` only where the RFC defines one. */
export function errorBody(status: number, detail: string, scimType?: ScimTypeCode) {
  return { schemas: [SCHEMA.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export function scimError(status: number, detail: string, scimType?: ScimTypeCode, headers?: Record<string, string>): ScimResult {
  return { status, body: errorBody(status, detail, scimType), headers, summary: plainSummary(detail) };
}

export function toResponse(result: ScimResult): Response {
  const headers = new Headers(result.headers);
  if (result.body === undefined) return new Response(null, { status: result.status, headers });
  headers.set("content-type", SCIM_CONTENT_TYPE);
  return new Response(JSON.stringify(result.body), { status: result.status, headers });
}

/** RFC 7644 §3.14: versions are weak entity tags. */
export const etag = (version: number) => `W/"${version}"`;
