import type { LicenseTier, Locale, UserLicense, UserRole } from "@/db/schema";
import { randomUUID } from "node:crypto";
import { keepsManualAdmin, resolveAccess, resolveStatus, type Mapping } from "./access";
import { settleEmailClaims, type EmailClaim } from "./email-claims";

/** A user as the IdP states them now, in plain values (lib/scim turns a SCIM resource into this). */
export type DirectoryUser = {
  scimUserId: string;
  email: string;
  name: string | null;
  locale: Locale | null;
  active: boolean;
  /**
   * What the IdP stated before this change, when the change is an update of a known user; `managed`: a Sally
   * user the IdP manages (source scim) was linked to it, as read under the lock on the SCIM user.
   */
  previous?: { email: string; active: boolean; managed?: boolean };
};

/**
 * Does this change of a known user leave every input of the access rules as it was? Groups are not part of a
 * user's change; `active` and the email (up to case: one email signs in one user, compared case-insensitively)
 * are the rest. Then role, license, status, seats, invitations and email claims all stay as they are, and only
 * the profile (name, locale, the email's spelling) needs writing.
 */
export function changesOnlyProfile(user: DirectoryUser): boolean {
  return user.previous !== undefined && user.previous.active === user.active && user.previous.email.toLowerCase() === user.email.toLowerCase();
}

/**
 * Is writing the profile of the Sally user behind this user all its change needs? When it changes only the
 * profile and a Sally user the IdP manages is linked to it; without one, the rules decide (they may link or create
 * one).
 */
export function writesOnlyProfile(user: DirectoryUser): boolean {
  return changesOnlyProfile(user) && user.previous?.managed === true;
}

/** A Sally user as stored, the part the rules read. */
export type CurrentUser = {
  id: string;
  email: string;
  name: string | null;
  locale: Locale | null;
  role: UserRole;
  license: UserLicense;
  status: "invited" | "active" | "deactivated";
  source: "manual" | "scim";
  scimUserId: string | null;
  invitedAt: string | Date | null;
  firstSignInAt: string | Date | null;
  /** The user who holds this user's email while the rules would give this user access (see email-claims.ts). */
  emailConflictWith: string | null;
  createdAt: string | Date;
};

export type UserValues = Omit<CurrentUser, "id" | "invitedAt" | "firstSignInAt" | "createdAt"> & { invite: boolean };

export type PlanInput = {
  scimUserIds: string[];
  /** Users this change restates; the others keep their stored email, name and locale. */
  stated: ReadonlyMap<string, DirectoryUser>;
  /** What is stored about the SCIM users not restated (`active`, and an email for one without a Sally user). */
  facts: ReadonlyMap<string, { email: string | null; userName: string; displayName: string | null; active: boolean }>;
  /** The Sally users locked for this change: linked to these SCIM users, or holding a stated email. */
  current: CurrentUser[];
  groupsOf: ReadonlyMap<string, ReadonlySet<string>>;
  mapping: Mapping;
  invitesOn: boolean;
  /** A change sent by the IdP takes (back) over users made manual by a disconnect; an admin's save does not. */
  fromIdp: boolean;
  /** Ids for new Sally users (tests pass their own). */
  newId?: () => string;
  /** Creation time of new Sally users. */
  now?: Date;
};

export type EmailConflict = { userId: string; email: string; name: string | null; holderId: string };

export type AccessPlan = {
  updates: (UserValues & { id: string })[];
  inserts: (UserValues & { id: string })[];
  /** Users to invite (exactly once: `invite` stamps invitedAt in the same write). */
  invitations: { scimUserId: string; userId: string; email: string; role: "admin" | "user"; license: UserLicense; locale: Locale | null }[];
  /** Emails of users who lost access: their sessions end. */
  lostAccess: string[];
  /** Tiers in which someone starts holding a seat: only there can seats fall short. */
  tiersTaken: LicenseTier[];
  /** Users newly kept from access because another user holds their email. */
  conflicts: EmailConflict[];
};

/**
 * A user the IdP provisioned that is manually managed now (after a disconnect, or a manual admin kept through
 * setup): only the IdP itself takes them back.
 */
export const isDetached = (user: { source: "manual" | "scim"; scimUserId: string | null }) => user.source === "manual" && user.scimUserId !== null;

const same = (user: CurrentUser, values: UserValues) =>
  !values.invite &&
  user.email === values.email &&
  user.name === values.name &&
  user.locale === values.locale &&
  user.role === values.role &&
  user.license === values.license &&
  user.status === values.status &&
  user.source === values.source &&
  user.scimUserId === values.scimUserId &&
  user.emailConflictWith === values.emailConflictWith;

