/**
 * Sally's sign-in rule for an email several users share. SCIM makes only `userName` unique (RFC 7643 §4.1.1), so
 * an IdP may send two users with the same email and expects both to be accepted. Sally signs people in by email,
 * so one email may sign in only one user of a tenant: the one who holds access with it.
 *
 * - A user who holds access with an email keeps it while the rules grant it to them.
 * - Otherwise, of the users the rules would give access, the one created first gets it.
 * - Every other user the rules would give access gets none and is flagged: an email conflict with the holder.
 * - A user without access (deactivated, in no mapped group) claims nothing: a new user may take the email of a
 *   deactivated one.
 *
 * The conflict clears by itself: whenever either side changes, both are evaluated again (see planAccess).
 */

/** One user's claim on their email after the group rules ran. */
export type EmailClaim = {
  userId: string;
  email: string;
  /** The group rules give this user access. */
  wantsAccess: boolean;
  /** The user holds access with this same email now. */
  holdsNow: boolean;
  /** Order of creation: the earlier user wins a tie between new claims. */
  createdAt: string | Date;
};

const createdMs = (claim: EmailClaim) => new Date(claim.createdAt).getTime();

/** The tie-break among claims of one email: holding now, then created first, then the lowest id. */
function before(a: EmailClaim, b: EmailClaim): boolean {
  if (a.holdsNow !== b.holdsNow) return a.holdsNow;
  if (createdMs(a) !== createdMs(b)) return createdMs(a) < createdMs(b);
  return a.userId < b.userId;
}

/**
 * Settles the claims: returns, for every user the rules would give access but who may not have it, the id of
 * the user who holds the email (case-insensitively). Users not in the map keep what the rules give them.
 */
export function settleEmailClaims(claims: Iterable<EmailClaim>): Map<string, string> {
  const holders = new Map<string, EmailClaim>();
  const claimants: EmailClaim[] = [];
  for (const claim of claims) {
    if (!claim.wantsAccess) continue;
    claimants.push(claim);
    const key = claim.email.toLowerCase();
    const holder = holders.get(key);
    if (!holder || before(claim, holder)) holders.set(key, claim);
  }
  const blocked = new Map<string, string>();
  for (const claim of claimants) {
    const holder = holders.get(claim.email.toLowerCase())!;
    if (holder.userId !== claim.userId) blocked.set(claim.userId, holder.userId);
  }
  return blocked;
}
