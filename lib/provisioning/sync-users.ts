import { and, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { scimUsers, users } from "@/db/schema";
import type { Locale } from "@/db/schema";
import { isUniqueViolation } from "@/db/errors";
import { getMapping } from "@/db/queries/mappings";
import { listGroupIdsByUser } from "@/db/queries/scim-groups";
import type { ScimUserColumns } from "@/db/queries/scim-users";
import type { Tenant } from "@/db/queries/tenants";
import { deleteSessionsByEmail } from "@/db/queries/users";
import { createSignInLink } from "@/lib/auth/sign-in-link";
import { buyMissingSeats } from "@/lib/billing/purchase-seats";
import { enqueueEmail } from "@/lib/email/outbox";
import { invitationEmail } from "@/lib/email/templates";
import { ConflictError } from "@/lib/errors";
import { keepsManualAdmin, resolveAccess, resolveStatus, type Mapping } from "./access";
import type { UserLicense } from "@/db/schema";

type SyncInput = {
  tenant: Tenant;
  scimUserIds: string[];
  /** What caused it (a SCIM request, an admin save): recorded with any seat purchase. */
  cause: string;
  /**
   * A change sent by the IdP takes (back) over users made manual by a disconnect. Admin changes to the mapping
   * leave manual users alone.
   */
  fromIdp?: boolean;
};

/**
 * A user the IdP provisioned that is manually managed now (after a disconnect, or a manual admin kept through
 * setup): only the IdP itself takes them back. adoptableScimUser's query states the same condition in SQL.
 */
const isDetached = (user: { source: "manual" | "scim"; scimUserId: string | null }) => user.source === "manual" && user.scimUserId !== null;

/** `preferredLanguage`/`locale` such as "de-DE" or "en_US" → the UI language, if we speak it. */
export function localeOf(resource: Record<string, unknown>): Locale | null {
  for (const key of ["preferredLanguage", "locale"]) {
    const value = resource[key];
    if (typeof value === "string") {
      const language = value.trim().slice(0, 2).toLowerCase();
      if (language === "de" || language === "en") return language;
    }
  }
  return null;
}

function nameOf(row: { displayName: string | null; resource: Record<string, unknown> }): string | null {
  if (row.displayName) return row.displayName;
  const name = row.resource.name as { formatted?: unknown; givenName?: unknown; familyName?: unknown } | undefined;
  if (typeof name?.formatted === "string") return name.formatted;
  const parts = [name?.givenName, name?.familyName].filter((p): p is string => typeof p === "string");
  return parts.length ? parts.join(" ") : null;
}

/**
 * Applies the access rules to the Sally users behind the given SCIM users, in the caller's transaction: role
 * from the mapped groups, lowest license tier, status; creates the Sally user on first sight (or links the one
 * with the same email); queues exactly one invitation when a user first gains access and invites are on; ends
 * every session of a user who lost access; then buys any seats now missing. The caller holds the tenant lock.
 */
export async function syncScimUsers(tx: DbOrTx, input: SyncInput): Promise<void> {
  const ids = [...new Set(input.scimUserIds)];
  if (ids.length === 0) return;
  const { tenant } = input;
  const mapping = await getMapping(tx, tenant.id);
  const rows = await tx.select().from(scimUsers).where(and(eq(scimUsers.tenantId, tenant.id), inArray(scimUsers.id, ids)));
  const groupsOf = await listGroupIdsByUser(tx, { userIds: ids });

  const emails = rows.map((r) => (r.email ?? r.userName).toLowerCase());
  const existing = await tx
    .select()
    .from(users)
    .where(
      and(
        eq(users.tenantId, tenant.id),
        or(inArray(users.scimUserId, ids), inArray(sql`lower(${users.email})`, emails)),
      ),
    );

  let takesSeat = false;
  for (const row of rows) {
    const email = row.email ?? row.userName;
    const linked =
      existing.find((u) => u.scimUserId === row.id) ??
      existing.find((u) => u.scimUserId === null && u.email.toLowerCase() === email.toLowerCase());
    if (linked && isDetached(linked) && !input.fromIdp) continue;
    const outcome = await applyRules(tx, { tenant, mapping, row, email, linked, groupIds: groupsOf.get(row.id) ?? new Set() });
    takesSeat ||= outcome.takesSeat;
  }
  // A shortfall can only appear when someone starts holding a seat; otherwise the tenant-wide count is skipped.
  if (takesSeat) await buyMissingSeats(tx, tenant, input.cause);
}

type ApplyInput = {
  tenant: Tenant;
  mapping: Mapping;
  row: typeof scimUsers.$inferSelect;
  email: string;
  linked: typeof users.$inferSelect | undefined;
  groupIds: Set<string>;
};

/** Writes one user's access; says whether they now hold a seat they did not hold before. */
async function applyRules(tx: DbOrTx, { tenant, mapping, row, email, linked, groupIds }: ApplyInput): Promise<{ takesSeat: boolean }> {
  if (linked && keepsManualAdmin(linked, row.active, mapping)) {
    await tx.update(users).set({ scimUserId: row.id, updatedAt: sql`now()` }).where(eq(users.id, linked.id));
    return { takesSeat: false };
  }
  const { role, license } = resolveAccess({ active: row.active, groupIds }, mapping);
  const status = resolveStatus(role, linked?.firstSignInAt != null);
  const hadAccess = linked ? linked.role !== "none" : false;
  // An invitation needs somewhere to go: a userName such as "jdoe" with no email gets none.
  const invite = role !== "none" && !hadAccess && !linked?.invitedAt && tenant.inviteOnProvision && email.includes("@");
  const values = {
    email,
    name: nameOf(row),
    locale: localeOf(row.resource),
    role,
    license,
    status,
    source: "scim" as const,
    scimUserId: row.id,
    updatedAt: sql`now()`,
    ...(invite ? { invitedAt: sql`now()` } : {}),
  };
  let userId: string;
  try {
    userId = linked
      ? (await tx.update(users).set(values).where(eq(users.id, linked.id)).returning({ id: users.id }))[0].id
      : (await tx.insert(users).values({ tenantId: tenant.id, ...values }).returning({ id: users.id }))[0].id;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`Another user of this tenant already has the email ${email}`);
    throw error;
  }
  if (invite) await queueInvitation(tx, { tenant, userId, email, role, license, locale: values.locale });
  if (hadAccess && role === "none") await deleteSessionsByEmail(tx, email);
  const heldBefore = linked && linked.role !== "none" ? linked.license : "none";
  const heldNow = role !== "none" ? license : "none";
  return { takesSeat: heldNow !== "none" && heldNow !== heldBefore };
}

