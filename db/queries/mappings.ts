import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { groupMappings, scimGroups } from "@/db/schema";
import type { LicenseTier, MappedRole } from "@/db/schema";
import type { Mapping } from "@/lib/provisioning/access";

export type MappingRow = { groupId: string; displayName: string; role: MappedRole | null; licenseTier: LicenseTier | null };

/** The tenant's group mappings with their groups' display names. */
export async function listMappingRows(db: DbOrTx, tenantId: string): Promise<MappingRow[]> {
  return db
    .select({
      groupId: groupMappings.groupId,
      displayName: scimGroups.displayName,
      role: groupMappings.role,
      licenseTier: groupMappings.licenseTier,
    })
    .from(groupMappings)
    .innerJoin(scimGroups, eq(scimGroups.id, groupMappings.groupId))
    .where(eq(groupMappings.tenantId, tenantId));
}

/** The mappings in the shape the rules take. */
export function toMapping(rows: MappingRow[]): Mapping {
  return {
    adminGroupId: rows.find((r) => r.role === "admin")?.groupId ?? null,
    userGroupId: rows.find((r) => r.role === "user")?.groupId ?? null,
    licenseGroups: new Map(rows.filter((r) => r.licenseTier).map((r) => [r.groupId, r.licenseTier!])),
  };
}

export async function getMapping(db: DbOrTx, tenantId: string): Promise<Mapping> {
  return toMapping(await listMappingRows(db, tenantId));
}

/** Replaces all of a tenant's mappings (the caller holds the tenant lock). */
export async function replaceMappings(
  db: DbOrTx,
  tenantId: string,
  rows: { groupId: string; role: MappedRole | null; licenseTier: LicenseTier | null }[],
): Promise<void> {
  await db.delete(groupMappings).where(eq(groupMappings.tenantId, tenantId));
  const kept = rows.filter((r) => r.role || r.licenseTier);
  if (kept.length) await db.insert(groupMappings).values(kept.map((r) => ({ tenantId, ...r })));
}
