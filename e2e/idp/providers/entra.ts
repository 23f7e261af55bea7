// Microsoft Entra ID, a non-gallery app ("Create your own application"), as documented on Microsoft Learn:
// learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups (request samples),
// …/how-provisioning-works (cycle order) and …/application-provisioning-config-problem-scim-compatibility (the
// default dialect vs. the aadOptscim062020 flag).
import { IdpFailure, type ScimClient } from "../client";
import { displayNameOf, type DirectoryUser } from "../directory";
import { entraPolicy } from "../retry";
import { batches, create, findOne, formFilter, patch, patchOp, quoted, remove, removeMemberOps, resourcesOf } from "./common";
import { URN, type Dialect, type Json, type Member, type UserSnapshot } from "./types";

const ADSCIM_GROUP = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

/** Entra's batch size for member PATCHes is not documented; its gallery checklist asks servers to take several at once. */
const MEMBERS_PER_PATCH = 50;

/** With `aadOptscim062020` in the tenant URL Entra sends RFC-conformant PATCHes (lower-case ops, real booleans). */
const compliant = (client: ScimClient) => /aadOptscim062020=true/i.test(client.url(""));

/** The attributes Entra's default mapping sends for a user (userPrincipalName → userName, jobTitle → title, …). */
function attributes(user: DirectoryUser | UserSnapshot): [string, string][] {
  return [
    ["userName", user.email],
    ["displayName", displayNameOf(user)],
    ["name.givenName", user.givenName],
    ["name.familyName", user.familyName],
    ["name.formatted", displayNameOf(user)],
    ["title", user.title],
    ['emails[type eq "work"].value', user.email],
    ["preferredLanguage", user.preferredLanguage],
    [`${URN.enterprise}:department`, user.department],
    [`${URN.enterprise}:employeeNumber`, user.employeeNumber],
  ];
}

export const entra: Dialect = {
  provider: "entra",
  policy: entraPolicy,
  headers: {},
  deletesUsers: true,
  sendsManager: true,

  // "Test Connection" queries a user that cannot exist, with a random GUID as the matching value, and expects
  // 200 with an empty ListResponse; it also fetches a group the same way.
  async testConnection(client, rng) {
    for (const path of [`Users?${formFilter(`userName eq ${quoted(rng.uuid())}`)}`, `Groups?excludedAttributes=members&${formFilter(`displayName eq ${quoted(rng.uuid())}`)}`]) {
      const answer = await client.send("GET", path, undefined, [200]);
      if (resourcesOf(answer, `GET ${path}`).length !== 0) throw new IdpFailure(`GET ${path}`, 200, "Test Connection expects an empty ListResponse");
    }
  },

  findUser: (client, user) => findOne(client, `Users?${formFilter(`userName eq ${quoted(user.email)}`)}`),

  async createUser(client, user) {
    const body = {
      schemas: [URN.user, URN.enterprise],
      externalId: user.objectId,
      userName: user.email,
      active: true,
      displayName: displayNameOf(user),
      title: user.title,
      preferredLanguage: user.preferredLanguage,
      emails: [{ primary: true, type: "work", value: user.email }],
      meta: { resourceType: "User" },
      name: { formatted: displayNameOf(user), familyName: user.familyName, givenName: user.givenName },
      roles: [],
      [URN.enterprise]: { department: user.department, employeeNumber: user.employeeNumber },
    };
    return (await create(client, "Users", body)).id;
  },

  async updateUser(client, id, user, before) {
    const previous = before ? new Map(attributes(before)) : new Map<string, string>();
    const changed = attributes(user).filter(([path, value]) => previous.get(path) !== value);
    if (changed.length === 0) return;
    if (!compliant(client)) {
      await patch(client, `Users/${id}`, patchOp(...changed.map(([path, value]) => ({ op: "Replace", path, value }))));
      return;
    }
    // With the flag, filtered paths stay their own op and the rest fold into one pathless op with dotted/URN keys.
    const filtered = changed.filter(([path]) => path.includes("["));
    const folded = Object.fromEntries(changed.filter(([path]) => !path.includes("[")));
    const ops: Json[] = filtered.map(([path, value]) => ({ op: "replace", path, value }));
    if (Object.keys(folded).length) ops.push({ op: "replace", value: folded });
    await patch(client, `Users/${id}`, patchOp(...ops));
  },

  // Soft delete and restore: "False"/"True" as strings by default, booleans with the flag.
  async setActive(client, id, _user, active) {
    const op = compliant(client) ? { op: "replace", path: "active", value: active } : { op: "Replace", path: "active", value: active ? "True" : "False" };
    await patch(client, `Users/${id}`, patchOp(op));
  },

  deleteUser: (client, id) => remove(client, `Users/${id}`),

  // A reference attribute, sent after the users exist; removed by replacing it with "".
  async setManager(client, id, managerId) {
    const [add, replace] = compliant(client) ? ["add", "replace"] : ["Add", "Replace"];
    const op = managerId
      ? { op: add, path: "manager", value: [{ $ref: client.ref(`Users/${managerId}`), value: managerId }] }
      : { op: replace, path: "manager", value: "" };
    await patch(client, `Users/${id}`, patchOp(op));
  },

  findGroup: (client, group) => findOne(client, `Groups?excludedAttributes=members&${formFilter(`displayName eq ${quoted(group.displayName)}`)}`),

  // "Groups are created with an empty members list", then filled by member PATCHes.
  async createGroup(client, group) {
    const body = { schemas: [URN.group, ADSCIM_GROUP], externalId: group.objectId, displayName: group.displayName, meta: { resourceType: "Group" } };
    return { id: (await create(client, "Groups", body)).id, membersSent: false };
  },

  async updateMembers(client, id, _group, add, remove) {
    const refs = (members: Member[]) => members.map((m) => ({ $ref: null, value: m.id }));
    for (const chunk of batches(add, MEMBERS_PER_PATCH)) {
      await patch(client, `Groups/${id}`, patchOp({ op: compliant(client) ? "add" : "Add", path: "members", value: refs(chunk) }));
    }
    for (const chunk of batches(remove, MEMBERS_PER_PATCH)) {
      // Default: `path: "members"` with the members as value (azure-docs#30826); with the flag, a value filter each.
      const body = compliant(client) ? patchOp(...removeMemberOps(chunk)) : patchOp({ op: "Remove", path: "members", value: refs(chunk) });
      await patch(client, `Groups/${id}`, body);
    }
  },

  deleteGroup: (client, id) => remove(client, `Groups/${id}`),
};
