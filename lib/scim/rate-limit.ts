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
 * The bucket is asked by an upsert inside the authentication's statement: it refills the bucket from the time
 * elapsed since the last ask, takes tokens when there is one, and returns what it decided. Asks of a tenant
 * serialise on the row lock the upsert takes, so N instances together allow exactly the configured rate. Busy
 * instances take several tokens per ask and spend them locally (lib/scim/rate-limit-lease.ts); this function asks
 * for one, as a request does without a lease.
 */
export async function takeRateLimitToken(
  db: DbOrTx,
  tenantId: string,
  perMinute: number,
  /** Tests pass their own clock; otherwise the database's clock, the one every instance shares. */
  now?: Date,
): Promise<number> {
  return rateLimitWait(await askBucket(db, tenantId, perMinute, { want: 1, giveBack: 0 }, now), perMinute);
}

/** Asks the tenant's bucket for up to `want` tokens, first giving back `giveBack` unspent ones (see rateLimitUpsert). */
export async function askBucket(
  db: DbOrTx,
  tenantId: string,
  perMinute: number,
  ask: { want: number; giveBack: number },
  now?: Date,
): Promise<BucketAnswer> {
  const values = { tenantId, perMinute, ...ask };
  const [bucket] = now ? await bucketAtStatement(db, { ...values, at: now.toISOString() }) : await bucketStatement(db, values);
  return { granted: Number(bucket.granted), tokens: Number(bucket.tokens) };
}

const bucketStatement = statement("scim_rate_limit", ["tenantId", "perMinute", "want", "giveBack"], (p) =>
  rateLimitUpsert(sql`select ${p.tenantId}::uuid`, p),
);
const bucketAtStatement = statement("scim_rate_limit_at", ["tenantId", "perMinute", "want", "giveBack", "at"], (p) =>
  rateLimitUpsert(sql`select ${p.tenantId}::uuid`, p, p.at),
);

/** What the bucket upsert returns: the tokens it granted (0: refused) and the tokens left in the bucket. */
export type BucketAnswer = { granted: number; tokens: number };

/**
 * The bucket upsert for the tenant that `tenant` (a one-column select) yields: it refills the bucket from the time
 * elapsed since the last ask, adds the `giveBack` tokens an instance's lease did not spend (never above a
 * minute's worth), and grants up to `want` tokens when there is at least one, else none and charges nothing. Run
 * alone by takeRateLimitToken, or as a CTE of the SCIM request's authentication (lib/scim/bearer.ts), so the
 * limit costs no round trip of its own. `perMinute`, `want`, `giveBack` and `at` (an ISO time, else the database's
 * clock) are placeholders of the statement it goes into.
 */
export function rateLimitUpsert(
  tenant: SQL,
  p: { perMinute: Placeholder; want: Placeholder; giveBack: Placeholder },
  atTime?: Placeholder,
): SQL<BucketAnswer> {
  const at = atTime ? sql`${atTime}::timestamptz` : sql`clock_timestamp()`;
  const limit = sql`${p.perMinute}::float8`;
  const want = sql`greatest(1, ${p.want}::int)`;
  const back = sql`greatest(0, ${p.giveBack}::int)`;
  const available = sql`least(${limit}, b.tokens + ${back} + greatest(0, extract(epoch from (${at} - b.at)))::float8 * (${limit} / 60))`;
  const granted = (tokens: SQL) => sql`case when ${tokens} >= 1 then least(${want}, floor(${tokens}))::int else 0 end`;
  return sql`insert into ${scimRateLimits} as b (tenant_id, tokens, at, granted)
    select t.tenant_id, ${limit} - ${granted(limit)}, ${at}, ${granted(limit)} from (${tenant}) as t(tenant_id)
    on conflict (tenant_id) do update set
      tokens = ${available} - ${granted(available)},
      at = ${at},
      granted = ${granted(available)}
    returning b.granted, b.tokens`;
}

/** 0 when the bucket let the request through, else the whole seconds to wait. */
export function rateLimitWait(bucket: BucketAnswer | undefined, perMinute: number): number {
  if (!bucket || bucket.granted >= 1) return 0;
  return retryAfterSeconds(Number(bucket.tokens), perMinute);
}

/** Whole seconds until the bucket holds one token again; never below one (a Retry-After of 0 invites a storm). */
export function retryAfterSeconds(tokens: number, perMinute: number): number {
  const perSecond = perMinute / 60;
  return Math.max(1, Math.ceil((1 - tokens) / perSecond - 1e-9));
}
