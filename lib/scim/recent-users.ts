// Users this process read or wrote lately, each as it was at the version seen. Microsoft Entra ID matches a user
// with a filter lookup before it updates it (Microsoft Learn, "How Application Provisioning works in Microsoft
// Entra ID": incremental cycles match each changed user, then PATCH it), so an update that only changes the
// profile can start from the user the lookup just read instead of reading it again (lib/scim/users.ts
// updateDirectly): its write names that version and writes nothing unless the stored user still has it
// (db/queries/scim-users.ts updateScimUserProfile, `recent`). Every write of a user, on any instance, moves its
// version, so a user remembered here is only ever a guess the database checks; nothing is answered from it.
import type { ScimUserRow } from "@/db/queries/scim-users";

/** At most this many users are remembered (the least recently seen go first): about a kilobyte each. */
export const MAX_RECENT_USERS = 10_000;
/** A user seen longer ago than this is forgotten: a lookup and the PATCH after it come within seconds. */
export const RECENT_USER_MS = 10 * 60_000;

/** The row as JSON text: a fraction of the memory the parsed resource takes, and parsed again only when used. */
type Entry = { seenAt: number; row: string };

// One map per process, on globalThis: Next.js puts a copy of a module in several server chunks (see db/transaction.ts).
const holder = globalThis as { __sallyRecentUsers?: Map<string, Entry> };
const recent = (holder.__sallyRecentUsers ??= new Map());

const keyOf = (tenantId: string, id: string) => `${tenantId}/${id}`;

/** Remembers a user as read or written (a Map keeps insertion order: re-inserting makes it the most recent). */
export function rememberUser(user: ScimUserRow & { groups?: unknown }, now = Date.now()): void {
  const { groups: _groups, ...row } = user;
  const key = keyOf(row.tenantId, row.id);
  recent.delete(key);
  recent.set(key, { seenAt: now, row: JSON.stringify(row) });
  if (recent.size > MAX_RECENT_USERS) recent.delete(recent.keys().next().value!);
}

/** The user of this tenant last seen with this id, if seen lately. */
export function recentUser(tenantId: string, id: string, now = Date.now()): ScimUserRow | null {
  const key = keyOf(tenantId, id);
  const entry = recent.get(key);
  if (!entry) return null;
  if (now - entry.seenAt > RECENT_USER_MS) {
    recent.delete(key);
    return null;
  }
  const row = JSON.parse(entry.row) as ScimUserRow & { createdAt: string; updatedAt: string };
  return { ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) };
}

/** Forgets one user (deleted), or every user (tests that count what a request without one costs). */
export function forgetUser(tenantId: string, id: string): void {
  recent.delete(keyOf(tenantId, id));
}

export function forgetRecentUsers(): void {
  recent.clear();
}

/** How many users are remembered (tests). */
export const recentUserCount = () => recent.size;
