// The simulated IdP's directory: people and groups, generated from a seed, and the changes a few weeks of HR bring.
// Pure functions over plain data, so the same seed always gives the same directory and the same changes.
import { createRandom, deriveSeed, type Random } from "./prng";
import { departmentNames, departments, emailLocalPart, familyNames, givenNames, projects, sites, type Department } from "./names";

export type DirectoryUser = {
  /** Stable key inside the simulator ("u00042"); never sent. */
  key: string;
  /** The IdP's own immutable object id (Entra objectId style GUID). */
  objectId: string;
  givenName: string;
  familyName: string;
  email: string;
  title: string;
  department: Department;
  site: string;
  employeeNumber: string;
  managerKey: string | null;
  preferredLanguage: string;
  active: boolean;
  /** Hard-deleted in the IdP: the simulator still remembers it to send the DELETE. */
  deleted: boolean;
};

export type DirectoryGroup = { key: string; objectId: string; displayName: string; memberKeys: string[]; deleted: boolean };

export type Directory = { seed: number; domain: string; users: DirectoryUser[]; groups: DirectoryGroup[]; nextUser: number; runs: number };

/** The groups Sally's group mapping uses, created first so even `--groups 5` yields a working setup. */
export const SALLY_GROUPS = { users: "Sally Users", admins: "Sally Admins", starter: "Sally Starter", team: "Sally Team", enterprise: "Sally Enterprise" } as const;

export const displayNameOf = (u: Pick<DirectoryUser, "givenName" | "familyName">) => `${u.givenName} ${u.familyName}`;

const languageOfSite: Record<string, string> = { Zürich: "de-CH", München: "de-DE", Kraków: "pl-PL", Malmö: "sv-SE", Besançon: "fr-FR", Lisboa: "pt-PT", Reykjavík: "is-IS", İstanbul: "tr-TR", Tromsø: "nb-NO" };

/** Sally's groups, then departments, then projects and sites taking turns, so a small directory has some of each. */
function groupNames(count: number): string[] {
  const names: string[] = [...Object.values(SALLY_GROUPS), ...departmentNames.map((d) => `Department ${d}`)];
  const rest = [...sites.map((s) => `Site ${s}`)];
  const extra: string[] = [];
  for (let round = 1; names.length + extra.length < count + rest.length; round++) {
    for (const p of projects) extra.push(round === 1 ? `Project ${p}` : `Project ${p} ${round}`);
  }
  while (names.length < count && (extra.length || rest.length)) {
    if (extra.length) names.push(extra.shift()!);
    if (rest.length && names.length < count) names.push(rest.shift()!);
  }
  return names.slice(0, count);
}

function newUser(rng: Random, number: number, taken: Set<string>, domain: string, department: Department, managerKey: string | null, title?: string): DirectoryUser {
  const givenName = rng.pick(givenNames);
  const familyName = rng.pick(familyNames);
  const base = emailLocalPart(givenName, familyName);
  let local = base;
  for (let n = 2; taken.has(local); n++) local = `${base}${n}`;
  taken.add(local);
  const site = rng.pick(sites);
  return {
    key: `u${String(number).padStart(5, "0")}`,
    objectId: rng.uuid(),
    givenName,
    familyName,
    email: `${local}@${domain}`,
    title: title ?? rng.pick(departments[department]),
    department,
    site,
    employeeNumber: `E${100000 + number}`,
    managerKey,
    preferredLanguage: languageOfSite[site] ?? "en-GB",
    active: true,
    deleted: false,
  };
}

