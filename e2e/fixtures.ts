import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { promisify } from "node:util";
import { test as base, expect, request, type APIRequestContext, type Page } from "@playwright/test";
import { bin } from "./bin";
import type { Scenario } from "./idp/args";
import type { Provider as IdpProvider } from "./idp/providers/types";
import type { Summary } from "./idp/simulate";
import type { SimulatorState } from "./idp/state";
import { ScimIntegrationPage, UsersPage, type Provider } from "./pages/admin";
import type { Language } from "./pages/labels";
import { SignInPage } from "./pages/sign-in";
import { serverEnv, type E2EServer } from "./servers";

const run = promisify(execFile);

export type Cli = (...args: string[]) => Promise<unknown>;

export type ScimTenant = {
  slug: string;
  tenantUrl: string;
  token: string;
  /** Requests against the tenant URL with the bearer token and a SCIM content type. */
  scim: APIRequestContext;
};

/** Runs `npm run sally -- … --json` against the project's server; rejects with stderr on a non-zero exit. */
export async function runCli(server: E2EServer, args: string[], { json = true } = {}): Promise<unknown> {
  try {
    const { stdout } = await run(process.execPath, [bin("sally"), ...args, ...(json ? ["--json"] : [])], {
      env: { ...process.env, ...serverEnv(server) },
    });
    return json ? JSON.parse(stdout) : stdout;
  } catch (error) {
    const e = error as { stderr?: string; code?: number };
    throw Object.assign(new Error(`sally ${args.join(" ")} failed (${e.code}): ${e.stderr?.trim()}`), { stderr: e.stderr, exitCode: e.code });
  }
}

export const uniqueSlug = (prefix = "t") => `${prefix}-${randomBytes(4).toString("hex")}`;

/** A fresh tenant connected over SCIM, with a request context for its tenant URL. */
export async function connectTenant(
  server: E2EServer,
  options: { provider?: string; seats?: string; admin?: string } = {},
): Promise<ScimTenant> {
  const slug = uniqueSlug();
  await runCli(server, [
    "tenant", "create", "--name", `Tenant ${slug}`, "--slug", slug,
    "--admin", options.admin ?? `admin@${slug}.example`,
    ...(options.seats ? ["--seats", options.seats] : []),
  ]);
  const { tenantUrl, token } = (await runCli(server, ["scim", "connect", "--tenant", slug, "--provider", options.provider ?? "entra"])) as {
    tenantUrl: string;
    token: string;
  };
  const scim = await request.newContext({
    baseURL: `${tenantUrl}/`,
    extraHTTPHeaders: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
  });
  return { slug, tenantUrl, token, scim };
}

export type AdminTenant = { slug: string; adminEmail: string; domain: string };

/** A fresh tenant (not connected) with one manual admin, created through the CLI like an operator would. */
export async function createAdminTenant(
  server: E2EServer,
  options: { locale?: "en" | "de"; seats?: string; prefix?: string } = {},
): Promise<AdminTenant> {
  const slug = uniqueSlug(options.prefix ?? "ui");
  const domain = `${slug}.example`;
  const adminEmail = `admin@${domain}`;
  await runCli(server, [
    "tenant", "create", "--name", `Tenant ${slug}`, "--slug", slug, "--admin", adminEmail,
    "--locale", options.locale ?? "en",
    ...(options.seats ? ["--seats", options.seats] : []),
  ]);
  return { slug, adminEmail, domain };
}

/** A fresh tenant (createAdminTenant) whose admin is signed in through the sign-in page and the local mailbox. */
export async function signInAsNewAdmin(page: Page, server: E2EServer, options: Parameters<typeof createAdminTenant>[1] = {}): Promise<AdminTenant> {
  const tenant = await createAdminTenant(server, options);
  await new SignInPage(page).signIn(tenant.adminEmail);
  await expect(page).toHaveURL(/\/settings\/users$/);
  return tenant;
}

/**
 * The signed-in admin connects SCIM as the README tells them: Settings → Users → SCIM Integration, the provider
 * and its instructions, Set up SCIM, then the Tenant URL and the Token through their Copy buttons. Returns what
 * landed on the clipboard; the page is left waiting for the IdP's first request.
 */