/**
 * Applies the access rules to the Sally users behind some SCIM users, in memory: role from the mapped groups,
 * lowest license tier, status; a new Sally user on first sight (or the one with the same email linked); one
 * email signs in one user (email-claims.ts); one invitation when a user first gains access and invites are on.
 * Only rows that change are written.
 */
export function planAccess(input: PlanInput): AccessPlan {
  const newId = input.newId ?? randomUUID;
  const now = input.now ?? new Date();
  // First what the group rules say for each user, then who may hold which email, then the writes.
  const planned: { values: UserValues; id: string; linked: CurrentUser | undefined }[] = [];
  const fixed: CurrentUser[] = [];
  const handled = new Set<string>();
  for (const scimUserId of new Set(input.scimUserIds)) {
    const stated = input.stated.get(scimUserId);
    const facts = input.facts.get(scimUserId);
    if (!stated && !facts) continue;
    const statedEmail = stated?.email ?? facts!.email ?? facts!.userName;
    const linked =
      input.current.find((u) => u.scimUserId === scimUserId) ??
      input.current.find((u) => u.scimUserId === null && !handled.has(u.id) && u.email.toLowerCase() === statedEmail.toLowerCase());
    if (linked) handled.add(linked.id);
    if (linked && isDetached(linked) && !input.fromIdp) {
      fixed.push(linked);
      continue;
    }
    const active = stated?.active ?? facts!.active;
    if (linked && keepsManualAdmin(linked, active, input.mapping)) {
      // Linked to the IdP's user, otherwise as the admin set them up.
      const { id, invitedAt, firstSignInAt, createdAt, ...kept } = linked;
      planned.push({ values: { ...kept, scimUserId, invite: false }, id, linked });
      continue;
    }
    const email = stated?.email ?? linked?.email ?? statedEmail;
    const name = stated ? stated.name : (linked?.name ?? facts?.displayName ?? null);
    const locale = stated ? stated.locale : (linked?.locale ?? null);
    const { role, license } = resolveAccess({ active, groupIds: input.groupsOf.get(scimUserId) ?? new Set() }, input.mapping);
    const values: UserValues = {
      email,
      name,
      locale,
      role,
      license,
      status: resolveStatus(role, linked?.firstSignInAt != null),
      source: "scim",
      scimUserId,
      emailConflictWith: null,
      invite: false,
    };
    planned.push({ values, id: linked?.id ?? newId(), linked });
  }

  // Users not re-evaluated here keep what they hold: a holder among them keeps the email.
  for (const user of input.current) if (!handled.has(user.id)) fixed.push(user);
  const claims: EmailClaim[] = [
    ...fixed.map((u) => ({ userId: u.id, email: u.email, wantsAccess: u.role !== "none", holdsNow: u.role !== "none", createdAt: u.createdAt })),
    ...planned.map(({ values, id, linked }) => ({
      userId: id,
      email: values.email,
      wantsAccess: values.role !== "none",
      holdsNow: !!linked && linked.role !== "none" && linked.email.toLowerCase() === values.email.toLowerCase(),
      createdAt: linked?.createdAt ?? now,
    })),
  ];
  const blocked = settleEmailClaims(claims);

  const plan: AccessPlan = { updates: [], inserts: [], invitations: [], lostAccess: [], tiersTaken: [], conflicts: [] };
  const taken = new Set<LicenseTier>();
  for (const { values: ruled, id, linked } of planned) {
    const holderId = blocked.get(id);
    const values: UserValues = holderId
      ? { ...ruled, role: "none", license: "none", status: resolveStatus("none", false), source: "scim", emailConflictWith: holderId }
      : ruled;
    const { role, license, email } = values;
    const hadAccess = linked ? linked.role !== "none" : false;
    // An invitation needs somewhere to go: a userName such as "jdoe" with no email gets none.
    values.invite = role !== "none" && !hadAccess && !linked?.invitedAt && input.invitesOn && email.includes("@");
    if (!linked) plan.inserts.push({ ...values, id });
    else if (!same(linked, values)) plan.updates.push({ ...values, id });
    if (holderId && linked?.emailConflictWith !== holderId) plan.conflicts.push({ userId: id, email, name: values.name, holderId });
    if (values.invite) plan.invitations.push({ scimUserId: values.scimUserId!, userId: id, email, role: role as "admin" | "user", license, locale: values.locale });
    if (hadAccess && role === "none") plan.lostAccess.push(linked!.email);
    const heldBefore = linked && linked.role !== "none" ? linked.license : "none";
    const heldNow = role !== "none" ? license : "none";
    if (heldNow !== "none" && heldNow !== heldBefore) taken.add(heldNow);
  }
  plan.tiersTaken = [...taken];
  return plan;
}
