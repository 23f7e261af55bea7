import { request } from "@playwright/test";
import { expect, test, uniqueSlug, type Cli } from "../fixtures";
import { baseUrl } from "../servers";
import { cliGroups, cliUsers, createGroup, createUser, expectScimError, patchOp, userBody } from "./helpers";

const SCIM_JSON = "application/scim+json";

// Each CLI call is a process start: a dozen of them may outlast the default minute on a busy 2-core machine.
test.describe.configure({ timeout: 180_000 });

/** Runs a CLI command that must fail; returns its stderr after checking the exit code and the one-line message. */
async function fails(cli: Cli, ...args: string[]): Promise<string> {
  const error = (await cli(...args).then(
    () => null,
    (e: unknown) => e,
  )) as { stderr?: string; exitCode?: number } | null;
  expect(error, `sally ${args.join(" ")} should fail`).not.toBeNull();
  expect(error!.exitCode).not.toBe(0);
  return error!.stderr ?? "";
}

const oneLineError = (stderr: string) => expect(stderr.trimEnd()).toMatch(/^error: [^\n]+$/);

test("tenant create, scim connect, status, rotate and disconnect; revoked tokens answer 401", async ({ cli, server }) => {
  const slug = uniqueSlug("cli");
  const created = await cli("tenant", "create", "--name", "CLI Test", "--slug", slug, "--admin", `admin@${slug}.example`);
  expect(created).toEqual({ id: expect.any(String), slug, name: "CLI Test", locale: "en" });
  expect(await cli("scim", "status", "--tenant", slug)).toEqual({ connected: false });

  const connected = (await cli("scim", "connect", "--tenant", slug, "--provider", "okta")) as { tenantUrl: string; token: string };
  expect(Object.keys(connected).sort()).toEqual(["tenantUrl", "token"]);
  expect(connected.tenantUrl).toBe(`${baseUrl(server)}/scim/v2`);
  const api = await request.newContext();
  try {
    const get = (token: string, path = "Users") => api.get(`${connected.tenantUrl}/${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get(connected.token)).status()).toBe(200);
    const kept = await api.post(`${connected.tenantUrl}/Users`, {
      headers: { authorization: `Bearer ${connected.token}`, "content-type": SCIM_JSON },
      data: userBody("kept@cli.example", { externalId: "kept-1" }),
    });
    expect(kept.status()).toBe(201);
    const keptId = (await kept.json()).id as string;

    const status = (await cli("scim", "status", "--tenant", slug)) as Record<string, unknown>;
    expect(status).toMatchObject({ connected: true, provider: "okta", tenantUrl: connected.tenantUrl, rotatedAt: null });
    expect(connected.token.startsWith(status.tokenPrefix as string)).toBe(true);
    expect(connected.token).not.toBe(status.tokenPrefix);
    expect(status.lastUsedAt).not.toBeNull();

    const rotated = (await cli("scim", "rotate", "--tenant", slug)) as { token: string };
    expect(Object.keys(rotated)).toEqual(["token"]);
    expect(rotated.token).not.toBe(connected.token);
    await expectScimError(await get(connected.token), 401);
    expect((await get(rotated.token)).status()).toBe(200);
    expect((await cli("scim", "status", "--tenant", slug)) as Record<string, unknown>).toMatchObject({ connected: true, rotatedAt: expect.any(String) });

    expect(await cli("scim", "disconnect", "--tenant", slug)).toMatchObject({ disconnected: true });
    await expectScimError(await get(rotated.token), 401);
    await expectScimError(await get(rotated.token, "ServiceProviderConfig"), 401);
    expect(await cli("scim", "status", "--tenant", slug)).toEqual({ connected: false });

    // Connecting again: a user left from the first connection is adopted, not duplicated.
    const again = (await cli("scim", "connect", "--tenant", slug, "--provider", "entra")) as { token: string };
    await expectScimError(await get(rotated.token), 401);
    const adopted = await api.post(`${connected.tenantUrl}/Users`, {
      headers: { authorization: `Bearer ${again.token}`, "content-type": SCIM_JSON },
      data: userBody("kept@cli.example", { externalId: "kept-1" }),
    });
    expect(adopted.status()).toBe(201);
    expect((await adopted.json()).id).toBe(keptId);
    const users = await cliUsers(cli, slug);
    expect(users.filter((u) => u.userName === "kept@cli.example").map((u) => u.source)).toEqual(["scim"]);
  } finally {
    await api.dispose();
  }
});

test("users list and groups list show what SCIM wrote; bad input exits non-zero with one error line", async ({ tenant, cli }) => {
  const ada = await createUser(tenant.scim, "ada@cli.example", { emails: [{ value: "Ada.Work@cli.example", type: "work", primary: true }] });
  const bob = await createUser(tenant.scim, "bob@cli.example");
  await createGroup(tenant.scim, "Zeta Team");
  await createGroup(tenant.scim, "Alpha Team", [ada.id, bob.id]);
  await tenant.scim.patch(`Users/${bob.id}`, { data: patchOp({ op: "replace", path: "active", value: false }) });

  const users = await cliUsers(cli, tenant.slug);
  for (const user of users) expect(Object.keys(user).sort()).toEqual(["email", "emailConflictWith", "id", "license", "role", "source", "status", "userName"]);
  expect(users.find((u) => u.userName === "ada@cli.example")).toEqual({
    id: expect.any(String),
    emailConflictWith: null,
    email: "Ada.Work@cli.example",
    userName: "ada@cli.example",
    role: "none",
    license: "none",
    status: "deactivated",
    source: "scim",
  });
  expect(users.find((u) => u.userName === "bob@cli.example")).toMatchObject({ email: "bob@cli.example", role: "none", source: "scim" });
  expect(users.find((u) => u.email === `admin@${tenant.slug}.example`)).toMatchObject({ role: "admin", source: "manual" });
  expect(users).toHaveLength(3);

  const groups = await cliGroups(cli, tenant.slug);
  expect(groups).toEqual([
    { id: expect.any(String), displayName: "Alpha Team", members: 2 },
    { id: expect.any(String), displayName: "Zeta Team", members: 0 },
  ]);

  oneLineError(await fails(cli, "users", "list", "--tenant", "no-such-tenant"));
  oneLineError(await fails(cli, "users", "list"));
  oneLineError(await fails(cli, "scim", "connect", "--tenant", tenant.slug, "--provider", "myspace"));
  oneLineError(await fails(cli, "tenant", "create", "--name", "Dup", "--slug", tenant.slug, "--admin", `other@${tenant.slug}.example`));
  oneLineError(await fails(cli, "groups", "list", "--tenant", tenant.slug, "--frobnicate"));
  const unknown = await fails(cli, "frobnicate");
  oneLineError(unknown);
  expect(unknown).toContain('unknown command "frobnicate --json"');
  // The failed connect changed nothing: the token still works.
  expect((await tenant.scim.get("Users")).status()).toBe(200);
});
