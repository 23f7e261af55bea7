// Shared by the SCIM hardening tests (*.fuzz.db.test.ts, tenant-isolation, limits): a raw request driver for the
// real router, the checks every answer must pass, a world of two tenants, and the fast-check generators.
import { and, count, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { expect } from "vitest";
import type { Database } from "@/db";
import { activityLog } from "@/db/schema";
import { flushActivity } from "@/lib/activity";
import { digestTables, type Digest } from "@/db/testing/digest";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { addMembers, scimClient, scimUser } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";
import { handleScimRequest } from "./router";
import { scimTokenKeyId } from "@/lib/provisioning/scim-token";
import { SCHEMA, resourceSchemas, type Attribute, type ResourceKind } from "./schemas";

/** A request as a client may send it: any method, any path segments (sent percent-encoded), any headers and bytes. */
export type RawRequest = {
  method: string;
  segments: readonly string[];
  /** A raw query string (without `?`), sent as is. */
  query?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
};

export type Reply = { status: number; headers: Headers; text: string; body: any };

/** No request may take longer than this: a hang is a failure, not a slow test. */
const HANG_MS = 30_000;

/**
 * Percent-encodes a path segment or query value; a lone surrogate (which no URL can carry) is sent as U+FFFD, as
 * a browser's or fetch's URL encoder does.
 */
export const encodeSegment = (segment: string) => {
  try {
    return encodeURIComponent(segment);
  } catch {
    return encodeURIComponent(segment.replace(/[\ud800-\udfff]/g, "\uFFFD"));
  }
};

/** Sends one request through the router exactly as the route handler does. */
export async function send(database: Database, token: string | null, request: RawRequest): Promise<Reply> {
  const path = request.segments.map(encodeSegment).join("/");
  const url = `http://localhost/scim/v2/${path}${request.query !== undefined ? `?${request.query}` : ""}`;
  const headers = new Headers();
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  if (request.body !== undefined) headers.set("content-type", "application/scim+json");
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
  const hasBody = request.body !== undefined && !["GET", "HEAD"].includes(request.method.toUpperCase());
  // `duplex` lets a test send a stream (a body without Content-Length), as a chunked upload arrives.
  const init = { method: request.method, headers, body: hasBody ? (request.body as BodyInit) : undefined, duplex: "half" };
  const req = new Request(url, init as RequestInit);
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms: ${describe(request)}`)), HANG_MS);
  });
  try {
    const response = await Promise.race([handleScimRequest(req, [...request.segments], { database, drainOutbox: false }), hang]);
    const text = await response.text();
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    return { status: response.status, headers: response.headers, text, body };
  } finally {
    clearTimeout(timer);
  }
}

/** One line naming a request, for failure messages (bodies cut short). */
export function describe(request: RawRequest): string {
  const body = typeof request.body === "string" ? request.body : request.body ? `<${request.body.byteLength} bytes>` : "";
  const path = `/${request.segments.map(encodeSegment).join("/")}${request.query !== undefined ? `?${request.query}` : ""}`;
  return `${request.method} ${path.slice(0, 300)} ${JSON.stringify(request.headers ?? {}).slice(0, 300)} ${body.slice(0, 300)}`;
}

/** The scimType values RFC 7644 §3.12 defines for 400 answers (plus RFC 9865's cursor errors). */
export const SCIM_TYPES = [
  "invalidFilter",
  "tooMany",
  "uniqueness",
  "mutability",
  "invalidSyntax",
  "invalidPath",
  "noTarget",
  "invalidValue",
  "invalidVers",
  "sensitive",
  "invalidCursor",
  "expiredCursor",
] as const;
export type ScimType = (typeof SCIM_TYPES)[number];

/**
 * What an answer may be: its status, and for a 400 which scimTypes. Every answer is checked to be well-formed:
 * never a 5xx; errors are RFC 7644 §3.12 bodies in application/scim+json with `status` as a string; 405 names
 * the allowed methods, 401 the auth scheme, 429 an integer Retry-After.
 */
export type Expected = { status: number[]; scimType?: readonly ScimType[] };

export function expectWellFormed(reply: Reply, expected: Expected, request: RawRequest): void {
  const what = `${describe(request)}\n→ ${reply.status} ${reply.text.slice(0, 500)}`;
  expect(reply.status, what).toBeLessThan(500);
  expect(expected.status, what).toContain(reply.status);
  if (reply.status >= 400) {
    expect(reply.headers.get("content-type"), what).toBe("application/scim+json");
    expect(reply.body, what).toMatchObject({ schemas: [SCHEMA.error], status: String(reply.status) });
    expect(typeof reply.body.detail, what).toBe("string");
    if (reply.status === 400) expect(expected.scimType ?? SCIM_TYPES, what).toContain(reply.body.scimType);
    else if (reply.status === 409) expect(reply.body.scimType, what).toBe("uniqueness");
    else expect(reply.body.scimType, what).toBeUndefined();
  }
  if (reply.status === 405) expect(reply.headers.get("allow"), what).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
  if (reply.status === 401) expect(reply.headers.get("www-authenticate"), what).toMatch(/^Bearer /);
  if (reply.status === 429) expect(reply.headers.get("retry-after"), what).toMatch(/^[1-9]\d*$/);
  if (reply.status < 400 && reply.text) {
    expect(reply.headers.get("content-type"), what).toBe("application/scim+json");
    expect(reply.body, what).toBeDefined();
  }
}

/**
 * A rejected request may append exactly one activity-log entry (its own, with its status) and nothing else, so
 * the log is left out of the digest and accounted for by count and last entry instead. The rate limit's bucket
 * is charged by every authenticated request, rejected or not (that is its job), and marks when a refused token
 * was last logged for its tenant (lib/scim/rejected-token.ts), so it is left out too.
 */
export const LOGGED_TABLES = ["activity_log", "scim_rate_limits"];

export type Tenant = {
  id: string;
  slug: string;
  token: string;
  userIds: string[];
  userNames: string[];
  groupIds: string[];
  groupNames: string[];
};

/** Two tenants with users and groups (members included), made through the real router. */
export type World = { database: Database; a: Tenant; b: Tenant };

async function makeTenant(database: Database, slug: string): Promise<Tenant> {
  const tenant = await createTenant(database.db, { name: slug, slug, adminEmail: `admin@${slug}.example` });
  const { token } = await connectScim(database.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
  const scim = scimClient(database, token);
  const userNames = ["ada", "bob", "cy"].map((n) => `${n}.${slug}@${slug}.example`);
  const userIds: string[] = [];
  for (const userName of userNames) {
    const created = await scim("POST", "Users", scimUser(userName, { displayName: `Name ${userName}`, externalId: `ext-${userName}` }));
    expect(created.status).toBe(201);
    userIds.push(created.body.id);
  }
  const groupNames = [`Admins ${slug}`, `Staff ${slug}`];
  const groupIds: string[] = [];
  for (const displayName of groupNames) {
    const created = await scim("POST", "Groups", { schemas: [SCHEMA.group], displayName, externalId: `ext-${displayName}` });
    expect(created.status).toBe(201);
    groupIds.push(created.body.id);
    expect((await scim("PATCH", `Groups/${created.body.id}`, addMembers(userIds.slice(0, 2)))).status).toBe(204);
  }
  return { id: tenant.id, slug, token, userIds, userNames, groupIds, groupNames };
}

export async function makeWorld(database: Database, label: string): Promise<World> {
  return { database, a: await makeTenant(database, `${label}-a`), b: await makeTenant(database, `${label}-b`) };
}

const notWarning = sql`${activityLog.summary} not like 'Warning:%'`;

/**
 * How many request entries the tenant's activity log has, and the status of the newest. Warnings (an unknown
 * group member skipped, issue 10 item 3) are entries of their own beside the request's and are not counted.
 */
async function activitySince(database: Database, tenantId: string): Promise<{ logged: number; last: number | null | undefined }> {
  // Reads and refused requests are logged through a buffer: write it out before counting.
  await flushActivity();
  const [row] = await database.db
    .select({
      n: count(),
      last: sql<number | null>`(select ${activityLog.status} from ${activityLog} where ${activityLog.tenantId} = ${tenantId} and ${notWarning} order by ${activityLog.id} desc limit 1)`,
    })
    .from(activityLog)
    .where(and(eq(activityLog.tenantId, tenantId), notWarning));
  return { logged: row.n, last: row.last };
}

/**
 * Runs requests against a world and checks the database after each: a rejected one (4xx) leaves every table but
 * the activity log byte-for-byte as it was, and logs exactly one entry with its status (none when the token is
 * not valid, except at most one 401 when the refused token names A's key id); an accepted one moves the baseline.
 */
export class Checker {
  private baseline: Digest | undefined;
  private logged = 0;
  cases = 0;
  rejected = 0;

  constructor(private readonly world: World) {}

  async start(): Promise<void> {
    this.baseline = await digestTables(this.world.database.db, { except: LOGGED_TABLES });
    this.logged = (await activitySince(this.world.database, this.world.a.id)).logged;
  }

  /** Sends as tenant A (or with `token`), checks the answer against `expected` and the database against the baseline. */
  async run(request: RawRequest, expected: Expected, token: string | null = this.world.a.token): Promise<Reply> {
    const { database, a } = this.world;
    const reply = await send(database, token, request);
    this.cases++;
    const after = await digestTables(database.db, { except: LOGGED_TABLES });
    const { logged, last } = await activitySince(database, a.id);
    // The state moves on before any check, so one failure does not cascade into the next cases.
    const { baseline, logged: loggedBefore } = this;
    this.logged = logged;
    this.baseline = after;
    expectWellFormed(reply, expected, request);
    expect(reply.text, "a response must never echo the token").not.toContain(a.token);
    const authenticated = token === a.token;
    const added = logged - loggedBefore;
    // A refused token naming A's key id (a truncated or altered copy of A's token) is logged for A, once a minute.
    const namesKeyOfA = !authenticated && (request.headers?.authorization ?? "").includes(scimTokenKeyId(a.token)!);
    if (authenticated) {
      expect(added, `activity entries for ${describe(request)}`).toBe(1);
      expect(last).toBe(reply.status);
    } else if (namesKeyOfA && added > 0) {
      expect(added, `activity entries for ${describe(request)}`).toBe(1);
      expect(last).toBe(401);
    } else {
      expect(added, `activity entries for ${describe(request)}`).toBe(0);
    }
    if (reply.status >= 400) {
      this.rejected++;
      expect(after, `rejected ${describe(request)} → ${reply.status} changed the database`).toEqual(baseline);
    }
    return reply;
  }
}

/**
 * Runs a property with fast-check (FUZZ_RUNS_SCALE scales the number of runs, FUZZ_SEED replays a failure) and
 * fails with the seed, the replay command and a shortened counterexample.
 */
export async function fuzz<T>(property: fc.IAsyncProperty<T>, runs: number): Promise<void> {
  const scale = Number(process.env.FUZZ_RUNS_SCALE ?? "1");
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
  const details = await fc.check(property, {
    numRuns: Math.max(1, Math.round(runs * scale)),
    endOnFailure: true,
    ...(seed !== undefined ? { seed } : {}),
  });
  if (!details.failed) return;
  const example = JSON.stringify(details.counterexample) ?? "";
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    [
      `Property failed after ${details.numRuns} runs. Replay with FUZZ_SEED=${details.seed} (path ${details.counterexamplePath}).`,
      `Counterexample (${example.length} chars): ${example.slice(0, 1500)}`,
      `Cause: ${cause.slice(0, 3000)}`,
    ].join("\n"),
  );
}

// ── Generators ────────────────────────────────────────────────────────────────────────────────────────────────

/** Strings a hostile client sends: any unicode, NUL and control characters, quotes, SQL, path tricks, long runs. */
export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    fc.constantFrom(
      "",
      " ",
      "\u0000",
      "a\u0000b",
      "\ud800",
      "\uffff",
      "'",
      '"',
      "\\",
      "'; drop table scim_users; --",
      "' or '1'='1",
      "%00",
      "%",
      "..",
      "../..",
      "/",
      "null",
      "undefined",
      "true",
      "1e999",
      "-1",
      "NaN",
      "Infinity",
      "00000000-0000-0000-0000-000000000000",
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
      "{00000000-0000-0000-0000-000000000000}",
      "00000000000000000000000000000000",
      "😀",
      "\u202e",
      "$",
      "bulkId:x",
    ),
    fc.integer({ min: 1, max: 5 }).chain((n) => fc.string({ minLength: 1, maxLength: 3 }).map((s) => s.repeat(10 ** n))),
  );

/** JSON values of every type, small and odd ones included. */
export const anyJson = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    hostileString(),
    fc.constantFrom(null, true, false, 0, -0, 1.5, -1, 2 ** 31, 2 ** 53 + 1, 1e308, [], {}, [[]], [{}], { value: null }),
  );

/** A value whose JSON type is not `type` (RFC 7643 §2.3 data types). */
export const wrongTypeFor = (attribute: Attribute): fc.Arbitrary<unknown> => {
  const all = fc.oneof(
    fc.string(),
    fc.integer(),
    // Finite only: JSON writes NaN and ±Infinity as null, which unassigns the attribute (RFC 7643 §2.5).
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  );
  return all.filter((v) => {
    if (attribute.multiValued && Array.isArray(v)) return false;
    switch (attribute.type) {
      case "complex":
        return typeof v !== "object" || v === null || Array.isArray(v);
      case "boolean":
        return typeof v !== "boolean" && !(typeof v === "string" && /^(true|false)$/i.test(v.trim()));
      case "integer":
      case "decimal":
        return typeof v !== "number";
      default:
        return typeof v !== "string" && typeof v !== "number";
    }
  });
};

/** Every writable attribute path of a resource kind: `[attribute]` or `[attribute, sub]`, extensions by URN. */
export function attributePaths(kind: ResourceKind): { path: string[]; attribute: Attribute }[] {
  const out: { path: string[]; attribute: Attribute }[] = [];
  const walk = (prefix: string[], attributes: Attribute[]) => {
    for (const attribute of attributes) {
      if (attribute.mutability === "readOnly") continue;
      out.push({ path: [...prefix, attribute.name], attribute });
      if (attribute.type === "complex") walk([...prefix, attribute.name], attribute.subAttributes ?? []);
    }
  };
  walk([], resourceSchemas[kind].core.attributes);
  for (const extension of resourceSchemas[kind].extensions) walk([extension.id], extension.attributes);
  return out;
}

/** A User body, a valid one by default. */
export const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [SCHEMA.user, SCHEMA.enterpriseUser],
  userName,
  name: { givenName: "Given", familyName: "Family" },
  displayName: "Display",
  active: true,
  emails: [{ value: userName, type: "work", primary: true }],
  [SCHEMA.enterpriseUser]: { department: "Sales", manager: { value: "boss" } },
  ...extra,
});

export const groupBody = (displayName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [SCHEMA.group],
  displayName,
  ...extra,
});

/**
 * Sets `value` at `path` inside a body, creating objects on the way; a multi-valued complex attribute on the
 * way gets one element holding the rest of the path.
 */
export function setAt(body: Record<string, unknown>, path: string[], value: unknown, multi: (name: string) => boolean): Record<string, unknown> {
  const copy = structuredClone(body);
  let node: Record<string, unknown> = copy;
  path.forEach((name, i) => {
    if (i === path.length - 1) {
      node[name] = value;
      return;
    }
    if (multi(name)) {
      const element: Record<string, unknown> = {};
      node[name] = [element];
      node = element;
    } else {
      const next = typeof node[name] === "object" && node[name] !== null && !Array.isArray(node[name]) ? (node[name] as Record<string, unknown>) : {};
      node[name] = next;
      node = next;
    }
  });
  return copy;
}

/** Nesting `depth` levels deep: arrays, objects, or both. */
export const nested = (depth: number, kind: "array" | "object"): string =>
  kind === "array" ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** Every method token a client might send: RFC 9110 §9 and the registered extension methods, plus made-up tokens. */
export const HTTP_METHODS = [
  "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
  "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT", "PURGE", "LINK", "UNLINK",
  "QUERY", "MERGE", "BIND", "ACL", "NOTIFY", "SUBSCRIBE",
] as const;

/** A method token per RFC 9110 §5.6.2 (the Request class refuses CONNECT, TRACE and TRACK: those are for the HTTP tests). */
export const methodToken = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...HTTP_METHODS),
    fc.constantFrom(...HTTP_METHODS).map((m) => m.toLowerCase()),
    fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/).filter((m) => !/^(connect|trace|track)$/i.test(m)),
  );
