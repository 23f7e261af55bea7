import { randomUUID } from "node:crypto";
import { scimUsers } from "@/db/schema";
import {
  createScimUser,
  createScimUserAlone,
  deleteScimUser,
  getScimUser,
  getScimUserForDelete,
  getScimUserForUpdate,
  getScimUserForWrite,
  listGroupsOfUsers,
  listScimUsers,
  updateScimUser,
  updateScimUserProfile,
  type ScimUserColumns,
  type ScimUserForUpdate,
  type ScimUserRead,
  type ScimUserRow,
} from "@/db/queries/scim-users";
import { settleInOrder } from "@/db/run";
import { alongsideCommit } from "@/db/transaction";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { canonicalizeResource, userColumns, type JsonObject } from "./canonicalize";
import type { TokenChecked } from "@/db/queries/scim-connections";
import { readCheckingToken } from "./bearer";
import { writesOnlyProfile } from "@/lib/provisioning/plan-access";
import { planNewUserAlone } from "@/lib/provisioning/sync-users";
import { summarize, type Summary } from "@/lib/activity-summary";
import { isResourceId, type DirectWrite, type ScimContext } from "./context";
import { applyChange, deprovision, directoryUser, lockAheadOfInsert, sendUserLockAhead, type SentAhead } from "./directory";
import { parseProjection, type ListParams } from "./list-params";
import { listResources, type Listing } from "./list";
import { applyPatch, parsePatchRequest, patchMayTouch } from "./patch";
import { checkIfMatch, notModified } from "./preconditions";
import { includesAttribute, project, type Projection } from "./projection";
import { afterCommit, etag, type ScimResult } from "./responses";
import { LOOKUP_PAGE, recentUsers } from "./recent-users";
import { location, serializeUser } from "./serialize";

const notFound = (id: string) => new NotFoundError(`User ${id} not found`);

async function loadUser(ctx: ScimContext, id: string, lock?: "delete"): Promise<ScimUserRead> {
  if (!isResourceId(id)) throw notFound(id);
  const { tx, tenant } = ctx;
  const { user } =
    lock === "delete"
      ? { user: await getScimUserForDelete(tx, tenant.id, id) }
      : await readCheckingToken(ctx.tokenCheck, (token) => getScimUser(tx, tenant.id, id, { tokenHash: token?.hash }));
  if (!user) throw notFound(id);
  return user;
}

/** A user locked for an update (see getScimUserForUpdate). */
async function loadUserForUpdate(ctx: ScimContext, id: string): Promise<ScimUserForUpdate> {
  if (!isResourceId(id)) throw notFound(id);
  const row = await getScimUserForUpdate(ctx.tx, ctx.tenant.id, id);
  if (!row) throw notFound(id);
  return row;
}

/** Serialises users; their groups are read only when returned, and not at all when the read brought them along. */
async function render(ctx: ScimContext, rows: ScimUserRead[], projection: Projection, known?: "no groups"): Promise<JsonObject[]> {
  const withGroups = includesAttribute("User", projection, "groups");
  if (known === "no groups") return rows.map((row) => project("User", serializeUser(row, withGroups ? [] : null), projection));
  const missing = withGroups ? rows.filter((r) => !r.groups) : [];
  const read = missing.length ? await listGroupsOfUsers(ctx.tx, missing.map((r) => r.id)) : new Map<string, { id: string; displayName: string }[]>();
  const groupsOf = (row: ScimUserRead) => (withGroups ? (row.groups ?? read.get(row.id) ?? []) : null);
  return rows.map((row) => project("User", serializeUser(row, groupsOf(row)), projection));
}

async function written(ctx: ScimContext, row: ScimUserRead, status: number, summary: Summary, known?: "no groups"): Promise<ScimResult> {
  const [body] = await render(ctx, [row], parseProjection(ctx.query), known);
  return { status, body, headers: { etag: etag(row.version), location: location("Users", row.id) }, summary };
}

/**
 * `written` for a row known once the transaction has committed (an update sent with COMMIT, see updateUser): the
 * row brings its groups, so rendering it reads nothing from the database.
 */
function writtenAtCommit(ctx: ScimContext, row: Promise<ScimUserRead>, summary: Summary): ScimResult {
  const projection = parseProjection(ctx.query);
  const answer = row.then(async (r) => {
    const [body] = await render(ctx, [r], projection);
    return { body, headers: { etag: etag(r.version), location: location("Users", r.id) } };
  });
  return { status: 200, summary, afterCommit: afterCommit(answer) };
}

