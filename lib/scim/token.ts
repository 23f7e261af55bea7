import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const TOKEN_PREFIX = "sally_scim_";

/** A new bearer token: 256 random bits, recognisable by its prefix (secret scanners can match it). */
export function generateScimToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** Tokens are stored only as SHA-256: enough for 256-bit random secrets, and cheap on every request. */
export function hashScimToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** What the UI may show of a token: its prefix and first four secret characters. */
export function displayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 4);
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}
