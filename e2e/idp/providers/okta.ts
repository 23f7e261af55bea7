// Okta, an OIN-style SCIM 2.0 app with Push Groups, as its SCIM 2.0 reference documents it:
// developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20 (request samples: lookup, create, PUT profile
// updates, PATCH (de)activation, group push) and developer.okta.com/docs/concepts/scim/ (rate limits).
import { IdpFailure, type ScimClient } from "../client";
import { displayNameOf, type DirectoryGroup, type DirectoryUser } from "../directory";
import { oktaPolicy } from "../retry";
import { batches, create, findOne, patch, patchOp, percentFilter, put, quoted, remove, removeMemberOps, resourcesOf } from "./common";
import { URN, type Dialect, type Json, type Member } from "./types";

/** Okta pages by 100 everywhere ("startIndex=1&count=100"). */
const PAGE = "startIndex=1&count=100";
const MEMBERS_PER_PATCH = 100;

/** Okta's own user id ("00u…", 20 characters), sent as externalId; derived from the directory's object id. */
export function oktaUserId(user: DirectoryUser): string {
  return `00u${user.objectId.replace(/-/g, "").slice(0, 17)}`;
}

/** The profile Okta maps to SCIM by default (its SCIM 2.0 reference's create sample). */
const profile = (user: DirectoryUser) => ({
  schemas: [URN.user],
  userName: user.email,
  name: { givenName: user.givenName, familyName: user.familyName },
  emails: [{ primary: true, value: user.email, type: "work" }],
  displayName: displayNameOf(user),
  locale: "en-US",
  externalId: oktaUserId(user),
  groups: [] as Json[],
});

const memberValues = (members: Member[]) => members.map((m) => ({ value: m.id, display: m.user.email }));

export const okta: Dialect = {
  provider: "okta",
  policy: oktaPolicy,
  headers: { "user-agent": "Okta SCIM Client 1.0.0" },
  deletesUsers: false,
  sendsManager: false,

  // After the credentials are saved Okta reads two users and a page of groups; the query never changes.
  async testConnection(client) {
    for (const path of ["Users?startIndex=1&count=2", `Groups?${PAGE}`]) {
      resourcesOf(await client.send("GET", path, undefined, [200]), `GET ${path}`);
    }
  },

  // Not found may be an empty ListResponse or a 404 Error; Okta accepts both.
  findUser: (client, user) => findOne(client, `Users?${percentFilter(`userName eq ${quoted(user.email)}`)}&${PAGE}`, [404]),

  // "Okta sends the password parameter… even if password sync isn't enabled".
  async createUser(client, user, rng) {
    const { id, body } = await create(client, "Users", { ...profile(user), password: rng.hex(8), active: true });
    if (typeof body.userName !== "string") throw new IdpFailure("POST Users", 201, "Create new user returned empty user");
    return id;
  },

  // Profile updates of OIN apps are a GET of the user, then a PUT of the whole profile that keeps `active` as it is.
  async updateUser(client, id, user) {
    const current = await client.send("GET", `Users/${id}`, undefined, [200]);
    const active = current.body?.active;
    await put(client, `Users/${id}`, { ...profile(user), id, active: typeof active === "boolean" ? active : user.active });
  },

  async setActive(client, id, _user, active) {
    await patch(client, `Users/${id}`, patchOp({ op: "replace", value: { active } }));
  },

  async deleteUser() {
    throw new Error("Okta never sends DELETE for users");
  },

  async setManager() {
    throw new Error("Okta sends no manager reference");
  },

  findGroup: (client, group) => findOne(client, `Groups?${percentFilter(`displayName eq ${quoted(group.displayName)}`)}&${PAGE}`),

  async createGroup(client, group) {
    return { id: (await create(client, "Groups", { schemas: [URN.group], displayName: group.displayName, members: [] })).id, membersSent: false };
  },

  // Every membership update of a pushed group is preceded by a PATCH replacing its id and displayName.
  async updateMembers(client, id, group: DirectoryGroup, add, removed) {
    await patch(client, `Groups/${id}`, patchOp({ op: "replace", value: { id, displayName: group.displayName } }));
    const ops: Json[] = [...removeMemberOps(removed), ...batches(add, MEMBERS_PER_PATCH).map((chunk) => ({ op: "add", path: "members", value: memberValues(chunk) }))];
    for (const chunk of batches(ops, MEMBERS_PER_PATCH)) await patch(client, `Groups/${id}`, patchOp(...chunk));
  },

  // Only when the admin unlinks a pushed group and asks to delete it in the app.
  deleteGroup: (client: ScimClient, id: string) => remove(client, `Groups/${id}`),
};
