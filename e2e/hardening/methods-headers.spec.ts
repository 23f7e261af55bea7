// What only the real server shows: every HTTP method token (RFC 9110 §9 and beyond, TRACE and CONNECT included),
// odd targets and bad headers, sent byte for byte. Never a 5xx, never a hang, always a SCIM error body on SCIM
// paths; the volume fuzzing of the same router runs in lib/scim/bad-input.fuzz.db.test.ts.
import { SCIM, expect, test } from "../fixtures";
import { createUser } from "../scim/helpers";
import { rawRequest, type RawReply } from "./raw-http";

const METHODS = [
  "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "TRACK", "CONNECT",
  "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT", "PURGE", "LINK", "UNLINK",
  "QUERY", "M-SEARCH", "NOTIFY", "FOO", "get", "X!#$%&'*+.^_`|~",
];

function expectScimError(reply: RawReply, status: number, what: string) {
  expect(reply.status, `${what} → ${reply.status} ${reply.body}`).toBe(status);
  expect(reply.headers["content-type"], what).toBe("application/scim+json");
  const body = JSON.parse(reply.body);
  expect(body, what).toMatchObject({ schemas: [SCIM.error], status: String(status) });
  expect(typeof body.detail).toBe("string");
  return body;
}

test.describe("the real server answers every method and header in SCIM form", () => {
  // Hundreds of raw requests and a fresh tenant each; a busy CI machine needs more than the default minute.
  test.describe.configure({ timeout: 300_000 });

  test("every method token on every SCIM path: never a 5xx, 405 with Allow, 404 for unknown paths", async ({ server, tenant }) => {
    const user = await createUser(tenant.scim, "methods@hardening.example");
    const auth = { authorization: `Bearer ${tenant.token}` };
    const paths = [
      "/scim/v2/Users",
      `/scim/v2/Users/${user.id}`,
      "/scim/v2/Groups/.search",
      "/scim/v2/Bulk",
      "/scim/v2/ServiceProviderConfig",
      "/SCIM/v2/Schemas",
      "/scim/v2/Nope",
      "/scim/v2",
    ];
    let answered = 0;
    for (const path of paths) {
      for (const method of METHODS) {
        const what = `${method} ${path}`;
        // Bodies only where they mean something; a DELETE is sent with a stale If-Match so the user stays.
        const headers = { ...auth, ...(method === "DELETE" ? { "if-match": 'W/"0"' } : {}) };
        const reply = await rawRequest(server.port, method, path, headers);
        answered++;
        expect(reply.closedWithoutAnswer, what).toBe(false);
        expect(reply.status, `${what} → ${reply.status} ${reply.body}`).toBeLessThan(500);
        const known = !/Nope|\/scim\/v2$/.test(path);
        if (!known && method !== "HEAD") {
          expectScimError(reply, 404, what);
          continue;
        }
        const allow = reply.headers.allow;
        if (reply.status === 405) {
          if (method !== "HEAD") expectScimError(reply, 405, what);
          expect(allow, what).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
          expect(allow.split(", "), what).not.toContain(method);
        } else if (method === "OPTIONS") {
          expect(reply.status, what).toBe(204);
          expect(allow, what).toContain("OPTIONS");
        } else if (reply.status >= 400 && method !== "HEAD") {
          expectScimError(reply, reply.status, what);
        }
        if (["TRACE", "TRACK", "CONNECT", "PROPFIND", "FOO", "get", "QUERY"].includes(method)) expect(reply.status, what).toBe(405);
      }
    }
    expect(answered).toBe(paths.length * METHODS.length);
    // TRACE echoes nothing back: no header of the request appears in the answer.
    const trace = await rawRequest(server.port, "TRACE", "/scim/v2/Users", { ...auth, "x-secret": "trace-me" });
    expect(trace.body).not.toContain(tenant.token);
    expect(trace.body).not.toContain("trace-me");
  });

  test("HEAD is GET without a body; OPTIONS lists the path's methods without a token", async ({ server, tenant }) => {
    const user = await createUser(tenant.scim, "head@hardening.example");
    const head = await rawRequest(server.port, "HEAD", `/scim/v2/Users/${user.id}`, { authorization: `Bearer ${tenant.token}` });
    expect(head.status).toBe(200);
    expect(head.headers.etag).toMatch(/^W\/"\d+"$/);
    expect(head.body).toBe("");
    const options = await rawRequest(server.port, "OPTIONS", `/scim/v2/Users/${user.id}`);
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe("GET, PUT, PATCH, DELETE, HEAD, OPTIONS");
    expect((await rawRequest(server.port, "HEAD", "/scim/v2/Users")).status).toBe(401);
  });

  test("bad and missing headers: 401, 415, 413 before the body arrives, 400 for broken JSON", async ({ server, tenant }) => {
    const port = server.port;
    const bearer = { authorization: `Bearer ${tenant.token}` };
    const body = JSON.stringify({ schemas: [SCIM.user], userName: "hdr@hardening.example" });
    for (const headers of [{} as Record<string, string>, { authorization: "" }, { authorization: "Bearer" }, { authorization: `Bearer ${tenant.token.slice(0, -1)}` }, { authorization: `Basic ${Buffer.from(":").toString("base64")}` }]) {
      const reply = await rawRequest(port, "GET", "/scim/v2/Users", headers);
      expectScimError(reply, 401, JSON.stringify(headers));
      expect(reply.headers["www-authenticate"]).toMatch(/^Bearer /);
    }
    expectScimError(await rawRequest(port, "POST", "/scim/v2/Users", { ...bearer, "content-type": "text/xml" }, body), 415, "text/xml");
    const broken = expectScimError(await rawRequest(port, "POST", "/scim/v2/Users", { ...bearer, "content-type": "application/scim+json" }, body.slice(0, -5)), 400, "broken");
    expect(broken.scimType).toBe("invalidSyntax");
    // A declared length over the limit is refused at once: the server does not wait for 2 MB that never come.
    const declared = await rawRequest(port, "POST", "/scim/v2/Users", { ...bearer, "content-type": "application/scim+json", "content-length": "2097152" }, "{", { timeoutMs: 15_000 });
    expectScimError(declared, 413, "declared");
    // A chunked upload is cut off at the limit.
    const huge = JSON.stringify({ schemas: [SCIM.user], userName: "huge@hardening.example", title: "t".repeat(1_100_000) });
    const chunked = `${huge.length.toString(16)}\r\n${huge}\r\n0\r\n\r\n`;
    expectScimError(await rawRequest(port, "POST", "/scim/v2/Users", { ...bearer, "content-type": "application/scim+json", "transfer-encoding": "chunked" }, chunked), 413, "chunked");
    // Odd targets: encoded slashes, dot segments, NUL, an over-long id.
    for (const target of ["/scim/v2/Users/%2e%2e/Groups", "/scim/v2/Users/a%2Fb", "/scim/v2/Users/%00", `/scim/v2/Users/${"x".repeat(6000)}`, "/scim/v2/Users/%E0%A4%A"]) {
      const reply = await rawRequest(port, "GET", target, bearer);
      expect(reply.status, `${target} → ${reply.body}`).toBeLessThan(500);
      if (reply.status >= 400 && reply.headers["content-type"]?.includes("scim")) expectScimError(reply, reply.status, target);
    }
    expectScimError(await rawRequest(port, "GET", "/scim/v2/Users/%E0%A4%A", bearer), 404, "broken percent-escape");
  });
});
