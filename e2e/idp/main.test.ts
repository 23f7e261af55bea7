// The command line contract: exit 0 with a summary, exit 1 naming the failed request, exit 2 on bad usage.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { startRecordingServer, type RecordingServer } from "./testing/recording-server";

const execFileAsync = promisify(execFile);
let server: RecordingServer;
let dir: string;

beforeEach(async () => {
  server = await startRecordingServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "idp-main-"));
});
afterEach(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function idp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync("node_modules/.bin/tsx", ["e2e/idp/main.ts", ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each case starts the simulator as its own process (tsx), which takes seconds on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

const base = () => ["--url", server.url, "--users", "12", "--groups", "6", "--state", path.join(dir, "s.json")];

it("prints a JSON summary and exits 0 when every answer is one the IdP accepts", async () => {
  const { code, stdout, stderr } = await idp("--provider", "okta", "--token", "test-token", ...base(), "--json");
  expect(code).toBe(0);
  const summary = JSON.parse(stdout);
  expect(summary).toMatchObject({ ok: true, provider: "okta", scenario: "initial", failures: [], cycle: { usersCreated: 12, groupsCreated: 6 } });
  expect(summary.requests).toBe(Object.values(summary.answers as Record<string, number>).reduce((a, b) => a + b, 0));
  expect(stderr).toContain("users: match and create: 12 to do");
});

it("exits 1 naming the request when the connection check is refused", async () => {
  const { code, stderr } = await idp("--provider", "entra", "--token", "wrong", ...base());
  expect(code).toBe(1);
  expect(stderr).toMatch(/^error: the connection check failed: GET Users\?filter=userName\+eq\+%22[0-9a-f-]{36}%22 answered 401: bad token$/m);
});

it("exits 1 naming the first failed request when the server refuses an object, after finishing the cycle", async () => {
  // A conflict on one user's POST (as when the IdP's lookup missed an existing user, azure-docs#11784).
  server.script((r) => r.method === "POST" && r.path === "Users", 409);
  const { code, stdout, stderr } = await idp("--provider", "google", "--token", "test-token", ...base());
  expect(code).toBe(1);
  expect(stderr).toContain(`first: POST Users answered 409: scripted 409`);
  expect(stdout).toContain("failures:  1");
  expect(stdout).toMatch(/usersCreated 11/);
});

it.each([
  [["--provider", "azure"], /--provider must be one of entra, okta, onelogin, pingone, google/],
  [["--provider", "okta", "--url", "not a url", "--token", "t"], /--url must be the http\(s\) Tenant URL/],
  [["--provider", "okta", "--token", "t", "--url", "http://x", "--users", "0"], /--users must be at least 1/],
  [["--bogus"], /Unknown option '--bogus'/],
])("exits 2 with the usage on bad arguments %j", async (args, message) => {
  const { code, stderr } = await idp(...args);
  expect(code).toBe(2);
  expect(stderr).toMatch(message);
  expect(stderr).toContain("Usage: npm run -s idp --");
});

it("refuses incremental without a state from an initial cycle", async () => {
  const { code, stderr } = await idp("--provider", "okta", "--token", "test-token", ...base(), "--scenario", "incremental");
  expect(code).toBe(1);
  expect(stderr).toMatch(/^error: no state in .*s\.json: run --scenario initial first/m);
});
