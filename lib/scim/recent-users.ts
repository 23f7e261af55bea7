import type { ScimUserRow } from "@/db/queries/scim-users";

/**
 * The users this instance last read or wrote, as stored at their version: what a profile update (a PATCH of a
 * name, Entra's most common update, which an IdP sends right after looking the user up) starts from without
 * reading the user again. Such a write targets the version it started from (updateScimUserProfile's `recent`), so
 * an entry that another request or instance has since moved past matches no row, and the update reads the user and
 * goes on as it would have without the entry: an entry may be stale, it is never wrong to start from. `version`
 * moves with every write of a user (both of db/queries/scim-users.ts's updates), so a user at a version is one
 * content. Bounded: the user least recently read or written leaves first.
 */
export class RecentUsers {
  private readonly entries = new Map<string, ScimUserRow>();

  constructor(private readonly capacity: number) {}

  /** The user as last seen here, or undefined. Entries are shared: a caller copies before it changes one. */
  get(tenantId: string, id: string): ScimUserRow | undefined {
    const key = `${tenantId}/${id}`;
    const row = this.entries.get(key);
    if (row) {
      this.entries.delete(key);
      this.entries.set(key, row);
    }
    return row;
  }

  /** Keeps `row` unless an entry at a later version is here already (an older read answered last). */
  remember(row: ScimUserRow): void {
    const key = `${row.tenantId}/${row.id}`;
    const known = this.entries.get(key);
    if (known && known.version > row.version) return;
    this.entries.delete(key);
    this.entries.set(key, row);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(tenantId: string, id: string): void {
    this.entries.delete(`${tenantId}/${id}`);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * This instance's entries: one per user, up to 10,000 (in `npm run bench`, with the resources Entra sends, they
 * raised the server's peak RSS by about 60 MiB). Lookups of a few users put theirs here; a page of a whole list
 * (over LOOKUP_PAGE users) does not, so paging through a directory leaves the users being updated in place.
 */
export const recentUsers = new RecentUsers(10_000);

/** A list page of at most this many users is a lookup (Entra's and Okta's `userName eq`) and is remembered. */
export const LOOKUP_PAGE = 10;
