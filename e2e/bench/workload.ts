// The Entra-style workload, generated from a seed (pure: no I/O). Microsoft documents the requests of a sync
// cycle in "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID" and "Known issues
// and resolutions with SCIM 2.0 protocol compliance" (learn.microsoft.com/entra/identity/app-provisioning/):
// per user a `userName eq` lookup then POST; per group a lookup with `excludedAttributes=members`, a POST with no
// members, then PATCHes that add members; later PATCHes with capitalised ops (`Replace`, `Add`, `Remove`), and
// without the `aadOptscim062020` flag `active` arrives as the string "False".

export const SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const SCIM_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const SCIM_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** Groups 0–4 are mapped in Sally; the rest are departments nobody maps. */
export const MAPPED_GROUPS = {
  users: "Sally Users",
  admins: "Sally Admins",
  starter: "Sally Starter",
  team: "Sally Team",
  enterprise: "Sally Enterprise",
} as const;
export const MAPPED_GROUP_COUNT = Object.keys(MAPPED_GROUPS).length;

export type Tier = "starter" | "team" | "enterprise";
export const TIERS: readonly Tier[] = ["starter", "team", "enterprise"];

export type UserSpec = { index: number; userName: string; externalId: string; givenName: string; familyName: string; tier: Tier; admin: boolean };
export type GroupSpec = { index: number; displayName: string; externalId: string };

/** One HTTP request of the workload; `ref` names the user or group whose server id fills `{id}` in the path. */
export type Step = {
  /** Operation kind, for per-operation latency (e.g. `user.lookup`, `group.patch.add`). */
  op: string;
  method: "GET" | "POST" | "PATCH";
  /** Path under the tenant URL; `{id}` is replaced with the id the server gave `ref`. */
  path: string;
  ref?: { kind: "user" | "group"; index: number };
  /** Members of a PATCH body that are user references, resolved to server ids when sent. */
  body?: unknown;
  memberRefs?: number[];
  /** What the IdP accepts: any of these statuses; `total` checks a ListResponse's totalResults. */
  expect: { status: readonly number[]; total?: number; resources?: number };
  /** After a 201, remember the returned id for this user or group. */
  remember?: { kind: "user" | "group"; index: number };
};

/** Steps of one task run in order on one connection; tasks run concurrently. */
export type Task = Step[];

export type Stage = { name: string; tasks: Task[] };
export type Phase = { name: string; stages: Stage[] };

export type Workload = {
  users: UserSpec[];
  groups: GroupSpec[];
  /** Seats the tenant starts with, below what provisioning needs, so the shortfall is bought. */
  initialSeats: Record<Tier, number>;
  phases: Phase[];
  /** Members of every group (user indexes) once every phase has run. */
  finalMembers: Map<number, Set<number>>;
  /** Members of every group after provisioning, before churn. */
  provisionedMembers: Map<number, Set<number>>;
  /** Users deactivated in the churn phase. */
  deactivated: Set<number>;
  /** Holders per tier after provisioning, the most the run ever reaches. */
  peakHolders: Record<Tier, number>;
};

export type WorkloadOptions = { users: number; groups: number; seed: number };

/** mulberry32: a small deterministic PRNG, so two runs with one seed send the same requests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A deterministic UUID-shaped string (Entra sends the directory object id as externalId). */
function fakeGuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const GIVEN = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus"];
const FAMILY = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Wirth"];

export const userNameOf = (index: number) => `bench.user${index}@contoso.example`;

/** The tier of user i: 60 % Starter, 30 % Team, 10 % Enterprise; every 100th user is an admin. */
export function tierOf(index: number): Tier {
  const bucket = index % 10;
  return bucket < 6 ? "starter" : bucket < 9 ? "team" : "enterprise";
}

/** Entra's POST /Users body (its documented create request: enterprise schema, externalId, meta, empty roles). */
export function entraUserBody(user: UserSpec): Record<string, unknown> {
  return {
    schemas: [SCIM_USER, SCIM_ENTERPRISE],
    externalId: user.externalId,
    userName: user.userName,
    active: true,
    displayName: `${user.givenName} ${user.familyName}`,
    emails: [{ primary: true, type: "work", value: user.userName }],
    meta: { resourceType: "User" },
    name: { formatted: `${user.givenName} ${user.familyName}`, familyName: user.familyName, givenName: user.givenName },
    preferredLanguage: user.index % 4 === 0 ? "de-DE" : "en-US",
    roles: [],
    [SCIM_ENTERPRISE]: { department: `Department ${user.index % 7}`, employeeNumber: String(100000 + user.index) },
  };
}

