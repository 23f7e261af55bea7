import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { isUuid, runPrepared, uuidArray } from "@/db/run";

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
};

/**
 * Changes a group's members in one statement: removes `remove` (or all) except those being added, and adds the
 * ids that are users of this tenant (already-members are left alone). Costs O(ids named), whatever the group's
 * size. The group's version is the caller's to bump (writeScimGroup), as the transaction's last write.
 */
export async function changeMembers(db: DbOrTx, tenantId: string, groupId: string, change: MembershipChange): Promise<MembershipResult> {
  const removeAll = change.remove === "all";
  const [row] = await runPrepared<{ known: string[]; added: string[]; removed: string[]; grants: boolean }>(
    db,
    // Two statements, not one with a flag: a flag in the condition would keep PostgreSQL's generic plan from
    // probing the primary key for the named members, and every removal would scan the whole group.
    removeAll ? "replace_members" : "change_members",
    sql`with wanted as (
          -- By id first, then the tenant ("offset 0": see lockUsersForAccess in access.ts).
          select u.id from (select id, tenant_id from scim_users where id = any(${uuidArray(change.add.filter(isUuid))}) offset 0) as u
          where u.tenant_id = ${tenantId}
        ),
        removed as (
          delete from scim_group_members m
          where m.group_id = ${groupId}
            and ${removeAll ? sql`true` : sql`m.user_id = any(${uuidArray((change.remove as string[]).filter(isUuid))})`}
            and m.user_id not in (select id from wanted)
          returning m.user_id
        ),
        added as (
          insert into scim_group_members (group_id, user_id, tenant_id)
          select ${groupId}, id, ${tenantId} from wanted
          on conflict do nothing
          returning user_id
        )
        select
          (select coalesce(json_agg(id), '[]') from wanted) as "known",
          (select coalesce(json_agg(user_id), '[]') from added) as "added",
          (select coalesce(json_agg(user_id), '[]') from removed) as "removed",
          exists (select 1 from group_mappings where group_id = ${groupId}) as "grants"`,
  );
  const known = new Set(row.known);
  return {
    added: row.added,
    removed: row.removed,
    unknown: [...new Set(change.add)].filter((id) => !known.has(id)),
    grants: row.grants,
  };
}

/** The direct groups of the given users (read after their rows are locked, so it sees every committed change). */
export async function listGroupIdsOfUsers(db: DbOrTx, userIds: string[]): Promise<Map<string, Set<string>>> {
  const rows = await runPrepared<{ userId: string; groupIds: string[] }>(
    db,
    "group_ids_of_users",
    sql`select user_id as "userId", json_agg(group_id) as "groupIds" from scim_group_members
        where user_id = any(${uuidArray(userIds)})
        group by user_id`,
  );
  return new Map(rows.map((r) => [r.userId, new Set(r.groupIds)]));
}
