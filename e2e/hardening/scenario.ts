// One IdP sync cycle, the same for every hardening test: groups, users, overlapping member adds from many
// requests at once, then removes, a deactivation, a rename and a group delete, again all at once. Adds and
// removes of the same membership never race each other, so the end state is fixed whatever the interleaving.
import type postgres from "postgres";
import type { SimulatedIdp } from "./idp";

export const USERS = 24;
/** Seats the tenant starts with; the cycle needs more, so the rest must be bought exactly once. */
export const INITIAL_SEATS = "starter=2,team=4";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export type CycleIds = { users: string[]; groups: Record<string, string> };

export const GROUPS = ["Sally Users", "Sally Admins", "Starter", "Team", "Project A", "Project B"] as const;

/** The mapping the cycle needs (set with the CLI between `createGroups` and `syncCycle`). */
export const MAPPING_ARGS = ["--user-group", "Sally Users", "--admin-group", "Sally Admins", "--license", "starter=Starter", "--license", "team=Team", "--invite", "on", "--apply"];

export async function createGroups(idp: SimulatedIdp): Promise<Record<string, string>> {
  const ids = await Promise.all(GROUPS.map((name) => idp.createGroup(name)));
  return Object.fromEntries(GROUPS.map((name, i) => [name, ids[i]]));
}

/**
 * Phase 1 creates the users; phase 2 adds members with overlapping requests; phase 3 removes, deactivates,
 * renames and deletes. `between` runs after each phase is under way (the crash test kills an instance there).
 */
export async function syncCycle(idp: SimulatedIdp, domain: string, groups: Record<string, string>, between?: (phase: number) => Promise<void>): Promise<CycleIds> {
  const pace = async (phase: number, work: Promise<unknown>[]) => {
    await Promise.all([...work, between?.(phase)]);
  };
  const users: string[] = new Array(USERS);
  await pace(1, range(0, USERS - 1).map(async (i) => (users[i] = await idp.createUser(`u${i}@${domain}`))));
  const u = (indexes: number[]) => indexes.map((i) => users[i]);
  await pace(2, [
    idp.members("add", groups["Sally Users"], u(range(0, 9))),
    idp.members("add", groups["Sally Users"], u(range(5, 14))),
    idp.members("add", groups["Sally Users"], u(range(10, 19))),
    idp.members("add", groups["Sally Users"], u(range(0, 19).filter((i) => i % 3 === 0))),
    idp.members("add", groups["Sally Admins"], u([0, 1, 2])),
    idp.members("add", groups["Sally Admins"], u([1, 2])),
    idp.members("add", groups.Team, u(range(0, 7))),
    idp.members("add", groups.Team, u(range(4, 11))),
    idp.members("add", groups.Starter, u(range(12, 17))),
    idp.members("add", groups.Starter, u(range(14, 19))),
    idp.members("add", groups["Project A"], u(range(0, 11))),
    idp.members("add", groups["Project A"], u(range(8, 23))),
    idp.members("add", groups["Project B"], u(range(10, 20))),
  ]);
  await pace(3, [
    idp.members("remove", groups["Sally Users"], u(range(16, 19))),
    idp.members("remove", groups["Sally Users"], u([16, 18, 19])),
    idp.members("remove", groups["Project A"], u(range(0, 3))),
    idp.deactivate(users[5]),
    idp.deactivate(users[13]),
    idp.rename(groups["Project A"], "Project A (renamed)"),
    idp.deleteGroup(groups["Project B"]),
  ]);
  return { users, groups };
}

/** What the cycle must leave behind, by user index. */
export function expectedEnd() {
  const access = (i: number) => i <= 15 && i !== 5 && i !== 13;
  const users = range(0, USERS - 1).map((i) => ({
    user: `u${i}`,
    active: i !== 5 && i !== 13,
    role: !access(i) ? "none" : i <= 2 ? "admin" : "user",
    license: !access(i) ? "none" : i <= 11 ? "team" : "starter",
  }));
  const names = (indexes: number[]) => indexes.map((i) => `u${i}`);
  const members = {
    "Sally Users": names(range(0, 15)),
    "Sally Admins": names([0, 1, 2]),
    Team: names(range(0, 11)),
    Starter: names(range(12, 19)),
    "Project A (renamed)": names(range(4, 23)),
  };
  // Peak demand (after phase 2): team 0..11 = 12 against 4 seats, starter 12..19 = 8 against 2.
  return { users, members, purchased: { team: 8, starter: 6 }, invited: range(0, 19).map((i) => `u${i}`) };
}

/** The tenant's provisioning state as plain data, user names without their domain, so two tenants compare. */
export async function snapshot(sql: postgres.Sql, slug: string) {
  const [tenant] = await sql`select id from tenants where slug = ${slug}`;
  const local = (name: string) => name.split("@")[0];
  const users = await sql`
    select su.user_name, su.active, u.role, u.license
    from scim_users su left join users u on u.scim_user_id = su.id
    where su.tenant_id = ${tenant.id} order by su.user_name`;
  const memberships = await sql`
    select g.display_name, su.user_name
    from scim_group_members m join scim_groups g on g.id = m.group_id join scim_users su on su.id = m.user_id
    where m.tenant_id = ${tenant.id}`;
  const members: Record<string, string[]> = {};
  for (const m of memberships) (members[m.display_name] ??= []).push(local(m.user_name));
  for (const list of Object.values(members)) list.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  const purchases = await sql`select tier, sum(quantity)::int as quantity, count(*)::int as rows from seat_purchases where tenant_id = ${tenant.id} group by tier`;
  const invitations = await sql`select "to", count(*)::int as n from email_outbox where tenant_id = ${tenant.id} and kind = 'invitation' group by "to"`;
  return {
    users: users
      .map((r) => ({ user: local(r.user_name), active: r.active, role: r.role ?? "none", license: r.license ?? "none" }))
      .sort((a, b) => Number(a.user.slice(1)) - Number(b.user.slice(1))),
    members,
    purchased: Object.fromEntries(purchases.map((p) => [p.tier, p.quantity])),
    invitationsQueued: Object.fromEntries(invitations.map((r) => [local(r.to), r.n])),
    groups: (await sql`select display_name from scim_groups where tenant_id = ${tenant.id} order by display_name`).map((g) => g.display_name),
  };
}

/** Invitations the fake Resend accepted (deduplicated by idempotency key, as Resend does), per user. */
export function invitationsDelivered(outbox: { to: string | string[]; subject: string }[], domain: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const mail of outbox) {
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    if (!to.endsWith(`@${domain}`) || !/invited|Einladung/.test(mail.subject)) continue;
    const user = to.split("@")[0];
    counts[user] = (counts[user] ?? 0) + 1;
  }
  return counts;
}
