import { describe, expect, it } from "vitest";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { scimClient, scimUser } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";

const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

describe.each(testDrivers)("POST /.search across resource types on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("filters every type and pages Users then Groups as one list", async () => {
    const tenant = await createTenant(t.db, { name: "Search", slug: `search-${driver}`, adminEmail: "a@search.example" });
    const scim = scimClient(t.database, (await connectScim(t.db, { tenantId: tenant.id, provider: "okta", actor: "test" })).token);
    for (const [userName, displayName] of [["al@x.example", "Alma"], ["bo@x.example", "Bob"], ["an@x.example", "Anton"]]) {
      expect((await scim("POST", "Users", scimUser(userName, { displayName }))).status).toBe(201);
    }
    for (const displayName of ["Admins", "Sales"]) {
      expect((await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName })).status).toBe(201);
    }
    const search = (body: Record<string, unknown>) => scim("POST", ".search", { schemas: [SEARCH], ...body });

    const all = await search({ filter: 'displayName sw "a"', attributes: ["displayName"] });
    expect(all.status).toBe(200);
    expect(all.body.totalResults).toBe(3);
    expect(all.body.Resources.map((r: { displayName: string }) => r.displayName)).toEqual(["Alma", "Anton", "Admins"]);

    const second = await search({ filter: 'displayName sw "a"', startIndex: 2, count: 2 });
    expect(second.body).toMatchObject({ totalResults: 3, itemsPerPage: 2, startIndex: 2 });
    expect(second.body.Resources.map((r: { displayName: string; meta: { resourceType: string } }) => [r.meta.resourceType, r.displayName])).toEqual([
      ["User", "Anton"],
      ["Group", "Admins"],
    ]);

    const everything = await search({});
    expect(everything.body.totalResults).toBe(5);
    expect((await search({ sortBy: "displayName" })).body).toMatchObject({ status: "400", scimType: "invalidValue" });
    expect((await search({ cursor: "" })).status).toBe(400);
    expect((await scim("GET", ".search")).status).toBe(405);
  });
});
