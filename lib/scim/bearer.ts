import type { DbOrTx } from "@/db";
import { connectionByTokenHash, connectionByTokenHashWith, type LiveTokenConnection, type ScimConnection } from "@/db/queries/scim-connections";
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

/** The hash of the token an Authorization header carries (what tokens are stored and looked up by), or null. */
export function bearerHash(header: string | null): string | null {
  const token = tokenFromHeader(header);
  return token && token.length <= 512 ? hashScimToken(token) : null;
}

/**
 * The tenant and live connection a token (by its hash) belongs to, or null (→ 401), with the tenant's rate limit
 * taken: `wait` is 0, or the whole seconds to wait before the next request (→ 429). A token this instance holds
 * for the tenant is spent with a lookup that writes nothing; else the bucket is asked in the lookup's statement.
 */
export async function authenticate(
  db: DbOrTx,
  hash: string,
  ratePerMinute: number,
  /** Tests stand for a second instance with leases of their own. */
  leases: RateLimitLeases = instanceLeases,
) {
  if (leases.spend(hash)) return live(hash, await connectionByTokenHash(db, hash));
  const { want, giveBack } = leases.ask(hash, ratePerMinute);
  const found = live(hash, await connectionAndBucket(db, hash, { perMinute: ratePerMinute, want, giveBack }));
  if (!found) return null;
  leases.took(hash, found.also?.granted ?? 0);
  return { ...found, wait: rateLimitWait(found.also, ratePerMinute) };
}

/**
 * What a lookup by a token's hash found, when it is the token's live connection: its connection and tenant, ready
 * to serve (`wait` 0), and the tenant remembered for the token (`spendKnownToken`); else null.
 */
function live<F extends { connection: ScimConnection; tenant: { id: string } }>(hash: string, found: F | undefined) {
  // The lookup is by an index on the hash; the final comparison is constant-time all the same.
  if (!found || !sameHash(found.connection.tokenHash, hash)) return null;
  rememberTenant(hash, found.tenant.id);
  return { ...found, wait: 0 };
}

/** What a request's token was found to be: its live connection and tenant, and how long to wait (0: serve it). */
export type Authenticated = NonNullable<Awaited<ReturnType<typeof authenticate>>>;

/**
 * The tenant each token hash was last found to belong to, on this instance. A token belongs to one tenant for
 * good (only its revocation changes), so the binding itself never goes stale: what a request must still check is
 * that the token is live, which `verifyKnownToken` does alongside the request's own statements.
 */
const tokenTenants = new Map<string, string>();
const TOKEN_TENANTS_KEPT = 10_000;

function rememberTenant(hash: string, tenantId: string): void {
  if (tokenTenants.get(hash) === tenantId) return;
  tokenTenants.set(hash, tenantId);
  if (tokenTenants.size > TOKEN_TENANTS_KEPT) tokenTenants.delete(tokenTenants.keys().next().value!);
}

/** A token this instance has found live before and holds a rate-limit token for: its tenant is known. */
export type KnownToken = { hash: string; tenantId: string };

/**
 * For a token whose tenant this instance knows and for which it holds a rate-limit token (which this spends):
 * the tenant, so the request's statements can start before the token is checked again, in the same round trip as
 * that check (`verifyKnownToken`). Null when the request must be authenticated first (`authenticate`), which also
 * asks the bucket; nothing is spent then.
 */
export function spendKnownToken(hash: string, leases: RateLimitLeases = instanceLeases): KnownToken | null {
  const tenantId = tokenTenants.get(hash);
  if (!tenantId || !leases.spend(hash)) return null;
  return { hash, tenantId };
}

/**
 * Checks a known token again (one read, nothing written): its connection and tenant when it is still live, else
 * null (it was revoked or rotated meanwhile), and the binding is forgotten. The caller must not answer with, nor
 * commit, anything done for the request before this has answered.
 */
export async function verifyKnownToken(db: DbOrTx, known: KnownToken): Promise<Authenticated | null> {
  const found = live(known.hash, await connectionByTokenHash(db, known.hash));
  if (found?.tenant.id === known.tenantId) return found;
  tokenTenants.delete(known.hash);
  return null;
}

/**
 * A known token's check, offered to a read so that the read's own statement carries it (the statement is then
 * answered only while the token is live, and says so): a second statement just for the check cost a read about
 * a third of Sally's own CPU for it (`npm run bench:handler`). `take` hands the hash and tenant over, once, and
 * only before the router has closed the offer (it does so once the read has sent its first statement); `settle`
 * reports what the statement
 * found: the token's live connection, or null when the token is no longer live. A check taken and never settled
 * (the statement failed) is made by the router after all (router.ts).
 */
export class TokenCheck {
  private state: "offered" | "taken" | "closed" = "offered";
  private answer: Promise<LiveTokenConnection | null> | null = null;

  constructor(private readonly known: KnownToken) {}

  take(): KnownToken | null {
    if (this.state !== "offered") return null;
    this.state = "taken";
    return this.known;
  }

  /** Closes the offer; true when the read took the check. */
  close(): boolean {
    const taken = this.state === "taken";
    this.state = "closed";
    return taken;
  }

  settle(connection: LiveTokenConnection | null): void {
    if (!connection) tokenTenants.delete(this.known.hash);
    this.answer = Promise.resolve(connection);
  }

  /** The read's answer, once settled; else null. */
  get settled(): Promise<LiveTokenConnection | null> | null {
    return this.answer;
  }
}

/**
 * Runs a read whose statement may carry the request's token check (see TokenCheck): `read` gets the token's hash
 * (undefined when there is no check to take) and returns what it found, with `connection` as the statement saw
 * it (null: the token is no longer live; undefined: the statement did not check it after all).
 */
export async function readCheckingToken<T extends object>(
  check: TokenCheck | undefined,
  read: (token: KnownToken | undefined) => Promise<T & { connection?: LiveTokenConnection | null }>,
): Promise<T> {
  const token = check?.take() ?? undefined;
  const found = await read(token);
  if (token && found.connection !== undefined) check!.settle(found.connection);
  return found;
}