/** Which groups a person belongs to, drawn the way companies grow them: access, one license (sometimes two), department, site, projects. */
function drawMemberships(rng: Random, user: DirectoryUser, groups: DirectoryGroup[]): void {
  const byName = new Map(groups.map((g) => [g.displayName, g]));
  const join = (name: string) => byName.get(name)?.memberKeys.push(user.key);
  if (rng.next() < 0.95) join(SALLY_GROUPS.users);
  if (rng.next() < 0.01 || user.managerKey === null) join(SALLY_GROUPS.admins);
  const r = rng.next();
  const tier = r < 0.6 ? SALLY_GROUPS.starter : r < 0.9 ? SALLY_GROUPS.team : SALLY_GROUPS.enterprise;
  join(tier);
  // Overlapping license groups: the lowest tier must win on the server.
  if (tier !== SALLY_GROUPS.starter && rng.next() < 0.1) join(SALLY_GROUPS.starter);
  join(`Department ${user.department}`);
  join(`Site ${user.site}`);
  const projectGroups = groups.filter((g) => g.displayName.startsWith("Project "));
  for (const g of rng.sample(projectGroups, rng.int(3))) g.memberKeys.push(user.key);
}

/** A company of `users` people (a CEO, one head per department, staff) and `groups` groups with overlapping members. */
export function generateDirectory(options: { seed: number; users: number; groups: number; domain: string }): Directory {
  const rng = createRandom(deriveSeed(options.seed, "directory"));
  const taken = new Set<string>();
  const groups: DirectoryGroup[] = groupNames(options.groups).map((displayName, i) => ({
    key: `g${String(i + 1).padStart(4, "0")}`,
    objectId: rng.uuid(),
    displayName,
    memberKeys: [],
    deleted: false,
  }));
  const users: DirectoryUser[] = [];
  const heads = new Map<Department, string>();
  for (let n = 1; n <= options.users; n++) {
    let user: DirectoryUser;
    if (n === 1) {
      user = newUser(rng, n, taken, options.domain, "Operations", null, "Chief Executive Officer");
    } else if (n - 1 <= departmentNames.length) {
      const department = departmentNames[n - 2];
      user = newUser(rng, n, taken, options.domain, department, users[0].key, `Head of ${department}`);
      heads.set(department, user.key);
    } else {
      const department = rng.pick(departmentNames);
      user = newUser(rng, n, taken, options.domain, department, heads.get(department) ?? users[0].key);
    }
    users.push(user);
    drawMemberships(rng, user, groups);
  }
  return { seed: options.seed, domain: options.domain, users, groups, nextUser: options.users + 1, runs: 0 };
}

export type ChangeCounts = Record<"renamed" | "retitled" | "movedGroups" | "projectChanges" | "hired" | "left" | "deactivated" | "deleted" | "groupsDeleted", number>;

const emptyCounts = (): ChangeCounts => ({ renamed: 0, retitled: 0, movedGroups: 0, projectChanges: 0, hired: 0, left: 0, deactivated: 0, deleted: 0, groupsDeleted: 0 });
const share = (n: number, percent: number) => Math.max(1, Math.round((n * percent) / 100));
const live = (d: Directory) => d.users.filter((u) => !u.deleted);
const activeUsers = (d: Directory) => d.users.filter((u) => u.active && !u.deleted);

function moveBetween(d: Directory, userKey: string, from: string, to: string): void {
  const groups = new Map(d.groups.map((g) => [g.displayName, g]));
  const source = groups.get(from);
  const target = groups.get(to);
  if (source) source.memberKeys = source.memberKeys.filter((k) => k !== userKey);
  if (target && !target.memberKeys.includes(userKey)) target.memberKeys.push(userKey);
}

/**
 * A few weeks of HR, a realistic few percent of the directory: marriages (new family name, half of them with a new
 * address), new titles and departments, license group moves, project staffing, new hires and leavers (disabled, not
 * deleted).
 */
