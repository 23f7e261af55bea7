import { afterEach, describe, expect, it } from "vitest";
import type { ScimUserRow } from "@/db/queries/scim-users";
import { MAX_RECENT_USERS, RECENT_USER_MS, forgetRecentUsers, forgetUser, recentUser, recentUserCount, rememberUser } from "./recent-users";

const TENANT = "7d0a4c1e-0000-4000-8000-000000000001";
const OTHER = "7d0a4c1e-0000-4000-8000-000000000002";

const user = (id: string, version = 1, tenantId = TENANT): ScimUserRow => ({
  id,
  tenantId,
  userName: `${id}@example.com`,
  externalId: null,
  displayName: `User ${id}`,
  email: `${id}@example.com`,
  active: true,
  resource: { userName: `${id}@example.com`, name: { givenName: "Ada", familyName: "Lovelace" }, emails: [{ value: `${id}@example.com`, primary: true }] },
  version,
  createdAt: new Date("2026-12-01T10:00:00.000Z"),
  updatedAt: new Date("2026-12-02T11:30:00.000Z"),
});

describe("users seen lately", () => {
  afterEach(() => forgetRecentUsers());

  it("gives back the user as remembered, dates as dates, without the groups it was read with", () => {
    rememberUser({ ...user("a", 3), groups: [{ id: "g", displayName: "Staff" }] } as ScimUserRow);
    const seen = recentUser(TENANT, "a");
    expect(seen).toEqual(user("a", 3));
    expect(seen!.createdAt).toBeInstanceOf(Date);
    expect(seen).not.toHaveProperty("groups");
  });

  it("keeps the latest version seen, and each tenant's users apart", () => {
    rememberUser(user("a", 1));
    rememberUser(user("a", 2));
    expect(recentUser(TENANT, "a")!.version).toBe(2);
    expect(recentUser(OTHER, "a")).toBeNull();
    rememberUser(user("a", 7, OTHER));
    expect(recentUser(OTHER, "a")!.version).toBe(7);
    expect(recentUser(TENANT, "a")!.version).toBe(2);
  });

  it("forgets a user seen longer ago than RECENT_USER_MS", () => {
    rememberUser(user("a"), 1_000);
    expect(recentUser(TENANT, "a", 1_000 + RECENT_USER_MS)).not.toBeNull();
    expect(recentUser(TENANT, "a", 1_000 + RECENT_USER_MS + 1)).toBeNull();
    expect(recentUserCount()).toBe(0);
  });

  it("holds at most MAX_RECENT_USERS, forgetting the least recently seen first", () => {
    for (let i = 0; i <= MAX_RECENT_USERS; i++) rememberUser(user(`u${i}`));
    expect(recentUserCount()).toBe(MAX_RECENT_USERS);
    expect(recentUser(TENANT, "u0")).toBeNull();
    expect(recentUser(TENANT, "u1")).not.toBeNull();
    // Seen again, u1 is the most recent: the next one in pushes out u2.
    rememberUser(user("u1", 2));
    rememberUser(user("new"));
    expect(recentUser(TENANT, "u1")!.version).toBe(2);
    expect(recentUser(TENANT, "u2")).toBeNull();
  });

  it("forgets one user on request", () => {
    rememberUser(user("a"));
    rememberUser(user("b"));
    forgetUser(TENANT, "a");
    expect(recentUser(TENANT, "a")).toBeNull();
    expect(recentUser(TENANT, "b")).not.toBeNull();
  });
});
