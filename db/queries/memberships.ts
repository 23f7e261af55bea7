import { sql, type Placeholder, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { isUuid, jsonParam, statement, uuidArray } from "@/db/run";

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

type MembersRow = { known: string[]; added: string[]; removed: string[]; grants: boolean };

/**
 * The member change of changeMembers, removing the named members or every member. Two statements, not one with a
 * flag: a flag in the condition would keep PostgreSQL's generic plan from probing the primary key for the named
 * members, and every removal would scan the whole group.
 */
const membersStatement = <const R extends string>(name: string, removeParams: readonly R[], removing: (p: Record<R, Placeholder>) => SQL) =>
  statement(
    name,
    ["tenantId", "groupId", "add", ...removeParams],
    (p) => sql<MembersRow>`with wanted as (
        -- By id first, then the tenant ("offset 0": see lockUsersForAccess in access.ts).
        select u.id from (select id, tenant_id from scim_users where id = any(${uuidArray(p.add)}) offset 0) as u
        where u.tenant_id = ${p.tenantId}
          -- Only into a group of this tenant: a caller may send this before it knows the group exists.
          and exists (select 1 from scim_groups g where g.id = ${p.groupId} and g.tenant_id = ${p.tenantId})
      ),
      removed as (
        delete from scim_group_members m
        where m.group_id = ${p.groupId} and m.tenant_id = ${p.tenantId}
          and ${removing(p)}
          and m.user_id not in (select id from wanted)
        returning m.user_id
      ),
      added as (
        insert into scim_group_members (group_id, user_id, tenant_id)
        select ${p.groupId}, id, ${p.tenantId} from wanted
        on conflict do nothing
        returning user_id
      )
      select
        (select coalesce(json_agg(id), '[]') from wanted) as "known",
        (select coalesce(json_agg(user_id), '[]') from added) as "added",
        (select coalesce(json_agg(user_id), '[]') from removed) as "removed",
        exists (select 1 from group_mappings where group_id = ${p.groupId}) as "grants"`,
  );
/**
 * The named members. With none named (an Add), the removal is not run at all: the first condition does not depend
 * on the row, so PostgreSQL checks it once before the scan. Without it, when the planner has the group small (a
 * group that was new or empty when the table was last analyzed), it finds the named members by scanning the
 * group's part of the key with the ids as a filter, and every Add read the whole group (6,990 rows and 384 buffers
 * for 10 members added to a group of 7,000, in `npm run bench:handler`). A removal still does, until an ANALYZE.
 */
const changeMembersStatement = membersStatement(
  "change_members",
  ["remove"],
  // A subquery, so that a plan made for a request's values does not fold it into a constant (and cost an Add
  // less than one made for any values: PostgreSQL would then plan every request anew).
  (p) => sql`(select jsonb_array_length(${p.remove}::jsonb)) > 0 and m.user_id = any(${uuidArray(p.remove)})`,
);
const replaceMembersStatement = membersStatement("replace_members", [], () => sql`true`);

/**
 * Changes a group's members in one statement: removes `remove` (or all) except those being added, and adds the
 * ids that are users of this tenant (already-members are left alone). Costs O(ids named), whatever the group's
 * size, once PostgreSQL's statistics know the group; before that a removal may read the whole group (see
 * changeMembersStatement), an Add never does. The group's version is the caller's to bump (writeScimGroup), as the
 * transaction's last write.
 */
export async function changeMembers(db: DbOrTx, tenantId: string, groupId: string, change: MembershipChange): Promise<MembershipResult> {
  const values = { tenantId, groupId, add: jsonParam(change.add.filter(isUuid)) };
  const [row] = change.remove === "all"
    ? await replaceMembersStatement(db, values)
    : await changeMembersStatement(db, { ...values, remove: jsonParam(change.remove.filter(isUuid)) });
  const known = new Set(row.known);
  return {
    added: row.added,
    removed: row.removed,
    unknown: [...new Set(change.add)].filter((id) => !known.has(id)),
    grants: row.grants,
  };
}

const groupIdsOfUsersStatement = statement(
  "group_ids_of_users",
  ["userIds"],
  (p) => sql<{ userId: string; groupIds: string[] }>`select user_id as "userId", json_agg(group_id) as "groupIds" from scim_group_members
    where user_id = any(${uuidArray(p.userIds)})
    group by user_id`,
);

/** The direct groups of the given users (read after their rows are locked, so it sees every committed change). */
export async function listGroupIdsOfUsers(db: DbOrTx, userIds: string[]): Promise<Map<string, Set<string>>> {
  const rows = await groupIdsOfUsersStatement(db, { userIds: jsonParam(userIds) });
  return new Map(rows.map((r) => [r.userId, new Set(r.groupIds)]));
}