function parseUser(body: unknown) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("The request body must be a User object", "invalidSyntax");
  }
  const resource = canonicalizeResource("User", body as JsonObject);
  return { resource, columns: userColumns(resource) };
}

/** How Users are listed, by GET /Users, POST /Users/.search and a root /.search. */
export const userListing: Listing<ScimUserRead> = {
  kind: "User",
  columns: { createdAt: scimUsers.createdAt, id: scimUsers.id },
  // Groups come with the page when the request's query asks for them (a POST search names its attributes in
  // the body: render reads them then).
  query: async (ctx, query) => {
    const withGroups = includesAttribute("User", parseProjection(ctx.query), "groups");
    const found = await readCheckingToken(ctx.tokenCheck, (token) => listScimUsers(ctx.tx, ctx.tenant.id, query, { withGroups, tokenHash: token?.hash }));
    // A lookup (a read: committed rows) leaves its users for the update that usually follows it.
    if (found.rows.length <= LOOKUP_PAGE) for (const row of found.rows) recentUsers.remember(row);
    return found;
  },
  render,
};

/** GET /Users: filter, sort, index or cursor paging. */
export async function listUsers(ctx: ScimContext, params: ListParams): Promise<ScimResult> {
  return listResources(ctx, params, userListing);
}

/** GET /Users/{id}; deactivated users stay readable (only a DELETE makes a user disappear). */
export async function getUser(ctx: ScimContext, id: string): Promise<ScimResult> {
  const row = await loadUser(ctx, id);
  recentUsers.remember(row);
  if (notModified(ctx.headers, row.version)) return { status: 304, headers: { etag: etag(row.version) }, summary: summarize("notModified") };
  const [body] = await render(ctx, [row], parseProjection(ctx.query));
  return { status: 200, body, headers: { etag: etag(row.version) }, summary: summarize("readUser", { userName: row.userName }) };
}

/**
 * POST /Users. A userName taken in this tenant is a 409 `uniqueness` — unless it belongs to a user left over
 * from an earlier connection (after a disconnect), which is adopted instead of duplicated.
 */
export async function createUser(ctx: ScimContext, body: unknown): Promise<ScimResult> {
  const { resource, columns } = parseUser(body);
  const created = createScimUser(ctx.tx, ctx.tenant.id, resource, columns);
  // The rules' lock goes out right behind the insert: one round trip for both (see lockAheadOfNewUser).
  const ahead = lockAheadOfInsert(ctx, columns);
  const [outcome] = await settleInOrder([created, ahead.rows] as const);
  if ("user" in outcome) {
    await applyChange(ctx, { users: [directoryUser(outcome.user, { created: true })], lockedAhead: ahead });
    return written(ctx, outcome.user, 201, summarize("createdUser", { userName: outcome.user.userName }), "no groups");
  }
  const row = await updateScimUser(ctx.tx, ctx.tenant.id, outcome.adoptable, resource, columns);
  await applyChange(ctx, { users: [directoryUser(row)] });
  return written(ctx, row, 201, summarize("adoptedUser", { userName: row.userName }));
}

/**
 * POST /Users without a transaction when the new user needs nothing of the rules but the Sally user they give a
 * user in no group (planNewUserAlone): the user, that Sally user and the activity entry in one statement, which
 * also checks the request's token when the router offers it that check (the warm path: one statement in all, where
 * the transaction took seven). Null, with nothing written, when a Sally user holds the email or a user left from
 * an earlier connection matches: the rules decide, in a transaction (createUser).
 */
export async function createUserDirectly(ctx: ScimContext, body: unknown, direct: DirectWrite): Promise<ScimResult | null> {
  const { resource, columns } = parseUser(body);
  const id = randomUUID();
  const user = directoryUser({ id, ...columns, resource }, { created: true });
  const sally = planNewUserAlone(user);
  if (!sally) return null;
  const summary = summarize("createdUser", { userName: columns.userName });
  const outcome = await writeCheckingToken(ctx, direct, (tokenHash) =>
    createScimUserAlone(ctx.tx, {
      tenantId: ctx.tenant.id,
      id,
      resource,
      columns,
      email: user.email,
      sally,
      activity: direct.entries({ status: 201, summary }),
      tokenHash,
    }),
  );
  if ("needs" in outcome) return null;
  recentUsers.remember(outcome.user);
  return written(ctx, outcome.user, 201, summary, "no groups");
}

