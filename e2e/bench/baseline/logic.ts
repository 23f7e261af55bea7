// The baselines' SCIM: the minimum honest work per request for the URLs, statuses and (roughly) the JSON shapes
// the workload uses — one parameterised statement per request against indexed tables, no rules, no seats, no
// emails, no activity log. The bare node:http server and the one-route Next.js app both call `handleScim`, so
// the difference between them is the framework, and the difference to Sally is everything Sally does on top.
import type { Sql } from "postgres";
import { DEFAULT_DATABASE_POOL_SIZE } from "../../../lib/env";

/** The product's default pool (lib/env.ts), so the baselines differ from it in their work, not in their pool. */
export const BASELINE_POOL_SIZE = DEFAULT_DATABASE_POOL_SIZE;

/** The one tenant the baselines serve; its id is part of every index, as in Sally's schema. */
export const BASELINE_TENANT = "00000000-0000-4000-8000-000000000001";

export type MiniRequest = { method: string; path: string[]; query: URLSearchParams; body: string; authorization: string | null };
export type MiniResponse = { status: number; body?: unknown; location?: string };

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

/** Creates the baseline tables (idempotent). Indexes mirror what the lookups need. */
export async function createBaselineSchema(sql: Sql): Promise<void> {
  await sql.unsafe(`
    create table if not exists b_users (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      user_name text not null,
      external_id text,
      active boolean not null default true,
      resource jsonb not null,
      version integer not null default 1,
      created_at timestamptz not null default now()
    );
    create unique index if not exists b_users_user_name on b_users (tenant_id, lower(user_name));
    create index if not exists b_users_created on b_users (tenant_id, created_at, id);
    create table if not exists b_groups (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      display_name text not null,
      external_id text,
      resource jsonb not null,
      version integer not null default 1,
      created_at timestamptz not null default now()
    );
    create index if not exists b_groups_display_name on b_groups (tenant_id, lower(display_name));
    create index if not exists b_groups_created on b_groups (tenant_id, created_at, id);
    create table if not exists b_members (
      group_id uuid not null references b_groups (id) on delete cascade,
      user_id uuid not null references b_users (id) on delete cascade,
      primary key (group_id, user_id)
    );
    create index if not exists b_members_user on b_members (user_id);
  `);
}

const error = (status: number, detail: string, scimType?: string): MiniResponse => ({
  status,
  body: { schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail },
});

type Row = { id: string; resource: Record<string, unknown>; version: number; created_at: Date; total?: string };

function resource(kind: "Users" | "Groups", row: Row): Record<string, unknown> {
  const created = new Date(row.created_at).toISOString();
  return {
    ...row.resource,
    schemas: [kind === "Users" ? USER : GROUP],
    id: row.id,
    meta: { resourceType: kind === "Users" ? "User" : "Group", created, lastModified: created, version: `W/"${row.version}"`, location: `${kind}/${row.id}` },
  };
}

const list = (kind: "Users" | "Groups", rows: Row[], total: number, startIndex: number): MiniResponse => ({
  status: 200,
  body: { schemas: [LIST], totalResults: total, itemsPerPage: rows.length, startIndex, Resources: rows.map((r) => resource(kind, r)) },
});

