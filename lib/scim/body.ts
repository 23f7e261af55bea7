import { ValidationError } from "@/lib/errors";

export class PayloadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body exceeds the maximum of ${limit} bytes`);
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
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`The request body is not valid JSON: ${(error as Error).message}`, "invalidSyntax");
  }
}
