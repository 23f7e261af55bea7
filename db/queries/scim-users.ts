import { and, asc, desc, eq, getTableColumns, getTableName, inArray, sql, type Placeholder, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { scimConnections, scimGroupMembers, scimGroups, scimUsers, users } from "@/db/schema";
import type { Locale } from "@/db/schema";
import { activityRows, insertActivityFrom, type ActivityEntry } from "./activity";
import { insertUsersFrom, scimUserAccessEmail, type AccessWrite } from "./access";
import {
  connectionAnswered,
  liveTokenConnection,
  type LiveTokenConnection,
  type LiveTokenConnectionJson,
  type TokenChecked,
} from "./scim-connections";
import { isUniqueViolation } from "@/db/errors";
import { jsonParam, placeholders, reusable, reusableShaped, shapeOf, statement, type Shape } from "@/db/run";
import { ConflictError } from "@/lib/errors";

export type ScimUserRow = typeof scimUsers.$inferSelect;
/** A group a user is a direct member of (the read-only `groups` attribute, RFC 7643 §4.1.2). */
export type UserGroup = { id: string; displayName: string };
/** A user as read for an answer: with its groups when they were read in the same statement. */
export type ScimUserRead = ScimUserRow & { groups?: UserGroup[] };

/**
 * The direct groups by name of the user `userId` names, as a column of the statement that reads or writes the user:
 * no second round trip.
 * The outer row is named in full: drizzle writes a one-table statement's columns unqualified, and a bare "id"
 * in here would be the group's.
 */
const groupsOf = (userId: SQL) => sql<UserGroup[]>`(select coalesce(json_agg(json_build_object('id', g.id, 'displayName', g.display_name) order by g.display_name), '[]'::json)
  from ${scimGroupMembers} m join ${scimGroups} g on g.id = m.group_id where m.user_id = ${userId})`;
const groupsColumn = groupsOf(sql`"scim_users"."id"`);
/** Whether a Sally user the IdP manages (source scim) is linked to the user read: a column of the read. */
const managedColumn = sql<boolean>`exists (select 1 from ${users} u where u.scim_user_id = "scim_users"."id" and u.source = 'scim')`;
export type ScimUserColumns = Pick<ScimUserRow, "userName" | "externalId" | "displayName" | "email" | "active">;

const uniqueUserName = (userName: string) =>
  new ConflictError(`A user with userName "${userName}" already exists`);

/** What columns beside the row give, by name: `sql<T>` gives T. */
type Extras<E extends Record<string, SQL>> = { [K in keyof E]: E[K] extends SQL<infer T> ? T : never };

/**
 * A read of one user of a tenant by id, with `extra` columns beside the row, in one statement; given a token's
 * hash, the statement also checks the request's token (liveTokenConnection), and `connection` says what it found.
 * Each is built once per driver (reusable) under `name` and `name_checking_token`.
 */
function userById<E extends Record<string, SQL>>(name: string, extra: E) {
  const checkingName = `${name}_checking_token`;
  type Found = { row: ScimUserRow } & Extras<E>;
  return async (db: DbOrTx, tenantId: string, id: string, tokenHash?: string): Promise<{ found: Found | undefined } & Partial<TokenChecked>> => {
    if (tokenHash === undefined) {
      const query = reusable(db, name, (handle) =>
        handle
          .select({ row: scimUsers, ...extra })
          .from(scimUsers)
          .where(and(eq(scimUsers.tenantId, sql.placeholder("tenantId")), eq(scimUsers.id, sql.placeholder("id"))))
          .prepare(name),
      );
      const [found] = (await query.execute({ tenantId, id })) as Found[];
      return { found };
    }
    const query = reusable(db, checkingName, (handle) =>
      handle
        .select({ connection: liveTokenConnection.fields, row: scimUsers, ...extra })
        .from(scimConnections)
        .leftJoin(scimUsers, and(eq(scimUsers.tenantId, scimConnections.tenantId), eq(scimUsers.id, sql.placeholder("id"))))
        .where(liveTokenConnection.where())
        .prepare(checkingName),
    );
    const answered = (await query.execute({ tenantId, id, tokenHash })) as (Omit<Found, "row"> & { row: ScimUserRow | null; connection: LiveTokenConnection })[];
    const [first] = answered;
    return { connection: connectionAnswered(answered), found: first?.row ? (first as Found) : undefined };
  };
}

const userWithGroups = userById("scim_user_by_id", { groups: groupsColumn });

/**
 * One user of a tenant and its groups, in one statement (the hot path of every lookup by id). With `tokenHash`
 * the statement also checks the request's token (liveTokenConnection), and `connection` says what it found.
 */
export async function getScimUser(
  db: DbOrTx,
  tenantId: string,
  id: string,
  options: { tokenHash?: string } = {},
): Promise<{ user: ScimUserRead | undefined } & Partial<TokenChecked>> {
  const { found, ...checked } = await userWithGroups(db, tenantId, id, options.tokenHash);
  return { ...checked, user: found && { ...found.row, groups: found.groups } };
}

/** A user locked for an update, and whether a Sally user the IdP manages (source scim) is linked to it. */
export type ScimUserForUpdate = ScimUserRow & { managed: boolean };

/**
 * Locks one user row for the rest of the transaction (read-modify-write of PATCH). NO KEY UPDATE: it does not
 * wait for, nor block, other requests adding this user to groups (their foreign-key checks take KEY SHARE).
 */
export async function getScimUserForUpdate(db: DbOrTx, tenantId: string, id: string): Promise<ScimUserForUpdate | undefined> {
  const query = reusable(db, "scim_user_for_update", (handle) =>
    handle
      .select({
        row: scimUsers,
        managed: managedColumn,
      })
      .from(scimUsers)
      .where(and(eq(scimUsers.tenantId, sql.placeholder("tenantId")), eq(scimUsers.id, sql.placeholder("id"))))
      .for("no key update", { of: scimUsers })
      .prepare("scim_user_for_update"),
  );
  const [found] = await query.execute({ tenantId, id });
  return found && { ...found.row, managed: found.managed };
}

const userWithManaged = userById("scim_user_for_write", { managed: managedColumn });

/**
 * One user as a write outside a transaction starts from (updateScimUserProfile): read without a lock, its version
 * says whether it is still the same when written. With `tokenHash` the statement also checks the request's token,
 * as getScimUser does.
 */
export async function getScimUserForWrite(
  db: DbOrTx,
  tenantId: string,
  id: string,
  options: { tokenHash?: string } = {},
): Promise<{ user: ScimUserForUpdate | undefined } & Partial<TokenChecked>> {
  const { found, ...checked } = await userWithManaged(db, tenantId, id, options.tokenHash);
  return { ...checked, user: found && { ...found.row, managed: found.managed } };
}

/** Locks one user row against every other writer, foreign-key checks included (before a DELETE). */
export async function getScimUserForDelete(db: DbOrTx, tenantId: string, id: string): Promise<ScimUserRow | undefined> {
  const [row] = await db
    .select()
    .from(scimUsers)
    .where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.id, id)))
    .for("update");
  return row;
}

