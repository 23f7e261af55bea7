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
  summary?: string;
  /** Headers known only once the request's transaction has committed (from a write sent with COMMIT). */
  headersAfterCommit?: Promise<Record<string, string>>;
};

/** The result with its headers complete: call once the transaction that made it has committed. */
export async function committedResult({ headersAfterCommit, ...result }: ScimResult): Promise<ScimResult> {
  return headersAfterCommit ? { ...result, headers: { ...result.headers, ...(await headersAfterCommit) } } : result;
}

/** RFC 7644 §3.12 error body: `status` is a string; `scimType` only where the RFC defines one. */
export function errorBody(status: number, detail: string, scimType?: ScimTypeCode) {
  return { schemas: [SCHEMA.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export function scimError(status: number, detail: string, scimType?: ScimTypeCode, headers?: Record<string, string>): ScimResult {
  return { status, body: errorBody(status, detail, scimType), headers, summary: detail };
}

export function toResponse(result: ScimResult): Response {
  const headers = new Headers(result.headers);
  if (result.body === undefined) return new Response(null, { status: result.status, headers });
  headers.set("content-type", SCIM_CONTENT_TYPE);
  return new Response(JSON.stringify(result.body), { status: result.status, headers });
}

/** RFC 7644 §3.14: versions are weak entity tags. */
export const etag = (version: number) => `W/"${version}"`;
