// One provisioning cycle, in the order IdPs run it (how-provisioning-works on Microsoft Learn): the connection check,
// users (match, then create or update; disable; delete), reference attributes (manager), then groups (match, create,
// members). It pushes the difference between the directory and what the IdP last pushed, so the same function runs
// the initial, incremental and deprovision cycles.
import { IdpFailure, type ScimClient } from "./client";
import type { DirectoryGroup, DirectoryUser } from "./directory";
import { forEachLimit } from "./pool";
import type { Random } from "./prng";
import type { Dialect, Member, UserSnapshot } from "./providers/types";
import type { SimulatorState } from "./state";

export type Progress = { phase(label: string, total: number): void; tick(): void; stop(): void };

export const silentProgress: Progress = { phase() {}, tick() {}, stop() {} };

export type Failure = { object: string; request: string; status: number | "network"; detail: string };

export type CycleCounts = Record<
  | "usersCreated" | "usersMatched" | "usersUpdated" | "usersDeactivated" | "usersReactivated" | "usersDeleted" | "managersSet"
  | "groupsCreated" | "groupsMatched" | "groupsDeleted" | "membersAdded" | "membersRemoved",
  number
>;

export type CycleOptions = {
  dialect: Dialect;
  client: ScimClient;
  state: SimulatorState;
  /** `groups-only` pushes groups and the memberships of users already provisioned, and no user requests. */
  groupsOnly: boolean;
  concurrency: number;
  rng: Random;
  progress?: Progress;
};

export const snapshotOf = (u: DirectoryUser): UserSnapshot => ({
  givenName: u.givenName,
  familyName: u.familyName,
  email: u.email,
  title: u.title,
  department: u.department,
  employeeNumber: u.employeeNumber,
  preferredLanguage: u.preferredLanguage,
  active: u.active,
  managerKey: u.managerKey,
});

const profileChanged = (a: UserSnapshot, b: UserSnapshot) =>
  (["givenName", "familyName", "email", "title", "department", "employeeNumber", "preferredLanguage"] as const).some((k) => a[k] !== b[k]);

