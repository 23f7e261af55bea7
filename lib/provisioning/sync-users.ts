import type { DbOrTx } from "@/db";
import { isUuid, settleInOrder } from "@/db/run";
import type { Locale } from "@/db/schema";
import {
  buySeatsShort,
  deleteSessionsOfEmails,
  insertUsersAccess,
  lockUsersForAccess,
  lockUsersIfGroupGrants,
  lockUsersOfScimUser,
  readAccessContext,
  readAccessContextIfGroupGrants,
  updateLinkedProfiles,
  updateUsersAccess,
  type AccessContext,
  type AccessRow,
  type AccessWrite,
} from "@/db/queries/access";
import { changeMembers, type MembershipChange, type MembershipResult } from "@/db/queries/memberships";
import { alongsideCommit } from "@/db/transaction";
import { newSignInLinks, storeSignInLinks, type NewSignInLinks } from "@/lib/auth/sign-in-link";
import { enqueueEmails, type QueuedEmail } from "@/lib/email/outbox";
import { invitationContent } from "@/lib/email/templates";
import { planAccess, writesOnlyProfile, type AccessPlan, type DirectoryUser } from "./plan-access";

export type { DirectoryUser } from "./plan-access";

/** One write of the directory, in plain values: lib/scim builds it from a request, the mapping save from a diff. */
export type DirectoryChange = {
  tenant: { id: string };
  /** What caused it (a SCIM request, an admin save): recorded with any seat purchase. */
  cause: string;
  /** A change sent by the IdP takes (back) over users made manual by a disconnect; an admin's save does not. */
  fromIdp: boolean;
  /** Users the IdP (re)states. `created`: new this transaction, so in no group yet. */
  users?: (DirectoryUser & { created?: boolean })[];
  /** Members added to or removed from one group (unknown user ids are skipped and reported). */
  members?: MembershipChange & { groupId: string };
  /**
   * The rules' lock and facts sent ahead of this call (sendMemberChange, which carries the member change too;
   * sendUserLock). They serve when they cover the change (every affected user named, no stated user with a new
   * email); else the change locks and reads as usual.
   */
  sent?: SentAhead;
  /** SCIM users whose groups changed otherwise (their group was deleted, a mapping changed). */
  reevaluate?: string[];
  /** The lock for a new user, taken in its insert's round trip (lockAheadOfNewUser). */
  lockedAhead?: LockedAhead;
};

/** The Sally users a new SCIM user's rules read, being locked ahead of them (lockAheadOfNewUser). */
export type LockedAhead = { email: string; rows: Promise<AccessRow[]> };

/**
 * Starts the lock applyDirectoryChange takes for a user the caller is inserting, right behind that insert and so
 * in its round trip: a SCIM user created in this transaction has no Sally user yet, so all there is to lock are
 * the Sally users holding its email (the one it may be linked to, or whose email it claims). Pass the result as
 * `lockedAhead` with the created user; a change it does not cover (another email, more users) locks as usual.
 * The caller awaits it alongside its insert (settleInOrder), so a failure is never left unhandled.
 */
export function lockAheadOfNewUser(tx: DbOrTx, tenantId: string, email: string): LockedAhead {
  return { email, rows: lockUsersForAccess(tx, tenantId, [], [email]) };
}

/** The rules' lock and facts for some SCIM users, sent before the change that needs them is known. */
export type SentAhead = {
  /** The SCIM users whose Sally users are locked (with those sharing their stored emails) and whose facts were read. */
  named: ReadonlySet<string>;
  rows: Promise<AccessRow[]>;
  /** Null when nothing was locked or read (a group that grants nothing). */
  context: Promise<AccessContext | null>;
  /** The member change sent before them, if any (sendMemberChange). */
  membership?: Promise<MembershipResult>;
};

