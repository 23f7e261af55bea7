import { sql, type Placeholder, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { jsonParam, lowerTextArray, statement, uuidArray } from "@/db/run";
import type { LicenseTier, Locale, UserLicense, UserRole, UserSource, UserStatus } from "@/db/schema";
import { toMapping, type MappingRow } from "./mappings";

/** A Sally user as the access rules read and write it. */
export type AccessRow = {
  id: string;
  email: string;
  name: string | null;
  locale: Locale | null;
  role: UserRole;
  license: UserLicense;
  status: UserStatus;
  source: UserSource;
  scimUserId: string | null;
  invitedAt: string | null;
  firstSignInAt: string | null;
  emailConflictWith: string | null;
  createdAt: string;
};

const accessColumns = sql.raw(`id, email, name, locale, role, license, status, source, scim_user_id as "scimUserId",
  invited_at as "invitedAt", first_sign_in_at as "firstSignInAt", email_conflict_with as "emailConflictWith",
  created_at as "createdAt"`);

/**
 * Locks, until commit, the Sally users behind the given SCIM users and every user sharing an email with them or
 * holding one of the given emails (the ones a new SCIM user may be linked to, or whose email they claim), in id
 * order so two lockers never wait on each other crosswise. Whatever is read after this sees every change
 * committed to these users before. Two users newly claiming one email in parallel transactions are caught by
 * the users_email_access_excl constraint (one email, one user with access), and the loser runs again.
 * Every step is an index probe whatever the tenant's size (on tables PostgreSQL has planned for more than a
 * handful of rows; see "Plans that hold while a tenant's tables grow" in the README): users are found by their
 * unique SCIM id and only then checked against the tenant (a materialized step, so the planner cannot instead
 * walk the tenant's whole prefix of a `(tenant_id, …)` index, which it does when its statistics think the tenant
 * small), and by
 * `(tenant_id, lower(email))` once per email (a lateral subquery the planner cannot flatten: given the emails as
 * one array, it walked the tenant's prefix and filtered by email whenever it thought the tenant small, which a
 * tenant's first sync makes it think until the table is analyzed again).
 */
const lockUsersSql = (
  p: Record<"tenantId" | "scimUserIds", Placeholder>,
  options: { emails: SQL; when?: SQL },
) =>
  sql<AccessRow>`with found as materialized (
      select id, tenant_id, lower(email) as email from users where scim_user_id = any(${uuidArray(p.scimUserIds)})
    ),
    linked as (select id, email from found where tenant_id = ${p.tenantId}),
    targets as materialized (
      select id from linked
      union
      select holder.id from (${options.emails} union select email from linked) as wanted(email)
      cross join lateral (
        select u.id from users u where u.tenant_id = ${p.tenantId} and lower(u.email) = wanted.email offset 0
      ) as holder
    )
    select ${accessColumns} from users
    where id = any(array(select id from targets)) and ${options.when ?? sql`true`}
    order by id
    for update`;
/** The emails given (a jsonb array), lowercased, as the rows of a subquery. */
const givenEmails = (emails: Placeholder) => sql`select lower(value) from jsonb_array_elements_text(${emails}::jsonb) as value`;

const lockUsersStatement = statement("lock_users_for_access", ["tenantId", "scimUserIds", "emails"], (p) =>
  lockUsersSql(p, { emails: givenEmails(p.emails) }),
);

export async function lockUsersForAccess(db: DbOrTx, tenantId: string, scimUserIds: string[], emails: string[]): Promise<AccessRow[]> {
  return lockUsersStatement(db, { tenantId, scimUserIds: jsonParam(scimUserIds), emails: jsonParam(emails) });
}

/** Whether a group grants a role or a license: only then can a change of its members change their access. */
const groupGrants = (tenantId: Placeholder, groupId: Placeholder) =>
  sql`exists (select 1 from group_mappings where tenant_id = ${tenantId} and group_id = ${groupId})`;

const lockUsersIfGrantsStatement = statement(
  "lock_users_if_group_grants",
  ["tenantId", "scimUserIds", "emails", "groupId"],
  (p) => lockUsersSql(p, { emails: givenEmails(p.emails), when: groupGrants(p.tenantId, p.groupId) }),
);

/**
 * lockUsersForAccess, only if the group grants something (else it locks nothing): sent, with
 * readAccessContextIfGroupGrants, ahead of knowing whether a member change of that group touches anyone's access
 * (lib/provisioning/sync-users.ts sendMemberChange). The caller holds the group against a mapping save
 * (getScimGroupLocked), so whether it grants cannot change under it.
 */
export async function lockUsersIfGroupGrants(db: DbOrTx, tenantId: string, groupId: string, scimUserIds: string[]): Promise<AccessRow[]> {
  return lockUsersIfGrantsStatement(db, { tenantId, scimUserIds: jsonParam(scimUserIds), emails: "[]", groupId });
}

/**
 * The email the rules go by for a stored SCIM user (`scim_users` row `alias`): its email, else its userName. The
 * SQL form of `emailOf` in lib/scim/directory.ts, for statements that must compare or lock by it before the user
 * is read.
 */
export const scimUserAccessEmail = (alias: SQL) => sql`coalesce(${alias}.email, ${alias}.user_name)`;

const lockUsersOfScimUserStatement = statement("lock_users_of_scim_user", ["tenantId", "scimUserIds"], (p) =>
  lockUsersSql(p, {
    emails: sql`select lower(${scimUserAccessEmail(sql`s`)}) from scim_users s
      where s.id = any(${uuidArray(p.scimUserIds)}) and s.tenant_id = ${p.tenantId}`,
  }),
);

/**
 * lockUsersForAccess for one SCIM user with the email it has stored (its email, else its userName: what the rules
 * give its Sally user), read by the statement itself: it can go out before the caller has read that user. Run it
 * after the SCIM user's own lock, so the email it reads is the one the caller gets (lib/provisioning/sync-users.ts
 * sendUserLock).
 */
export async function lockUsersOfScimUser(db: DbOrTx, tenantId: string, scimUserId: string): Promise<AccessRow[]> {
  return lockUsersOfScimUserStatement(db, { tenantId, scimUserIds: jsonParam([scimUserId]) });
}

export type ScimUserFacts = { id: string; email: string | null; userName: string; displayName: string | null; active: boolean };

export type AccessContext = {
  mapping: ReturnType<typeof toMapping>;
  /** The tenant as of now (its invite setting may have changed since the request authenticated). */
  tenant: { inviteOnProvision: boolean; name: string; locale: Locale };
  groupsOf: Map<string, Set<string>>;
  scimUsers: Map<string, ScimUserFacts>;
};

/**
 * Everything the access rules need about some SCIM users, in one statement: the tenant's mapping and invite
 * setting, each user's direct groups and SCIM facts. Run it after lockUsersForAccess, never in the same
 * statement: a statement's snapshot is taken when it starts, before any wait for a lock.
 */
type AccessContextRow = {
  mapping: MappingRow[];
  groups: { userId: string; groupIds: string[] }[];
  scimUsers: ScimUserFacts[];
  inviteOnProvision: boolean;
  name: string;
  locale: Locale;
};

const accessContextSql = (p: Record<"tenantId" | "scimUserIds", Placeholder>, when: SQL = sql`true`) =>
  sql<AccessContextRow>`select
      (select coalesce(json_agg(json_build_object('groupId', m.group_id, 'displayName', '', 'role', m.role, 'licenseTier', m.license_tier)), '[]')
         from group_mappings m where m.tenant_id = t.id) as "mapping",
      (select coalesce(json_agg(json_build_object('userId', g.user_id, 'groupIds', g.group_ids)), '[]')
         from (select user_id, json_agg(group_id) as group_ids from scim_group_members
               where user_id = any(${uuidArray(p.scimUserIds)}) group by user_id) as g) as "groups",
      (select coalesce(json_agg(json_build_object('id', u.id, 'email', u.email, 'userName', u.user_name,
              'displayName', u.display_name, 'active', u.active)), '[]')
         -- By id first, then the tenant ("offset 0" keeps the planner from merging the two; see lockUsersForAccess).
         from (select * from scim_users where id = any(${uuidArray(p.scimUserIds)}) offset 0) as u
         where u.tenant_id = t.id) as "scimUsers",
      t.invite_on_provision as "inviteOnProvision", t.name, t.locale
    from tenants t where t.id = ${p.tenantId} and ${when}`;
const accessContextStatement = statement("read_access_context", ["tenantId", "scimUserIds"], (p) => accessContextSql(p));
const accessContextIfGrantsStatement = statement(
  "read_access_context_if_group_grants",
  ["tenantId", "scimUserIds", "groupId"],
  (p) => accessContextSql(p, groupGrants(p.tenantId, p.groupId)),
);

export async function readAccessContext(db: DbOrTx, tenantId: string, scimUserIds: string[]): Promise<AccessContext> {
  const [row] = await accessContextStatement(db, { tenantId, scimUserIds: jsonParam(scimUserIds) });
  return toAccessContext(row);
}

/** readAccessContext, only if the group grants something (null if not); see lockUsersIfGroupGrants. */
export async function readAccessContextIfGroupGrants(db: DbOrTx, tenantId: string, groupId: string, scimUserIds: string[]): Promise<AccessContext | null> {
  const [row] = await accessContextIfGrantsStatement(db, { tenantId, scimUserIds: jsonParam(scimUserIds), groupId });
  return row ? toAccessContext(row) : null;
}

function toAccessContext(row: AccessContextRow): AccessContext {
  return {
    mapping: toMapping(row.mapping),
    tenant: { inviteOnProvision: row.inviteOnProvision, name: row.name, locale: row.locale },
    groupsOf: new Map(row.groups.map((g) => [g.userId, new Set(g.groupIds)])),
    scimUsers: new Map(row.scimUsers.map((u) => [u.id, u])),
  };
}

/** A user's values after the rules ran; `invite` stamps invitedAt (the exactly-once marker). */
export type AccessWrite = Omit<AccessRow, "id" | "invitedAt" | "firstSignInAt" | "createdAt"> & { invite: boolean };

const recordColumns = sql.raw(`id uuid, email text, name text, locale locale, role user_role, license user_license,
  status user_status, source user_source, "scimUserId" uuid, "emailConflictWith" uuid, invite boolean`);

const updateUsersStatement = statement(
  "update_users_access",
  ["rows", "ids"],
  (p) => sql`update users set email = v.email, name = v.name, locale = v.locale, role = v.role, license = v.license,
      status = v.status, source = v.source, scim_user_id = v."scimUserId", email_conflict_with = v."emailConflictWith",
      updated_at = now(), invited_at = case when v.invite then now() else users.invited_at end
    from jsonb_to_recordset(${p.rows}::jsonb) as v(${recordColumns})
    where users.id = v.id
      -- The same ids once more as an array: PostgreSQL then finds the rows by the primary key instead of
      -- joining against a scan of every user (it plans a function's rows as a hundred, whatever there are).
      and users.id = any(${uuidArray(p.ids)})`,
);

/** Writes the changed users in one statement (whatever their number); returns nothing the caller does not know. */
export async function updateUsersAccess(db: DbOrTx, rows: (AccessWrite & { id: string })[]): Promise<void> {
  if (rows.length === 0) return;
  await updateUsersStatement(db, { rows: jsonParam(rows), ids: jsonParam(rows.map((r) => r.id)) });
}

const updateProfilesStatement = statement(
  "update_linked_profiles",
  ["tenantId", "profiles", "scimUserIds"],
  (p) => sql`update users set email = v.email, name = v.name, locale = v.locale, updated_at = now()
    from jsonb_to_recordset(${p.profiles}::jsonb) as v("scimUserId" uuid, email text, name text, locale locale)
    where users.scim_user_id = v."scimUserId" and users.source = 'scim'
      -- Found by their unique SCIM id, then checked against the tenant (see lockUsersForAccess).
      and users.id = any(array(
        select f.id from (select id, tenant_id, source from users where scim_user_id = any(${uuidArray(p.scimUserIds)}) offset 0) as f
        where f.tenant_id = ${p.tenantId} and f.source = 'scim'))`,
);

/**
 * Writes name, locale and email of the Sally users the IdP manages behind the given SCIM users, in one
 * statement. A user made manual (a disconnect, an admin kept through setup) is not touched here: the rules decide
 * what the IdP may change of them.
 */
export async function updateLinkedProfiles(
  db: DbOrTx,
  tenantId: string,
  profiles: { scimUserId: string; email: string; name: string | null; locale: Locale | null }[],
): Promise<void> {
  if (profiles.length === 0) return;
  await updateProfilesStatement(db, {
    tenantId,
    profiles: jsonParam(profiles),
    scimUserIds: jsonParam(profiles.map((p) => p.scimUserId)),
  });
}

/**
 * The insert of the Sally users in `rows` (AccessWrite rows as one jsonb parameter) as a fragment of a statement;
 * `when`, a condition, lets a statement that writes more insert them only when the rest was written.
 */
export const insertUsersFrom = (tenantId: Placeholder, rows: Placeholder, when: SQL = sql`true`) =>
  sql`insert into users (id, tenant_id, email, name, locale, role, license, status, source, scim_user_id, email_conflict_with, invited_at)
    select v.id, ${tenantId}::uuid, v.email, v.name, v.locale, v.role, v.license, v.status, v.source, v."scimUserId",
           v."emailConflictWith", case when v.invite then now() end
    from jsonb_to_recordset(${rows}::jsonb) as v(${recordColumns})
    where ${when}`;

const insertUsersStatement = statement("insert_users_access", ["tenantId", "rows"], (p) => insertUsersFrom(p.tenantId, p.rows));

/** Creates Sally users (with the ids the plan gave them) for SCIM users seen for the first time. */
export async function insertUsersAccess(db: DbOrTx, tenantId: string, rows: (AccessWrite & { id: string })[]): Promise<void> {
  if (rows.length === 0) return;
  await insertUsersStatement(db, { tenantId, rows: jsonParam(rows) });
}

const deleteSessionsStatement = statement(
  "delete_sessions_of_emails",
  ["emails"],
  (p) => sql`delete from auth_sessions where user_id in (
      select id from auth_users
      where lower(email) = any(${lowerTextArray(p.emails)}))`,
);

/** Ends every session of the sign-in identities behind these emails: signed out everywhere at once. */
export async function deleteSessionsOfEmails(db: DbOrTx, emails: string[]): Promise<void> {
  if (emails.length === 0) return;
  await deleteSessionsStatement(db, { emails: jsonParam(emails) });
}

const buySeatsShortStatement = statement(
  "buy_seats_short",
  ["tenantId", "tiers", "reason"],
  (p) => sql<{ purchases: number }>`with
    locked as (
      select tier, quantity, held, unit_price_cents from seats
      where tenant_id = ${p.tenantId} and tier::text in (select jsonb_array_elements_text(${p.tiers}::jsonb))
      order by tier
      for no key update
    ),
    -- The shortfall as resolveSeatShortfall (lib/provisioning/seats.ts) defines it: holders beyond the seats owned.
    bought as (select tier, held - quantity as quantity, unit_price_cents from locked where held > quantity),
    raised as (
      update seats set quantity = seats.quantity + b.quantity from bought b
      where seats.tenant_id = ${p.tenantId} and seats.tier = b.tier returning seats.tier
    ),
    -- Its receipts are queued by the next outbox drain (purchases.ts queueReceipts), not under this lock.
    inserted as (
      insert into seat_purchases (tenant_id, tier, quantity, unit_price_cents, total_cents, reason)
      select ${p.tenantId}, b.tier, b.quantity, b.unit_price_cents, b.quantity * b.unit_price_cents, ${p.reason} from bought b
      returning id
    )
    select (select count(*) from inserted)::int as "purchases", (select count(*) from raised) as "raised"`,
);

/**
 * Buys the seats the tenant is short of in these tiers, in one statement: locks their seats rows until commit,
 * and per tier short records one purchase (the charge) and raises the seats by exactly the shortfall; returns how
 * many purchases that made. Run right after the users write that changed who holds these tiers (which locked the
 * rows already, the held counts following by trigger), so concurrent writers on any instance each see the seats
 * the one before bought: a shortfall is bought once, never twice, and never left unbought. The receipts (one per
 * admin) are queued after commit by the outbox drain, which the caller schedules: the seats lock is held for
 * the purchase alone.
 */
export async function buySeatsShort(db: DbOrTx, tenantId: string, tiers: LicenseTier[], reason: string): Promise<{ purchases: number }> {
  if (tiers.length === 0) return { purchases: 0 };
  const [row] = await buySeatsShortStatement(db, { tenantId, tiers: jsonParam(tiers), reason });
  return { purchases: row.purchases };
}

const detachStatement = statement(
  "detach_user_from_scim",
  ["tenantId", "scimUserId", "role", "license", "status"],
  (p) => sql<{ email: string; conflicted: string[] }>`update users set role = ${p.role}, license = ${p.license}, status = ${p.status},
      scim_user_id = null, email_conflict_with = null, updated_at = now()
    where tenant_id = ${p.tenantId} and scim_user_id = ${p.scimUserId}
    returning email, array(
      select c.scim_user_id::text from users c
      where c.tenant_id = users.tenant_id and lower(c.email) = lower(users.email) and c.id <> users.id
        and c.email_conflict_with is not null and c.source = 'scim' and c.scim_user_id is not null
    ) as conflicted`,
);

/**
 * Unlinks the Sally user of a SCIM user being deleted and stores the given no-access values; returns its email
 * (for ending sessions) and the SCIM users kept from access by an email conflict on that email (who may now
 * have it), or null when there is no such Sally user.
 */
export async function detachUserFromScim(
  db: DbOrTx,
  tenantId: string,
  scimUserId: string,
  values: { role: UserRole; license: UserLicense; status: UserStatus },
): Promise<{ email: string; conflicted: string[] } | null> {
  const [row] = await detachStatement(db, { tenantId, scimUserId, ...values });
  return row ?? null;
}