/**
 * A direct write's one statement, carrying the token's check when the router offers it (readCheckingToken: it then
 * writes only while the token is live); else it goes out once the token is known to be live. A check that found the
 * token revoked answers 401 however the write comes back (router.ts).
 */
function writeCheckingToken<T extends object>(
  ctx: ScimContext,
  direct: DirectWrite,
  write: (tokenHash: string | undefined) => Promise<T & Partial<TokenChecked>>,
): Promise<T> {
  return readCheckingToken(ctx.tokenCheck, async (token) => {
    if (!token) await direct.verified();
    return write(token?.hash);
  });
}

/**
 * Writes an existing user and applies the directory change that makes. The user's write goes out at once and is
 * answered with COMMIT (alongsideCommit): the change is computed from what is being written, so it needs nothing
 * back from it, and the verb's statements follow it on the connection. When the verb too sends its write with
 * COMMIT (a profile-only change, the IdPs' most common update), the request waits for BEGIN with the lock and for
 * COMMIT, nothing in between. A failed write (a userName taken) fails the transaction with its own error, whatever
 * the verb met after it. Returns the row as written, known once committed.
 */
async function updateUser(
  ctx: ScimContext,
  current: ScimUserForUpdate,
  resource: JsonObject,
  columns: ScimUserColumns,
  sent?: SentAhead,
): Promise<{ row: Promise<ScimUserRead> }> {
  const next: ScimUserRow = { ...current, ...columns, resource };
  const { answer } = await alongsideCommit(ctx.tx, () => updateScimUser(ctx.tx, ctx.tenant.id, current.id, resource, columns));
  await applyChange(ctx, { users: [directoryUser(next, { before: current })], sent });
  return { row: answer };
}

/** How many times a direct write reads the user again after another write changed it first. */
const DIRECT_ATTEMPTS = 2;

/** A user as a request body states it whole. */
type Whole = { resource: JsonObject; columns: ScimUserColumns };

/** An update of a user: the resource and columns it makes of the user as stored, and its log line. */
type UserUpdate = {
  /** The user the update makes whatever is stored (a PUT): it may be written without a read. */
  whole?: Whole;
  /**
   * A PATCH naming `active`, `emails` or `userName`: it likely changes what the rules read, so it goes to the
   * transaction without a read first. A PUT restates every attribute and mostly changes none of those: it is
   * written on the condition that it does not (replaceWithoutRead).
   */
  namesAccessInputs: () => boolean;
  next: (current: ScimUserForUpdate) => { resource: JsonObject; columns: ScimUserColumns };
  /** The log line; `current` is the user as read, when it was. */
  summary: (columns: ScimUserColumns, current?: ScimUserForUpdate) => Summary;
};

/** PUT: the body replaces the user (Okta sends every update, deactivation included, this way). */
const replacing = (body: unknown): UserUpdate => {
  const whole = parseUser(body);
  const { columns } = whole;
  return { whole, namesAccessInputs: () => false, next: () => whole, summary: () => summarize(columns.active ? "replacedUser" : "replacedUserInactive", { userName: columns.userName }) };
};

/** PATCH: RFC 7644 §3.5.2 plus the IdP dialects handled in lib/scim/patch.ts. */
const patching = (body: unknown): UserUpdate => {
  const operations = parsePatchRequest(body);
  return {
    namesAccessInputs: () => patchMayTouch("User", operations, ["active", "emails", "userName"]),
    next: (current) => {
      const resource = applyPatch("User", { ...current.resource, active: current.active }, operations);
      return { resource, columns: userColumns(resource) };
    },
    summary: (columns, current) =>
      summarize(
        current && current.active !== columns.active ? (columns.active ? "patchedUserReactivated" : "patchedUserDeactivated") : "patchedUser",
        { userName: columns.userName },
      ),
  };
};

/**
 * An update in the request's transaction: the user locked, written, and the rules applied to what changed. An
 * update that likely changes what the rules read (a PATCH naming `active`, `emails` or `userName`; a PUT, which
 * comes here when it does, or under If-Match) sends the rules' lock and facts right behind the user's lock, in
 * BEGIN's round trip: a deactivation then waits for that round trip and COMMIT's, nothing in between.
 */
