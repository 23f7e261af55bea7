// How the simulator waits and retries, per IdP, when the server throttles (429 + Retry-After) or fails (5xx).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IdpFailure, ScimClient } from "./client";
import { defaultPolicy, entraPolicy, oktaPolicy, retryAfterSeconds, type RetryPolicy } from "./retry";
import { startRecordingServer, type RecordingServer } from "./testing/recording-server";

let server: RecordingServer;
beforeEach(async () => {
  server = await startRecordingServer();
});
afterEach(() => server.close());

function client(policy: RetryPolicy, tenantUrl = server.url) {
  const waits: number[] = [];
  const c = new ScimClient({ tenantUrl, token: "test-token", policy, sleep: async (s) => void waits.push(s) });
  return { c, waits };
}

const anyUsersList = (r: { method: string; path: string }) => r.method === "GET" && r.path === "Users";

describe("429", () => {
  it.each([
    ["entra", entraPolicy],
    ["okta", oktaPolicy],
    ["others", defaultPolicy],
  ] as const)("%s waits the integer Retry-After, then succeeds", async (_name, policy) => {
    server.script(anyUsersList, 429, { headers: { "retry-after": "7" }, times: 2 });
    const { c, waits } = client(policy);
    const answer = await c.send("GET", "Users?count=1", undefined, [200]);
    expect(answer.status).toBe(200);
    expect(waits).toEqual([7, 7]);
    expect(c.stats).toMatchObject({ requests: 3, retries: 2, waitedSeconds: 14, byStatus: { 429: 2, 200: 1 } });
  });

  it("Okta waits 5 minutes without Retry-After or with an HTTP-date, doubling each time, and gives up after 10 attempts", async () => {
    server.script(anyUsersList, 429, { times: 3 });
    server.script(anyUsersList, 429, { headers: { "retry-after": new Date(Date.now() + 30_000).toUTCString() }, times: 7 });
    const { c, waits } = client(oktaPolicy);
    const failure = await c.send("GET", "Users?startIndex=1&count=2", undefined, [200]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IdpFailure);
    expect((failure as IdpFailure).message).toBe("GET Users?startIndex=1&count=2 answered 429: scripted 429");
    expect(waits).toEqual([300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 76800]);
    expect(server.requests).toHaveLength(10);
  });

  it("Entra and the others read an HTTP-date Retry-After, and wait 60 s without one", async () => {
    server.script(anyUsersList, 429, { headers: { "retry-after": new Date(Date.now() + 30_000).toUTCString() } });
    server.script(anyUsersList, 429);
    const { c, waits } = client(entraPolicy);
    await c.send("GET", "Users", undefined, [200]);
    expect(waits[0]).toBeGreaterThanOrEqual(29);
    expect(waits[0]).toBeLessThanOrEqual(30);
    expect(waits[1]).toBe(60);
  });
});

describe("5xx and network failures", () => {
  it("are retried three times with a doubling backoff, then fail naming the request", async () => {
    server.script((r) => r.method === "POST", 503, { times: 10 });
    const { c, waits } = client(entraPolicy);
    const failure = await c.send("POST", "Users", { userName: "a@example.com" }, [201]).catch((e: unknown) => e);
    expect((failure as IdpFailure).message).toBe("POST Users answered 503: scripted 503");
    expect(waits).toEqual([1, 2, 4]);
    expect(server.requests).toHaveLength(4);
  });

  it("recover when the server does", async () => {
    server.script((r) => r.method === "POST", 500, { times: 2 });
    const { c, waits } = client(defaultPolicy);
    const answer = await c.send("POST", "Users", { schemas: [], userName: "b@example.com" }, [201]);
    expect(answer.status).toBe(201);
    expect(waits).toEqual([1, 2]);
  });

  it("an unreachable server is a network failure after the same retries", async () => {
    const { c, waits } = client(defaultPolicy, "http://127.0.0.1:9/scim/v2");
    const failure = (await c.send("GET", "Users", undefined, [200]).catch((e: unknown) => e)) as IdpFailure;
    expect(failure.status).toBe("network");
    expect(waits).toEqual([1, 2, 4]);
  });
});

describe("other answers", () => {
  it("are not retried: a 409 fails at once with the server's detail", async () => {
    const { c, waits } = client(oktaPolicy);
    await c.send("POST", "Users", { userName: "dup@example.com" }, [201]);
    const failure = (await c.send("POST", "Users", { userName: "DUP@example.com" }, [201]).catch((e: unknown) => e)) as IdpFailure;
    expect(failure.message).toBe("POST Users answered 409: userName taken");
    expect(waits).toEqual([]);
  });

  it("a bad token is a 401 failure", async () => {
    const c = new ScimClient({ tenantUrl: server.url, token: "wrong", policy: entraPolicy });
    await expect(c.send("GET", "Users", undefined, [200])).rejects.toThrow("GET Users answered 401: bad token");
  });
});

describe("URLs", () => {
  it("keep the tenant URL's query (Entra's flags) in front of the request's own, and its path without a trailing slash", () => {
    const c = new ScimClient({ tenantUrl: "https://sally.example/scim/v2/?aadOptscim062020=true", token: "t", policy: entraPolicy });
    expect(c.url("Users?filter=userName+eq+%22a%22")).toBe("https://sally.example/scim/v2/Users?aadOptscim062020=true&filter=userName+eq+%22a%22");
    expect(c.ref("Users/42")).toBe("https://sally.example/scim/v2/Users/42");
  });

  it.each([
    ["120", 120],
    [" 5 ", 5],
    ["soon", null],
    [null, null],
  ])("Retry-After %j → %j s", (header, seconds) => {
    expect(retryAfterSeconds(header)).toBe(seconds);
  });
});
