import { and, eq, isNull, sql, type Placeholder, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { statement } from "@/db/run";
import { scimConnections, scimRetiredTokenKeys, tenants } from "@/db/schema";
import type { IdentityProvider } from "@/db/schema";

export type ScimConnection = typeof scimConnections.$inferSelect;

/** The tenant's live (not revoked) connection, if any. */
export async function getLiveConnection(db: DbOrTx, tenantId: string): Promise<ScimConnection | undefined> {
  const [row] = await db
    .select()
    .from(scimConnections)
    .where(and(eq(scimConnections.tenantId, tenantId), isNull(scimConnections.revokedAt)));
  return row;
}

export async function insertConnection(
  db: DbOrTx,
  values: { tenantId: string; provider: IdentityProvider; tokenHash: string; tokenPrefix: string; keyId: string },
): Promise<ScimConnection> {
  const [row] = await db.insert(scimConnections).values(values).returning();
  return row;
}

/** Replaces the token; the old token's key id (if it had one) is kept among the retired ones. Call in a transaction. */
export async function updateConnectionToken(db: DbOrTx, id: string, token: { tokenHash: string; tokenPrefix: string; keyId: string }) {
  await db.execute(
    sql`insert into ${scimRetiredTokenKeys} (key_id, connection_id)
      select key_id, id from ${scimConnections} where id = ${id} and key_id is not null`,
  );
  await db.update(scimConnections).set({ ...token, rotatedAt: sql`now()` }).where(eq(scimConnections.id, id));
}

/**
 * Whose key id this is: the tenant of the connection whose current or former (rotated) token it named, whether
 * that connection is revoked, and whether the tenant has a live connection now. One indexed read; undefined for a
 * key id no token ever had.
 */
export async function findTokenKeyOwner(db: DbOrTx, keyId: string) {
  const [row] = await tokenKeyOwnerStatement(db, { keyId });
  return row && { tenantId: row.tenant_id, revoked: row.revoked, retired: row.retired, live: row.live };
}

const tokenKeyOwnerStatement = statement(
  "scim_token_key_owner",
  ["keyId"],
  (p) => sql<{ tenant_id: string; revoked: boolean; retired: boolean; live: boolean }>`select named.tenant_id, named.revoked, named.retired,
       exists (select 1 from ${scimConnections} l where l.tenant_id = named.tenant_id and l.revoked_at is null) as live
    from (
      select c.tenant_id, c.revoked_at is not null as revoked, false as retired from ${scimConnections} c where c.key_id = ${p.keyId}
      union all
      select c.tenant_id, c.revoked_at is not null, true from ${scimRetiredTokenKeys} k
        join ${scimConnections} c on c.id = k.connection_id where k.key_id = ${p.keyId}
    ) as named
    limit 1`,
);

export async function revokeConnection(db: DbOrTx, id: string) {
  await db.update(scimConnections).set({ revokedAt: sql`now()` }).where(eq(scimConnections.id, id));
}

/** Records use at most once a minute per connection (callers skip it when their copy is fresh), so the hot path does not write on every request. */
export async function touchConnection(db: DbOrTx, id: string) {
  await db
    .update(scimConnections)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(scimConnections.id, id),
        sql`(${scimConnections.lastUsedAt} is null or ${scimConnections.lastUsedAt} < now() - interval '1 minute')`,
      ),
    );
}

type AuthRow = {
  id: string;
  tenant_id: string;
  provider: IdentityProvider;
  token_hash: string;
  token_prefix: string;
  key_id: string | null;
  created_at: string | Date;
  rotated_at: string | Date | null;
  last_used_at: string | Date | null;
  revoked_at: string | Date | null;
  slug: string;
  name: string;
  locale: Tenant["locale"];
  invite_on_provision: boolean;
  tenant_created_at: string | Date;
  /** Set by the statement with the bucket's upsert only. */
  granted?: number | null;
  tokens?: number | null;
};

type Tenant = typeof tenants.$inferSelect;
const date = (value: string | Date) => new Date(value);
const maybeDate = (value: string | Date | null) => (value === null ? null : new Date(value));

/** The live connection and tenant a token hash belongs to (one probe of the unique index on the hash). */
const foundByTokenHash = (tokenHash: Placeholder) => sql`
  select c.id, c.tenant_id, c.provider, c.token_hash, c.token_prefix, c.key_id, c.created_at, c.rotated_at, c.last_used_at,
         c.revoked_at, t.slug, t.name, t.locale, t.invite_on_provision, t.created_at as tenant_created_at
  from ${scimConnections} c join ${tenants} t on t.id = c.tenant_id
  where c.token_hash = ${tokenHash} and c.revoked_at is null`;

const connectionByTokenHashStatement = statement(
  "scim_connection_by_token",
  ["tokenHash"],
  (p) => sql<AuthRow>`${foundByTokenHash(p.tokenHash)}`,
);

/** The live connection and tenant a token hash belongs to, reading nothing else and writing nothing. */
export async function connectionByTokenHash(db: DbOrTx, tokenHash: string) {
  const [row] = await connectionByTokenHashStatement(db, { tokenHash });
  return row && connectionOf(row);
}

