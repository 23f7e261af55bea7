import { sql, type Placeholder, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { statement } from "@/db/run";
import { scimRateLimits } from "@/db/schema";

/**
 * The per-tenant SCIM rate limit: a token bucket of `perMinute` requests a minute, refilled continuously, with
 * bursts up to a minute's worth. The bucket lives in PostgreSQL (or PGlite), so every instance of the app draws
 * from the same one. Returns 0 when the request may proceed, else the whole seconds to wait (for Retry-After,
 * RFC 9110 §10.2.3). A refused request is not charged.
 *
 * One upsert per request, inside the authentication's statement: it refills the bucket from the time elapsed
 * since the last request, takes a token when there is one, and returns what it decided. Concurrent requests of a tenant serialise on
 * the row lock the upsert takes, so N instances together allow exactly the configured rate.
 */
export async function takeRateLimitToken(
  db: DbOrTx,
  tenantId: string,
  perMinute: number,
  /** Tests pass their own clock; otherwise the database's clock, the one every instance shares. */
  now?: Date,
): Promise<number> {
  const [bucket] = now
    ? await bucketAtStatement(db, { tenantId, perMinute, at: now.toISOString() })
    : await bucketStatement(db, { tenantId, perMinute });
  return rateLimitWait(bucket, perMinute);
}

const bucketStatement = statement("scim_rate_limit", ["tenantId", "perMinute"], (p) =>
  rateLimitUpsert(sql`select ${p.tenantId}::uuid`, p.perMinute),
);
const bucketAtStatement = statement("scim_rate_limit_at", ["tenantId", "perMinute", "at"], (p) =>
  rateLimitUpsert(sql`select ${p.tenantId}::uuid`, p.perMinute, p.at),
);

/**
 * The bucket upsert for the tenant that `tenant` (a one-column select) yields, returning `granted` and `tokens`:
 * run alone by takeRateLimitToken, or as a CTE of the SCIM request's authentication (lib/scim/bearer.ts), so
 * the limit costs no round trip of its own. `perMinute` and `at` (an ISO time, else the database's clock) are
 * placeholders of the statement it goes into.
 */
export function rateLimitUpsert(tenant: SQL, perMinute: Placeholder, atTime?: Placeholder): SQL<{ granted: boolean; tokens: number }> {
  const at = atTime ? sql`${atTime}::timestamptz` : sql`clock_timestamp()`;
  const limit = sql`${perMinute}::float8`;
  const refilled = sql`least(${limit}, b.tokens + greatest(0, extract(epoch from (${at} - b.at)))::float8 * (${limit} / 60))`;
  return sql`insert into ${scimRateLimits} as b (tenant_id, tokens, at, granted)
    select t.tenant_id, ${limit} - 1, ${at}, true from (${tenant}) as t(tenant_id)
    on conflict (tenant_id) do update set
      tokens = case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
      at = ${at},
      granted = ${refilled} >= 1
    returning b.granted, b.tokens`;
}

/** 0 when the bucket let the request through, else the whole seconds to wait. */
export function rateLimitWait(bucket: { granted: boolean; tokens: number } | undefined, perMinute: number): number {
  if (!bucket || bucket.granted) return 0;
  return retryAfterSeconds(Number(bucket.tokens), perMinute);
}

/** Whole seconds until the bucket holds one token again; never below one (a Retry-After of 0 invites a storm). */
export function retryAfterSeconds(tokens: number, perMinute: number): number {
  const perSecond = perMinute / 60;
  return Math.max(1, Math.ceil((1 - tokens) / perSecond - 1e-9));
}
