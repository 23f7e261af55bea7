// The correctness check at the end of a run (pure comparisons; main.ts reads the rows from the database).
import { TIERS, type Tier, type Workload } from "./workload";

export type MembershipRow = { group: string; user: string };

export type MembershipCheck = { expected: number; present: number; missing: number; extra: number; examples: string[] };

/** Every membership the workload leaves must be present, and no other. */
export function compareMemberships(workload: Workload, rows: readonly MembershipRow[]): MembershipCheck {
  const expected = new Set<string>();
  for (const [g, members] of workload.finalMembers) {
    for (const u of members) expected.add(`${workload.groups[g].displayName}\u0000${workload.users[u].userName.toLowerCase()}`);
  }
  const present = new Set(rows.map((r) => `${r.group}\u0000${r.user.toLowerCase()}`));
  const examples: string[] = [];
  let missing = 0;
  for (const key of expected) {
    if (present.has(key)) continue;
    missing++;
    if (examples.length < 5) examples.push(`missing ${key.replace("\u0000", " ∋ ")}`);
  }
  let extra = 0;
  for (const key of present) {
    if (expected.has(key)) continue;
    extra++;
    if (examples.length < 10) examples.push(`extra ${key.replace("\u0000", " ∋ ")}`);
  }
  return { expected: expected.size, present: present.size, missing, extra, examples };
}

/** Seats bought per tier: exactly the shortfall at the peak (seats are never refunded, so churn buys none). */
export function expectedPurchases(workload: Workload): Record<Tier, number> {
  return Object.fromEntries(TIERS.map((t) => [t, Math.max(0, workload.peakHolders[t] - workload.initialSeats[t])])) as Record<Tier, number>;
}

export type AccessRow = { user: string; role: string; license: string };

/** Role and license each SCIM user ends with: deactivated → none; admins → admin; everyone else → user, their tier. */
export function compareAccess(workload: Workload, rows: readonly AccessRow[]): { wrong: number; missing: number; examples: string[] } {
  const byUser = new Map(rows.map((r) => [r.user.toLowerCase(), r]));
  let wrong = 0;
  let missing = 0;
  const examples: string[] = [];
  for (const u of workload.users) {
    const row = byUser.get(u.userName.toLowerCase());
    if (!row) {
      missing++;
      if (examples.length < 5) examples.push(`no Sally user for ${u.userName}`);
      continue;
    }
    const off = workload.deactivated.has(u.index);
    const role = off ? "none" : u.admin ? "admin" : "user";
    const license = off ? "none" : u.tier;
    if (row.role !== role || row.license !== license) {
      wrong++;
      if (examples.length < 5) examples.push(`${u.userName}: ${row.role}/${row.license}, expected ${role}/${license}`);
    }
  }
  return { wrong, missing, examples };
}

/** One invitation per user: counts of users with none and with more than one. */
export function compareInvitations(workload: Workload, rows: readonly { to: string; n: number }[]): { users: number; none: number; duplicated: number; strangers: number } {
  const byAddress = new Map(rows.map((r) => [r.to.toLowerCase(), r.n]));
  let none = 0;
  let duplicated = 0;
  for (const u of workload.users) {
    const n = byAddress.get(u.userName.toLowerCase()) ?? 0;
    if (n === 0) none++;
    if (n > 1) duplicated++;
  }
  const known = new Set(workload.users.map((u) => u.userName.toLowerCase()));
  const strangers = rows.filter((r) => !known.has(r.to.toLowerCase())).length;
  return { users: workload.users.length, none, duplicated, strangers };
}