/**
 * Sends the rules' lock and facts for one SCIM user about to be updated, right behind the caller's own lock of
 * that user (so in its round trip, and reading the email the caller reads): an update that changes what the rules
 * read (Entra's deactivation, Okta's PUT of `active`) then waits for BEGIN's round trip and COMMIT's, nothing in
 * between. It covers the update unless the update changes the user's email; then the rules lock again. Pass the
 * result as `sent`; applyDirectoryChange settles it, so no failure is left unhandled.
 */
export function sendUserLock(tx: DbOrTx, tenantId: string, scimUserId: string): SentAhead {
  return {
    named: new Set([scimUserId]),
    rows: lockUsersOfScimUser(tx, tenantId, scimUserId),
    context: readAccessContext(tx, tenantId, [scimUserId]),
  };
}

/**
 * Sends a member change of one group and, right behind it on the same connection, the lock and facts the rules
 * need should it change someone's access, all in one round trip: the lock and the read go only if the group
 * grants a role or a license (else they lock and read nothing), and for every user the change names, since who
 * actually joins or leaves is known only from the change's answer. Locking a named user whose membership did not
 * change costs a row lock and nothing else: the rules leave that user as is (planAccess only writes the users it
 * re-evaluates). The caller holds the group against deletion and a mapping save (getScimGroupLocked, sent before
 * this), so the group's mappings cannot change between these statements; the lock precedes the read, which so
 * sees every change committed to the locked users (see readAccessContext). Pass the result as `sent`; the
 * caller awaits it through applyDirectoryChange, which settles all three, so no failure is left unhandled.
 */
export function sendMemberChange(tx: DbOrTx, tenantId: string, groupId: string, change: { add: string[]; remove: string[] }): Required<SentAhead> {
  const named = new Set([...change.add, ...change.remove].filter(isUuid));
  const ids = [...named];
  return {
    membership: changeMembers(tx, tenantId, groupId, change),
    named,
    rows: lockUsersIfGroupGrants(tx, tenantId, groupId, ids),
    context: readAccessContextIfGroupGrants(tx, tenantId, groupId, ids),
  };
}

/** The mapping the rules use for users in no group: which groups grant what does not matter to them. */
const NO_MAPPING = { adminGroupId: null, userGroupId: null, licenseGroups: new Map() } as const;

/** A user kept from access because another user holds their email, with that other user. */
export type EmailConflictNotice = {
  user: { id: string; email: string; name: string | null };
  holder: { id: string; email: string; name: string | null };
};

export type DirectoryResult = {
  membership: MembershipResult | null;
  conflicts: EmailConflictNotice[];
  /**
   * Emails this change put in the outbox, a purchase counted as one (the drain queues its receipts): only when
   * there are any is a drain after the response worth it.
   */
  emailsQueued: number;
};

/**
 * Applies one directory change: writes the memberships, then brings the Sally users behind every affected SCIM
 * user in line with the access rules, and buys any seats now missing, all in the caller's transaction and in a
 * few set-based statements. Locks only what the rules need: the affected users and those sharing an email with
 * them (so concurrent changes of one user apply one after the other and none is lost) and, through the users
 * write, the seats rows of a tier whose holders change. Invitations go to the outbox in the same transaction; a
 * purchase's receipts are queued by the drain after commit. Users kept from access by another user's email
 * (email-claims.ts) are evaluated again whenever a user sharing their email is: their conflict settles or clears in
 * the same change.
 */
