// The hook behind expectJson: every SCIM resource or ListResponse an e2e suite receives is validated against the
// typed models built from the same server's /Schemas and /ResourceTypes (schema-model.ts).
import type { APIResponse } from "@playwright/test";
import { connectTenant, expect } from "../fixtures";
import { baseUrl, servers, type E2EServer } from "../servers";
import { bodyViolations, buildModels, type ResourceModel } from "./schema-model";

type Json = Record<string, any>;

// Built once per worker and server: discovery documents are the same for every tenant.
const models = new Map<string, Promise<ResourceModel[]>>();

async function loadModels(server: E2EServer): Promise<ResourceModel[]> {
  const tenant = await connectTenant(server);
  try {
    const read = async (path: string) => {
      const res = await tenant.scim.get(path);
      expect(res.status(), `GET ${path} for the schema models`).toBe(200);
      return ((await res.json()) as Json).Resources;
    };
    return buildModels(await read("Schemas"), await read("ResourceTypes"));
  } finally {
    await tenant.scim.dispose();
  }
}

function modelsFor(server: E2EServer): Promise<ResourceModel[]> {
  let found = models.get(server.name);
  if (!found) models.set(server.name, (found = loadModels(server)));
  return found;
}

/** A list or resource narrowed by `attributes`/`excludedAttributes` (or a POST .search, which may carry them). */
function isProjected(url: URL): boolean {
  const narrowed = [...url.searchParams.keys()].some((key) => /^(attributes|excludedAttributes)$/i.test(key));
  return narrowed || /\/\.search$/i.test(url.pathname);
}

/** Fails the test when a SCIM response body holds a resource that the server's own schemas do not describe. */
export async function expectDescribedBySchemas(res: APIResponse, body: unknown): Promise<void> {
  const url = new URL(res.url());
  if (!/\/scim\/v2\//i.test(url.pathname) || typeof body !== "object" || body === null) return;
  const server = servers.find((s) => new URL(baseUrl(s)).port === url.port);
  if (!server) return;
  const violations = bodyViolations(await modelsFor(server), body as Json, isProjected(url));
  expect(violations, `${res.url()} returned what its own /Schemas does not describe`).toEqual([]);
}
