import type { Locale } from "@/db/schema";
import type { ScimUserRow } from "@/db/queries/scim-users";
import { deprovisionUser } from "@/lib/provisioning/deprovision-user";
import {
  applyDirectoryChange,
  lockAheadOfNewUser,
  sendMemberChange,
  sendUserLock,
  type DirectoryChange,
  type DirectoryResult,
  type DirectoryUser,
  type EmailConflictNotice,
  type LockedAhead,
  type SentAhead,
} from "@/lib/provisioning/sync-users";
import { summarize } from "@/lib/activity-summary";
import type { ScimContext } from "./context";

export type { SentAhead } from "@/lib/provisioning/sync-users";

/** `preferredLanguage`/`locale` such as "de-DE" or "en_US" → the UI language, if we speak it (RFC 7643 §4.1.1). */
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

/** displayName, else name.formatted, else given and family name (RFC 7643 §4.1.1). */
export function nameOf(row: { displayName: string | null; resource: Record<string, unknown> }): string | null {
  if (row.displayName) return row.displayName;
  const name = row.resource.name as { formatted?: unknown; givenName?: unknown; familyName?: unknown } | undefined;
  if (typeof name?.formatted === "string") return name.formatted;
  const parts = [name?.givenName, name?.familyName].filter((p): p is string => typeof p === "string");
  return parts.length ? parts.join(" ") : null;
}

/** The email the rules go by for a SCIM user (in SQL: scimUserAccessEmail, db/queries/access.ts). */
const emailOf = (row: Pick<ScimUserRow, "email" | "userName">) => row.email ?? row.userName;

/** Locks what the rules will read for a user about to be inserted with these columns, in the insert's round trip. */
export function lockAheadOfInsert(ctx: ScimContext, columns: Pick<ScimUserRow, "email" | "userName">): LockedAhead {
  return lockAheadOfNewUser(ctx.tx, ctx.tenant.id, emailOf(columns));
}

/** Sends a group's member change with what the rules read should it change access, in one round trip (for applyChange). */
export function sendMembers(ctx: ScimContext, groupId: string, changes: { add: string[]; remove: string[] }): Required<SentAhead> {
  return sendMemberChange(ctx.tx, ctx.tenant.id, groupId, changes);
}

/** Sends the rules' lock and facts for a user about to be updated, behind the request's lock of it (for applyChange). */
export function sendUserLockAhead(ctx: ScimContext, scimUserId: string): SentAhead {
  return sendUserLock(ctx.tx, ctx.tenant.id, scimUserId);
}

/**
 * A stored SCIM User as the directory change the provisioning verb takes: plain values, no SCIM JSON. `before`
 * is the same user as stored before an update: what changed decides how much the verb has to do.
 */
export function directoryUser(
  row: Pick<ScimUserRow, "id" | "email" | "userName" | "displayName" | "active" | "resource">,
  options: { created?: boolean; before?: ScimUserRow & { managed?: boolean } } = {},
): DirectoryUser & { created: boolean } {
  const { created = false, before } = options;
  return {
    scimUserId: row.id,
    email: emailOf(row),
    name: nameOf(row),
    locale: localeOf(row.resource),
    active: row.active,
    created,
    ...(before ? { previous: { email: emailOf(before), active: before.active, managed: before.managed ?? false } } : {}),
  };
}

/** The activity-log warning for a user kept from access by another user's email: both named, and why. */
export const conflictWarning = ({ user, holder }: EmailConflictNotice) =>
  summarize("emailConflict", {
    userNamed: user.name ? "yes" : "no",
    userName: user.name ?? "",
    userId: user.id,
    holderNamed: holder.name ? "yes" : "no",
    holderName: holder.name ?? "",
    holderId: holder.id,
    email: user.email,
  });

/** Runs the provisioning verb for a request's directory change; email conflicts become activity-log warnings. */
export async function applyChange(ctx: ScimContext, change: Omit<DirectoryChange, "tenant" | "cause" | "fromIdp">): Promise<DirectoryResult> {
  const result = await applyDirectoryChange(ctx.tx, { ...change, tenant: ctx.tenant, cause: ctx.cause, fromIdp: true });
  ctx.warnings.push(...result.conflicts.map(conflictWarning));
  ctx.outbox.queued += result.emailsQueued;
  return result;
}

/** Deprovisions the Sally user of a SCIM user being deleted; users who may now hold its email are warned of as above. */
export async function deprovision(ctx: ScimContext, scimUserId: string): Promise<void> {
  const { conflicts, emailsQueued } = await deprovisionUser(ctx.tx, { tenant: ctx.tenant, scimUserId, cause: ctx.cause });
  ctx.warnings.push(...conflicts.map(conflictWarning));
  ctx.outbox.queued += emailsQueued;
}