/** The table's columns under drizzle's names (`tenantId`, …), so a hand-written statement's rows read as ScimUserRow. */
const userColumnsAsKeys = sql.join(
  Object.entries(getTableColumns(scimUsers)).map(([key, column]) => sql`${sql.identifier(column.name)} as ${sql.identifier(key)}`),
  sql`, `,
);
/** A user as JSON from the database: timestamps come as text. */
type UserJson = Omit<ScimUserRow, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string };
const fromUserJson = ({ createdAt, updatedAt, ...user }: UserJson): ScimUserRow => ({
  ...user,
  createdAt: new Date(createdAt),
  updatedAt: new Date(updatedAt),
});

/**
 * Users left from an earlier connection (linked to a Sally user a disconnect made manual) that a new user with this
 * externalId or userName is: createScimUser adopts one rather than duplicate it, as the SELECT of a CTE, with
 * `byExternalId` telling which matched. One lookup per index rather than an OR of the two: PostgreSQL keeps a
 * prepared statement's generic plan, and one made while a new tenant's table was small read every user of the
 * tenant and filtered them (seen in `npm run bench`: a POST /Users read 286 pages when about 1,900 users had been made).
 */
const adoptableUsers = (p: Record<"tenantId" | "externalId" | "userName", Placeholder>) =>
  sql`select s.id, true as "byExternalId" from ${scimUsers} s join ${users} u on u.scim_user_id = s.id
      where s.tenant_id = ${p.tenantId}::uuid and s.external_id = ${p.externalId}::text and u.source = 'manual'
      union all
      select s.id, false from ${scimUsers} s join ${users} u on u.scim_user_id = s.id
      where s.tenant_id = ${p.tenantId}::uuid and lower(s.user_name) = lower(${p.userName}::text) and u.source = 'manual'`;

