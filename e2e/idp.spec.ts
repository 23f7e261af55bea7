// The IdP simulator (e2e/idp) plays each of the five IdPs against the production server: a tenant is created and
// connected through the CLI, the simulator runs its initial cycle, groups are mapped, then an incremental and a
// deprovision cycle follow. After each step the CLI read-outs must agree with the IdP's directory (the simulator's
// state file): who has which role and license, which seats were bought, which emails went out.
import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import { connectTenant, expect, runCli, test } from "./fixtures";
import { SALLY_GROUPS } from "./idp/directory";
import { providers } from "./idp/providers/types";
import type { Summary } from "./idp/simulate";
import type { SimulatorState } from "./idp/state";
import type { E2EServer } from "./servers";

const run = promisify(execFile);

type UserRow = { email: string; role: string; license: string; status: string; source: string };
type Purchase = { tier: string; quantity: number; reason: string };
type Mail = { to: string; kind: string };

const SEATS = { starter: 4, team: 2, enterprise: 1 };
/** Small, so five IdPs on two databases stay within minutes: the Sally groups, the departments and one project. */
const USERS = 16;
const GROUPS = 14;
const TIERS = ["starter", "team", "enterprise"] as const;

/** Runs the simulator as a separate process, as QA would; it must exit 0 with no failed request. */
async function simulate(args: string[]): Promise<Summary> {
  const { stdout } = await run("node_modules/.bin/tsx", ["e2e/idp/main.ts", ...args, "--json"], { maxBuffer: 16 << 20 }).catch((e: { stdout?: string; stderr?: string; code?: number }) => {
    throw new Error(`idp ${args.join(" ")} exited ${e.code}: ${e.stderr?.trim()}\n${e.stdout?.slice(0, 2000)}`);
  });
  const summary = JSON.parse(stdout) as Summary;
  expect(summary.failures).toEqual([]);
  return summary;
}

/** What Sally must show for each person the IdP pushed (by directory key), by the product's rules applied to the IdP's directory. */
function expectedUsers(state: SimulatorState): Map<string, Omit<UserRow, "source">> {
  const groups = new Map(state.directory.groups.filter((g) => !g.deleted).map((g) => [g.displayName, new Set(g.memberKeys)]));
  const inGroup = (name: string, key: string) => groups.get(name)?.has(key) ?? false;
  const expected = new Map<string, Omit<UserRow, "source">>();
  for (const u of state.directory.users) {
    const pushed = state.pushed.users[u.key] ?? (u.deleted ? { email: u.email } : null);
    if (!pushed && !u.deleted) continue;
    const role = !u.active || u.deleted ? "none" : inGroup(SALLY_GROUPS.admins, u.key) ? "admin" : inGroup(SALLY_GROUPS.users, u.key) ? "user" : "none";
    const license = role === "none" ? "none" : (TIERS.find((t) => inGroup(SALLY_GROUPS[t], u.key)) ?? "none");
    expected.set(u.key, { email: u.email, role, license, status: role === "none" ? "deactivated" : "invited" });
  }
  return expected;
}

test.describe.configure({ mode: "parallel" });