/** Runs one cycle; every request the IdP would count as failed is collected (the object is retried next cycle). */
export async function runCycle(options: CycleOptions): Promise<{ counts: CycleCounts; failures: Failure[] }> {
  const { dialect, client, state, concurrency, rng } = options;
  const progress = options.progress ?? silentProgress;
  const { directory, ids, pushed } = state;
  const counts: CycleCounts = {
    usersCreated: 0, usersMatched: 0, usersUpdated: 0, usersDeactivated: 0, usersReactivated: 0, usersDeleted: 0, managersSet: 0,
    groupsCreated: 0, groupsMatched: 0, groupsDeleted: 0, membersAdded: 0, membersRemoved: 0,
  };
  const failures: Failure[] = [];
  const each = async <T extends { key: string }>(label: string, items: T[], work: (item: T) => Promise<void>) => {
    progress.phase(label, items.length);
    await forEachLimit(items, concurrency, async (item) => {
      try {
        await work(item);
      } catch (error) {
        if (!(error instanceof IdpFailure)) throw error;
        failures.push({ object: item.key, request: error.request, status: error.status, detail: error.detail });
      } finally {
        progress.tick();
      }
    });
  };

  progress.phase("test connection", 1);
  await dialect.testConnection(client, rng);
  progress.tick();

  if (!options.groupsOnly) await syncUsers();
  await syncGroups();
  progress.stop();
  return { counts, failures };

  async function syncUsers() {
    const users = directory.users;
    // New users: the IdP cannot provision a disabled account initially, so leavers who were never pushed stay out.
    const fresh = users.filter((u) => !u.deleted && u.active && !ids.users[u.key]);
    await each("users: match and create", fresh, async (u) => {
      const found = await dialect.findUser(client, u);
      if (found) {
        ids.users[u.key] = found;
        await dialect.updateUser(client, found, u, null);
        counts.usersMatched++;
      } else {
        ids.users[u.key] = await dialect.createUser(client, u, rng);
        counts.usersCreated++;
      }
      pushed.users[u.key] = { ...snapshotOf(u), managerKey: null };
    });

    const changed = users.filter((u) => !u.deleted && pushed.users[u.key] && ids.users[u.key]);
    await each("users: update and disable", changed.filter((u) => {
      const before = pushed.users[u.key];
      return before.active !== u.active || profileChanged(before, snapshotOf(u));
    }), async (u) => {
      const before = pushed.users[u.key];
      const id = ids.users[u.key];
      if (profileChanged(before, snapshotOf(u))) {
        await dialect.updateUser(client, id, u, before);
        counts.usersUpdated++;
        pushed.users[u.key] = { ...snapshotOf(u), active: before.active, managerKey: before.managerKey };
      }
      if (before.active !== u.active) {
        await dialect.setActive(client, id, u, u.active);
        counts[u.active ? "usersReactivated" : "usersDeactivated"]++;
        pushed.users[u.key] = { ...pushed.users[u.key], active: u.active };
      }
    });

    const gone = users.filter((u) => u.deleted && pushed.users[u.key] && ids.users[u.key]);
    await each("users: delete", gone, async (u) => {
      const id = ids.users[u.key];
      // Entra soft-deletes (active=false) before the hard DELETE; Okta never deletes and only deactivates.
      if (pushed.users[u.key].active && (dialect.provider === "entra" || !dialect.deletesUsers)) {
        await dialect.setActive(client, id, u, false);
        counts.usersDeactivated++;
        pushed.users[u.key] = { ...pushed.users[u.key], active: false };
      }
      if (dialect.deletesUsers) {
        await dialect.deleteUser(client, id);
        counts.usersDeleted++;
        delete ids.users[u.key];
      }
      delete pushed.users[u.key];
      // A deleted user's memberships go with it on the server; Okta's deactivated user is removed from its groups below.
      if (dialect.deletesUsers) for (const g of Object.keys(pushed.groups)) pushed.groups[g] = pushed.groups[g].filter((k) => k !== u.key);
    });

    if (!dialect.sendsManager) return;
    const managed = users.filter((u) => !u.deleted && pushed.users[u.key] && pushed.users[u.key].managerKey !== u.managerKey);
    const withManager = managed.filter((u) => u.managerKey === null || (pushed.users[u.managerKey] && ids.users[u.managerKey]));
    await each("users: manager references", withManager, async (u) => {
      await dialect.setManager(client, ids.users[u.key], u.managerKey ? ids.users[u.managerKey] : null);
      pushed.users[u.key] = { ...pushed.users[u.key], managerKey: u.managerKey };
      counts.managersSet++;
    });
  }

  async function syncGroups() {
    const byKey = new Map(directory.users.map((u) => [u.key, u]));
    const members = (g: DirectoryGroup): Member[] =>
      g.memberKeys.filter((k) => pushed.users[k] && ids.users[k]).map((k) => ({ id: ids.users[k], user: byKey.get(k)! }));

    await each("groups: delete", directory.groups.filter((g) => g.deleted && ids.groups[g.key]), async (g) => {
      await dialect.deleteGroup(client, ids.groups[g.key]);
      delete ids.groups[g.key];
      delete pushed.groups[g.key];
      counts.groupsDeleted++;
    });

    await each("groups: match and create", directory.groups.filter((g) => !g.deleted && !ids.groups[g.key]), async (g) => {
      const found = await dialect.findGroup(client, g);
      if (found) {
        ids.groups[g.key] = found;
        pushed.groups[g.key] = [];
        counts.groupsMatched++;
        return;
      }
      const wanted = members(g);
      const { id, membersSent } = await dialect.createGroup(client, g, wanted);
      ids.groups[g.key] = id;
      pushed.groups[g.key] = membersSent ? wanted.map((m) => m.user.key) : [];
      if (membersSent) counts.membersAdded += wanted.length;
      counts.groupsCreated++;
    });

    const live = directory.groups.filter((g) => !g.deleted && ids.groups[g.key]);
    const diffs = live
      .map((g) => {
        const wanted = members(g);
        const before = new Set(pushed.groups[g.key] ?? []);
        const wantedKeys = new Set(wanted.map((m) => m.user.key));
        const add = wanted.filter((m) => !before.has(m.user.key));
        const remove = [...before].filter((k) => !wantedKeys.has(k) && ids.users[k]).map((k) => ({ id: ids.users[k], user: byKey.get(k)! }));
        return { key: g.key, group: g, add, remove, wanted };
      })
      .filter((d) => d.add.length || d.remove.length);
    await each("groups: members", diffs, async ({ group, add, remove, wanted }) => {
      await dialect.updateMembers(client, ids.groups[group.key], group, add, remove);
      pushed.groups[group.key] = wanted.map((m) => m.user.key);
      counts.membersAdded += add.length;
      counts.membersRemoved += remove.length;
    });
  }
}