const createStatement = statement(
  "scim_user_create",
  ["tenantId", "userName", "externalId", "displayName", "email", "active", "resource"],
  (p) => sql<{ inserted: UserJson | null; adoptable: string | null }>`with
    adoptable as (
      select id from (${adoptableUsers(p)}) a
      order by "byExternalId" desc
      limit 1
    ),
    inserted as (
      insert into ${scimUsers} (tenant_id, user_name, external_id, display_name, email, active, resource)
      select ${p.tenantId}::uuid, ${p.userName}::text, ${p.externalId}::text, ${p.displayName}::text, ${p.email}::text,
             ${p.active}::boolean, ${p.resource}::jsonb
      where not exists (select 1 from adoptable)
      -- A userName taken answers "nothing inserted" without aborting the transaction (Bulk keeps going).
      on conflict do nothing
      returning ${userColumnsAsKeys}
    )
    select (select row_to_json(i) from inserted i) as inserted, (select id from adoptable) as adoptable`,
);

/**
 * A new user for POST /Users, in one statement: inserted, unless a user left from an earlier connection (its Sally
 * user made manual by a disconnect, still linked) matches by externalId, else by userName: then nothing is
 * inserted and that user's id comes back to be adopted rather than duplicated. A userName taken by any other user
 * (case-insensitively) is a ConflictError.
 */
export async function createScimUser(
  db: DbOrTx,
  tenantId: string,
  resource: Record<string, unknown>,
  columns: ScimUserColumns,
): Promise<{ user: ScimUserRow } | { adoptable: string }> {
  const [row] = await createStatement(db, { tenantId, ...columns, resource: jsonParam(resource) });
  if (row.adoptable) return { adoptable: row.adoptable };
  if (!row.inserted) throw uniqueUserName(columns.userName);
  return { user: fromUserJson(row.inserted) };
}

const createAloneStatement = (checking: boolean) =>
  statement(
    checking ? "scim_user_create_alone_checking_token" : "scim_user_create_alone",
    ["tenantId", "tokenHash", "id", "userName", "externalId", "displayName", "email", "active", "resource", "lowerEmail", "sally", "activity"],
    (p) => sql<{ inserted: UserJson | null; held: boolean; connection: LiveTokenConnectionJson }>`with
      live as (${liveTokenConnection.cte(checking)}),
      held as (
        select u.id from ${users} u where u.tenant_id = ${p.tenantId}::uuid and lower(u.email) = ${p.lowerEmail}::text
        union all
        select id from (${adoptableUsers(p)}) a
      ),
      inserted as (
        insert into ${scimUsers} (id, tenant_id, user_name, external_id, display_name, email, active, resource)
        select ${p.id}::uuid, ${p.tenantId}::uuid, ${p.userName}::text, ${p.externalId}::text, ${p.displayName}::text,
               ${p.email}::text, ${p.active}::boolean, ${p.resource}::jsonb
        where exists (select 1 from live) and not exists (select 1 from held)
        on conflict do nothing
        returning ${userColumnsAsKeys}
      ),
      sally as (${insertUsersFrom(p.tenantId, p.sally, sql`exists (select 1 from inserted)`)}),
      logged as (${insertActivityFrom(p.activity, sql`exists (select 1 from inserted)`)})
    select (select row_to_json(i) from inserted i) as inserted, exists (select 1 from held) as held,
      (select row_to_json(l) from live l) as connection`,
  );
const createAlone = { checking: createAloneStatement(true), trusting: createAloneStatement(false) };

/**
 * A new user for POST /Users in one statement without a transaction, when it needs nothing of the rules but the
 * Sally user they give a user in no group (`sally`, planned in memory: lib/provisioning/sync-users.ts
 * planNewUserAlone): the user, that Sally user and the activity entries, all or nothing. Only when no Sally
 * user holds the email (it may be linked to it, or its email claimed) and no user left from an earlier connection
 * matches (createScimUser adopts it): then nothing is written and the rules decide, in a transaction. A userName
 * taken is a ConflictError. With `tokenHash`, the statement writes only while the request's token is live, and
 * `connection` says what it found (as liveTokenConnection does for a read).
 */
