// Tokens are never logged: a server of its own (so its stdout and stderr can be read) serves good and bad SCIM
// requests, a rotation and a disconnect; then neither its output nor the activity log holds any token, and the
// database holds only hashes. The same server checks the dev mailbox is closed in production by default.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { SCIM, expect, runCli, test, uniqueSlug } from "../fixtures";
import { NEXT_START_OPTIONS, serverEnv, type E2EServer } from "../servers";
import { opsPort } from "./instances";
import { rawRequest } from "./raw-http";

test.describe("tokens in logs", () => {
  test.skip(({ server }) => server.name !== "pglite", "one own server is enough; it runs on embedded PGlite");

  let child: ChildProcess | undefined;
  test.afterEach(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  });

  test("no token in the server's output or the activity log; only hashes at rest; no mailbox in production", async () => {
    test.setTimeout(600_000);
    const own: E2EServer = { name: "pglite", port: opsPort(4), databaseUrl: "", pgliteDir: ".data/e2e/token-logs" };
    fs.rmSync(own.pgliteDir, { recursive: true, force: true });
    fs.rmSync(`${own.pgliteDir}.lock`, { force: true });
    const env = { ...process.env, ...serverEnv(own), MAILBOX_ENABLED: "", SEED_DEMO: "0" };
    let output = "";
    child = spawn("node_modules/.bin/next", ["start", ...NEXT_START_OPTIONS, "-p", String(own.port), "-H", "127.0.0.1"], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (chunk) => (output += String(chunk)));
    child.stderr!.on("data", (chunk) => (output += String(chunk)));
    await expect(async () => expect((await rawRequest(own.port, "GET", "/api/health", {}, undefined, { timeoutMs: 30_000 })).status).toBe(200)).toPass({
      timeout: 420_000,
    });
    const cli = (...args: string[]) => runCli(own, args);
    const slug = uniqueSlug("logs");
    await cli("tenant", "create", "--name", "Logs", "--slug", slug, "--admin", `admin@${slug}.example`);
    const { token: first } = (await cli("scim", "connect", "--tenant", slug, "--provider", "okta")) as { token: string };
    const { token: second } = (await cli("scim", "rotate", "--tenant", slug)) as { token: string };
    const tokens = [first, second];

    const send = (method: string, path: string, token: string, body?: string) =>
      rawRequest(own.port, method, `/scim/v2/${path}`, { authorization: `Bearer ${token}`, "content-type": "application/scim+json" }, body);
    const user = JSON.stringify({ schemas: [SCIM.user], userName: `u@${slug}.example`, emails: [{ value: `u@${slug}.example`, primary: true }] });
    expect((await send("POST", "Users", second, user)).status).toBe(201);
    expect((await send("GET", "Users", second)).status).toBe(200);
    expect((await send("GET", "Users", first)).status).toBe(401);
    expect((await send("GET", "Users", second.slice(0, -1))).status).toBe(401);
    expect((await send("POST", "Users", second, `{"userName":"${second}"`)).status).toBe(400);
    expect((await send("PATCH", "Groups/not-a-group", second, "{}")).status).toBe(400);
    expect((await send("TRACE", "Users", second)).status).toBe(405);
    expect((await send("POST", "Bulk", second, "[")).status).toBe(400);
    await cli("scim", "disconnect", "--tenant", slug);
    expect((await send("GET", "Users", second)).status).toBe(401);

    // The dev mailbox is off in production unless MAILBOX_ENABLED says otherwise.
    expect((await rawRequest(own.port, "GET", "/dev/mailbox")).status).toBe(404);

    const activity = JSON.stringify(await cli("activity", "list", "--tenant", slug, "--limit", "500"));
    expect(activity).toContain("/Users");
    for (const token of tokens) {
      const secret = token.slice("sally_scim_".length);
      expect(output, "server output").not.toContain(secret.slice(0, 16));
      expect(output).not.toContain(createHash("sha256").update(token).digest("hex"));
      expect(activity, "activity log").not.toContain(secret.slice(0, 16));
    }
    expect(output).toContain("Ready");
  });
});
