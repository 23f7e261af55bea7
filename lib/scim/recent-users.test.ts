import { describe, expect, it } from "vitest";
import type { ScimUserRow } from "@/db/queries/scim-users";
import { RecentUsers } from "./recent-users";

const user = (id: string, version: number, tenantId = "t1"): ScimUserRow => ({
  id,
  tenantId,
  version,
  userName: `${id}@example.com`,
  externalId: null,
  displayName: id,
  email: `${id}@example.com`,
  active: true,
  resource: {},
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe("RecentUsers", () => {
  it("keeps a user per tenant and id", () => {
    const recent = new RecentUsers(10);
    recent.remember(user("a", 1, "t1"));
    recent.remember(user("a", 5, "t2"));
    expect(recent.get("t1", "a")?.version).toBe(1);
    expect(recent.get("t2", "a")?.version).toBe(5);
    expect(recent.get("t3", "a")).toBeUndefined();
  });

  it("keeps the later version when an older read answers last", () => {
    const recent = new RecentUsers(10);
    recent.remember(user("a", 3));
    recent.remember(user("a", 2));
    expect(recent.get("t1", "a")?.version).toBe(3);
    recent.remember(user("a", 4));
    expect(recent.get("t1", "a")?.version).toBe(4);
  });

  it("lets the user least recently read or written go first when full", () => {
    const recent = new RecentUsers(2);
    recent.remember(user("a", 1));
    recent.remember(user("b", 1));
    recent.get("t1", "a"); // read: now the most recent
    recent.remember(user("c", 1));
    expect(recent.size).toBe(2);
    expect(recent.get("t1", "b")).toBeUndefined();
    expect(recent.get("t1", "a")).toBeDefined();
    expect(recent.get("t1", "c")).toBeDefined();
  });

  it("forgets a user", () => {
    const recent = new RecentUsers(2);
    recent.remember(user("a", 1));
    recent.forget("t1", "a");
    expect(recent.get("t1", "a")).toBeUndefined();
    expect(recent.size).toBe(0);
  });
});