async function updateInTransaction(ctx: ScimContext, id: string, update: UserUpdate): Promise<ScimResult> {
  if (!isResourceId(id)) throw notFound(id);
  const loading = loadUserForUpdate(ctx, id);
  const sent = update.whole || update.namesAccessInputs() ? sendUserLockAhead(ctx, id) : undefined;
  const [current] = await settleInOrder([loading, sent?.rows ?? Promise.resolve(null), sent?.context ?? Promise.resolve(null)] as const);
  checkIfMatch(ctx.headers, current.version);
  const { resource, columns } = update.next(current);
  const { row } = await updateUser(ctx, current, resource, columns, sent);
  return writtenAtCommit(ctx, row, update.summary(columns, current));
}

/**
 * An update made outside a transaction when all it changes is the profile (writesOnlyProfile: a name, a title, a
 * phone number, the IdPs' most common update): the user is read without a lock (the read carries the token's
 * check), and written at the version read, with the Sally user's profile and the activity entry, in one
 * statement: two statements in all, where the transaction takes seven. Another write of the user in between
 * moves its version: the user is read again. A user this instance has just read or written (recentUsers: the IdP
 * looked it up first) needs no read (writeFromRecent), nor does a PUT without If-Match (replaceWithoutRead). Null,
 * with nothing written, when the change is more than a profile (the rules decide, in a transaction; a PATCH that
 * names `active`, `emails` or `userName` goes there without the read) or the user kept moving.
 */
async function updateDirectly(ctx: ScimContext, id: string, update: UserUpdate, direct: DirectWrite): Promise<ScimResult | null> {
  if (!isResourceId(id)) throw notFound(id);
  if (update.namesAccessInputs()) return null;
  // Under If-Match the user is read, as the precondition is checked against what is stored.
  if (update.whole && !ctx.headers.has("if-match")) {
    return replaceWithoutRead(ctx, id, update.whole, update.summary(update.whole.columns), direct);
  }
  const recent = ctx.headers.has("if-match") ? undefined : recentUsers.get(ctx.tenant.id, id);
  // Not awaited without an entry: the read below must go out in this turn, to carry the token's check (router.ts).
  if (recent) {
    const answered = await writeFromRecent(ctx, recent, update, direct);
    if (answered) return answered;
  }
  for (let attempt = 1; attempt <= DIRECT_ATTEMPTS; attempt++) {
    const { user: current } = await readCheckingToken(ctx.tokenCheck, (token) =>
      getScimUserForWrite(ctx.tx, ctx.tenant.id, id, { tokenHash: token?.hash }),
    );
    if (!current) throw notFound(id);
    recentUsers.remember(current);
    checkIfMatch(ctx.headers, current.version);
    const profile = profileWrite(ctx, current, update, direct);
    if (!profile) return null;
    await direct.verified();
    const { user: row } = await profile.write({ version: current.version });
    if (row) return profile.written(row);
  }
  return null;
}

/**
 * updateDirectly's write of a user as this instance last saw it, without reading it: one statement, which checks
 * the token when the router offers it that check, and writes only the user still at that version with a Sally
 * user the IdP manages linked to it (`recent`). Null, with nothing written, when the entry is no longer what is
 * stored, or the update as made of it is more than a profile or fails (a PATCH of a value the entry lacks):
 * updateDirectly then reads the user and decides by what is stored, as it does without an entry.
 */
async function writeFromRecent(ctx: ScimContext, recent: ScimUserRow, update: UserUpdate, direct: DirectWrite): Promise<ScimResult | null> {
  let profile: ProfileWrite | null;
  try {
    // As a read would have found it, had it found a Sally user the IdP manages (the statement checks that).
    profile = profileWrite(ctx, { ...recent, managed: true }, update, direct);
  } catch {
    return null;
  }
  if (!profile) return null;
  const { write } = profile;
  const { user: row } = await writeCheckingToken(ctx, direct, (tokenHash) => write({ recent: recent.version }, tokenHash));
  if (row) return profile.written(row);
  recentUsers.forget(ctx.tenant.id, recent.id);
  return null;
}

