import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const TOKEN_PREFIX = "sally_scim_";
/** 72 random bits, 12 base64url characters: unique among connections, and no secret. */
const KEY_ID_BYTES = 9;
const KEY_ID = /^sally_scim_([A-Za-z0-9_-]{12})_./;

/**
 * A new bearer token `sally_scim_<keyId>_<secret>`: 256 random secret bits, recognisable by its prefix (secret
 * scanners can match it). The key id is public: stored in plain text with the connection, it lets a refused token
 * be attributed to its tenant without revealing anything about the secret.
 */
export function generateScimToken(): { token: string; keyId: string } {
  const keyId = randomBytes(KEY_ID_BYTES).toString("base64url");
  return { token: `${TOKEN_PREFIX}${keyId}_${randomBytes(32).toString("base64url")}`, keyId };
}

/**
 * The key id a token names, or null. Tokens issued before key ids (`sally_scim_<secret>`) name none, or by chance
 * a string that no connection has; they authenticate by their hash alone, as before.
 */
export function scimTokenKeyId(token: string): string | null {
  return KEY_ID.exec(token)?.[1] ?? null;
}

/** Tokens are stored only as SHA-256: enough for 256-bit random secrets, and cheap on every request. */
export function hashScimToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** What the UI may show of a token: its prefix and the first four characters after it. */
export function displayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 4);
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}
