// Google Workspace auto-provisioning through a catalog app (support.google.com/a/answer/7681608): Google has no field
// for a custom SCIM endpoint, so admins point a catalog app's Endpoint URL and Access token at the server (the
// "Keeper Web (SAML)" workaround in Ory's docs, ory.sh/docs/kratos/manage-identities/scim/google-workspace). Its users
// carry the SCIM 1.0 core URN beside the 2.0 one. Google documents neither its update requests nor its groups: the
// simulator sends full-body PUTs and plain RFC 7644 group requests, and says so.
import { type DirectoryUser } from "../directory";
import { defaultPolicy } from "../retry";
import { batches, coreUser, create, findOne, patch, patchOp, percentFilter, put, quoted, remove, removeMemberOps, resourcesOf } from "./common";
import { URN, type Dialect } from "./types";

const body = (user: DirectoryUser, active = user.active) => {
  const { userName, emails, displayName, name } = coreUser(user);
  return { schemas: [URN.scim1, URN.user], userName, emails, displayName, name, active };
};

export const google: Dialect = {
  provider: "google",
  policy: defaultPolicy,
  headers: {},
  deletesUsers: true,
  sendsManager: false,

  // Vendor guides report a one-user read when the admin saves the endpoint.
  async testConnection(client) {
    resourcesOf(await client.send("GET", "Users?count=1", undefined, [200]), "GET Users?count=1");
  },

  findUser: (client, user) => findOne(client, `Users?${percentFilter(`userName eq ${quoted(user.email)}`)}&startIndex=1`),

  async createUser(client, user) {
    return (await create(client, "Users", body(user, true))).id;
  },

  async updateUser(client, id, user) {
    await put(client, `Users/${id}`, body(user));
  },

  // Suspension (an admin's per-trigger choice) as a PUT with active false.
  async setActive(client, id, user, active) {
    await put(client, `Users/${id}`, body(user, active));
  },

  deleteUser: (client, id) => remove(client, `Users/${id}`),

  async setManager() {
    throw new Error("Google sends no manager reference");
  },

  findGroup: (client, group) => findOne(client, `Groups?${percentFilter(`displayName eq ${quoted(group.displayName)}`)}&startIndex=1`),

  async createGroup(client, group, members) {
    const created = await create(client, "Groups", { schemas: [URN.group], displayName: group.displayName, members: members.map((m) => ({ value: m.id })) });
    return { id: created.id, membersSent: true };
  },

  async updateMembers(client, id, _group, add, removed) {
    const ops = [...removeMemberOps(removed), ...batches(add, 100).map((chunk) => ({ op: "add", path: "members", value: chunk.map((m) => ({ value: m.id })) }))];
    for (const chunk of batches(ops, 100)) await patch(client, `Groups/${id}`, patchOp(...chunk));
  },

  deleteGroup: (client, id) => remove(client, `Groups/${id}`),
};