export async function createScimUserAlone(
  db: DbOrTx,
  create: {
    tenantId: string;
    id: string;
    resource: Record<string, unknown>;
    columns: ScimUserColumns;
    email: string;
    sally: AccessWrite & { id: string };
    activity: ActivityEntry[];
    tokenHash?: string;
  },
): Promise<({ user: ScimUserRow } | { needs: "transaction" }) & Partial<TokenChecked>> {
  const { columns } = create;
  const checking = create.tokenHash !== undefined;
  const [row] = await (checking ? createAlone.checking : createAlone.trusting)(db, {
    ...columns,
    tenantId: create.tenantId,
    tokenHash: create.tokenHash ?? null,
    id: create.id,
    resource: jsonParam(create.resource),
    lowerEmail: create.email.toLowerCase(),
    sally: jsonParam([create.sally]),
    activity: activityRows(create.activity),
  });
  const connection = liveTokenConnection.fromJson(row.connection);
  const checked = checking ? { connection } : {};
  if (checking && !connection) return { needs: "transaction", ...checked };
  if (row.held) return { needs: "transaction", ...checked };
  if (!row.inserted) throw uniqueUserName(columns.userName);
  return { user: fromUserJson(row.inserted), ...checked };
}

/** Updates a user and returns it with its groups (what the answer shows), in one statement. */
export async function updateScimUser(
  db: DbOrTx,
  tenantId: string,
  id: string,
  resource: Record<string, unknown>,
  columns: ScimUserColumns,
): Promise<ScimUserRead> {
  try {
    const query = reusable(db, "scim_user_update", (handle) =>
      handle
        .update(scimUsers)
        .set({
          // drizzle encodes a placeholder in `set` by its column, as in `values`; only its types leave it out.
          ...(placeholders("resource", "userName", "externalId", "displayName", "email", "active") as unknown as Partial<ScimUserRow>),
          version: sql`${scimUsers.version} + 1`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(scimUsers.tenantId, sql.placeholder("tenantId")), eq(scimUsers.id, sql.placeholder("id"))))
        .returning({ ...getTableColumns(scimUsers), groups: groupsColumn })
        .prepare("scim_user_update"),
    );
    const [row] = await query.execute({ tenantId, id, resource, ...columns });
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueUserName(columns.userName);
    throw error;
  }
}

/**
 * Which stored user a profile update writes: the one at the version read (`version`); the one at the version this
 * instance last saw (`recent`, lib/scim/recent-users.ts), while a Sally user the IdP manages is linked to it, which
 * a read would have said; or, without a read, the one whose rules' inputs are those given (`unchanged`: `active`,
 * and the email the rules go by, email or else userName, compared exactly) while a Sally user the IdP manages is
 * linked to it. `checking`: the statement also checks the request's token (liveTokenConnection).
 */
type ProfileTarget = "version" | "recent" | "unchanged";

/** The condition each target puts on the stored user (see ProfileTarget). */
const profileTargetCondition: Record<ProfileTarget, (p: Record<"version" | "active" | "accessEmail", Placeholder>) => SQL> = {
  version: (p) => sql`version = ${p.version}::int`,
  recent: (p) => sql`version = ${p.version}::int and ${managedColumn}`,
  unchanged: (p) => sql`active = ${p.active}::boolean
    and ${scimUserAccessEmail(sql`"scim_users"`)} = ${p.accessEmail}::text
    and ${managedColumn}`,
};

const profileUpdateStatement = (target: ProfileTarget, checking: boolean) =>
  statement(
    `scim_user_profile_update_${target}${checking ? "_checking_token" : ""}`,
    ["tenantId", "tokenHash", "id", "version", "accessEmail", "userName", "externalId", "displayName", "email", "active", "resource", "profileEmail", "name", "locale", "activity"],
    (p) => sql<{ updated: UserJson | null; groups: UserGroup[] | null; connection: LiveTokenConnectionJson }>`with
      live as (${liveTokenConnection.cte(checking)}),
      updated as (
        update ${scimUsers} set user_name = ${p.userName}::text, external_id = ${p.externalId}::text,
          display_name = ${p.displayName}::text, email = ${p.email}::text, active = ${p.active}::boolean,
          resource = ${p.resource}::jsonb, version = version + 1, updated_at = now()
        where tenant_id = ${p.tenantId}::uuid and id = ${p.id}::uuid and exists (select 1 from live)
          and ${profileTargetCondition[target](p)}
        returning ${userColumnsAsKeys}
      ),
      profile as (
        update ${users} set email = ${p.profileEmail}::text, name = ${p.name}::text, locale = ${p.locale}::locale, updated_at = now()
        where scim_user_id = (select id from updated) and tenant_id = ${p.tenantId}::uuid and source = 'scim'
      ),
      logged as (${insertActivityFrom(p.activity, sql`exists (select 1 from updated)`)})
      select (select row_to_json(u) from updated u) as updated,
        ${groupsOf(sql`(select id from updated)`)} as groups,
        (select row_to_json(l) from live l) as connection`,
  );