async function queueInvitation(
  tx: DbOrTx,
  input: { tenant: Tenant; userId: string; email: string; role: "admin" | "user"; license: UserLicense; locale: Locale | null },
) {
  const url = await createSignInLink(tx, input.email);
  const rendered = await invitationEmail(input.locale ?? input.tenant.locale, {
    tenantName: input.tenant.name,
    role: input.role,
    license: input.license,
    url,
  });
  // The key is the user: whatever happens later, one user gets one invitation.
  await enqueueEmail(tx, { ...rendered, to: input.email, kind: "invitation", tenantId: input.tenant.id }, `invitation:${input.userId}`);
}

/**
 * Before a SCIM user is deleted: the Sally user loses access at once (role, license and seat gone, every
 * session ended) and stays as a deactivated record the admin can remove.
 */
export async function releaseScimUser(tx: DbOrTx, input: { tenant: Tenant; scimUserId: string; cause: string }) {
  // Deleted: the rules with no groups and not active give no access.
  const { role, license } = resolveAccess({ active: false, groupIds: new Set() }, { adminGroupId: null, userGroupId: null, licenseGroups: new Map() });
  const [user] = await tx
    .update(users)
    .set({ role, license, status: resolveStatus(role, false), scimUserId: null, updatedAt: sql`now()` })
    .where(and(eq(users.tenantId, input.tenant.id), eq(users.scimUserId, input.scimUserId)))
    .returning();
  if (user) await deleteSessionsByEmail(tx, user.email);
}

/**
 * A SCIM user left from an earlier connection (its Sally user was made manual by a disconnect) that a POST
 * should adopt rather than duplicate: matched by externalId, then by userName.
 */
export async function adoptableScimUser(tx: DbOrTx, tenantId: string, columns: ScimUserColumns) {
  // isDetached, in SQL.
  const detached = and(eq(scimUsers.tenantId, tenantId), eq(users.source, "manual"), isNotNull(users.scimUserId));
  const find = async (match: ReturnType<typeof eq>) => {
    const [row] = await tx
      .select({ id: scimUsers.id })
      .from(scimUsers)
      .innerJoin(users, eq(users.scimUserId, scimUsers.id))
      .where(and(detached, match));
    return row;
  };
  return (
    (columns.externalId ? await find(eq(scimUsers.externalId, columns.externalId)) : undefined) ??
    (await find(sql`lower(${scimUsers.userName}) = lower(${columns.userName})`))
  );
}
