// What a simulated IdP does to the SCIM server; the cycle (../cycle.ts) decides when, each dialect decides how.
import type { Json, ScimClient } from "../client";
import type { DirectoryGroup, DirectoryUser } from "../directory";
import type { Random } from "../prng";
import type { RetryPolicy } from "../retry";

export const providers = ["entra", "okta", "onelogin", "pingone", "google"] as const;
export type Provider = (typeof providers)[number];

/** A user as the IdP last pushed it, to tell which attributes changed. */
export type UserSnapshot = Pick<DirectoryUser, "givenName" | "familyName" | "email" | "title" | "department" | "employeeNumber" | "preferredLanguage" | "active"> & {
  managerKey: string | null;
};

export type Member = { id: string; user: DirectoryUser };

export type Dialect = {
  provider: Provider;
  policy: RetryPolicy;
  /** Headers the IdP sends on every request. */
  headers: Record<string, string>;
  /** Whether the IdP ever sends DELETE for a user (Okta never does). */
  deletesUsers: boolean;
  /** Entra sends the manager reference after all users exist; the others send none. */
  sendsManager: boolean;
  /** The IdP's connection check; rejects when the IdP would refuse to save the connection. */
  testConnection(client: ScimClient, rng: Random): Promise<void>;
  /** Looks the user up by the matching attribute; returns the server's id, or null when not found. */
  findUser(client: ScimClient, user: DirectoryUser): Promise<string | null>;
  createUser(client: ScimClient, user: DirectoryUser, rng: Random): Promise<string>;
  /** Profile changes (everything but `active`); `before` null means the whole profile (a matched user). */
  updateUser(client: ScimClient, id: string, user: DirectoryUser, before: UserSnapshot | null): Promise<void>;
  setActive(client: ScimClient, id: string, user: DirectoryUser, active: boolean): Promise<void>;
  deleteUser(client: ScimClient, id: string): Promise<void>;
  setManager(client: ScimClient, id: string, managerId: string | null): Promise<void>;
  findGroup(client: ScimClient, group: DirectoryGroup): Promise<string | null>;
  /** Creates the group; `members` are sent in the POST only by IdPs that do so (the rest PATCH them in afterwards). */
  createGroup(client: ScimClient, group: DirectoryGroup, members: Member[]): Promise<{ id: string; membersSent: boolean }>;
  updateMembers(client: ScimClient, id: string, group: DirectoryGroup, add: Member[], remove: Member[]): Promise<void>;
  deleteGroup(client: ScimClient, id: string): Promise<void>;
};

export const URN = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  enterprise: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  scim1: "urn:scim:schemas:core:1.0",
} as const;

export type { Json };