const profileUpdates = {
  version: profileUpdateStatement("version", false),
  recent: profileUpdateStatement("recent", false),
  recentChecking: profileUpdateStatement("recent", true),
  unchanged: profileUpdateStatement("unchanged", false),
  unchangedChecking: profileUpdateStatement("unchanged", true),
};

/**
 * A change of a user that leaves the rules' inputs alone (its email and `active`; see writesOnlyProfile), written
 * in one statement without a transaction: the user (see ProfileTarget), the profile of the Sally user the IdP
 * manages behind it, and the request's activity entries, all or nothing. `user` is null when no user matched:
 * nothing was written (another write came first, a DELETE, or, for `unchanged`, the change is more than a profile
 * or there is no such user; for `recent`, also no Sally user the IdP manages). A userName taken is a
 * ConflictError, as in updateScimUser. With `tokenHash` (not for `version`: the read that came first checked it
 * already), nothing is written unless the request's token is live, and `connection` says what the statement found
 * (as liveTokenConnection does for a read).
 */
export async function updateScimUserProfile(
  db: DbOrTx,
  change: {
    tenantId: string;
    id: string;
    /** The user as read (`version`), as last seen here (`recent`), or the rules' inputs it must still have (`unchanged`). */
    target: { version: number } | { recent: number } | { unchanged: { active: boolean; email: string } };
    resource: Record<string, unknown>;
    columns: ScimUserColumns;
    profile: { email: string; name: string | null; locale: Locale | null };
    activity: ActivityEntry[];
    tokenHash?: string;
  },
): Promise<{ user: ScimUserRead | null } & Partial<TokenChecked>> {
  const { columns, profile } = change;
  const { kind, version, accessEmail } = profileTarget(change.target);
  const checking = kind !== "version" && change.tokenHash !== undefined;
  const run = kind === "version" ? profileUpdates.version : profileUpdates[checking ? (`${kind}Checking` as const) : kind];
  try {
    const [row] = await run(db, {
      ...columns,
      tenantId: change.tenantId,
      tokenHash: change.tokenHash ?? null,
      id: change.id,
      version,
      accessEmail,
      resource: jsonParam(change.resource),
      profileEmail: profile.email,
      name: profile.name,
      locale: profile.locale,
      activity: activityRows(change.activity),
    });
    const connection = liveTokenConnection.fromJson(row.connection);
    const checked = checking ? { connection } : {};
    if (!row.updated) return { user: null, ...checked };
    return { user: { ...fromUserJson(row.updated), groups: row.groups ?? [] }, ...checked };
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueUserName(columns.userName);
    throw error;
  }
}

/** A profile update's target as the statement's kind and the parameters it compares the stored user with. */
function profileTarget(target: Parameters<typeof updateScimUserProfile>[1]["target"]) {
  if ("version" in target) return { kind: "version" as const, version: target.version, accessEmail: null };
  if ("recent" in target) return { kind: "recent" as const, version: target.recent, accessEmail: null };
  return { kind: "unchanged" as const, version: null, accessEmail: target.unchanged.email };
}

export async function deleteScimUser(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(scimUsers)
    .where(and(eq(scimUsers.tenantId, tenantId), eq(scimUsers.id, id)))
    .returning({ id: scimUsers.id });
  return rows.length > 0;
}

/**
 * A list page's query: `where` selects the rows counted in the total; `after`, a cursor's keyset position (RFC
 * 9865), narrows the page further but not the total.
 */
export type ListQuery = { where?: SQL; after?: SQL; orderBy?: SQL[]; offset: number; limit: number };

