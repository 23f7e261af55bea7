import { ValidationError } from "@/lib/errors";
import { LONE_SURROGATE } from "@/lib/unicode";

/** RFC 7644 §3.7.4 and RFC 9110 §15.5.14: answered 413, and nothing of the request is done. */
export class PayloadTooLargeError extends Error {
  constructor(
    readonly limit: number,
    message = `The request body exceeds the maximum of ${limit} bytes`,
  ) {
    super(message);
  }
}

export class UnsupportedMediaTypeError extends Error {}

/** RFC 7644 §3.1: clients send application/scim+json; application/json is accepted too (Okta's test suite). */
function checkContentType(header: string | null): void {
  if (!header) return;
  const type = header.split(";")[0].trim().toLowerCase();
  if (type !== "application/scim+json" && type !== "application/json" && !type.endsWith("+json")) {
    throw new UnsupportedMediaTypeError(`Unsupported Content-Type ${type}; send application/scim+json`);
  }
}

/**
 * Reads and parses a JSON body, stopping as soon as it passes `limit` bytes (route handlers have no body limit
 * of their own, so an endless upload would otherwise be buffered whole). Empty body → undefined.
 */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  checkContentType(request.headers.get("content-type"));
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new PayloadTooLargeError(limit);
  if (!request.body) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the body; only the position is repeated, so no body text reaches the log.
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    const where = position ? ` (at character ${position})` : /end of JSON input/.test((error as Error).message) ? " (it ends early)" : "";
    throw new ValidationError(`The request body is not valid JSON${where}`, "invalidSyntax");
  }
  checkShape(body);
  return body;
}

/**
 * No SCIM message nests deeper than a few levels (a PatchOp value holding an extension's complex attribute is
 * five); a deeper body would only exhaust the stack of a later step (serialising, cloning, PostgreSQL's jsonb
 * parser), so it is refused up front.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * Refuses what no later step can hold: nesting deeper than MAX_BODY_DEPTH (invalidSyntax), and U+0000 or a lone
 * surrogate in a key or string, which PostgreSQL text and jsonb cannot store (invalidValue). Iterative, so any
 * depth is safe here.
 */
function checkShape(body: unknown): void {
  const stack: [unknown, number][] = [[body, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000")) throw new ValidationError("Strings may not contain the NUL character (U+0000)", "invalidValue");
      if (LONE_SURROGATE.test(value)) {
        throw new ValidationError("Strings may not contain a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff escape)", "invalidValue");
      }
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) {
      throw new ValidationError(`The request body nests deeper than ${MAX_BODY_DEPTH} levels`, "invalidSyntax");
    }
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
    } else {
      for (const [key, item] of Object.entries(value)) {
        stack.push([key, depth + 1]);
        stack.push([item, depth + 1]);
      }
    }
  }
}
