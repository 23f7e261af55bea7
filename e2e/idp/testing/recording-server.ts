// A small SCIM server for the simulator's own tests: it records every request and answers like a lenient RFC 7644
// service provider (in memory), so a whole cycle can run; `script` makes it answer 429/5xx on chosen requests.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Recorded = { method: string; path: string; rawQuery: string; headers: http.IncomingHttpHeaders; body: any };
type Scripted = { match: (r: Recorded) => boolean; status: number; headers?: Record<string, string>; times: number };
type Resource = Record<string, any>;

const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

export type RecordingServer = {
  url: string;
  requests: Recorded[];
  users: Map<string, Resource>;
  groups: Map<string, Resource>;
  /** Answer the next `times` requests that match with `status` (and headers) instead of serving them. */
  script(match: (r: Recorded) => boolean, status: number, options?: { headers?: Record<string, string>; times?: number }): void;
  close(): Promise<void>;
};

const truthy = (v: unknown) => v === true || (typeof v === "string" && v.toLowerCase() === "true");

/** `attr eq "value"` (the only filter the five IdPs send); anything else matches nothing. */
function filterOf(raw: string | null): ((r: Resource) => boolean) | null {
  if (raw === null) return null;
  const m = /^\s*([\w.:]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(raw);
  if (!m) return () => false;
  const [, attribute, value] = m;
  return (r) => String(attribute.split(".").reduce<any>((o, k) => o?.[k], r) ?? "").toLowerCase() === value.replace(/\\(.)/g, "$1").toLowerCase();
}

function applyPatch(resource: Resource, operations: any[]): void {
  for (const operation of operations ?? []) {
    const op = String(operation.op).toLowerCase();
    const path: string | undefined = operation.path;
    if (!path) {
      for (const [k, v] of Object.entries(operation.value ?? {})) if (k !== "id") resource[k] = k === "active" ? truthy(v) : v;
      continue;
    }
    if (/^members\[value eq "(.+)"\]$/.test(path)) {
      const id = /"(.+)"/.exec(path)![1];
      resource.members = (resource.members ?? []).filter((m: any) => m.value !== id);
    } else if (path === "members") {
      const values = new Set((operation.value ?? []).map((m: any) => m.value));
      if (op === "add") resource.members = [...(resource.members ?? []).filter((m: any) => !values.has(m.value)), ...(operation.value ?? []).map((m: any) => ({ value: m.value }))];
      if (op === "remove") resource.members = (resource.members ?? []).filter((m: any) => !values.has(m.value));
    } else if (path === "active") {
      resource.active = truthy(operation.value);
    } else if (op !== "remove") {
      resource[path] = operation.value;
    }
  }
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  const users = new Map<string, Resource>();
  const groups = new Map<string, Resource>();
  const scripted: Scripted[] = [];

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const [pathname, rawQuery = ""] = (req.url ?? "").split(/\?(.*)/s);
    const path = decodeURIComponent(pathname.replace(/^\/scim\/v2\/?/, ""));
    const recorded: Recorded = { method: req.method!, path, rawQuery, headers: req.headers, body: text ? JSON.parse(text) : null };
    requests.push(recorded);
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...(body === undefined ? {} : { "content-type": "application/scim+json" }), ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const error = (status: number, detail: string) => send(status, { schemas: [ERROR], status: String(status), detail });

    const script = scripted.find((s) => s.times > 0 && s.match(recorded));
    if (script) {
      script.times--;
      return send(script.status, { schemas: [ERROR], status: String(script.status), detail: `scripted ${script.status}` }, script.headers);
    }
    if (req.headers.authorization !== "Bearer test-token") return error(401, "bad token");

    const [type, id] = path.split("/");
    const store = type === "Users" ? users : type === "Groups" ? groups : null;
    if (!store) return error(404, `no endpoint ${path}`);
    const query = new URLSearchParams(rawQuery);
    const body = recorded.body;

    if (req.method === "GET" && !id) {
      const filter = filterOf(query.get("filter"));
      const all = [...store.values()].filter((r) => !filter || filter(r));
      const start = Number(query.get("startIndex") ?? 1);
      const count = Number(query.get("count") ?? 100);
      const page = all.slice(start - 1, start - 1 + count);
      return send(200, { schemas: [LIST], totalResults: all.length, itemsPerPage: page.length, startIndex: start, Resources: page });
    }
    if (req.method === "POST" && !id) {
      if (type === "Users" && [...users.values()].some((u) => u.userName.toLowerCase() === String(body.userName).toLowerCase())) return error(409, "userName taken");
      const created = { ...body, id: randomUUID(), ...(type === "Users" ? { active: body.active === undefined ? true : truthy(body.active) } : { members: body.members ?? [] }) };
      delete created.password;
      store.set(created.id, created);
      return send(201, created);
    }
    const resource = id ? store.get(id) : undefined;
    if (!resource) return error(404, `no ${type} ${id}`);
    if (req.method === "GET") return send(200, resource);
    if (req.method === "PUT") {
      const replaced = { ...body, id, ...(type === "Users" ? { active: body.active === undefined ? true : truthy(body.active) } : {}) };
      store.set(id, replaced);
      return send(200, replaced);
    }
    if (req.method === "PATCH") {
      applyPatch(resource, body.Operations);
      return type === "Groups" ? send(204) : send(200, resource);
    }
    if (req.method === "DELETE") {
      store.delete(id);
      if (type === "Users") for (const g of groups.values()) g.members = (g.members ?? []).filter((m: any) => m.value !== id);
      return send(204);
    }
    return error(405, "method not allowed");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    requests,
    users,
    groups,
    script(match, status, options = {}) {
      scripted.push({ match, status, headers: options.headers, times: options.times ?? 1 });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