export async function applyDirectoryChange(tx: DbOrTx, change: DirectoryChange): Promise<DirectoryResult> {
  const tenantId = change.tenant.id;
  const sent = change.sent ? await settleSent(change.sent) : null;
  // The common IdP update (a name, a title) leaves the rules' inputs alone: write the profile, lock nothing, and
  // wait for nothing: the write goes with COMMIT. `managed` was read under the SCIM user's lock; should a
  // disconnect make that Sally user manual meanwhile, the write (which only touches users the IdP manages) finds
  // nothing, as it would have just after the disconnect. Without such a user, the rules decide (they link or
  // create one).
  const users = change.users ?? [];
  if (change.fromIdp && !change.members && !change.reevaluate?.length && users.length > 0 && users.every(writesOnlyProfile)) {
    await alongsideCommit(tx, () => updateLinkedProfiles(tx, tenantId, users));
    return { membership: null, conflicts: [], emailsQueued: 0 };
  }
  let membership = sent?.membership ?? null;
  const affected = new Set([...(change.users ?? []).map((u) => u.scimUserId), ...(change.reevaluate ?? [])]);
  if (change.members) membership = await changeMembers(tx, tenantId, change.members.groupId, change.members);
  // Members of a group that grants nothing keep their access: nothing else to do for them.
  if (membership?.grants) for (const id of [...membership.added, ...membership.removed]) affected.add(id);
  if (affected.size === 0) return { membership, conflicts: [], emailsQueued: 0 };

  const stated = new Map((change.users ?? []).map((u) => [u.scimUserId, u]));
  const created = (change.users ?? []).length === affected.size && (change.users ?? []).every((u) => u.created);
  // The lock and facts sent ahead serve when they cover the change: every affected user named, and no stated user
  // with another email than the one locked (the one stored, which the caller read as `previous`).
  const covers = (ahead: NonNullable<typeof sent>) =>
    ahead.context !== null &&
    [...affected].every((id) => ahead.named.has(id)) &&
    [...stated.values()].every((u) => u.previous !== undefined && u.previous.email.toLowerCase() === u.email.toLowerCase());
  const covered = sent && covers(sent) ? sent : null;
  const locking = covered
    ? Promise.resolve(covered.rows)
    : lockedAheadFor(change, affected)
      ? change.lockedAhead!.rows
      : lockUsersForAccess(tx, tenantId, [...affected], [...stated.values()].map((u) => u.email));
  // The rules' facts go out right behind the lock, in its round trip: a connection runs statements in the order it
  // got them, so the read starts, and takes its snapshot, only once the lock is held. Not when the change only
  // creates users: those usually need no facts at all (below).
  const reading = covered ? Promise.resolve(covered.context) : created ? null : readAccessContext(tx, tenantId, [...affected]);
  const [current, read] = await settleInOrder([locking, reading ?? Promise.resolve(null)] as const);
  const readFor = covered ? covered.named : new Set(affected);
  for (const user of current) {
    if (user.emailConflictWith && user.source === "scim" && user.scimUserId) affected.add(user.scimUserId);
  }
  const ids = [...affected];
  // Users kept from access by an email conflict with those locked, which the lock brought along (rarely).
  const grew = ids.some((id) => !readFor.has(id));
  // A user created by this very change is in no group: without a linked Sally user, the rules give no access.
  // (A grown set came from locked rows, so no rows means it did not grow.)
  const needsNoFacts = created && current.length === 0;
  const context: AccessContext | null = needsNoFacts ? null : read && !grew ? read : await readAccessContext(tx, tenantId, ids);
  const plan = planAccess({
    scimUserIds: ids,
    stated,
    facts: context?.scimUsers ?? new Map(),
    current,
    groupsOf: context?.groupsOf ?? new Map(),
    mapping: context?.mapping ?? NO_MAPPING,
    invitesOn: context?.tenant.inviteOnProvision ?? false,
    fromIdp: change.fromIdp,
  });
  // One batch, pipelined on the transaction's connection (see settleInOrder), in this order: the invitations
  // (links and emails, written beforehand in memory), the ended sessions, the users write, and, last, the purchase
  // of any seats the tiers whose holders grow are now short of, after that write. Writing users
  // whose license changes locks the seats rows of their tiers until commit (the held counts follow by trigger),
  // and every writer of those tiers waits on them: so the users write comes as late as it can, and nothing after it
  // is waited for here: the batch, the caller's last statements and COMMIT go out together. The first to fail is
  // the error.
  const tenant = context ? { id: tenantId, ...context.tenant } : null;
  const invited = tenant ? await invitations(tenant, plan) : { links: newSignInLinks([]), emails: [] };
  const conflicts = conflictNotices(plan, current);
  // Nothing is read back: the batch is answered with COMMIT.
  await alongsideCommit(tx, () =>
    settleInOrder([
      storeSignInLinks(tx, invited.links),
      enqueueEmails(tx, invited.emails),
      deleteSessionsOfEmails(tx, plan.lostAccess),
      updateUsersAccess(tx, plan.updates),
      insertUsersAccess(tx, tenantId, plan.inserts),
      buySeatsShort(tx, tenantId, plan.tiersTaken, change.cause),
    ] as const),
  );
  // When a tier gains holders, a purchase may follow: the drain after the response queues and sends its receipts.
  return { membership, conflicts, emailsQueued: invited.emails.length + (plan.tiersTaken.length > 0 ? 1 : 0) };
}