for (const provider of providers) {
  test(`${provider}: initial, mapping, incremental and deprovision cycles reach users, licenses, seats and mail`, async ({ server }, testInfo) => {
    test.setTimeout(600_000);
    const cli = (...args: string[]) => runCli(server as E2EServer, args);
    const tenant = await connectTenant(server, { provider, seats: `starter=${SEATS.starter},team=${SEATS.team},enterprise=${SEATS.enterprise}` });
    await tenant.scim.dispose();
    const { slug } = tenant;
    const stateFile = testInfo.outputPath("idp-state.json");
    const idp = (scenario: string) =>
      test.step(`simulator: ${provider} ${scenario}`, () => simulate(["--provider", provider, "--url", tenant.tenantUrl, "--token", tenant.token, "--users", String(USERS), "--groups", String(GROUPS), "--seed", "5", "--domain", `${slug}.example`, "--concurrency", "3", "--scenario", scenario, "--state", stateFile]));
    const state = () => JSON.parse(fs.readFileSync(stateFile, "utf8")) as SimulatorState;
    const users = async () => new Map(((await cli("users", "list", "--tenant", slug)) as UserRow[]).filter((u) => u.source === "scim" || u.status === "deactivated").map((u) => [u.email, u]));
    const purchases = async () => (await cli("purchases", "list", "--tenant", slug)) as Purchase[];
    const mail = async () => (await cli("mail", "list", "--tenant", slug)) as Mail[];
    // The tenant's first admin is invited when the tenant is created; the rest are the IdP's people.
    const invitations = async () => (await mail()).filter((m) => m.kind === "invitation" && m.to !== `admin@${slug}.example`).map((m) => m.to).sort();
    const holders = (rows: Map<string, UserRow>, tier: string) => [...rows.values()].filter((u) => u.license === tier).length;
    const expectUsersMatchDirectory = async () => {
      const rows = await users();
      const expected = expectedUsers(state());
      for (const want of expected.values()) expect(rows.get(want.email), want.email).toMatchObject(want);
      return { rows, expected };
    };

    // Initial cycle: everyone arrives, nobody has access before the groups are mapped.
    const initial = await idp("initial");
    expect(initial.cycle).toMatchObject({ usersCreated: USERS, groupsCreated: GROUPS });
    expect([...(await users()).values()].filter((u) => u.source === "scim").map((u) => u.role)).toEqual(Array(USERS).fill("none"));
    expect(await purchases()).toEqual([]);

    // The admin maps the IdP's groups: access, licenses (lowest tier wins), seats bought for the shortfall, invitations.
    await cli("scim", "mapping", "set", "--tenant", slug, "--user-group", SALLY_GROUPS.users, "--admin-group", SALLY_GROUPS.admins,
      "--license", `starter=${SALLY_GROUPS.starter}`, "--license", `team=${SALLY_GROUPS.team}`, "--license", `enterprise=${SALLY_GROUPS.enterprise}`, "--invite", "on", "--apply");
    let { rows, expected } = await expectUsersMatchDirectory();
    const bought = await purchases();
    for (const tier of TIERS) {
      const shortfall = Math.max(0, holders(rows, tier) - SEATS[tier]);
      expect(bought.filter((p) => p.tier === tier).map((p) => p.quantity), tier).toEqual(shortfall ? [shortfall] : []);
    }
    const hadAccess = new Set([...expected].filter(([, u]) => u.role !== "none").map(([key]) => key));
    const withAccess = [...rows.values()].filter((u) => u.source === "scim" && u.role !== "none").map((u) => u.email).sort();
    expect(withAccess).toHaveLength(hadAccess.size);
    expect(withAccess.length).toBeGreaterThan(USERS / 2);
    await expect.poll(invitations, { timeout: 60_000 }).toEqual(withAccess);
    await expect.poll(async () => (await mail()).filter((m) => m.kind === "receipt").length, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);

    // Incremental: renames, moves, hires and a leaver; new people with access get one invitation, seats stay sufficient.
    const incremental = await idp("incremental");
    expect(incremental.changes).toMatchObject({ renamed: 1, hired: 1, left: 1 });
    ({ rows, expected } = await expectUsersMatchDirectory());
    const allBought = await purchases();
    for (const tier of TIERS) {
      const total = SEATS[tier] + allBought.filter((p) => p.tier === tier).reduce((n, p) => n + p.quantity, 0);
      expect(holders(rows, tier), tier).toBeLessThanOrEqual(total);
    }
    const sent = await invitations();
    expect(new Set(sent).size).toBe(sent.length);
    const newcomers = [...expected].filter(([key, u]) => u.role !== "none" && !hadAccess.has(key)).map(([, u]) => u.email);
    expect(sent.filter((to) => !withAccess.includes(to)).sort()).toEqual(newcomers.sort());

    // Deprovision: a slice disabled, a slice deleted (Okta only deactivates); no seat is bought, no invitation re-sent.
    const deprovision = await idp("deprovision");
    expect(deprovision.cycle.usersDeactivated + deprovision.cycle.usersDeleted).toBeGreaterThan(0);
    ({ rows } = await expectUsersMatchDirectory());
    const gone = state().directory.users.filter((u) => u.deleted || !u.active);
    expect(gone.length).toBeGreaterThan(2);
    for (const u of gone) expect(rows.get(u.email), u.email).toMatchObject({ role: "none", license: "none", status: "deactivated" });
    expect(await purchases()).toHaveLength(allBought.length);
    expect(await invitations()).toEqual(sent);
  });
}
