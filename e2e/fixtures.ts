import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { test as base, request, type APIRequestContext } from "@playwright/test";
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
    const { stdout } = await run("node_modules/.bin/tsx", ["lib/cli/main.ts", ...args, ...(json ? ["--json"] : [])], {
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