/**
 * The Sally user the rules give a SCIM user being created, when no Sally user holds its email: a new user is in no
 * group, so the rules need no facts of the tenant and have no row to lock, and give it a Sally user without
 * access. The caller writes it with the SCIM user in one statement that makes sure no Sally user holds the email
 * (db/queries/scim-users.ts createScimUserAlone), else applyDirectoryChange decides. Null should the plan hold
 * more than that one user.
 */
export function planNewUserAlone(user: DirectoryUser): (AccessWrite & { id: string }) | null {
  const plan = planAccess({
    scimUserIds: [user.scimUserId],
    stated: new Map([[user.scimUserId, user]]),
    facts: new Map(),
    current: [],
    groupsOf: new Map(),
    mapping: NO_MAPPING,
    invitesOn: false,
    fromIdp: true,
  });
  const [insert, ...more] = plan.inserts;
  const alone = more.length + plan.updates.length + plan.invitations.length + plan.lostAccess.length + plan.tiersTaken.length + plan.conflicts.length === 0;
  return insert && alone ? insert : null;
}

/** What was sent ahead, as answered; the first failure among its statements is the error. */
async function settleSent(ahead: SentAhead) {
  const [membership, rows, context] = await settleInOrder([ahead.membership ?? Promise.resolve(null), ahead.rows, ahead.context] as const);
  return { named: ahead.named, membership, rows, context };
}

/** Whether the change's lock was taken ahead: for exactly one user, created by this change, with that email. */
function lockedAheadFor(change: DirectoryChange, affected: Set<string>): boolean {
  const [user, ...others] = change.users ?? [];
  const ahead = change.lockedAhead;
  return Boolean(
    ahead && user?.created && others.length === 0 && affected.size === 1 &&
      user.email.toLowerCase() === ahead.email.toLowerCase(),
  );
}

/** The plan's new conflicts with both users named (the holder as stored, or as this change writes them). */
function conflictNotices(plan: AccessPlan, current: AccessRow[]): EmailConflictNotice[] {
  const known = new Map<string, { id: string; email: string; name: string | null }>();
  for (const u of [...current, ...plan.updates, ...plan.inserts]) known.set(u.id, { id: u.id, email: u.email, name: u.name });
  return plan.conflicts.map((c) => ({
    user: { id: c.userId, email: c.email, name: c.name },
    holder: known.get(c.holderId) ?? { id: c.holderId, email: c.email, name: null },
  }));
}

type TenantFacts = { id: string; name: string; locale: Locale };

/**
 * One invitation per user who first gains access (the key is the user: whatever happens later, one email), each
 * with its sign-in link; made in memory, for the caller to store both in its transaction.
 */
async function invitations(tenant: TenantFacts, plan: AccessPlan): Promise<{ links: NewSignInLinks; emails: QueuedEmail[] }> {
  const invited = plan.invitations;
  const links = newSignInLinks(invited.map((i) => i.email));
  const emails: QueuedEmail[] = [];
  for (const [n, input] of invited.entries()) {
    const linked = await invitationContent(input.locale ?? tenant.locale, {
      tenantName: tenant.name,
      role: input.role,
      license: input.license,
      url: links.urls[n],
    });
    emails.push({ message: { ...linked, to: input.email, kind: "invitation", tenantId: tenant.id }, idempotencyKey: `invitation:${input.userId}` });
  }
  return { links, emails };
}