/** `attr eq "value"`, the only filter IdPs send for matching (RFC 7644 §3.4.2.2); anything else is refused. */
function eqFilter(filter: string): { attribute: string; value: string } | null {
  const match = /^\s*(\w+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
  return match ? { attribute: match[1].toLowerCase(), value: match[2].replace(/\\(.)/g, "$1") } : null;
}

/** Attribute paths of a PatchOp → jsonb paths ("name.familyName" → {name,familyName}; URN prefix kept whole). */
function jsonPath(path: string): string[] {
  const urn = /^(urn:.*):(\w+)$/.exec(path);
  return urn ? [urn[1], urn[2]] : path.split(".");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const asBool = (v: unknown) => (typeof v === "string" ? v.toLowerCase() === "true" : Boolean(v));

type Operation = { op?: string; path?: string; value?: unknown };

function operations(body: string): Operation[] | null {
  try {
    const parsed = JSON.parse(body) as { Operations?: unknown };
    return Array.isArray(parsed.Operations) ? (parsed.Operations as Operation[]) : null;
  } catch {
    return null;
  }
}

const USER_COLUMNS = "id, resource, version, created_at";
/** Named prepared statements: one round trip per request once a statement is known (postgres.js caches them). */
const PREPARED = { prepare: true } as const;

/** Answers one SCIM request with at most one SQL statement. */
export async function handleScim(sql: Sql, token: string, req: MiniRequest): Promise<MiniResponse> {
  if (req.authorization !== `Bearer ${token}`) return error(401, "missing or wrong bearer token");
  const [kind, id] = req.path;
  if (kind !== "Users" && kind !== "Groups") return error(404, "no such endpoint");
  if (id !== undefined && !UUID.test(id)) return error(404, `${kind}/${id} not found`);
  const table = kind === "Users" ? "b_users" : "b_groups";
  const nameColumn = kind === "Users" ? "user_name" : "display_name";

  if (req.method === "GET" && id === undefined) {
    const filter = req.query.get("filter");
    if (filter) {
      const eq = eqFilter(filter);
      const expected = kind === "Users" ? "username" : "displayname";
      if (!eq || eq.attribute !== expected) return error(400, "only `userName eq` / `displayName eq` filters", "invalidFilter");
      const rows = await sql.unsafe<Row[]>(
        `select ${USER_COLUMNS} from ${table} where tenant_id = $1 and lower(${nameColumn}) = lower($2)`,
        [BASELINE_TENANT, eq.value],
        PREPARED,
      );
      return list(kind, rows, rows.length, 1);
    }
    const startIndex = Math.max(1, Number(req.query.get("startIndex") ?? 1) || 1);
    const count = Math.min(200, Math.max(0, Number(req.query.get("count") ?? 100) || 0));
    const rows = await sql.unsafe<Row[]>(
      `select ${USER_COLUMNS}, count(*) over () as total from ${table} where tenant_id = $1 order by created_at, id offset $2 limit $3`,
      [BASELINE_TENANT, startIndex - 1, count],
      PREPARED,
    );
    return list(kind, rows, rows.length ? Number(rows[0].total) : 0, startIndex);
  }

  if (req.method === "GET") {
    const rows = await sql.unsafe<Row[]>(`select ${USER_COLUMNS} from ${table} where tenant_id = $1 and id = $2`, [BASELINE_TENANT, id], PREPARED);
    return rows.length ? { status: 200, body: resource(kind, rows[0]) } : error(404, `${kind}/${id} not found`);
  }

  if (req.method === "POST" && id === undefined) {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return error(400, "body is not JSON", "invalidSyntax");
    }
    const name = body[kind === "Users" ? "userName" : "displayName"];
    if (typeof name !== "string" || !name) return error(400, `${kind === "Users" ? "userName" : "displayName"} is required`, "invalidValue");
    const { schemas: _s, meta: _m, members: _members, ...stored } = body;
    try {
      const rows = await sql.unsafe<Row[]>(
        kind === "Users"
          ? `insert into b_users (tenant_id, user_name, external_id, active, resource) values ($1, $2, $3, $4, $5) returning ${USER_COLUMNS}`
          : `insert into b_groups (tenant_id, display_name, external_id, resource) values ($1, $2, $3, $5) returning ${USER_COLUMNS}`,
        [BASELINE_TENANT, name, (body.externalId as string | undefined) ?? null, body.active === undefined ? true : asBool(body.active), stored as never],
        PREPARED,
      );
      return { status: 201, body: resource(kind, rows[0]), location: `${kind}/${rows[0].id}` };
    } catch (e) {
      if ((e as { code?: string }).code === "23505") return error(409, `${name} exists`, "uniqueness");
      throw e;
    }
  }

  if (req.method === "PATCH" && id !== undefined) {
    const ops = operations(req.body);
    if (!ops) return error(400, "not a PatchOp", "invalidSyntax");
    if (kind === "Groups") {
      const op = ops[0];
      const verb = op?.op?.toLowerCase();
      if (ops.length !== 1 || op.path !== "members" || (verb !== "add" && verb !== "remove") || !Array.isArray(op.value)) {
        return error(400, "only one member Add or Remove per request", "invalidSyntax");
      }
      const ids = (op.value as { value?: unknown }[]).map((m) => String(m.value));
      if (!ids.every((v) => UUID.test(v))) return error(400, "member values must be user ids", "invalidValue");
      const rows = await sql.unsafe<{ found: number }[]>(
        verb === "add"
          ? `with g as (select id from b_groups where tenant_id = $1 and id = $2),
               ins as (insert into b_members (group_id, user_id) select g.id, u from g, unnest($3::uuid[]) u on conflict do nothing returning 1)
             select count(*)::int as found from g`
          : `with g as (select id from b_groups where tenant_id = $1 and id = $2),
               del as (delete from b_members m using g where m.group_id = g.id and m.user_id = any($3::uuid[]) returning 1)
             select count(*)::int as found from g`,
        [BASELINE_TENANT, id, ids as never],
        PREPARED,
      );
      return rows[0].found ? { status: 204 } : error(404, `Groups/${id} not found`);
    }
    // Users: every op becomes a jsonb_set on the stored resource; `active` also sets the column.
    let expression = "resource";
    const params: unknown[] = [BASELINE_TENANT, id];
    let active: boolean | null = null;
    for (const op of ops) {
      const verb = op.op?.toLowerCase();
      if ((verb !== "replace" && verb !== "add") || typeof op.path !== "string") return error(400, "only Replace/Add with a path", "invalidSyntax");
      if (op.path === "active") active = asBool(op.value);
      params.push(jsonPath(op.path), JSON.stringify(op.path === "active" ? asBool(op.value) : op.value));
      expression = `jsonb_set(${expression}, $${params.length - 1}::text[], $${params.length}::text::jsonb, true)`;
    }
    params.push(active);
    const rows = await sql.unsafe<Row[]>(
      `update b_users set resource = ${expression}, active = coalesce($${params.length}::boolean, active), version = version + 1
       where tenant_id = $1 and id = $2 returning ${USER_COLUMNS}`,
      params as never[],
      PREPARED,
    );
    return rows.length ? { status: 200, body: resource("Users", rows[0]) } : error(404, `Users/${id} not found`);
  }

  return error(405, `${req.method} not supported here`);
}
