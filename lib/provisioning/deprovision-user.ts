import type { DbOrTx } from "@/db";
import { deleteSessionsOfEmails, detachUserFromScim } from "@/db/queries/access";
import { resolveAccess, resolveStatus } from "./access";
import { applyDirectoryChange, type DirectoryResult } from "./sync-users";

/**
 * Before a SCIM user is deleted: the Sally user loses access at once (role, license and seat gone, every
 * session ended) and stays as a deactivated record the admin can remove. Users kept from access because this
 * one held their email are evaluated again: one of them may hold it now.
 */
export async function deprovisionUser(
  tx: DbOrTx,
  input: { tenant: { id: string }; scimUserId: string; cause: string },
): Promise<Pick<DirectoryResult, "conflicts" | "emailsQueued">> {
  // Deleted: the rules with no groups and not active give no access.
  const { role, license } = resolveAccess({ active: false, groupIds: new Set() }, { adminGroupId: null, userGroupId: null, licenseGroups: new Map() });
  const detached = await detachUserFromScim(tx, input.tenant.id, input.scimUserId, { role, license, status: resolveStatus(role, false) });
  const none = { conflicts: [], emailsQueued: 0 };
  if (!detached) return none;
  await deleteSessionsOfEmails(tx, [detached.email]);
  if (detached.conflicted.length === 0) return none;
  return applyDirectoryChange(tx, { tenant: input.tenant, cause: input.cause, fromIdp: true, reevaluate: detached.conflicted });
}
