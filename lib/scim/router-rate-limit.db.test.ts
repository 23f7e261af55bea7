import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/db/testing";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { scimClient } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";

// This file's own module registry reads the environment once: two requests a minute per tenant.
process.env.SCIM_RATE_LIMIT_PER_MINUTE = "2";

describe("the per-tenant rate limit", () => {
  const t = useTestDatabase("pglite");

  it("answers 429 in SCIM form with an integer Retry-After, per tenant", async () => {
    const connect = async (slug: string) => {
      const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `a@${slug}.example` });
      return scimClient(t.database, (await connectScim(t.db, { tenantId: tenant.id, provider: "okta", actor: "test" })).token);
    };
    const busy = await connect("busy");
    const quiet = await connect("quiet");
    expect((await busy("GET", "Users")).status).toBe(200);
    expect((await busy("GET", "Groups")).status).toBe(200);
    const limited = await busy("GET", "Users");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(limited.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429" });
    expect((await quiet("GET", "Users")).status).toBe(200);
  });
});
