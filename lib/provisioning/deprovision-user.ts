import type { DbOrTx } from "@/db";
import { deleteSessionsOfEmails, detachUserFromScim } from "@/db/queries/access";
import { resolveAccess, resolveStatus } from "./access";

/**
 * Before a SCIM user is deleted: the Sally user loses access at once (role, license and seat gone, every
 * session ended) and stays as a deactivated record the admin can remove.
 */
export async function deprovisionUser(tx: DbOrTx, input: { tenant: { id: string }; scimUserId: string }): Promise<void> {
  // Deleted: the rules with no groups and not active give no access.
  const { role, license } = resolveAccess({ active: false, groupIds: new Set() }, { adminGroupId: null, userGroupId: null, licenseGroups: new Map() });
  const email = await detachUserFromScim(tx, input.tenant.id, input.scimUserId, { role, license, status: resolveStatus(role, false) });
  if (email) await deleteSessionsOfEmails(tx, [email]);
}
