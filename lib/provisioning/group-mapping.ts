import { createHash } from "node:crypto";
import { and, eq, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { licenseTiers, scimGroups, scimUsers, tenants, users, type LicenseTier } from "@/db/schema";
import { getMapping, listMappingRows, replaceMappings, toMapping } from "@/db/queries/mappings";
import { listGroupIdsByUser, listMemberIdsOfGroups, lockScimGroups } from "@/db/queries/scim-groups";
import { getSeatOffer, getTenantById, lockTenant } from "@/db/queries/tenants";
import { recordActivity } from "@/lib/activity";
import { ConflictError, NotFoundError, StalePreviewError, ValidationError } from "@/lib/errors";
import { summarize } from "@/lib/activity-summary";
import type { Mapping } from "./access";
import { previewMapping, type MappingPreview, type SeatOffer } from "./preview";
import { applyDirectoryChange } from "./sync-users";

export const groupMappingSchema = z
  .object({
    userGroupId: z.uuid().nullable(),
    adminGroupId: z.uuid().nullable(),
    licenseGroups: z.array(z.object({ groupId: z.uuid(), tier: z.enum(licenseTiers) })),
    inviteOnProvision: z.boolean(),
  })
  .refine((m) => new Set(m.licenseGroups.map((l) => l.groupId)).size === m.licenseGroups.length, {
    message: "A group can grant only one license tier",
  })
  .refine((m) => !m.userGroupId || m.userGroupId !== m.adminGroupId, {
    message: "The administrators group and the users group must be different groups",
  });

export type GroupMappingInput = z.infer<typeof groupMappingSchema>;

function parse(input: GroupMappingInput): GroupMappingInput {
  const parsed = groupMappingSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0].message);
  return parsed.data;
}

const toRules = (m: GroupMappingInput): Mapping => ({
  adminGroupId: m.adminGroupId,
  userGroupId: m.userGroupId,
  licenseGroups: new Map(m.licenseGroups.map((l) => [l.groupId, l.tier])),
});

async function requireOwnGroups(tx: DbOrTx, tenantId: string, m: GroupMappingInput) {
  const ids = [...new Set([m.userGroupId, m.adminGroupId, ...m.licenseGroups.map((l) => l.groupId)].filter((id): id is string => !!id))];
  if (ids.length === 0) return;
  const found = await tx.select({ id: scimGroups.id }).from(scimGroups).where(and(eq(scimGroups.tenantId, tenantId), inArray(scimGroups.id, ids)));
  if (found.length !== ids.length) throw new NotFoundError("A mapped group does not exist (was it deleted in the IdP?)");
}

/** Everything the preview needs about a tenant: its users with their SCIM groups, and its seats. */
async function loadPreviewState(tx: DbOrTx, tenantId: string) {
  const rows = await tx
    .select({ id: users.id, createdAt: users.createdAt, email: users.email, role: users.role, license: users.license, source: users.source, scimUserId: users.scimUserId, active: scimUsers.active })
    .from(users)
    .leftJoin(scimUsers, eq(scimUsers.id, users.scimUserId))
    .where(eq(users.tenantId, tenantId));
  const groupsOf = await listGroupIdsByUser(tx, { tenantId });
  const offer = await getSeatOffer(tx, tenantId);
  const previewUsers = rows.map((r) => ({
    id: r.id,
    createdAt: r.createdAt,
    email: r.email,
    role: r.role,
    license: r.license,
    managedByIdp: r.source === "scim" && r.scimUserId !== null,
    active: r.active ?? false,
    groupIds: groupsOf.get(r.scimUserId ?? "") ?? new Set<string>(),
  }));
  return { users: previewUsers, offer };
}

/** A preview as shown to the admin, with the fingerprint that a confirmation hands back to the save. */
export type ConfirmablePreview = MappingPreview & { fingerprint: string };

/**
 * A digest of everything the admin is shown before confirming — who gains, loses and changes access, the seats
 * to buy and their prices — so a save can tell whether it would still do exactly that.
 */