/**
 * One page of a tenant's users (listScimUsers; their groups too, when they will be returned) or groups
 * (listScimGroups) and the total matching the filter, in one statement (one snapshot, so the total and the page
 * agree): the filter, the cursor's position, the order and the offset run over the matching rows' ids alone (an
 * index-only scan for the default order), the total is a plain count beside them, and only the page's rows are
 * read in full. The count is not a window over the page's ids (`count(*) over ()`): a window keeps every row it
 * counts until the last is read, and at 100,000 users that cost a page about 11 ms of PostgreSQL's time more than
 * the count (16.9 against 5.8 ms for the first page, 21.2 against 10.3 for the page at 90,001). The total comes
 * also with a page past the end. The sort applies again to the page's rows (ties broken by creation time, then id,
 * so the order is total). With `tokenHash` the statement also checks the request's token (liveTokenConnection),
 * and `connection` says what it found.
 */
export async function listPage<R>(
  db: DbOrTx,
  table: typeof scimUsers | typeof scimGroups,
  tenantId: string,
  query: ListQuery,
  options: { withGroups?: boolean; tokenHash?: string },
): Promise<{ total: number; page: { row: R; groups?: UserGroup[] }[] } & Partial<TokenChecked>> {
  const { filter, sort, after } = listShapes(query);
  if (query.limit === 0) return { total: await countMatching(db, table, tenantId, filter), page: [] };
  // The two tables share the columns used here (as countMatching); only users have groups.
  const rows = table as typeof scimUsers;
  const withGroups = options.withGroups ?? false;
  const checking = options.tokenHash !== undefined;
  const name = `${getTableName(table)}_page${withGroups ? "_with_groups" : ""}${checking ? "_checking_token" : ""}`;
  const { query: statement, values } = reusableShaped(db, name, [filter, sort, after], (handle, [where, sortBy, position]) => {
    const order = [...(sortBy ? [sortBy] : []), asc(rows.createdAt), asc(rows.id)];
    const matching = and(eq(rows.tenantId, sql.placeholder("tenantId")), where);
    const counted = handle.$with("counted").as(handle.select({ total: sql<number>`count(*)::int`.as("page_total") }).from(rows).where(matching));
    const offset = sql`${sql.placeholder("offset")}::bigint`;
    const limit = sql`${sql.placeholder("limit")}::bigint`;
    const total = sql`(select page_total from counted)`;
    // In the default order without a cursor, a page in the second half of the matches is read from the end: its
    // index walk skips the rows after it rather than every row before it, so no page skips more than half of them
    // (at 100,000 users, the page at startIndex=90,001 skips 9,900 index entries instead of 90,000). Each half is
    // a branch that the count switches on or off before it runs (a one-time filter); the page's rows are sorted
    // again below either way.
    const fromEnd = !sortBy && !position;
    // The page's ids, filtered, past the cursor's position if any, sorted and skipped over the ids alone.
    const forward = handle
      .select({ id: sql<string>`${rows.id}`.as("page_id") })
      .from(rows)
      .where(and(matching, position, fromEnd ? sql`${offset} * 2 <= ${total}` : undefined))
      .orderBy(...order)
      .offset(sql.placeholder("offset"))
      .limit(sql.placeholder("limit"));
    // From the end: the `limit` rows before the page's end, then of those, as many as there are matches left (a
    // last page may be short). The plain `limit` keeps the planner's estimate at a page: with the count in it, it
    // guessed a tenth of the table and hashed every user to join the page's rows.
    const last = handle
      .select({ id: sql<string>`${rows.id}`.as("page_id"), createdAt: sql`${rows.createdAt}`.as("page_created_at") })
      .from(rows)
      .where(and(matching, sql`${offset} * 2 > ${total}`))
      .orderBy(desc(rows.createdAt), desc(rows.id))
      // drizzle writes an SQL offset or limit as it is; its types name only numbers and placeholders.
      .offset(sql`greatest(${total} - ${offset} - ${limit}, 0)` as unknown as Placeholder)
      .limit(sql.placeholder("limit"))
      .as("last");
    const ids = handle.$with("page").as(
      fromEnd
        ? forward.unionAll(
            handle
              .select({ id: last.id })
              .from(last)
              .orderBy(desc(last.createdAt), desc(last.id))
              .limit(sql`greatest(${total} - ${offset}, 0)` as unknown as Placeholder),
          )
        : forward,
    );
    const fields = { row: rows, total: counted.total, ...(withGroups ? { groups: groupsColumn } : {}) };
    // One row with no page row when the page is empty; with the token checked, none when it is not live
    // (liveTokenConnection).
    if (checking) {
      return handle
        .with(counted, ids)
        .select({ ...fields, connection: liveTokenConnection.fields })
        .from(scimConnections)
        .leftJoin(counted, sql`true`)
        .leftJoin(ids, sql`true`)
        .leftJoin(rows, eq(rows.id, ids.id))
        .where(liveTokenConnection.where())
        .orderBy(...order)
        .prepare(name);
    }
    return handle
      .with(counted, ids)
      .select(fields)
      .from(counted)
      .leftJoin(ids, sql`true`)
      .leftJoin(rows, eq(rows.id, ids.id))
      .orderBy(...order)
      .prepare(name);
  });
  const answered = (await statement.execute({ tenantId, offset: query.offset, limit: query.limit, tokenHash: options.tokenHash, ...values })) as {
    row: R | null;
    total: number | null;
    groups?: UserGroup[];
    connection?: TokenChecked["connection"];
  }[];
  if (checking && answered.length === 0) return { total: 0, page: [], connection: null };
  const total = answered[0]?.total ?? 0;
  const page = answered.filter((p): p is typeof p & { row: R } => p.row !== null);
  return checking ? { total, page, connection: connectionAnswered(answered) } : { total, page };
}

