import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { scimUsers, users } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { PATCH_OP, scimClient, scimUser } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";

/**
 * A JSON body may carry a lone UTF-16 surrogate as an escape ("\ud800"): no Unicode character, and PostgreSQL's
 * jsonb refuses to store it (it used to end in a 500). It is refused as an invalid value, like U+0000, and
 * nothing is written.
 */
describe.each(testDrivers)("a lone surrogate in a SCIM body on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("is a 400 invalidValue for POST and PATCH, in a value or a key, and writes nothing", async () => {
    const tenant = await createTenant(t.db, { name: "Surrogates", slug: `surrogates-${driver}`, adminEmail: "a@surrogates.example" });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
    const scim = scimClient(t.database, token);
    const refused = (reply: { status: number; body: { scimType?: string; detail?: string } }) => {
      expect(reply.status).toBe(400);
      expect(reply.body.scimType).toBe("invalidValue");
      expect(reply.body.detail).toMatch(/surrogate/);
    };

    refused(await scim("POST", "Users", scimUser("lone@surrogates.example", { displayName: "Ada \ud800 Lovelace" })));
    refused(await scim("POST", "Users", scimUser("key@surrogates.example", { ["x\udc00"]: "value" })));
    expect(await t.db.select().from(scimUsers).where(eq(scimUsers.tenantId, tenant.id))).toEqual([]);

    const created = await scim("POST", "Users", scimUser("paired@surrogates.example", { displayName: "Ada 😀 Lovelace" }));
    expect(created.status).toBe(201);
    refused(await scim("PATCH", `Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "displayName", value: "\udbff" }] }));
    const [user] = await t.db.select().from(users).where(eq(users.scimUserId, created.body.id));
    expect(user.name).toBe("Ada 😀 Lovelace");
  });
});
