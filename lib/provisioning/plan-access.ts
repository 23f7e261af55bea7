import type { LicenseTier, Locale, UserLicense, UserRole } from "@/db/schema";
import { keepsManualAdmin, resolveAccess, resolveStatus, type Mapping } from "./access";

/** A user as the IdP states them now, in plain values (lib/scim turns a SCIM resource into this). */
export type DirectoryUser = { scimUserId: string; email: string; name: string | null; locale: Locale | null; active: boolean };

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
};

export type UserValues = Omit<CurrentUser, "id" | "invitedAt" | "firstSignInAt"> & { invite: boolean };

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
};

export type AccessPlan = {
  updates: (UserValues & { id: string })[];
  inserts: UserValues[];
  /** Users to invite (exactly once: `invite` stamps invitedAt in the same write). */
  invitations: { scimUserId: string; userId: string | null; email: string; role: "admin" | "user"; license: UserLicense; locale: Locale | null }[];
  /** Emails of users who lost access: their sessions end. */
  lostAccess: string[];
  /** Tiers in which someone starts holding a seat: only there can seats fall short. */
  tiersTaken: LicenseTier[];
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
  user.scimUserId === values.scimUserId;

/**
 * Applies the access rules to the Sally users behind some SCIM users, in memory: role from the mapped groups,
 * lowest license tier, status; a new Sally user on first sight (or the one with the same email linked); one
 * invitation when a user first gains access and invites are on. Only rows that change are written.
 */
export function planAccess(input: PlanInput): AccessPlan {
  const plan: AccessPlan = { updates: [], inserts: [], invitations: [], lostAccess: [], tiersTaken: [] };
  const taken = new Set<LicenseTier>();
  for (const scimUserId of new Set(input.scimUserIds)) {
    const stated = input.stated.get(scimUserId);
    const facts = input.facts.get(scimUserId);
    if (!stated && !facts) continue;
    const statedEmail = stated?.email ?? facts!.email ?? facts!.userName;
    const linked =
      input.current.find((u) => u.scimUserId === scimUserId) ??
      input.current.find((u) => u.scimUserId === null && u.email.toLowerCase() === statedEmail.toLowerCase());
    if (linked && isDetached(linked) && !input.fromIdp) continue;
    const active = stated?.active ?? facts!.active;
    if (linked && keepsManualAdmin(linked, active, input.mapping)) {
      if (linked.scimUserId !== scimUserId) plan.updates.push({ ...linked, scimUserId, invite: false });
      continue;
    }
    const { role, license } = resolveAccess({ active, groupIds: input.groupsOf.get(scimUserId) ?? new Set() }, input.mapping);
    const hadAccess = linked ? linked.role !== "none" : false;
    const email = stated?.email ?? linked?.email ?? statedEmail;
    // An invitation needs somewhere to go: a userName such as "jdoe" with no email gets none.
    const invite = role !== "none" && !hadAccess && !linked?.invitedAt && input.invitesOn && email.includes("@");
    const values: UserValues = {
      email,
      name: stated ? stated.name : (linked?.name ?? facts?.displayName ?? null),
      locale: stated ? stated.locale : (linked?.locale ?? null),
      role,
      license,
      status: resolveStatus(role, linked?.firstSignInAt != null),
      source: "scim",
      scimUserId,
      invite,
    };
    if (!linked) plan.inserts.push(values);
    else if (!same(linked, values)) plan.updates.push({ ...values, id: linked.id });
    if (role !== "none" && invite) plan.invitations.push({ scimUserId, userId: linked?.id ?? null, email, role, license, locale: values.locale });
    if (hadAccess && role === "none") plan.lostAccess.push(linked!.email);
    const heldBefore = linked && linked.role !== "none" ? linked.license : "none";
    const heldNow = role !== "none" ? license : "none";
    if (heldNow !== "none" && heldNow !== heldBefore) taken.add(heldNow);
  }
  plan.tiersTaken = [...taken];
  return plan;
}