export function applyIncrementalChanges(directory: Directory): { directory: Directory; counts: ChangeCounts } {
  const d: Directory = structuredClone(directory);
  d.runs += 1;
  const rng = createRandom(deriveSeed(d.seed, `incremental-${d.runs}`));
  const counts = emptyCounts();
  const n = live(d).length;
  const taken = new Set(d.users.map((u) => u.email.split("@")[0]));

  for (const user of rng.sample(activeUsers(d), share(n, 1))) {
    user.familyName = rng.pick(familyNames.filter((f) => f !== user.familyName));
    if (rng.next() < 0.5) {
      const base = emailLocalPart(user.givenName, user.familyName);
      let local = base;
      for (let i = 2; taken.has(local); i++) local = `${base}${i}`;
      taken.add(local);
      user.email = `${local}@${d.domain}`;
    }
    counts.renamed++;
  }
  for (const user of rng.sample(activeUsers(d).filter((u) => u.managerKey !== null), share(n, 2))) {
    const department = rng.pick(departmentNames);
    moveBetween(d, user.key, `Department ${user.department}`, `Department ${department}`);
    user.department = department;
    user.title = rng.pick(departments[department]);
    counts.retitled++;
  }
  const licensed = (name: string) => new Set(d.groups.find((g) => g.displayName === name)?.memberKeys ?? []);
  const starters = licensed(SALLY_GROUPS.starter);
  const teams = licensed(SALLY_GROUPS.team);
  for (const user of rng.sample(activeUsers(d).filter((u) => starters.has(u.key) !== teams.has(u.key)), share(n, 2))) {
    if (starters.has(user.key)) moveBetween(d, user.key, SALLY_GROUPS.starter, SALLY_GROUPS.team);
    else moveBetween(d, user.key, SALLY_GROUPS.team, SALLY_GROUPS.starter);
    counts.movedGroups++;
  }
  // Project staffing: one person rolls off a project and another joins it.
  const projectGroups = d.groups.filter((g) => !g.deleted && g.displayName.startsWith("Project ") && g.memberKeys.length > 0);
  for (const group of rng.sample(projectGroups, Math.min(projectGroups.length, share(projectGroups.length, 20)))) {
    const leaving = rng.pick(group.memberKeys);
    const joining = rng.pick(activeUsers(d).filter((u) => !group.memberKeys.includes(u.key)));
    group.memberKeys = group.memberKeys.filter((k) => k !== leaving);
    if (joining) group.memberKeys.push(joining.key);
    counts.projectChanges++;
  }
  for (let i = share(n, 2); i > 0; i--) {
    const department = rng.pick(departmentNames);
    const head = d.users.find((u) => u.title === `Head of ${department}` && !u.deleted) ?? d.users[0];
    const hire = newUser(rng, d.nextUser++, taken, d.domain, department, head?.key ?? null);
    d.users.push(hire);
    drawMemberships(rng, hire, d.groups);
    counts.hired++;
  }
  for (const user of rng.sample(activeUsers(d).filter((u) => u.managerKey !== null), share(n, 1))) {
    user.active = false;
    counts.left++;
  }
  return { directory: d, counts };
}

/**
 * Offboarding a slice: a few percent are disabled and a few percent deleted outright (previous leavers first, as
 * the IdP's purge of soft-deleted users would); deleted people leave all their groups.
 */
export function applyDeprovision(directory: Directory): { directory: Directory; counts: ChangeCounts } {
  const d: Directory = structuredClone(directory);
  d.runs += 1;
  const rng = createRandom(deriveSeed(d.seed, `deprovision-${d.runs}`));
  const counts = emptyCounts();
  const n = live(d).length;
  const staff = () => activeUsers(d).filter((u) => u.managerKey !== null);
  for (const user of rng.sample(staff(), share(n, 5))) {
    user.active = false;
    counts.deactivated++;
  }
  const leavers = live(d).filter((u) => !u.active);
  const toDelete = [...rng.sample(leavers, Math.ceil(leavers.length / 2)), ...rng.sample(staff(), share(n, 2))];
  const gone = new Set<string>();
  for (const user of toDelete) {
    user.active = false;
    user.deleted = true;
    gone.add(user.key);
    counts.deleted++;
  }
  for (const g of d.groups) g.memberKeys = g.memberKeys.filter((k) => !gone.has(k));
  // A project ends: its group is deleted in the IdP (Okta: "Unlink pushed group" with "Delete the group in the target app").
  const project = d.groups.find((g) => !g.deleted && g.displayName.startsWith("Project "));
  if (project) {
    project.deleted = true;
    counts.groupsDeleted++;
  }
  return { directory: d, counts };
}
