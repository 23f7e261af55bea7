import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { isUuid, jsonParam, runPrepared } from "@/db/run";

export type MembershipChange = {
  /** Users to make members (unknown ids are skipped and reported). */
  add: string[];
  /** Members to remove, or every member not in `add` ("all": a replace). */
  remove: string[] | "all";
};

export type MembershipResult = {
  /** Users who became members. */
  added: string[];
  /** Users who stopped being members. */
  removed: string[];
  /** Ids in `add` that are no users of this tenant. */
  unknown: string[];
  /** Whether the group grants a role or a license (only then can its members' access change). */
  grants: boolean;
  /** The group's version and lastModified after the change (bumped only when members changed). */
  group: { version: number; updatedAt: Date } | null;
};

/**
 * Changes a group's members in one statement: removes `remove` (or all) except those being added, adds the
 * ids that are users of this tenant (already-members are left alone), and bumps the group's version when
 * anything changed. Costs O(ids named), whatever the group's size.
 */
export async function changeMembers(db: DbOrTx, tenantId: string, groupId: string, change: MembershipChange): Promise<MembershipResult> {
  const removeAll = change.remove === "all";
  const [row] = await runPrepared<{ known: string[]; added: string[]; removed: string[]; grants: boolean; version: number | null; updatedAt: string | null }>(
    db,
    "change_members",
    sql`with wanted as (
          select distinct u.id from scim_users u
          where u.tenant_id = ${tenantId} and u.id in (select value::uuid from jsonb_array_elements_text(${jsonParam(change.add.filter(isUuid))}::jsonb) as value)
        ),
        removed as (
          delete from scim_group_members m
          where m.group_id = ${groupId}
            and (${removeAll}::boolean or m.user_id in (select value::uuid from jsonb_array_elements_text(${jsonParam(removeAll ? [] : (change.remove as string[]).filter(isUuid))}::jsonb) as value))
            and m.user_id not in (select id from wanted)
          returning m.user_id
        ),
        added as (
          insert into scim_group_members (group_id, user_id, tenant_id)
          select ${groupId}, id, ${tenantId} from wanted
          on conflict do nothing
          returning user_id
        ),
        touched as (
          update scim_groups set version = version + 1, updated_at = now()
          where id = ${groupId} and (exists (select 1 from added) or exists (select 1 from removed))
          returning version, updated_at
        )
        select
          (select coalesce(json_agg(id), '[]') from wanted) as "known",
          (select coalesce(json_agg(user_id), '[]') from added) as "added",
          (select coalesce(json_agg(user_id), '[]') from removed) as "removed",
          exists (select 1 from group_mappings where group_id = ${groupId}) as "grants",
          (select version from touched) as "version",
          (select updated_at from touched) as "updatedAt"`,
  );
  const known = new Set(row.known);
  return {
    added: row.added,
    removed: row.removed,
    unknown: [...new Set(change.add)].filter((id) => !known.has(id)),
    grants: row.grants,
    group: row.version === null ? null : { version: row.version, updatedAt: new Date(row.updatedAt!) },
  };
}

/** The direct groups of the given users (read after their rows are locked, so it sees every committed change). */
export async function listGroupIdsOfUsers(db: DbOrTx, userIds: string[]): Promise<Map<string, Set<string>>> {
  const rows = await runPrepared<{ userId: string; groupIds: string[] }>(
    db,
    "group_ids_of_users",
    sql`select user_id as "userId", json_agg(group_id) as "groupIds" from scim_group_members
        where user_id in (select value::uuid from jsonb_array_elements_text(${jsonParam(userIds)}::jsonb) as value)
        group by user_id`,
  );
  return new Map(rows.map((r) => [r.userId, new Set(r.groupIds)]));
}