/** A profile-only update made of a user as read or as last seen: its one statement, and its answer once written. */
type ProfileWrite = {
  write: (target: ProfileTarget, tokenHash?: string) => ReturnType<typeof updateScimUserProfile>;
  written: (row: ScimUserRead) => Promise<ScimResult>;
};
type ProfileTarget = Parameters<typeof updateScimUserProfile>[1]["target"];

/**
 * The update `update` makes of `current`, when it changes only the profile (writesOnlyProfile): the statement that
 * writes it (updateScimUserProfile: the user, the Sally user's profile, the activity entry) at a target, and the
 * answer for the row written, which this instance then remembers. Null when it changes more.
 */
function profileWrite(ctx: ScimContext, current: ScimUserForUpdate, update: UserUpdate, direct: DirectWrite): ProfileWrite | null {
  const { resource, columns } = update.next(current);
  const user = directoryUser({ ...current, ...columns, resource }, { before: current });
  if (!writesOnlyProfile(user)) return null;
  const summary = update.summary(columns, current);
  return {
    write: (target, tokenHash) =>
      updateScimUserProfile(ctx.tx, {
        tenantId: ctx.tenant.id,
        id: current.id,
        target,
        resource,
        columns,
        profile: user,
        activity: direct.entries({ status: 200, summary }),
        tokenHash,
      }),
    written: (row) => {
      recentUsers.remember(row);
      return written(ctx, row, 200, summary);
    },
  };
}

/**
 * A PUT made without reading the user first: its body is the whole user, so one statement writes it, with the
 * Sally user's profile and the activity entry, provided the stored user has the `active` and the email the body
 * states (compared exactly: a change of case goes to the transaction too) and a Sally user the IdP manages; on the
 * warm path the statement checks the token as well. Okta's profile updates are one statement so. Null when nothing
 * matched (a change of access, no such user, no Sally user the IdP manages): the transaction decides, and answers
 * 404 for a user that does not exist.
 */
async function replaceWithoutRead(ctx: ScimContext, id: string, whole: Whole, summary: Summary, direct: DirectWrite): Promise<ScimResult | null> {
  const { resource, columns } = whole;
  const user = directoryUser({ id, ...columns, resource });
  const outcome = await writeCheckingToken(ctx, direct, (tokenHash) =>
    updateScimUserProfile(ctx.tx, {
      tenantId: ctx.tenant.id,
      id,
      target: { unchanged: { active: columns.active, email: user.email } },
      resource,
      columns,
      profile: user,
      activity: direct.entries({ status: 200, summary }),
      tokenHash,
    }),
  );
  return outcome.user ? written(ctx, outcome.user, 200, summary) : null;
}

/** PUT /Users/{id} in the request's transaction (see replaceUserDirectly). */
export async function replaceUser(ctx: ScimContext, id: string, body: unknown): Promise<ScimResult> {
  return updateInTransaction(ctx, id, replacing(body));
}

/** PUT /Users/{id} outside a transaction when it changes only the profile, else null (see updateDirectly). */
export async function replaceUserDirectly(ctx: ScimContext, id: string, body: unknown, direct: DirectWrite): Promise<ScimResult | null> {
  return updateDirectly(ctx, id, replacing(body), direct);
}

/** PATCH /Users/{id} in the request's transaction (see patchUserDirectly). */
export async function patchUser(ctx: ScimContext, id: string, body: unknown): Promise<ScimResult> {
  return updateInTransaction(ctx, id, patching(body));
}

/** PATCH /Users/{id} outside a transaction when it changes only the profile, else null (see updateDirectly). */
export async function patchUserDirectly(ctx: ScimContext, id: string, body: unknown, direct: DirectWrite): Promise<ScimResult | null> {
  return updateDirectly(ctx, id, patching(body), direct);
}

/** DELETE /Users/{id}: the Sally user loses access at once and keeps a deactivated record. */
export async function deleteUser(ctx: ScimContext, id: string): Promise<ScimResult> {
  // The full row lock first: group writers adding this user wait here rather than deadlock later.
  const current = await loadUser(ctx, id, "delete");
  recentUsers.forget(ctx.tenant.id, id);
  checkIfMatch(ctx.headers, current.version);
  await deprovision(ctx, id);
  await deleteScimUser(ctx.tx, ctx.tenant.id, id);
  return { status: 204, summary: summarize("deletedUser", { userName: current.userName }) };
}