export function previewFingerprint(preview: MappingPreview, offer: SeatOffer): string {
  const byEmail = (changes: MappingPreview["gainAccess"]) => [...changes].sort((a, b) => a.email.localeCompare(b.email));
  const shown = {
    gainAccess: byEmail(preview.gainAccess),
    loseAccess: byEmail(preview.loseAccess),
    change: byEmail(preview.change),
    seatsToBuy: preview.seatsToBuy,
    costCents: preview.costCents,
    prices: licenseTiers.map((tier) => offer[tier].unitPriceCents),
  };
  return createHash("sha256").update(JSON.stringify(shown)).digest("base64url");
}

function confirmable(state: Awaited<ReturnType<typeof loadPreviewState>>, mapping: GroupMappingInput): ConfirmablePreview {
  const preview = previewMapping(state.users, toRules(mapping), state.offer);
  return { ...preview, fingerprint: previewFingerprint(preview, state.offer) };
}

/** What saving `input` would change, without changing anything (the admin UI and `scim mapping set` show it). */
export async function previewGroupMapping(db: DbOrTx, tenantId: string, input: GroupMappingInput): Promise<ConfirmablePreview> {
  const mapping = parse(input);
  return confirmable(await loadPreviewState(db, tenantId), mapping);
}

/**
 * Saves a tenant's group mapping and invite setting in one transaction and applies it to the affected users
 * only — the members of every group whose grant changed — buying any seats that are now missing.
 * With `expectedFingerprint` (from the preview the admin confirmed) nothing is saved or bought if the save would
 * now do something else: StalePreviewError carries the new preview. A save that would leave the tenant without
 * an administrator is refused.
 */
export async function saveGroupMapping(
  db: DbOrTx,
  input: { tenantId: string; mapping: GroupMappingInput; actor: string; expectedFingerprint?: string },
) {
  const mapping = parse(input.mapping);
  return db.transaction(async (tx) => {
    // Admin changes of a tenant go one at a time; SCIM writes are not held up by this lock.
    await lockTenant(tx, input.tenantId);
    await requireOwnGroups(tx, input.tenantId, mapping);
    const before = await getMapping(tx, input.tenantId);
    const changedGroups = changedGroupIds(before, toRules(mapping));
    // Member changes of these groups in flight finish first, and later ones see the new mapping.
    await lockScimGroups(tx, input.tenantId, changedGroups);
    const preview = confirmable(await loadPreviewState(tx, input.tenantId), mapping);
    if (input.expectedFingerprint !== undefined && input.expectedFingerprint !== preview.fingerprint) {
      throw new StalePreviewError("Members, seats or prices changed since the preview; nothing was saved", preview);
    }
    if (preview.adminsAfter === 0) {
      throw new ValidationError("This mapping would leave no administrator who can sign in; map an admin group with members first");
    }
    await replaceMappings(tx, input.tenantId, [
      ...new Set([mapping.userGroupId, mapping.adminGroupId, ...mapping.licenseGroups.map((l) => l.groupId)]),
    ]
      .filter((id): id is string => !!id)
      .map((groupId) => ({
        groupId,
        role: groupId === mapping.adminGroupId ? ("admin" as const) : groupId === mapping.userGroupId ? ("user" as const) : null,
        licenseTier: mapping.licenseGroups.find((l) => l.groupId === groupId)?.tier ?? null,
      })));
    const [tenant] = await tx.update(tenants).set({ inviteOnProvision: mapping.inviteOnProvision }).where(eq(tenants.id, input.tenantId)).returning();
    if (!tenant) throw new NotFoundError("tenant not found");
    const affected = await listMemberIdsOfGroups(tx, changedGroups);
    await applyDirectoryChange(tx, { tenant, reevaluate: affected, cause: `admin save by ${input.actor}`, fromIdp: false });
    await recordActivity(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      ...summarize("mappingSaved", {
        gain: preview.gainAccess.length,
        lose: preview.loseAccess.length,
        change: preview.change.length,
        invite: mapping.inviteOnProvision ? "on" : "off",
      }),
    });
    return { preview, affectedUsers: affected.length };
  });
}

