import { PreconditionFailedError } from "@/lib/errors";
import { etag } from "./responses";

/** Does an If-Match / If-None-Match header list match this version? `*` matches any; weakness is ignored. */
function matches(header: string, version: number): boolean {
  const mine = String(version);
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "").replace(/"/g, "") === mine;
  });
}

/** RFC 7644 §3.14: a write with a stale If-Match fails with 412 and changes nothing. */
export function checkIfMatch(headers: Headers, version: number): void {
  const header = headers.get("if-match");
  if (header && !matches(header, version)) {
    throw new PreconditionFailedError(`Resource version is ${etag(version)}, not ${header}`);
  }
}

/** RFC 7644 §3.14: a GET with a matching If-None-Match is answered 304 Not Modified. */
export function notModified(headers: Headers, version: number): boolean {
  const header = headers.get("if-none-match");
  return Boolean(header && matches(header, version));
}