/**
 * The statement that finds the live connection and tenant a token hash belongs to, and in the same statement does
 * whatever `alsoForTenant` does for that tenant (the SCIM rate limit's bucket upsert, returning `granted` and
 * `tokens`; its placeholders are `params`): one prepared statement, one round trip. Nothing is written for an
 * unknown or revoked token.
 *
 * The statement commits asynchronously (`synchronous_commit` off for its own transaction, PostgreSQL docs
 * "Asynchronous Commit"): it does not wait for its WAL to reach the disk. Every ask of a tenant updates the one
 * bucket row, and a row lock lasts until commit, so a durable commit here would queue all of a tenant's asks
 * behind one disk flush each. A crash of the database may forget the last fraction of a second of bucket
 * updates, which only lets a few more requests through; nothing else is written by this statement. Run it
 * outside a transaction (the setting would hold for the whole transaction).
 */
export function connectionByTokenHashWith<const P extends string>(
  name: string,
  params: readonly P[],
  alsoForTenant: (tenantIds: SQL, p: Record<P, Placeholder>) => SQL<{ granted: number; tokens: number }>,
) {
  const run = statement(
    name,
    ["tokenHash", ...params],
    (p) => sql<AuthRow>`with found as (${foundByTokenHash(p.tokenHash)}),
      also as (${alsoForTenant(sql`select tenant_id from found`, p)})
    select found.*, also.granted, also.tokens from found left join also on true
      cross join (select set_config('synchronous_commit', 'off', true)) as relaxed`,
  );
  return async (db: DbOrTx, tokenHash: string, values: Record<P, unknown>) => {
    const [row] = await run(db, { ...values, tokenHash } as Record<P | "tokenHash", unknown>);
    return row && connectionOf(row);
  };
}

function connectionOf(row: AuthRow) {
  const connection: ScimConnection = {
    id: row.id,
    tenantId: row.tenant_id,
    provider: row.provider,
    tokenHash: row.token_hash,
    tokenPrefix: row.token_prefix,
    keyId: row.key_id,
    createdAt: date(row.created_at),
    rotatedAt: maybeDate(row.rotated_at),
    lastUsedAt: maybeDate(row.last_used_at),
    revokedAt: maybeDate(row.revoked_at),
  };
  const tenant: Tenant = {
    id: row.tenant_id,
    slug: row.slug,
    name: row.name,
    locale: row.locale,
    inviteOnProvision: row.invite_on_provision,
    createdAt: date(row.tenant_created_at),
  };
  return { connection, tenant, also: row.granted == null ? undefined : { granted: Number(row.granted), tokens: Number(row.tokens) } };
}

/** What a request needs of its token's live connection: which it is, and when it was last used. */
export type LiveTokenConnection = { id: string; lastUsedAt: Date | null };
/** A live connection as a hand-written statement returns it with row_to_json (null: the token is not live). */
export type LiveTokenConnectionJson = { id: string; lastUsedAt: string | null } | null;

/** A read's answer when its statement checked the request's token: the token's live connection, null if it is not live. */
export type TokenChecked = { connection: LiveTokenConnection | null };

/** The connection a statement reading from liveTokenConnection answered: on every row, and no row when not live. */
export const connectionAnswered = (rows: { connection?: LiveTokenConnection | null }[]): LiveTokenConnection | null =>
  rows[0]?.connection ?? null;

/**
 * For a read that checks the request's token in its own statement (lib/scim/bearer.ts TokenCheck): the statement
 * reads from the token's live connection of the tenant (`tokenHash` and `tenantId` placeholders) and left-joins
 * what it reads, so it answers one row or more while the token is live, even when it found nothing, and no row
 * at all once it is not. `fields` is what the request needs of the connection.
 */
export const liveTokenConnection = {
  fields: { id: scimConnections.id, lastUsedAt: scimConnections.lastUsedAt },
  where: () =>
    and(
      eq(scimConnections.tokenHash, sql.placeholder("tokenHash")),
      isNull(scimConnections.revokedAt),
      eq(scimConnections.tenantId, sql.placeholder("tenantId")),
    ),
  /**
   * The same for a hand-written write that checks the token in its own statement (lib/scim/users.ts): the body of
   * a CTE answering the live connection, one row while the token is live and none once it is not, for the write to
   * go ahead only `where exists` it. Unchecked (the token verified already), one row that stands for it.
   */
  cte: (checking: boolean) =>
    checking
      ? sql`select ${scimConnections.id} as id, ${scimConnections.lastUsedAt} as "lastUsedAt" from ${scimConnections}
          where ${liveTokenConnection.where()}`
      : sql`select null::uuid as id, null::timestamptz as "lastUsedAt"`,
  /** The CTE's row as the statement returned it with row_to_json (null: the token is not live). */
  fromJson: (row: LiveTokenConnectionJson): LiveTokenConnection | null =>
    row && { id: row.id, lastUsedAt: row.lastUsedAt ? new Date(row.lastUsedAt) : null },
};