/** Groups whose grant (role or tier) differs between two mappings: only their members need re-evaluating. */
export function changedGroupIds(before: Mapping, after: Mapping): string[] {
  const grant = (m: Mapping, id: string) =>
    `${m.adminGroupId === id ? "admin" : m.userGroupId === id ? "user" : ""}:${m.licenseGroups.get(id) ?? ""}`;
  const ids = new Set([before.adminGroupId, before.userGroupId, after.adminGroupId, after.userGroupId, ...before.licenseGroups.keys(), ...after.licenseGroups.keys()]);
  return [...ids].filter((id): id is string => !!id && grant(before, id) !== grant(after, id));
}

/** The current mapping by group display name, for `scim mapping show` and the admin screen. */
export async function describeGroupMapping(db: DbOrTx, tenantId: string) {
  const tenant = await getTenantById(db, tenantId);
  if (!tenant) throw new NotFoundError("tenant not found");
  const rows = await listMappingRows(db, tenantId);
  const mapping = toMapping(rows);
  const name = (id: string | null) => rows.find((r) => r.groupId === id)?.displayName ?? null;
  return {
    userGroup: name(mapping.userGroupId),
    adminGroup: name(mapping.adminGroupId),
    licenses: Object.fromEntries(licenseTiers.map((tier) => [tier, rows.filter((r) => r.licenseTier === tier).map((r) => r.displayName)])),
    invite: tenant.inviteOnProvision,
    mapping,
  };
}

/** Resolves IdP group display names to ids within a tenant (case-insensitive); unknown or ambiguous → error. */
export async function groupIdsByName(db: DbOrTx, tenantId: string, names: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(names.map((n) => n.toLowerCase()))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({ id: scimGroups.id, displayName: scimGroups.displayName })
    .from(scimGroups)
    .where(and(eq(scimGroups.tenantId, tenantId), or(...wanted.map((n) => sql`lower(${scimGroups.displayName}) = ${n}`))));
  const byName = new Map<string, string>();
  for (const name of wanted) {
    const matches = rows.filter((r) => r.displayName.toLowerCase() === name);
    if (matches.length === 0) throw new NotFoundError(`no IdP group named "${name}" has been provisioned yet`);
    if (matches.length > 1) throw new ConflictError(`several IdP groups are named "${name}"`);
    byName.set(name, matches[0].id);
  }
  return byName;
}

/** A change to the mapping by IdP group display names; what is left out stays as saved ("" unmaps a role). */
export type MappingChangeByName = {
  userGroup?: string;
  adminGroup?: string;
  /** When given, the license groups replace the saved ones. */
  licenses?: { tier: LicenseTier; group: string }[];
  invite?: boolean;
};

/**
 * Completes a partial change by group names into a whole mapping of group ids, on top of the saved mapping
 * (`scim mapping set` and anything else that names groups rather than picking them).
 */
export async function resolveGroupMappingByName(db: DbOrTx, tenantId: string, change: MappingChangeByName): Promise<GroupMappingInput> {
  const current = await describeGroupMapping(db, tenantId);
  const names = [change.userGroup, change.adminGroup, ...(change.licenses ?? []).map((l) => l.group)].filter((n): n is string => !!n);
  const ids = await groupIdsByName(db, tenantId, names);
  const id = (name: string | undefined, saved: string | null) => (name === undefined ? saved : name === "" ? null : ids.get(name.toLowerCase())!);
  return {
    userGroupId: id(change.userGroup, current.mapping.userGroupId),
    adminGroupId: id(change.adminGroup, current.mapping.adminGroupId),
    licenseGroups: change.licenses
      ? change.licenses.map((l) => ({ groupId: ids.get(l.group.toLowerCase())!, tier: l.tier }))
      : [...current.mapping.licenseGroups].map(([groupId, tier]) => ({ groupId, tier })),
    inviteOnProvision: change.invite ?? current.invite,
  };
}
