// OneLogin's "SCIM Provisioner with SAML (SCIM v2 Core)" connector. Its bodies come from the admin-editable SCIM JSON
// Template with `{$…}` placeholders; the simulator fills the template vendors publish (Docker's SCIM guide,
// docs.docker.com/security/for-admins/provisioning/scim/) and, for suspension, a quoted `"active": "{$user.active}"` as
// other vendors' templates do, so booleans arrive as strings. OneLogin sends an empty User-Agent (authentik#11249) and
// needs `name.givenName`/`name.familyName` in every user answer. Lookups and group requests are not documented; the
// simulator sends plain RFC 7644 ones.
import { IdpFailure } from "../client";
import type { DirectoryUser } from "../directory";
import { defaultPolicy } from "../retry";
import { batches, create, findOne, patch, patchOp, percentFilter, put, quoted, remove, removeMemberOps } from "./common";
import { URN, type Dialect, type Json } from "./types";

/** The template `{"schemas":[…],"userName":"{$parameters.scimusername}","name":{…},"emails":[{"value":"{$user.email}","primary":true}]}`. */
const template = (user: DirectoryUser): Json => ({
  schemas: [URN.user],
  userName: user.email,
  name: { givenName: user.givenName, familyName: user.familyName },
  emails: [{ value: user.email, primary: true }],
});

function requireName(body: Json | null, request: string, status: number): void {
  if (typeof body?.name?.givenName !== "string" || typeof body?.name?.familyName !== "string") {
    throw new IdpFailure(request, status, "OneLogin needs name.givenName and name.familyName in the answer");
  }
}

export const onelogin: Dialect = {
  provider: "onelogin",
  policy: defaultPolicy,
  headers: { "user-agent": "" },
  deletesUsers: true,
  sendsManager: false,

  // "API Status → Enable" checks nothing documented; the first lookup is the first request.
  async testConnection() {},

  findUser: (client, user) => findOne(client, `Users?${percentFilter(`userName eq ${quoted(user.email)}`)}`),

  async createUser(client, user) {
    const { id, body } = await create(client, "Users", template(user));
    requireName(body, "POST Users", 201);
    return id;
  },

  async updateUser(client, id, user) {
    requireName(await put(client, `Users/${id}`, template(user)), `PUT Users/${id}`, 200);
  },

  async setActive(client, id, user, active) {
    requireName(await put(client, `Users/${id}`, { ...template(user), active: String(active) }), `PUT Users/${id}`, 200);
  },

  deleteUser: (client, id) => remove(client, `Users/${id}`),

  async setManager() {
    throw new Error("the OneLogin template sends no manager reference");
  },

  findGroup: (client, group) => findOne(client, `Groups?${percentFilter(`displayName eq ${quoted(group.displayName)}`)}`),

  async createGroup(client, group) {
    return { id: (await create(client, "Groups", { schemas: [URN.group], displayName: group.displayName })).id, membersSent: false };
  },

  // Membership arrives as Group PATCHes ("Groups" parameter included in user provisioning).
  async updateMembers(client, id, _group, add, removed) {
    const ops = [...removeMemberOps(removed), ...batches(add, 100).map((chunk) => ({ op: "add", path: "members", value: chunk.map((m) => ({ value: m.id })) }))];
    for (const chunk of batches(ops, 100)) await patch(client, `Groups/${id}`, patchOp(...chunk));
  },

  deleteGroup: (client, id) => remove(client, `Groups/${id}`),
};
