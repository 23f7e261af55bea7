import type { Database } from "@/db";
import type { RateLimitLeases } from "@/lib/scim/rate-limit-lease";
import { handleScimRequest } from "@/lib/scim/router";

export type ScimReply = { status: number; body: any; headers: Headers };

/**
 * Drives the real SCIM router (auth, transaction, rules, outbox) on a given database without an
 * HTTP server, for db tests that need many concurrent requests or two "instances" on one database.
 */
export function scimClient(database: Database, token: string, options: { leases?: RateLimitLeases } = {}) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimReply> => {
    const url = new URL(`http://localhost/scim/v2/${path.replace(/^\//, "")}`);
    const request = new Request(url, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const response = await handleScimRequest(request, url.pathname.split("/").slice(3).filter(Boolean), { database, drainOutbox: false, ...options });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
}

export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export const addMembers = (ids: string[]) => ({
  schemas: [PATCH_OP],
  Operations: [{ op: "Add", path: "members", value: ids.map((value) => ({ value })) }],
});

export const removeMembers = (ids: string[]) => ({
  schemas: [PATCH_OP],
  Operations: [{ op: "Remove", path: "members", value: ids.map((value) => ({ value })) }],
});

export const scimUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  active: true,
  emails: [{ primary: true, type: "work", value: userName }],
  ...extra,
});
