import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { scimRateLimits } from "@/db/schema";

/**
 * The per-tenant SCIM rate limit: a token bucket of `perMinute` requests a minute, refilled continuously, with
 * bursts up to a minute's worth. The bucket lives in PostgreSQL (or PGlite), so every instance of the app draws
 * from the same one. Returns 0 when the request may proceed, else the whole seconds to wait (for Retry-After,
 * RFC 9110 §10.2.3). A refused request is not charged.
 *
 * One statement per request: an upsert that refills the bucket from the time elapsed since the last request,
 * takes a token when there is one, and returns what it decided. Concurrent requests of a tenant serialise on
 * the row lock the upsert takes, so N instances together allow exactly the configured rate.
 */
export async function takeRateLimitToken(
  db: DbOrTx,
  tenantId: string,
  perMinute: number,
  /** Tests pass their own clock; otherwise the database's clock, the one every instance shares. */
  now?: Date,
): Promise<number> {
  const perSecond = perMinute / 60;
  const at = now ? sql`${now.toISOString()}::timestamptz` : sql`clock_timestamp()`;
  const refilled = sql`least(${perMinute}::float8, ${scimRateLimits.tokens} + greatest(0, extract(epoch from (${at} - ${scimRateLimits.at}))::float8) * ${perSecond}::float8)`;
  const [bucket] = await db
    .insert(scimRateLimits)
    .values({ tenantId, tokens: sql`${perMinute - 1}::float8`, at, granted: true })
    .onConflictDoUpdate({
      target: scimRateLimits.tenantId,
      set: {
        tokens: sql`case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end`,
        at,
        granted: sql`${refilled} >= 1`,
      },
    })
    .returning({ granted: scimRateLimits.granted, tokens: scimRateLimits.tokens });
  if (bucket.granted) return 0;
  return retryAfterSeconds(bucket.tokens, perMinute);
}

/** Whole seconds until the bucket holds one token again; never below one (a Retry-After of 0 invites a storm). */
export function retryAfterSeconds(tokens: number, perMinute: number): number {
  const perSecond = perMinute / 60;
  return Math.max(1, Math.ceil((1 - tokens) / perSecond - 1e-9));
}
