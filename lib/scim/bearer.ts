import type { DbOrTx } from "@/db";
import { connectionByTokenHash, connectionByTokenHashWith } from "@/db/queries/scim-connections";
import { rateLimitUpsert, rateLimitWait } from "./rate-limit";
import { RateLimitLeases } from "./rate-limit-lease";
import { hashScimToken, sameHash } from "@/lib/provisioning/scim-token";

/**
 * Extracts the token from an Authorization header in every form IdPs use: `Bearer <t>` (any case), the bare
 * token (some Okta app templates send the header value without a scheme), and Basic with the token as password or user name
 * (Okta and PingOne offer Basic).
 */
export function tokenFromHeader(header: string | null): string | null {
  const value = header?.trim();
  if (!value) return null;
  const [scheme, ...rest] = value.split(/\s+/);
  if (rest.length === 0) return scheme;
  const credentials = rest.join(" ");
  if (/^bearer$/i.test(scheme)) return credentials;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const [user, password] = colon < 0 ? [decoded, ""] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    return password || user || null;
  }
  return null;
}

const connectionAndBucket = connectionByTokenHashWith(
  "scim_connection_by_token_with_bucket",
  ["perMinute", "want", "giveBack"],
  (tenant, p) => rateLimitUpsert(tenant, p),
);

/** This instance's shares of the tenants' rate-limit buckets. */
const instanceLeases = new RateLimitLeases();

/**
 * The tenant and live connection a request's token belongs to, or null (→ 401), with the tenant's rate limit
 * taken: `wait` is 0, or the whole seconds to wait before the next request (→ 429). A token this instance holds
 * for the tenant is spent with a lookup that writes nothing; else the bucket is asked in the lookup's statement.
 */
export async function authenticate(
  db: DbOrTx,
  header: string | null,
  ratePerMinute: number,
  /** Tests stand for a second instance with leases of their own. */
  leases: RateLimitLeases = instanceLeases,
) {
  const token = tokenFromHeader(header);
  if (!token || token.length > 512) return null;
  const hash = hashScimToken(token);
  if (leases.spend(hash)) {
    const found = await connectionByTokenHash(db, hash);
    if (!found || !sameHash(found.connection.tokenHash, hash)) return null;
    return { connection: found.connection, tenant: found.tenant, wait: 0 };
  }
  const { want, giveBack } = leases.ask(hash, ratePerMinute);
  const found = await connectionAndBucket(db, hash, { perMinute: ratePerMinute, want, giveBack });
  // The lookup is by an index on the hash; the final comparison is constant-time all the same.
  if (!found || !sameHash(found.connection.tokenHash, hash)) return null;
  leases.took(hash, found.also?.granted ?? 0);
  return { connection: found.connection, tenant: found.tenant, wait: rateLimitWait(found.also, ratePerMinute) };
}