/** One page of a tenant's users and the total matching the filter, in one statement (listPage). */
export async function listScimUsers(
  db: DbOrTx,
  tenantId: string,
  query: ListQuery,
  /** `tokenHash`: the page's statement also checks the request's token (liveTokenConnection). */
  options: { withGroups?: boolean; tokenHash?: string } = {},
): Promise<{ total: number; rows: ScimUserRead[] } & Partial<TokenChecked>> {
  const { page, ...answer } = await listPage<ScimUserRow>(db, scimUsers, tenantId, query, options);
  return { ...answer, rows: page.map((p): ScimUserRead => (p.groups ? { ...p.row, groups: p.groups } : p.row)) };
}

/** A list query's filter, sort and cursor position as shapes (see shapeOf): they name the statement built for them. */
export function listShapes(query: ListQuery): { filter: Shape; sort: Shape; after: Shape } {
  return {
    filter: shapeOf(query.where, "w"),
    sort: shapeOf(query.orderBy?.length ? sql.join(query.orderBy, sql`, `) : undefined, "o"),
    after: shapeOf(query.after, "a"),
  };
}

/** How many of a tenant's users or groups match a list's filter, in a statement built once per filter shape. */
export async function countMatching(db: DbOrTx, table: typeof scimUsers | typeof scimGroups, tenantId: string, filter: Shape): Promise<number> {
  const { query, values } = reusableShaped(db, `count_${getTableName(table)}`, [filter], (handle, [where]) =>
    handle
      .select({ total: sql<number>`count(*)::int` })
      .from(table as typeof scimUsers)
      .where(and(eq(table.tenantId, sql.placeholder("tenantId")), where))
      .prepare("count_matching"),
  );
  const [{ total }] = await query.execute({ tenantId, ...values });
  return total;
}

/** The groups each of the given users is a direct member of (the read-only `groups` attribute). */
export async function listGroupsOfUsers(db: DbOrTx, userIds: string[]) {
  const byUser = new Map<string, { id: string; displayName: string }[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .select({ userId: scimGroupMembers.userId, id: scimGroups.id, displayName: scimGroups.displayName })
    .from(scimGroupMembers)
    .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
    .where(sql`${scimGroupMembers.userId} = any(${sql.param(`{${userIds.join(",")}}`)}::uuid[])`)
    .orderBy(asc(scimGroups.displayName))
    .prepare("groups_of_users")
    .execute();
  for (const { userId, ...group } of rows) {
    const list = byUser.get(userId);
    if (list) list.push(group);
    else byUser.set(userId, [group]);
  }
  return byUser;
}

/** Of the given ids, those that are users of this tenant (member references must stay inside the tenant). */
export async function existingScimUserIds(db: DbOrTx, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: scimUsers.id })
    .from(scimUsers)
    .where(and(eq(scimUsers.tenantId, tenantId), inArray(scimUsers.id, ids)));
  return new Set(rows.map((r) => r.id));
}
