// Each IdP's cycles (initial, a restart that matches everything again, incremental, deprovision) against a recording
// SCIM server: every documented sample request of that IdP (fixtures/*.json) must be among what the simulator sent,
// the IdP's own rules must hold for every request, and the server must end up holding the directory.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Options } from "./args";
import { loadState } from "./state";
import { simulate } from "./simulate";
import type { Provider } from "./providers/types";
import { loadFixture, unmatched } from "./testing/fixtures";
import { startRecordingServer, type Recorded, type RecordingServer } from "./testing/recording-server";

let server: RecordingServer;
let dir: string;

beforeEach(async () => {
  server = await startRecordingServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "idp-"));
});
afterEach(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const options = (provider: Provider, scenario: Options["scenario"], extra: Partial<Options> = {}): Options => ({
  provider, scenario, url: server.url, token: "test-token", users: 60, groups: 30, concurrency: 3, seed: 11, domain: "example.com",
  json: true, state: path.join(dir, "state.json"), ...extra,
});

async function fullRun(provider: Provider) {
  const summaries = [];
  for (const scenario of ["initial", "initial", "incremental", "deprovision"] as const) {
    const summary = await simulate(options(provider, scenario));
    expect(summary.failures, `${provider} ${scenario}`).toEqual([]);
    summaries.push(summary);
  }
  return summaries;
}

const ops = (r: Recorded): any[] => r.body?.Operations ?? [];
const userPatches = () => server.requests.filter((r) => r.method === "PATCH" && r.path.startsWith("Users/"));

/** The server holds what the directory says: its live users, their active flag, and each live group's members. */
function expectServerMirrorsDirectory(deletesUsers: boolean) {
  const state = loadState(path.join(dir, "state.json"))!;
  const byUserName = new Map([...server.users.values()].map((u) => [u.userName.toLowerCase(), u]));
  for (const user of state.directory.users.filter((u) => !u.deleted && state.ids.users[u.key])) {
    expect(byUserName.get(user.email.toLowerCase())?.active, user.email).toBe(user.active);
  }
  const deleted = state.directory.users.filter((u) => u.deleted);
  expect(deleted.length).toBeGreaterThan(0);
  for (const user of deleted) expect(byUserName.has(user.email.toLowerCase()), user.email).toBe(!deletesUsers);
  for (const group of state.directory.groups.filter((g) => !g.deleted)) {
    const members = (server.groups.get(state.ids.groups[group.key])?.members ?? []).map((m: any) => m.value).sort();
    const wanted = group.memberKeys.filter((k) => state.ids.users[k]).map((k) => state.ids.users[k]).sort();
    expect(members, group.displayName).toEqual(wanted);
  }
  expect(state.directory.groups.filter((g) => g.deleted).every((g) => !server.groups.has(state.ids.groups[g.key] ?? ""))).toBe(true);
}

// Four whole cycles of 60 people each: within the default timeout on an idle machine, not always on a shared one.
const CYCLES = { timeout: 240_000 };

describe.each(["entra", "okta", "onelogin", "pingone", "google"] as const)("%s", CYCLES, (provider) => {
  it("sends every documented sample request and leaves the server holding the directory", async () => {
    const [initial, restart, incremental, deprovision] = await fullRun(provider);
    expect(unmatched(loadFixture(provider), server.requests)).toEqual([]);
    expect(initial.cycle.usersCreated).toBe(60);
    expect(restart.cycle).toMatchObject({ usersCreated: 0, usersMatched: 60, groupsCreated: 0, groupsMatched: 30 });
    expect(incremental.changes).toMatchObject({ renamed: 1, retitled: 1, movedGroups: 1, projectChanges: 2, hired: 1, left: 1 });
    expect(incremental.cycle.usersCreated).toBe(1);
    expect(deprovision.changes!.deactivated).toBeGreaterThan(0);
    expect(deprovision.changes).toMatchObject({ deleted: expect.any(Number), groupsDeleted: 1 });
    expect(deprovision.cycle.groupsDeleted).toBe(1);
    expectServerMirrorsDirectory(provider !== "okta");
    for (const r of server.requests) expect(r.headers.authorization).toBe("Bearer test-token");
  });
});

describe("dialect rules that hold for every request", CYCLES, () => {
  it("Entra: capitalised ops and string booleans by default, no PUT, spaces in filters form-encoded", async () => {
    await fullRun("entra");
    expect(server.requests.some((r) => r.method === "PUT")).toBe(false);
    const allOps = server.requests.filter((r) => r.method === "PATCH").flatMap(ops);
    expect(allOps.length).toBeGreaterThan(0);
    for (const op of allOps) expect(["Add", "Replace", "Remove"]).toContain(op.op);
    const activeValues = allOps.filter((o) => o.path === "active").map((o) => o.value);
    expect(activeValues).toContain("False");
    expect(activeValues.every((v) => v === "False" || v === "True")).toBe(true);
    for (const r of server.requests.filter((r) => r.rawQuery.includes("filter="))) expect(r.rawQuery).toMatch(/filter=\w+\+eq\+%22/);
    // Groups are created empty; members arrive by PATCH only.
    for (const r of server.requests.filter((r) => r.method === "POST" && r.path === "Groups")) expect(r.body.members).toBeUndefined();
    // A hard DELETE follows the soft delete of the same user.
    const deleted = server.requests.filter((r) => r.method === "DELETE" && r.path.startsWith("Users/")).map((r) => r.path);
    expect(deleted.length).toBeGreaterThan(0);
  });

  it("Entra with aadOptscim062020 in the tenant URL: lower-case ops, real booleans, pathless folded replace, member removal by filter", async () => {
    const url = `${server.url}?aadOptscim062020=true`;
    for (const scenario of ["initial", "initial", "incremental", "deprovision"] as const) {
      expect((await simulate(options("entra", scenario, { url }))).failures).toEqual([]);
    }
    const allOps = server.requests.filter((r) => r.method === "PATCH").flatMap(ops);
    for (const op of allOps) expect(["add", "replace", "remove"]).toContain(op.op);
    expect(allOps.filter((o) => o.path === "active").map((o) => o.value)).toContain(false);
    expect(allOps.some((o) => !o.path && typeof o.value?.["name.familyName"] === "string")).toBe(true);
    expect(allOps.some((o) => /^members\[value eq ".+"\]$/.test(o.path ?? ""))).toBe(true);
    expect(server.requests.every((r) => r.rawQuery.startsWith("aadOptscim062020=true"))).toBe(true);
  });

  it("Okta: never DELETEs a user, updates profiles by GET then PUT keeping active, (de)activates by PATCH, its User-Agent", async () => {
    await fullRun("okta");
    expect(server.requests.some((r) => r.method === "DELETE" && r.path.startsWith("Users/"))).toBe(false);
    const puts = server.requests.filter((r) => r.method === "PUT");
    expect(puts.length).toBeGreaterThan(0);
    for (const put of puts) {
      const i = server.requests.indexOf(put);
      expect(server.requests.slice(0, i).some((r) => r.method === "GET" && r.path === put.path)).toBe(true);
      expect(typeof put.body.active).toBe("boolean");
    }
    for (const r of userPatches()) expect(ops(r)).toEqual([{ op: "replace", value: { active: expect.any(Boolean) } }]);
    for (const r of server.requests) expect(r.headers["user-agent"]).toBe("Okta SCIM Client 1.0.0");
    for (const r of server.requests.filter((r) => r.method === "POST" && r.path === "Users")) expect(typeof r.body.password).toBe("string");
  });

  it("PingOne: users are never PATCHed, the probe comes first, groups are matched by listing them all", async () => {
    await fullRun("pingone");
    expect(userPatches()).toEqual([]);
    expect(server.requests[0]).toMatchObject({ method: "GET", path: "Users/0" });
    expect(server.requests.some((r) => r.method === "GET" && r.path === "Groups" && r.rawQuery.includes("filter"))).toBe(false);
    const disables = server.requests.filter((r) => r.method === "PUT" && r.body.active === false);
    expect(disables.length).toBeGreaterThan(0);
  });

  it("Google: every user body carries the SCIM 1.0 URN beside the 2.0 one", async () => {
    await fullRun("google");
    const bodies = server.requests.filter((r) => ["POST", "PUT"].includes(r.method) && r.path.startsWith("Users"));
    expect(bodies.length).toBeGreaterThan(0);
    for (const r of bodies) expect(r.body.schemas).toEqual(["urn:scim:schemas:core:1.0", "urn:ietf:params:scim:schemas:core:2.0:User"]);
  });

  it("OneLogin: an empty User-Agent, template bodies, suspension with a quoted boolean", async () => {
    await fullRun("onelogin");
    for (const r of server.requests) expect(r.headers["user-agent"]).toBe("");
    const suspended = server.requests.filter((r) => r.method === "PUT" && r.body.active === "false");
    expect(suspended.length).toBeGreaterThan(0);
    for (const r of server.requests.filter((r) => r.method === "POST" && r.path === "Users")) {
      expect(Object.keys(r.body).sort()).toEqual(["emails", "name", "schemas", "userName"]);
    }
  });
});