/** Entra's POST /Groups body: created with no members, which follow in PATCHes. */
export function entraGroupBody(group: GroupSpec): Record<string, unknown> {
  return {
    schemas: [SCIM_GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
    externalId: group.externalId,
    displayName: group.displayName,
    meta: { resourceType: "Group" },
  };
}

/** A PatchOp in Entra's default (capitalised) form; member values are filled in when sent. */
export const patchBody = (...Operations: unknown[]) => ({ schemas: [SCIM_PATCH], Operations });

export const eqFilter = (attribute: string, value: string) => encodeURIComponent(`${attribute} eq "${value}"`);

/** Groups with members resolved to user indexes, as provisioning leaves them. */
export function initialMembers(users: readonly UserSpec[], groupCount: number): Map<number, number[]> {
  const members = new Map<number, number[]>(Array.from({ length: groupCount }, (_, g) => [g, []]));
  const departments = groupCount - MAPPED_GROUP_COUNT;
  for (const u of users) {
    members.get(0)!.push(u.index);
    if (u.admin) members.get(1)!.push(u.index);
    members.get(2 + TIERS.indexOf(u.tier))!.push(u.index);
    if (departments > 0) members.get(MAPPED_GROUP_COUNT + (u.index % departments))!.push(u.index);
  }
  return members;
}

const memberPatch = (op: "Add" | "Remove", group: number, userIndexes: number[]): Step => ({
  op: `group.patch.${op.toLowerCase()}`,
  method: "PATCH",
  path: "Groups/{id}",
  ref: { kind: "group", index: group },
  body: patchBody({ op, path: "members", value: [] }),
  memberRefs: userIndexes,
  expect: { status: [200, 204] },
});

/** Builds every phase's tasks. Sizes: users ≥ 1, groups ≥ the mapped five. */
export function buildWorkload({ users: userCount, groups: groupCount, seed }: WorkloadOptions): Workload {
  if (!Number.isInteger(userCount) || userCount < 1) throw new Error("users must be a positive integer");
  if (!Number.isInteger(groupCount) || groupCount < MAPPED_GROUP_COUNT) {
    throw new Error(`groups must be an integer ≥ ${MAPPED_GROUP_COUNT} (the mapped groups)`);
  }
  const random = prng(seed);
  const users: UserSpec[] = Array.from({ length: userCount }, (_, index) => ({
    index,
    userName: userNameOf(index),
    externalId: fakeGuid(random),
    givenName: GIVEN[index % GIVEN.length],
    familyName: FAMILY[Math.floor(index / GIVEN.length) % FAMILY.length],
    tier: tierOf(index),
    admin: index % 100 === 0,
  }));
  const mappedNames = Object.values(MAPPED_GROUPS);
  const groups: GroupSpec[] = Array.from({ length: groupCount }, (_, index) => ({
    index,
    displayName: index < MAPPED_GROUP_COUNT ? mappedNames[index] : `Department ${index - MAPPED_GROUP_COUNT + 1}`,
    externalId: fakeGuid(random),
  }));
  const members = initialMembers(users, groupCount);
  const provisionedMembers = new Map([...members].map(([g, ids]) => [g, new Set(ids)]));

  const peakHolders: Record<Tier, number> = { starter: 0, team: 0, enterprise: 0 };
  for (const u of users) peakHolders[u.tier]++;
  const initialSeats: Record<Tier, number> = {
    starter: Math.floor(peakHolders.starter / 2),
    team: Math.floor(peakHolders.team / 2),
    enterprise: 0,
  };

  // provision: users (lookup, POST), then groups (lookup, POST empty), then member PATCHes of 10.
  const userTasks: Task[] = users.map((u) => [
    { op: "user.lookup", method: "GET", path: `Users?filter=${eqFilter("userName", u.userName)}`, expect: { status: [200], total: 0 } },
    { op: "user.post", method: "POST", path: "Users", body: entraUserBody(u), expect: { status: [201] }, remember: { kind: "user", index: u.index } },
  ]);
  const groupTasks: Task[] = groups.map((g) => [
    {
      op: "group.lookup",
      method: "GET",
      path: `Groups?excludedAttributes=members&filter=${eqFilter("displayName", g.displayName)}`,
      expect: { status: [200], total: 0 },
    },
    { op: "group.post", method: "POST", path: "Groups", body: entraGroupBody(g), expect: { status: [201] }, remember: { kind: "group", index: g.index } },
  ]);
  const memberTasks: Task[] = shuffle(
    [...members].flatMap(([g, ids]) => chunk(ids, 10).map((part) => [memberPatch("Add", g, part)])),
    random,
  );

  // lookup: every user once, in random order: the filter Entra matches with, then GET by id.
  const lookupTasks: Task[] = shuffle([...users], random).map((u) => [
    { op: "user.lookup", method: "GET", path: `Users?filter=${eqFilter("userName", u.userName)}`, expect: { status: [200], total: 1 } },
    { op: "user.get", method: "GET", path: "Users/{id}", ref: { kind: "user", index: u.index }, expect: { status: [200] } },
  ]);

  // churn: half the users get attribute replaces; 5 % are deactivated; 10 % leave their license group and come
  // back (Remove then Add, so seat holders never exceed the peak); 10 % move between departments. The three sets
  // of users are disjoint, so the end state does not depend on the order the server sees them in.
  const order = shuffle(users.map((u) => u.index), random);
  const tenth = Math.max(1, Math.floor(userCount / 10));
  const twentieth = Math.max(1, Math.floor(userCount / 20));
  const deactivated = new Set(order.slice(0, twentieth));
  const licenseMovers = order.slice(twentieth, twentieth + tenth);
  const departmentMovers = order.slice(twentieth + tenth, twentieth + 2 * tenth);
  const replaced = order.slice(0, Math.floor(userCount / 2));
  const churnTasks: Task[] = [];
  for (const i of replaced) {
    const u = users[i];
    churnTasks.push([
      {
        op: "user.patch.replace",
        method: "PATCH",
        path: "Users/{id}",
        ref: { kind: "user", index: i },
        body: patchBody(
          { op: "Replace", path: "displayName", value: `${u.givenName} ${u.familyName} (moved)` },
          { op: "Replace", path: "name.familyName", value: `${u.familyName}-Smith` },
          { op: "Replace", path: `${SCIM_ENTERPRISE}:department`, value: `Department ${(i + 1) % 7}` },
          { op: "Add", path: "title", value: "Engineer" },
        ),
        expect: { status: [200, 204] },
      },
    ]);
  }
  for (const i of deactivated) {
    churnTasks.push([
      {
        op: "user.patch.deactivate",
        method: "PATCH",
        path: "Users/{id}",
        ref: { kind: "user", index: i },
        body: patchBody({ op: "Replace", path: "active", value: "False" }),
        expect: { status: [200, 204] },
      },
    ]);
  }
  const byLicenseGroup = new Map<number, number[]>();
  for (const i of licenseMovers) {
    const g = 2 + TIERS.indexOf(users[i].tier);
    byLicenseGroup.set(g, [...(byLicenseGroup.get(g) ?? []), i]);
  }
  for (const [g, ids] of byLicenseGroup) {
    for (const part of chunk(ids, 10)) churnTasks.push([memberPatch("Remove", g, part), memberPatch("Add", g, part)]);
  }
  const departments = groupCount - MAPPED_GROUP_COUNT;
  if (departments > 1) {
    const byDepartment = new Map<number, number[]>();
    for (const i of departmentMovers) {
      const from = MAPPED_GROUP_COUNT + (i % departments);
      byDepartment.set(from, [...(byDepartment.get(from) ?? []), i]);
    }
    for (const [from, ids] of byDepartment) {
      const to = MAPPED_GROUP_COUNT + ((from - MAPPED_GROUP_COUNT + 1) % departments);
      for (const part of chunk(ids, 10)) {
        churnTasks.push([memberPatch("Remove", from, part), memberPatch("Add", to, part)]);
        const fromSet = members.get(from)!;
        members.set(from, fromSet.filter((m) => !part.includes(m)));
        members.get(to)!.push(...part);
      }
    }
  }
  shuffle(churnTasks, random);

  // list: every page of 100 users, twice, and every page of groups without members (Okta's and Entra's paging).
  const pages = (kind: "Users" | "Groups", total: number, extra: string): Task[] =>
    chunk(Array.from({ length: total }, (_, i) => i), 100).map((part) => [
      {
        op: `${kind === "Users" ? "user" : "group"}.page`,
        method: "GET",
        path: `${kind}?${extra}startIndex=${part[0] + 1}&count=100`,
        expect: { status: [200], total, resources: part.length },
      },
    ]);
  const listTasks: Task[] = [...pages("Users", userCount, ""), ...pages("Users", userCount, ""), ...pages("Groups", groupCount, "excludedAttributes=members&")];

  return {
    users,
    groups,
    initialSeats,
    peakHolders,
    deactivated,
    finalMembers: new Map([...members].map(([g, ids]) => [g, new Set(ids)])),
    provisionedMembers,
    phases: [
      {
        name: "provision",
        stages: [
          { name: "users", tasks: userTasks },
          { name: "groups", tasks: groupTasks },
          { name: "members", tasks: memberTasks },
        ],
      },
      { name: "lookup", stages: [{ name: "lookup", tasks: lookupTasks }] },
      { name: "churn", stages: [{ name: "churn", tasks: churnTasks }] },
      { name: "list", stages: [{ name: "list", tasks: listTasks }] },
    ],
  };
}

/** The number of requests a phase sends. */
export const stepCount = (phase: Phase) => phase.stages.reduce((n, s) => n + s.tasks.reduce((m, t) => m + t.length, 0), 0);

/** What the database should hold after the phases run: without churn, the state provisioning leaves. */
export function expectedEnd(workload: Workload, phases: readonly string[]): Workload {
  return phases.includes("churn") ? workload : { ...workload, finalMembers: workload.provisionedMembers, deactivated: new Set() };
}
