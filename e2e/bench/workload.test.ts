import { describe, expect, it } from "vitest";
import { MAPPED_GROUPS, MAPPED_GROUP_COUNT, SCIM_ENTERPRISE, buildWorkload, chunk, entraUserBody, expectedEnd, stepCount, tierOf, type Step } from "./workload";

const steps = (w: ReturnType<typeof buildWorkload>, phase: string, stage?: string): Step[] =>
  w.phases
    .find((p) => p.name === phase)!
    .stages.filter((s) => !stage || s.name === stage)
    .flatMap((s) => s.tasks.flat());

describe("buildWorkload", () => {
  const w = buildWorkload({ users: 1000, groups: 20, seed: 7 });

  it("is the same for the same seed and differs for another", () => {
    const again = buildWorkload({ users: 1000, groups: 20, seed: 7 });
    expect(JSON.stringify(again.phases)).toBe(JSON.stringify(w.phases));
    const other = buildWorkload({ users: 1000, groups: 20, seed: 8 });
    expect(JSON.stringify(other.phases)).not.toBe(JSON.stringify(w.phases));
  });

  it("provisions each user with a userName lookup that must find nothing, then a POST", () => {
    const userTasks = w.phases[0].stages[0].tasks;
    expect(userTasks).toHaveLength(1000);
    const [lookup, post] = userTasks[3];
    expect(lookup.method).toBe("GET");
    expect(decodeURIComponent(lookup.path)).toBe('Users?filter=userName eq "bench.user3@contoso.example"');
    expect(lookup.expect).toEqual({ status: [200], total: 0 });
    expect(post).toMatchObject({ method: "POST", path: "Users", expect: { status: [201] }, remember: { kind: "user", index: 3 } });
  });

  it("sends Entra's create body: both schemas, externalId, meta, name parts, empty roles", () => {
    const body = entraUserBody(w.users[3]);
    expect(body.schemas).toEqual(["urn:ietf:params:scim:schemas:core:2.0:User", SCIM_ENTERPRISE]);
    expect(body).toMatchObject({ userName: "bench.user3@contoso.example", active: true, roles: [], meta: { resourceType: "User" } });
    expect(body.emails).toEqual([{ primary: true, type: "work", value: "bench.user3@contoso.example" }]);
    expect(body.externalId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("creates groups with a members-less lookup and an empty POST, then adds members 10 at a time with Entra's Add", () => {
    const [lookup, post] = w.phases[0].stages[1].tasks[0];
    expect(decodeURIComponent(lookup.path)).toBe(`Groups?excludedAttributes=members&filter=displayName eq "${MAPPED_GROUPS.users}"`);
    expect(post.body).not.toHaveProperty("members");
    const patches = steps(w, "provision", "members");
    expect(patches.every((s) => s.op === "group.patch.add" && s.memberRefs!.length <= 10)).toBe(true);
    expect(patches[0].body).toEqual({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Add", path: "members", value: [] }] });
    // Every user is in the user group, one license group and one department; every 100th is an admin.
    const added = patches.reduce((n, s) => n + s.memberRefs!.length, 0);
    expect(added).toBe(1000 * 3 + 10);
  });

  it("assigns tiers 60/30/10 and buys exactly the shortfall against half the seats", () => {
    expect([0, 5, 6, 8, 9].map(tierOf)).toEqual(["starter", "starter", "team", "team", "enterprise"]);
    expect(w.peakHolders).toEqual({ starter: 600, team: 300, enterprise: 100 });
    expect(w.initialSeats).toEqual({ starter: 300, team: 150, enterprise: 0 });
  });

  it("looks every user up by filter and by id", () => {
    const lookup = steps(w, "lookup");
    expect(lookup).toHaveLength(2000);
    expect(lookup.filter((s) => s.op === "user.lookup").every((s) => s.expect.total === 1)).toBe(true);
    expect(new Set(lookup.filter((s) => s.op === "user.get").map((s) => s.ref!.index)).size).toBe(1000);
  });

  it("churns with capitalised Replace ops, `\"False\"` deactivations and member Remove/Add", () => {
    const churn = steps(w, "churn");
    const deactivations = churn.filter((s) => s.op === "user.patch.deactivate");
    expect(deactivations).toHaveLength(50);
    expect(deactivations[0].body).toMatchObject({ Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(churn.filter((s) => s.op === "user.patch.replace")).toHaveLength(500);
    expect(churn.filter((s) => s.op === "user.patch.replace").every((s) => (s.body as { Operations: { op: string }[] }).Operations.every((o) => /^[A-Z]/.test(o.op)))).toBe(true);
    expect(churn.filter((s) => s.op === "group.patch.remove").length).toBeGreaterThan(0);
    expect(new Set(deactivations.map((s) => s.ref!.index))).toEqual(w.deactivated);
  });

  it("a license group's leavers come back in the same task, after leaving", () => {
    const tasks = w.phases[2].stages[0].tasks.filter((t) => t.length === 2 && t[0].ref!.index >= 2 && t[0].ref!.index < MAPPED_GROUP_COUNT);
    expect(tasks.length).toBeGreaterThan(0);
    for (const [remove, add] of tasks) {
      expect(remove.op).toBe("group.patch.remove");
      expect(add.op).toBe("group.patch.add");
      expect(add.ref).toEqual(remove.ref);
      expect(add.memberRefs).toEqual(remove.memberRefs);
    }
  });

  it("expects department moves in the final memberships, and license groups unchanged", () => {
    const sizes = [...w.finalMembers.values()].map((s) => s.size);
    expect(sizes.slice(0, MAPPED_GROUP_COUNT)).toEqual([1000, 10, 600, 300, 100]);
    expect(sizes.slice(MAPPED_GROUP_COUNT).reduce((a, b) => a + b, 0)).toBe(1000);
    const movers = steps(w, "churn").filter((s) => s.op === "group.patch.remove" && s.ref!.index >= MAPPED_GROUP_COUNT);
    for (const step of movers) for (const u of step.memberRefs!) expect(w.finalMembers.get(step.ref!.index)!.has(u)).toBe(false);
  });

  it("lists every page of 100 users twice and the groups once, expecting full pages", () => {
    const list = steps(w, "list");
    expect(list).toHaveLength(10 + 10 + 1);
    expect(list[9]).toMatchObject({ path: "Users?startIndex=901&count=100", expect: { status: [200], total: 1000, resources: 100 } });
    expect(list[20]).toMatchObject({ path: "Groups?excludedAttributes=members&startIndex=1&count=100", expect: { total: 20, resources: 20 } });
  });

  it("expects the provisioned state when churn does not run", () => {
    const withoutChurn = expectedEnd(w, ["provision", "lookup"]);
    expect(withoutChurn.deactivated.size).toBe(0);
    expect(withoutChurn.finalMembers).toBe(w.provisionedMembers);
    expect(w.provisionedMembers).not.toEqual(w.finalMembers);
    expect(expectedEnd(w, ["provision", "churn"])).toBe(w);
  });

  it("counts the requests of a phase", () => {
    expect(stepCount(w.phases[1])).toBe(2000);
    expect(stepCount(w.phases[0])).toBe(2000 + 40 + steps(w, "provision", "members").length);
  });

  it("refuses sizes it cannot build", () => {
    expect(() => buildWorkload({ users: 0, groups: 20, seed: 1 })).toThrow(/users/);
    expect(() => buildWorkload({ users: 10, groups: 4, seed: 1 })).toThrow(/groups/);
  });
});

describe("chunk", () => {
  it("splits into parts of at most n", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 10)).toEqual([]);
  });
});