export async function connectScimThroughUi(page: Page, provider: Provider, language: Language = "en"): Promise<{ tenantUrl: string; token: string }> {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const users = new UsersPage(page, language);
  const scim = new ScimIntegrationPage(page, language);
  await users.openFromNavigation();
  await users.openScimIntegration();
  await expect(scim.state()).toHaveAttribute("data-state", "not-connected");
  const instructions = await scim.pickProvider(provider);
  await expect(instructions.getByRole("listitem").first()).toBeVisible();
  await scim.setUp(provider);
  // From the moment the credentials show, the provider's steps are on the page once (with the token in them),
  // also before the page's server state says "waiting".
  await expect(page.getByRole("region", { name: scim.l.credentials })).toBeVisible();
  await expect(page.getByTestId("instructions")).toHaveCount(1);
  const credentials = await scim.copyCredentials();
  expect(credentials.tenantUrl).toMatch(/\/scim\/v2$/);
  expect(credentials.token).toMatch(/^sally_scim_/);
  // The steps are repeated with both values filled in.
  await expect(page.getByRole("region", { name: scim.l.instructionsFor(scim.l.providers[provider]) })).toContainText(credentials.token);
  await expect(scim.state()).toHaveAttribute("data-state", "waiting");
  await expect(page.getByRole("heading", { name: scim.l.waiting })).toBeVisible();
  return credentials;
}

/** Runs the IdP simulator as a separate process, as QA would (`npm run -s idp -- … --json`); it must exit 0 with no failed request. */
export async function runSimulator(args: string[]): Promise<Summary> {
  const { stdout } = await run(process.execPath, [bin("idp"), ...args, "--json"], { maxBuffer: 16 << 20 }).catch(
    (e: { stdout?: string; stderr?: string; code?: number }) => {
      throw new Error(`idp ${args.join(" ")} exited ${e.code}: ${e.stderr?.trim()}\n${e.stdout?.slice(0, 2000)}`);
    },
  );
  const summary = JSON.parse(stdout) as Summary;
  expect(summary.failures).toEqual([]);
  return summary;
}

export type SimulatorOptions = {
  provider: IdpProvider;
  tenantUrl: string;
  token: string;
  /** The state file, kept between the scenarios (a test's output folder keeps tests apart). */
  stateFile: string;
  domain: string;
  users: number;
  groups: number;
  seed?: number;
  concurrency?: number;
};

/** One simulated IdP directory bound to a tenant: run its scenarios, read back its state (the IdP's truth). */
export function idpSimulator(options: SimulatorOptions) {
  const args = [
    "--provider", options.provider, "--url", options.tenantUrl, "--token", options.token,
    "--users", String(options.users), "--groups", String(options.groups), "--seed", String(options.seed ?? 1),
    "--domain", options.domain, "--concurrency", String(options.concurrency ?? 3), "--state", options.stateFile,
  ];
  return {
    run: (scenario: Scenario) => runSimulator([...args, "--scenario", scenario]),
    state: () => JSON.parse(fs.readFileSync(options.stateFile, "utf8")) as SimulatorState,
  };
}

/** A SCIM client with the credentials an admin copied from the SCIM Integration page, as the IdP would use them. */
export async function idpClient(tenantUrl: string, token: string): Promise<APIRequestContext> {
  return request.newContext({
    baseURL: `${tenantUrl}/`,
    extraHTTPHeaders: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
  });
}

export const test = base.extend<{ server: E2EServer; cli: Cli; tenant: ScimTenant }>({
  server: async ({}, use, testInfo) => {
    await use(testInfo.project.metadata.server as E2EServer);
  },
  cli: async ({ server }, use) => {
    await use((...args: string[]) => runCli(server, args));
  },
  tenant: async ({ server }, use) => {
    const tenant = await connectTenant(server);
    await use(tenant);
    await tenant.scim.dispose();
  },
});

export { expect } from "@playwright/test";

export const SCIM = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  enterprise: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  bulkRequest: "urn:ietf:params:scim:api:messages:2.0:BulkRequest",
  searchRequest: "urn:ietf:params:scim:api:messages:2.0:SearchRequest",
} as const;
