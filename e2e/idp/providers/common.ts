// Request pieces several dialects share: filter encodings, ListResponse reading, PatchOp bodies.
import { IdpFailure, type Answer, type Json, type ScimClient } from "../client";
import { displayNameOf, type DirectoryUser } from "../directory";
import { URN, type Member } from "./types";

/** `filter=…` percent-encoded with %20 for spaces, as Okta and Google send it. */
export const percentFilter = (filter: string) => `filter=${encodeURIComponent(filter)}`;

/** `filter=…` form-encoded with `+` for spaces, as Entra's live traces show (`filter=externalId+eq+%22johnwong%22`). */
export const formFilter = (filter: string) => new URLSearchParams({ filter }).toString();

/** `"…"` with the quotes and backslashes a SCIM filter string needs escaped (RFC 7644 §3.4.2.2). */
export const quoted = (value: string) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** The resources of a ListResponse answer; anything else is a failure for every IdP. */
export function resourcesOf(answer: Answer, request: string): Json[] {
  const body = answer.body;
  if (!body || !Array.isArray(body.Resources) && body.totalResults !== 0) {
    throw new IdpFailure(request, answer.status, "the answer is not a SCIM ListResponse");
  }
  if (!Array.isArray(body.schemas) || !body.schemas.includes(URN.listResponse)) {
    throw new IdpFailure(request, answer.status, "the ListResponse lacks its schema URN");
  }
  return (body.Resources ?? []) as Json[];
}

/** GET a filtered list and return the one id it names, or null; 404 counts as "none" where `notFound` allows it. */
export async function findOne(client: ScimClient, pathAndQuery: string, notFound: number[] = []): Promise<string | null> {
  const answer = await client.send("GET", pathAndQuery, undefined, [200, ...notFound]);
  if (answer.status !== 200) return null;
  const found = resourcesOf(answer, `GET ${pathAndQuery}`);
  if (found.length > 1) throw new IdpFailure(`GET ${pathAndQuery}`, 200, `the filter matched ${found.length} resources, expected at most one`);
  return found.length === 1 ? idOf(found[0], `GET ${pathAndQuery}`, 200) : null;
}

/** The `id` of a returned resource; IdPs store it for every later request, so a missing one is a failure. */
export function idOf(body: Json | null, request: string, status: number): string {
  if (!body || typeof body.id !== "string" || body.id === "") throw new IdpFailure(request, status, "the answer carries no resource id");
  return body.id;
}

/** POST a resource and return its id; every IdP needs 201 with the created resource. */
export async function create(client: ScimClient, path: "Users" | "Groups", body: Json): Promise<{ id: string; body: Json }> {
  const answer = await client.send("POST", path, body, [201]);
  return { id: idOf(answer.body, `POST ${path}`, answer.status), body: answer.body! };
}

export const patchOp = (...Operations: Json[]) => ({ schemas: [URN.patchOp], Operations });

export async function patch(client: ScimClient, path: string, body: Json): Promise<void> {
  await client.send("PATCH", path, body, [200, 204]);
}

export async function put(client: ScimClient, path: string, body: Json): Promise<Json | null> {
  return (await client.send("PUT", path, body, [200])).body;
}

export async function remove(client: ScimClient, path: string): Promise<void> {
  await client.send("DELETE", path, undefined, [204]);
}

/** RFC 7644 §3.5.2.2 member removal by value filter, one op per member (Okta, and Entra with aadOptscim062020). */
export const removeMemberOps = (members: Member[], op = "remove") => members.map((m) => ({ op, path: `members[value eq ${quoted(m.id)}]` }));

/** The plain RFC 7643 core user most IdPs send. */
export const coreUser = (user: DirectoryUser, active = user.active) => ({
  userName: user.email,
  name: { givenName: user.givenName, familyName: user.familyName },
  emails: [{ primary: true, value: user.email, type: "work" }],
  displayName: displayNameOf(user),
  active,
});

/** Splits a list into batches of at most `size`. */
export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
