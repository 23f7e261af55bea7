// PingOne's "SCIM Outbound" connection (docs.pingidentity.com, p1_create_scim_connection), whose request semantics
// its PingFederate sibling documents (docs.pingidentity.com, SCIM Provisioner): users matched by `userName eq`, never
// PATCHed (PUT only), groups PATCHed and matched by listing all groups; Remove User Action Disable or Delete. Before
// provisioning, Ping's GitHub EMU provisioner probes `GET /Users/0` and expects 404.
import { IdpFailure, type ScimClient } from "../client";
import { displayNameOf, type DirectoryGroup, type DirectoryUser } from "../directory";
import { defaultPolicy } from "../retry";
import { batches, create, findOne, patch, patchOp, percentFilter, put, quoted, remove, removeMemberOps, resourcesOf } from "./common";
import { URN, type Dialect } from "./types";

const PAGE_SIZE = 100;

const body = (user: DirectoryUser, active = user.active) => ({
  schemas: [URN.user, URN.enterprise],
  userName: user.email,
  name: { formatted: displayNameOf(user), givenName: user.givenName, familyName: user.familyName },
  displayName: displayNameOf(user),
  emails: [{ value: user.email, type: "work", primary: true }],
  title: user.title,
  active,
  [URN.enterprise]: { department: user.department, employeeNumber: user.employeeNumber },
});

/** Every group on the server by displayName, read page by page as the connector does; cached per client. */
const groupIndex = new WeakMap<ScimClient, Promise<Map<string, string>>>();

async function listAllGroups(client: ScimClient): Promise<Map<string, string>> {
  const byName = new Map<string, string>();
  for (let startIndex = 1; ; startIndex += PAGE_SIZE) {
    const path = `Groups?startIndex=${startIndex}&count=${PAGE_SIZE}`;
    const answer = await client.send("GET", path, undefined, [200]);
    const page = resourcesOf(answer, `GET ${path}`);
    for (const g of page) byName.set(String(g.displayName).toLowerCase(), String(g.id));
    const total = Number(answer.body?.totalResults);
    if (page.length === 0 || !Number.isInteger(total) || startIndex + page.length > total) return byName;
  }
}

export const pingone: Dialect = {
  provider: "pingone",
  policy: defaultPolicy,
  headers: {},
  deletesUsers: true,
  sendsManager: false,

  async testConnection(client) {
    const answer = await client.send("GET", "Users/0", undefined, [404]);
    if (answer.status !== 404) throw new IdpFailure("GET Users/0", answer.status, "the probe expects 404");
  },

  findUser: (client, user) => findOne(client, `Users?${percentFilter(`userName eq ${quoted(user.email)}`)}`),

  async createUser(client, user) {
    return (await create(client, "Users", body(user, true))).id;
  },

  async updateUser(client, id, user) {
    await put(client, `Users/${id}`, body(user));
  },

  async setActive(client, id, user, active) {
    await put(client, `Users/${id}`, body(user, active));
  },

  deleteUser: (client, id) => remove(client, `Users/${id}`),

  async setManager() {
    throw new Error("PingOne's default mapping sends no manager reference");
  },

  async findGroup(client, group: DirectoryGroup) {
    if (!groupIndex.has(client)) groupIndex.set(client, listAllGroups(client));
    return (await groupIndex.get(client)!).get(group.displayName.toLowerCase()) ?? null;
  },

  async createGroup(client, group) {
    return { id: (await create(client, "Groups", { schemas: [URN.group], displayName: group.displayName, members: [] })).id, membersSent: false };
  },

  async updateMembers(client, id, _group, add, removed) {
    const ops = [...removeMemberOps(removed), ...batches(add, PAGE_SIZE).map((chunk) => ({ op: "add", path: "members", value: chunk.map((m) => ({ value: m.id })) }))];
    for (const chunk of batches(ops, PAGE_SIZE)) await patch(client, `Groups/${id}`, patchOp(...chunk));
  },

  deleteGroup: (client, id) => remove(client, `Groups/${id}`),
};

