// Shared steps of the SCIM e2e specs: request bodies, response checks and the CLI reads the specs assert on.
import type { APIRequestContext, APIResponse } from "@playwright/test";
import { SCIM, expect, type Cli } from "../fixtures";
import { expectDescribedBySchemas } from "./validation";

/** Response bodies are asserted field by field, so they are loosely typed. */
export type Json = Record<string, any>;

export type ListBody = { schemas: string[]; totalResults: number; itemsPerPage: number; startIndex: number; nextCursor?: string; Resources: Json[] };

/** A PatchOp request body (RFC 7644 §3.5.2). */
export const patchOp = (...Operations: unknown[]) => ({ schemas: [SCIM.patchOp], Operations });

/** `filter=…` with the filter percent-encoded the way most clients send it. */
export const filterQuery = (filter: string) => `filter=${encodeURIComponent(filter)}`;

/**
 * Asserts the status (showing the body when it differs) and the SCIM content type, and returns the parsed body.
 * Every User or Group in it (alone or in a ListResponse) must also fit the typed model that a strict client builds
 * from the server's own /Schemas and /ResourceTypes (validation.ts).
 */
export async function expectJson<T = Json>(res: APIResponse, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status(), `${res.url()} answered ${text}`).toBe(status);
  expect(res.headers()["content-type"]).toContain("application/scim+json");
  const body = JSON.parse(text) as T;
  await expectDescribedBySchemas(res, body);
  return body;
}

/** Asserts a bodiless answer (204, 304). */
export async function expectEmpty(res: APIResponse, status: number): Promise<void> {
  const text = await res.text();
  expect(res.status(), `${res.url()} answered ${text}`).toBe(status);
  expect(text).toBe("");
}

/** Asserts an RFC 7644 §3.12 error: Error schema, `status` as a string, the scimType (or none), a detail. */
export async function expectScimError(res: APIResponse, status: number, scimType?: string): Promise<Json> {
  const body = await expectJson(res, status);
  expect(body.schemas).toEqual([SCIM.error]);
  expect(body.status).toBe(String(status));
  expect(body.scimType).toBe(scimType);
  expect(typeof body.detail).toBe("string");
  return body;
}

export const userBody = (userName: string, extra: Json = {}): Json => ({
  schemas: [SCIM.user],
  userName,
  name: { givenName: "Given", familyName: "Family" },
  emails: [{ value: userName, type: "work", primary: true }],
  active: true,
  ...extra,
});

/** POST /Users, asserting 201; returns the created resource. */
export async function createUser(scim: APIRequestContext, userName: string, extra: Json = {}): Promise<Json> {
  return expectJson(await scim.post("Users", { data: userBody(userName, extra) }), 201);
}

/** POST /Groups, asserting 201; returns the created resource. */
export async function createGroup(scim: APIRequestContext, displayName: string, memberIds: string[] = [], extra: Json = {}): Promise<Json> {
  const body = { schemas: [SCIM.group], displayName, members: memberIds.map((value) => ({ value })), ...extra };
  return expectJson(await scim.post("Groups", { data: body }), 201);
}

/** GET a resource, asserting 200. */
export async function read(scim: APIRequestContext, path: string): Promise<Json> {
  return expectJson(await scim.get(path), 200);
}

/** GET a list (query appended as given), asserting 200 and the ListResponse shape. */
export async function list(scim: APIRequestContext, pathAndQuery: string): Promise<ListBody> {
  const body = await expectJson<ListBody>(await scim.get(pathAndQuery), 200);
  expect(body.schemas).toEqual([SCIM.listResponse]);
  expect(Number.isInteger(body.totalResults)).toBe(true);
  expect(body.itemsPerPage).toBe(body.Resources.length);
  return body;
}

/** The member ids of a group, as GET /Groups/{id} returns them. */
export async function memberIds(scim: APIRequestContext, groupId: string): Promise<string[]> {
  const group = await read(scim, `Groups/${groupId}`);
  return ((group.members ?? []) as Json[]).map((m) => m.value as string).sort();
}

export type ActivityRow = { at: string; actor: string; method: string; path: string; status: number; durationMs: number; summary: string };

/** The tenant's activity log, newest first, as the CLI prints it. */
export async function activity(cli: Cli, slug: string, limit = 200): Promise<ActivityRow[]> {
  return (await cli("activity", "list", "--tenant", slug, "--limit", String(limit))) as ActivityRow[];
}

export type CliUser = {
  id: string;
  email: string;
  userName: string;
  role: string;
  license: string;
  status: string;
  source: string;
  /** The user holding this user's email, as `Name <email> (id)`, while this one is kept from access. */
  emailConflictWith: string | null;
};

export async function cliUsers(cli: Cli, slug: string): Promise<CliUser[]> {
  return (await cli("users", "list", "--tenant", slug)) as CliUser[];
}

export async function cliGroups(cli: Cli, slug: string): Promise<{ id: string; displayName: string; members: number }[]> {
  return (await cli("groups", "list", "--tenant", slug)) as { id: string; displayName: string; members: number }[];
}

/** A random id of the right shape that names nothing. */
export const unknownId = () => crypto.randomUUID();
